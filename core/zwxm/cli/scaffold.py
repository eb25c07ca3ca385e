"""`zwxm new-district CODE`: write a complete, installable district plugin package to start from.

The files come from `templates/district/` (package data), filled in with the code and names. The
result installs with `pip install -e`, and its scenarios and tests pass as written; its regulation
text is a marked placeholder to replace with the published one (see docs/plugins.md).
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import click

from ..model import Problem
from . import fail

TEMPLATES = Path(__file__).parent / "templates" / "district"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")  # as zwxm.plugins checks it at registration

# template -> where it goes in the new package ($package is the import name)
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "$package/__init__.py",
    "plugin.py.tmpl": "$package/plugin.py",
    "rules.py.tmpl": "$package/rules.py",
    "regulation.txt.tmpl": "$package/regulation.txt",
    "scenario_contract_filing.toml.tmpl": "$package/scenarios/a03_contract_filing_national_day_open.toml",
    "scenario_warranty.toml.tmpl": "$package/scenarios/a04_warranty_under_2_years.toml",
    "scenario_warranty_boundary.toml.tmpl": "$package/scenarios/a04_warranty_exactly_2_years.toml",
    "test_plugin.py.tmpl": "tests/test_plugin.py",
}


def write_district(code: str, folder: Path, name: str, name_en: str) -> list[Path]:
    """Write the package for district `code` into `folder` (which must not hold files yet)."""
    values = {"code": code, "package": f"zwxm_{code}", "dist": f"zwxm-{code.replace('_', '-')}",
              "upper": code.upper(), "name": name, "name_en": name_en}
    written = []
    for template, target in FILES.items():
        path = folder / string.Template(target).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = string.Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    marker = folder / values["package"] / "py.typed"
    marker.write_text("", encoding="utf-8")
    return [*written, marker]


@click.command("new-district")
@click.argument("code")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="写到此目录（默认 ./zwxm-CODE）/ folder to write to (default ./zwxm-CODE)")
@click.option("--name", default=None, help="地区中文名（默认 CODE区）/ Chinese name of the district")
@click.option("--name-en", "name_en", default=None, help="地区英文名 / English name of the district")
def new_district(code: str, folder: str | None, name: str | None, name_en: str | None) -> None:
    """Write a new district plugin package (pyproject, hooks, rules, scenarios, README) to start from."""
    if not _CODE.match(code):
        fail([Problem("code", code, "地区代码须为小写字母开头，只含小写字母、数字和 _",
                      "a district code is lower-case letters, digits and _, starting with a letter")])
    target = Path(folder) if folder else Path(f"zwxm-{code.replace('_', '-')}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        fail([Problem("--dir", str(target), "目录已存在且不为空，不会覆盖", "the folder exists and is not empty; nothing overwritten")])
    try:
        written = write_district(code, target, name or f"{code}区", name_en or f"{code.replace('_', ' ').title()} District")
    except OSError as exc:
        fail([Problem("--dir", str(target), f"无法写入：{exc.strerror}", f"cannot write: {exc.strerror}")])
    click.echo(f"已写入 {len(written)} 个文件到 {target} / wrote {len(written)} files to {target}")
    click.echo(f"下一步 / next: pip install -e '{target}[test]' && zwxm scenarios {code} && (cd {target} && pytest)")


COMMANDS = [new_district]
