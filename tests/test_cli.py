"""The `zwxm` command in real subprocesses, with a district installed out of tree through the
`zwxm` entry point exactly as an outside developer would ship a fifth district."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ZWXM

EXAMPLE = Path(__file__).parent / "example_district"

PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "zwxm-example-district"
version = "0.1.0"
dependencies = ["zwxm"]

[project.entry-points.zwxm]
example = "zwxm_example.plugin"

[tool.setuptools]
packages = ["zwxm_example"]

[tool.setuptools.package-data]
"*" = ["*.txt", "scenarios/*.toml"]
"""


@pytest.fixture(scope="session")
def outside_plugin(tmp_path_factory) -> dict[str, str]:
    """Build the example district as its own package in a temp folder and install it (not into our venv)."""
    root = tmp_path_factory.mktemp("outside")
    source = root / "src"
    package = source / "zwxm_example"
    package.mkdir(parents=True)
    (source / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    plugin = (EXAMPLE / "plugin.py").read_text(encoding="utf-8").replace('"example_scenarios"', '"scenarios"')
    (package / "plugin.py").write_text(plugin, encoding="utf-8")
    shutil.copy(EXAMPLE / "regulation.txt", package / "regulation.txt")
    shutil.copytree(EXAMPLE / "example_scenarios", package / "scenarios")
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True, capture_output=True)
    assert (site / "zwxm_example" / "scenarios").is_dir(), "package data must be installed"
    env = dict(os.environ, PYTHONPATH=str(site), ZWXM_LANG="zh")
    return env


def zwxm(env, *args, input_path=None):
    return subprocess.run([ZWXM, *args], capture_output=True, text=True, env=env, timeout=120)


PROJECT = """
code = "EX-9"
name = "示例平台"
district = "example"
kind = "construction"
investment = "１２０万"
funding = "government_investment"

[[events]]
type = "contract_signed"
date = "2024-09-25"
"""


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(PROJECT, encoding="utf-8")
    return path


def test_version():
    out = subprocess.run([ZWXM, "--version"], capture_output=True, text=True, check=True).stdout
    assert "0.1.0" in out


def test_outside_district_is_listed(outside_plugin):
    result = zwxm(outside_plugin, "districts", "--json", "--as-of", "2024-06-01")
    rows = {r["district"]: r for r in json.loads(result.stdout)["districts"]}
    assert rows["example"]["plugin"] == "example" and rows["example"]["status"] == "in_force"


