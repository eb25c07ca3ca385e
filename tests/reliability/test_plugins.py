"""Misbehaving plugins, installed the way outside plugins are (a distribution with a `zwxm` entry
point on the path), through the real `zwxm` command: a rule that raises, returns the wrong type or
hangs is isolated and named; a plugin that cannot even be imported is reported; the installed
districts answer exactly as they do without them."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .harness import ZWXM, env

TIME_LIMIT = 0.5  # ZWXM_RULE_TIME_LIMIT for these runs, seconds

HOSTILE_PLUGIN = '''
"""A district whose every rule misbehaves, plus a gate that hangs."""
import datetime as dt
from zwxm import hookimpl
from zwxm.rules import District, Regulation, Rule


def forever(ctx):
    while True:
        pass


@hookimpl
def zwxm_register_districts(register):
    register(District("hostile", "捣乱区", "Hostile", Regulation("捣乱办法", "捣〔2025〕1号", dt.date(2025, 1, 1))))


@hookimpl
def zwxm_register_event_types(register):
    pass


@hookimpl
def zwxm_register_roles(register):
    pass


@hookimpl
def zwxm_register_rules(register):
    register(Rule("raises", "hostile", "finding", 3, "会出错的规则", lambda ctx: 1 / 0))
    register(Rule("wrong_type", "hostile", "deadline", 4, "返回错误类型", lambda ctx: {"not": "an output"}))
    register(Rule("hangs", "hostile", "finding", 5, "死循环的规则", forever))
    register(Rule("hanging_gate", "hostile", "gate", 6, "死循环的闸门", forever, events=("approved",)))
'''

AUDIT_PLUGIN = '''
"""A cross-cutting rule (every district) that hangs."""
from zwxm import hookimpl
from zwxm.rules import Rule


@hookimpl
def zwxm_register_rules(register):
    def forever(ctx):
        while True:
            pass

    register(Rule("audit_hangs", "*", "finding", None, "跨地区的死循环规则", forever))
'''

BROKEN_PLUGIN = 'raise ImportError("zwxm_broken cannot start: missing dependency")\n'


def install(site: Path, name: str, source: str) -> None:
    """A distribution as pip lays it out: the module, and a dist-info with the `zwxm` entry point."""
    (site / f"{name}.py").write_text(source, encoding="utf-8")
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[zwxm]\n{name.removeprefix('zwxm_')} = {name}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    install(site, "zwxm_hostile", HOSTILE_PLUGIN)
    install(site, "zwxm_audit", AUDIT_PLUGIN)
    install(site, "zwxm_broken", BROKEN_PLUGIN)
    return site


def run(site: Path | None, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    environment = env()
    environment["ZWXM_RULE_TIME_LIMIT"] = str(TIME_LIMIT)
    if site is not None:
        environment["PYTHONPATH"] = os.pathsep.join([str(site), environment["PYTHONPATH"]])
    return subprocess.run([ZWXM, *args], capture_output=True, text=True, env=environment, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=120)


PROJECT = """
code = "{code}"
name = "智慧城管平台"
district = "{district}"
kind = "construction"
investment = "1200万"
funding = "government_investment"
owner_unit = "区城市管理局"

[[events]]
type = "declared"
date = "2025-01-06"

[[events]]
type = "contract_signed"
date = "2025-05-06"
"""


def project_file(folder: Path, code: str, district: str) -> Path:
    path = folder / f"{code}.toml"
    path.write_text(PROJECT.format(code=code, district=district), encoding="utf-8")
    return path


def test_districts_lists_everyone_and_names_the_plugin_that_failed_to_load(site):
    result = run(site, "districts", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {d["district"]: d["plugin"] for d in data["districts"]}["hostile"] == "hostile"
    assert {d["district"] for d in data["districts"]} == {"luohu", "wuxing", "yubei", "potou", "hostile"}
    assert len(data["problems"]) == 1 and "broken" in data["problems"][0] and "missing dependency" in data["problems"][0]


def test_misbehaving_rules_are_isolated_and_named(site, tmp_path):
    started = time.monotonic()
    result = run(site, "evaluate", str(project_file(tmp_path, "H-1", "hostile")), "--as-of", "2025-06-01", "--json")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    errors = {f["message_en"].split(" on project ")[0].split(" returned ")[0]
              for f in json.loads(result.stdout)["findings"] if f["rule"] == "plugin_error"}
    assert errors == {"plugin hostile rule raises failed", "plugin hostile rule wrong_type",
                      "plugin hostile rule hangs timed out", "plugin audit rule audit_hangs timed out"}
    assert elapsed < 2 * TIME_LIMIT + 10  # two hangs, each cut at the limit


@pytest.mark.parametrize("district", ["luohu", "wuxing", "yubei", "potou"])
def test_other_districts_answer_as_without_the_bad_plugins(site, tmp_path, district):
    path = str(project_file(tmp_path, "P-1", district))
    alone = run(None, "evaluate", path, "--as-of", "2025-06-01", "--json")
    beside = run(site, "evaluate", path, "--as-of", "2025-06-01", "--json")
    assert alone.returncode == 0 and beside.returncode == 0, beside.stderr
    expected, got = json.loads(alone.stdout), json.loads(beside.stdout)
    audit = [f for f in got["findings"] if f["plugin"] == "audit"]
    assert len(audit) == 1 and "timed out" in audit[0]["message_en"]  # the cross-cutting hang, named
    got["findings"] = [f for f in got["findings"] if f["plugin"] != "audit"]
    assert got == expected  # stage, deadlines, steps, findings: all as without the bad plugins


def test_store_and_record_keep_working_beside_a_hanging_gate(site, tmp_path):
    for code, district in (("H-1", "hostile"), ("L-1", "luohu")):
        project_file(tmp_path, code, district)
        imported = run(site, "--db", "zwxm.db", "import", f"{code}.toml", cwd=tmp_path)
        assert imported.returncode == 0, imported.stderr
    refused = run(site, "--db", "zwxm.db", "record", "H-1", "approved", "--date", "2025-03-01", cwd=tmp_path)
    assert refused.returncode == 1 and "hostile" in refused.stderr and "超时" in refused.stderr
    assert "Traceback" not in refused.stderr
    recorded = run(site, "--db", "zwxm.db", "record", "L-1", "progress_reported", "--date", "2025-06-25", cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    rebuilt = run(site, "--db", "zwxm.db", "rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    import sqlite3

    conn = sqlite3.connect(tmp_path / "zwxm.db")
    named = {(code, plugin) for code, plugin in conn.execute(
        "SELECT project_code, plugin FROM project_findings WHERE rule = 'plugin_error'")}
    luohu_deadlines = conn.execute("SELECT count(*) FROM project_deadlines WHERE project_code = 'L-1'").fetchone()[0]
    conn.close()
    assert named == {("H-1", "hostile"), ("H-1", "audit"), ("L-1", "audit")}
    assert luohu_deadlines > 0
