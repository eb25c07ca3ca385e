"""`zwxm new-district`: the package it writes installs, registers and passes its own scenarios and tests.

The end-to-end test builds one fresh virtual environment (slow: zwxm and its dependencies are
installed from the repository and the package mirror), so everything that needs it is one test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ZWXM
from zwxm.plugins import Registry, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent


def zwxm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ZWXM, *args], capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL,
                          timeout=120)


def test_writes_every_file_of_the_package(tmp_path):
    result = zwxm("new-district", "fifth", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "zwxm-fifth"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "tests/test_plugin.py", "zwxm_fifth/__init__.py",
                     "zwxm_fifth/plugin.py", "zwxm_fifth/py.typed", "zwxm_fifth/regulation.txt", "zwxm_fifth/rules.py",
                     "zwxm_fifth/scenarios/a03_contract_filing_national_day_open.toml",
                     "zwxm_fifth/scenarios/a04_warranty_exactly_2_years.toml",
                     "zwxm_fifth/scenarios/a04_warranty_under_2_years.toml"]
    pyproject = (folder / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.zwxm]\nfifth = "zwxm_fifth.plugin"' in pyproject
    plugin = (folder / "zwxm_fifth" / "plugin.py").read_text(encoding="utf-8")
    for hook in ("zwxm_register_districts", "zwxm_register_event_types", "zwxm_register_roles",
                 "zwxm_register_rules"):
        assert f"@hookimpl\ndef {hook}(register):" in plugin
    assert "占位" in (folder / "zwxm_fifth" / "regulation.txt").read_text(encoding="utf-8")
    assert "$" not in "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())


def test_the_written_plugin_registers_cleanly_on_a_fresh_manager(tmp_path, monkeypatch):
    assert zwxm("new-district", "sixth_ward", "--dir", str(tmp_path / "pkg"), "--name", "第六区").returncode == 0
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    from zwxm_sixth_ward import plugin  # type: ignore[import-not-found]

    problems: list = []
    registry = Registry(get_plugin_manager([("sixth_ward", plugin)], entry_points=False, problems=problems), problems)
    assert not registry.problems
    assert registry.districts["sixth_ward"].name == "第六区"
    assert [r.kind for r in registry.rules_for("sixth_ward")] == ["deadline", "finding"]
    assert all(registry.coverage("sixth_ward").values())


@pytest.mark.parametrize("code", ["Fifth", "5th", "fifth-ward", "", "第五"])
def test_a_bad_code_is_refused_naming_it(tmp_path, code):
    result = zwxm("new-district", code, cwd=tmp_path)
    assert result.returncode == 2 and f"code: {code!r}" in result.stderr and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_folder_with_files_is_never_overwritten(tmp_path):
    (tmp_path / "zwxm-fifth").mkdir()
    keep = tmp_path / "zwxm-fifth" / "notes.txt"
    keep.write_text("mine", encoding="utf-8")
    result = zwxm("new-district", "fifth", cwd=tmp_path)
    assert result.returncode == 2 and "--dir" in result.stderr and "not empty" in result.stderr
    assert [p.name for p in (tmp_path / "zwxm-fifth").iterdir()] == ["notes.txt"] and keep.read_text() == "mine"


def test_installed_in_a_fresh_venv_its_scenarios_and_tests_pass_at_once(tmp_path):
    venv = tmp_path / "venv"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZWXM_DB", "VIRTUAL_ENV")}

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=clean,
                                stdin=subprocess.DEVNULL, timeout=900)
        assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        return result

    run(sys.executable, "-m", "venv", str(venv))
    bin_ = venv / "bin"
    run(str(bin_ / "pip"), "install", "-q", str(ROOT))
    package = tmp_path / "zwxm-fifth"
    run(str(bin_ / "zwxm"), "new-district", "fifth", cwd=tmp_path)
    run(str(bin_ / "pip"), "install", "-q", "-e", f"{package}[test]")

    districts = json.loads(run(str(bin_ / "zwxm"), "districts", "--json").stdout)
    assert {d["district"]: d["plugin"] for d in districts["districts"]}["fifth"] == "fifth"
    assert not districts["problems"]
    scenarios = run(str(bin_ / "zwxm"), "--lang", "en", "scenarios", "fifth")
    assert scenarios.stdout.strip().endswith("3 passed, 0 failed")
    rules = json.loads(run(str(bin_ / "zwxm"), "rules", "fifth", "--json").stdout)
    assert rules["summary"]["coverage"] == 1.0
    tests = run(str(bin_ / "pytest"), "-q", "-p", "no:cacheprovider", cwd=package)
    assert "4 passed" in tests.stdout
    # the core's own test package is not part of what was installed
    site = run(str(bin_ / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    assert not (Path(site) / "tests").exists()