def test_evaluate_json_contract(outside_plugin, project_file):
    result = zwxm(outside_plugin, "evaluate", str(project_file), "--as-of", "2024-10-09", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["project"] == "EX-9" and data["as_of"] == "2024-10-09" and data["applicable"] is True
    deadline = data["deadlines"][0]
    assert deadline == deadline | {"rule": "contract_filing", "kind": "due", "date": "2024-10-08", "article": 5,
                                   "status": "missed", "provisional": False}


def test_evaluate_text_in_both_languages(outside_plugin, project_file):
    zh = zwxm(outside_plugin, "evaluate", str(project_file), "--as-of", "2024-10-01").stdout
    en = zwxm(outside_plugin, "--lang", "en", "evaluate", str(project_file), "--as-of", "2024-10-01").stdout
    assert "合同备案" in zh and "第5条" in zh
    assert "contract filing" in en and "Deadlines" in en


@pytest.mark.parametrize("text, field, value", [
    (PROJECT.replace('"example"', '"atlantis"'), "district", "atlantis"),
    (PROJECT.replace('"１２０万"', '"-5万"'), "investment", "-5万"),
    (PROJECT.replace('"１２０万"', '"lots"'), "investment", "lots"),
    (PROJECT.replace('"2024-09-25"', '"2024-02-30"'), "events[0].date", "2024-02-30"),
    (PROJECT.replace('"contract_signed"', '"party"'), "events[0].type", "party"),
    (PROJECT.replace("funding = ", 'category = "castle"\nfunding = '), "category", "castle"),
])
def test_bad_input_exits_2_naming_field_and_value(outside_plugin, tmp_path, text, field, value):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    result = zwxm(outside_plugin, "evaluate", str(path), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert any(line.startswith(f"{field}: ") and value in line for line in result.stderr.splitlines()), result.stderr


def test_several_problems_one_line_each(outside_plugin, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(PROJECT.replace('"１２０万"', '"-5万"').replace('"2024-09-25"', '"2024-13-01"'), encoding="utf-8")
    lines = zwxm(outside_plugin, "evaluate", str(path)).stderr.strip().splitlines()
    assert len(lines) == 2


@pytest.mark.parametrize("content, message", [
    (b"", "为空"), (b"code = [", "TOML"), ("code = \"项目\"".encode("gbk"), "UTF-8"), (b"[1, 2]", "top level"),
])
def test_unreadable_files(outside_plugin, tmp_path, content, message):
    path = tmp_path / ("bad.json" if content.startswith(b"[") else "bad.toml")
    path.write_bytes(content)
    result = zwxm(outside_plugin, "evaluate", str(path))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_missing_file_and_bad_as_of(outside_plugin, project_file):
    assert zwxm(outside_plugin, "evaluate", "/nonexistent.toml").returncode == 2
    bad = zwxm(outside_plugin, "evaluate", str(project_file), "--as-of", "2024-02-30")
    assert bad.returncode == 2 and "as_of" in bad.stderr


def test_json_project_file(outside_plugin, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"code": "J1", "name": "n", "district": "example", "kind": "operation",
                                "investment": 600000}), encoding="utf-8")
    assert json.loads(zwxm(outside_plugin, "evaluate", str(path), "--json").stdout)["project"] == "J1"


def test_compare_evaluates_under_every_district(outside_plugin, project_file):
    result = zwxm(outside_plugin, "compare", str(project_file), "--json", "--as-of", "2024-10-01")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "example" in data and all(v["district"] == k for k, v in data.items())


def test_rules_lists_articles_and_coverage(outside_plugin):
    data = json.loads(zwxm(outside_plugin, "rules", "example", "--json").stdout)
    by_article = {a["article"]: a for a in data["articles"]}
    assert by_article[5]["rules"][0]["key"] == "contract_filing"
    assert by_article[1]["not_automatable"]
    assert data["summary"]["articles"] == 9 and data["summary"]["coverage"] == 1.0
    assert zwxm(outside_plugin, "rules", "atlantis").returncode == 2


def test_scenario_command_and_pytest_plugin_run_outside_scenarios(outside_plugin, tmp_path):
    result = zwxm(outside_plugin, "scenarios", "example")
    assert result.returncode == 0 and "1 个通过，0 个失败" in result.stdout
    run = subprocess.run([sys.executable, "-m", "pytest", "--zwxm-scenarios", "-q", "-p", "no:cacheprovider",
                          "-k", "contract_filing_holiday", str(tmp_path)],
                         capture_output=True, text=True, env=outside_plugin, cwd=tmp_path, timeout=300)
    assert "1 passed" in run.stdout, run.stdout + run.stderr


def test_calendar_override_file_on_the_command_line(outside_plugin, tmp_path):
    """A locally added 2027 schedule makes a 2027 deadline official and moves it off the new holiday."""
    override = tmp_path / "calendar.toml"
    override.write_text('[years.2027]\nsource = "测试通知"\nholidays = ["2027-01-04"]\nworkdays = []\n', encoding="utf-8")
    path = tmp_path / "p.toml"
    path.write_text(PROJECT.replace('"2024-09-25"', '"2026-12-25"'), encoding="utf-8")
    plain = json.loads(zwxm(outside_plugin, "evaluate", str(path), "--as-of", "2026-12-26", "--json").stdout)
    assert (plain["deadlines"][0]["date"], plain["deadlines"][0]["provisional"]) == ("2027-01-04", True)
    result = zwxm(outside_plugin, "--calendar-file", str(override), "evaluate", str(path), "--as-of", "2026-12-26", "--json")
    deadline = json.loads(result.stdout)["deadlines"][0]
    assert (deadline["date"], deadline["provisional"]) == ("2027-01-05", False)
