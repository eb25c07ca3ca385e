"""Plugins cannot break the host, through the real `zwxm` command (issue 13 §8, issue 17): installed
plugins that print, exit, press Ctrl-C, change the project, misspell a hook or loop while registering
are named and skipped or isolated, and the installed districts answer as without them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .test_plugins import PROJECT, project_file, run, site_with

NOISY_PLUGIN = '''
"""A district whose rules print, exit, and change the project they are shown."""
import datetime as dt
import sys
from zwxm import hookimpl
from zwxm.rules import District, Finding, Regulation, Rule


def chatty(ctx):
    print("{not json, printed by a rule")
    return ctx.finding("info", "打印过了", "printed")


def vandalise(ctx):
    ctx.project.investment = 1
    ctx.project.events.clear()


@hookimpl
def zwxm_register_districts(register):
    register(District("noisy", "吵闹区", "Noisy", Regulation("吵闹办法", "吵〔2025〕1号", dt.date(2025, 1, 1))))


@hookimpl
def zwxm_register_rules(register):
    register(Rule("chatty", "noisy", "finding", 1, "会打印的规则", chatty))
    register(Rule("quits", "noisy", "finding", 2, "会退出的规则", lambda ctx: sys.exit(3)))
    register(Rule("vandalise", "noisy", "finding", 3, "改写项目", vandalise))
    register(Rule("text_article", "noisy", "finding", 4, "条款写成文本",
                  lambda ctx: Finding("text_article", "warning", "4", "条款是文本")))
'''

INTERRUPT_PLUGIN = '''
"""A district whose rule raises KeyboardInterrupt."""
import datetime as dt
from zwxm import hookimpl
from zwxm.rules import District, Regulation, Rule


def interrupts(ctx):
    if ctx.fact("interrupt"):
        raise KeyboardInterrupt


def interrupting_gate(ctx):
    raise KeyboardInterrupt


@hookimpl
def zwxm_register_districts(register):
    register(District("ctrlc", "中断区", "Ctrl-C", Regulation("中断办法", "断〔2025〕1号", dt.date(2025, 1, 1))))


@hookimpl
def zwxm_register_rules(register):
    register(Rule("ctrl_c", "ctrlc", "finding", None, "中断的规则", interrupts))
    register(Rule("ctrl_c_gate", "ctrlc", "gate", None, "中断的闸门", interrupting_gate, events=("approved",)))
'''

TYPO_PLUGIN = '''
from zwxm import hookimpl


@hookimpl
def zwxm_register_role(register):
    pass
'''

SLOW_PLUGIN = '''
from zwxm import hookimpl


@hookimpl
def zwxm_register_rules(register):
    while True:
        try:
            pass
        except Exception:
            pass
'''

# Each plugin's import and hooks, in the subprocesses: enough for a real district to load on a loaded
# 2-core machine, so that only the plugin that loops runs out of it.
REGISTRATION_LIMIT = 3.0


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return site_with(tmp_path_factory.mktemp("site"), {"zwxm_noisy": NOISY_PLUGIN, "zwxm_ctrlc": INTERRUPT_PLUGIN,
                                                       "zwxm_typo": TYPO_PLUGIN})


def zwxm(site: Path | None, *args: str, cwd: Path | None = None):
    return run(site, *args, cwd=cwd, extra={"ZWXM_REGISTRATION_TIME_LIMIT": str(REGISTRATION_LIMIT)})


def test_a_misspelled_hook_and_a_looping_hook_are_named_and_every_command_still_works(tmp_path):
    site = site_with(tmp_path, {"zwxm_typo": TYPO_PLUGIN, "zwxm_slow": SLOW_PLUGIN})
    result = zwxm(site, "districts", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {d["district"] for d in data["districts"]} == {"luohu", "wuxing", "yubei", "potou"}
    problems = sorted(data["problems"])
    assert len(problems) == 2
    assert problems[0].startswith("插件 slow:") and f"longer than {REGISTRATION_LIMIT:g} s" in problems[0]
    assert problems[1].startswith("插件 typo:") and "did you mean zwxm_register_roles?" in problems[1]
    evaluated = zwxm(site, "evaluate", str(project_file(tmp_path, "L-1", "luohu")), "--as-of", "2025-06-01", "--json")
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["district"] == "luohu"
    assert "! 插件 typo:" in evaluated.stderr and "! 插件 slow:" in evaluated.stderr  # named by every command


def test_print_exit_and_a_text_article_in_rules_leave_evaluate_json_whole(site, tmp_path):
    result = zwxm(site, "evaluate", str(project_file(tmp_path, "N-1", "noisy")), "--as-of", "2025-06-01", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing printed by a rule mixed into it
    assert "{not json, printed by a rule" in result.stderr
    errors = sorted(f["message_en"] for f in data["findings"] if f["rule"] == "plugin_error")
    assert errors == ["plugin noisy rule quits failed on project N-1: sys.exit(3)",
                      "plugin noisy rule text_article returned a Finding whose article '4' is not a whole number"]
    assert all(f["article"] is None or isinstance(f["article"], int) for f in data["findings"])


def test_compare_beside_a_vandal_matches_compare_alone(site, tmp_path):
    lone_site = tmp_path / "site"
    lone_site.mkdir()
    site_with(lone_site, {"zwxm_noisy": NOISY_PLUGIN})
    path = str(project_file(tmp_path, "P-1", "luohu"))
    alone = zwxm(None, "compare", path, "--as-of", "2025-06-01", "--json")
    beside = zwxm(lone_site, "compare", path, "--as-of", "2025-06-01", "--json")
    assert alone.returncode == 0 and beside.returncode == 0, beside.stderr
    expected, got = json.loads(alone.stdout), json.loads(beside.stdout)
    assert sorted(got) == ["luohu", "noisy", "potou", "wuxing", "yubei"]  # noisy runs between luohu and potou
    assert {code: got[code] for code in expected} == expected


def test_keyboard_interrupt_in_a_rule_stops_import_and_record_naming_the_rule(site, tmp_path):
    project_file(tmp_path, "L-1", "luohu")
    assert zwxm(site, "--db", "zwxm.db", "import", "L-1.toml", cwd=tmp_path).returncode == 0
    with project_file(tmp_path, "C-1", "ctrlc").open("a", encoding="utf-8") as file:
        file.write("\n[facts]\ninterrupt = true\n")
    stopped = zwxm(site, "--db", "zwxm.db", "import", "C-1.toml", cwd=tmp_path)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted while plugin ctrlc rule ctrl_c ran on project C-1" in stopped.stderr
    assert "Traceback" not in stopped.stderr and "Aborted" not in stopped.stderr

    project_file(tmp_path, "C-2", "ctrlc")  # no finding interrupts this one: only the gate on approval
    assert zwxm(site, "--db", "zwxm.db", "import", "C-2.toml", cwd=tmp_path).returncode == 0
    refused = zwxm(site, "--db", "zwxm.db", "record", "C-2", "approved", "--date", "2025-06-01", cwd=tmp_path)
    assert refused.returncode == 130, refused.stderr
    assert "interrupted while plugin ctrlc rule ctrl_c_gate ran on project C-2" in refused.stderr
    assert "Traceback" not in refused.stderr
    conn = sqlite3.connect(tmp_path / "zwxm.db")
    codes = [code for (code,) in conn.execute("SELECT code FROM projects ORDER BY code")]
    approved = conn.execute("SELECT count(*) FROM events WHERE type = 'approved'").fetchone()[0]
    conn.close()
    assert codes == ["C-2", "L-1"] and approved == 0  # the interrupted import and record wrote nothing


def test_sys_exit_in_a_rule_does_not_end_import_or_record(site, tmp_path):
    project_file(tmp_path, "N-1", "noisy")
    imported = zwxm(site, "--db", "zwxm.db", "import", "N-1.toml", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    recorded = zwxm(site, "--db", "zwxm.db", "record", "N-1", "progress_reported", "--date", "2025-06-25",
                    cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    conn = sqlite3.connect(tmp_path / "zwxm.db")
    named = sorted(message for (message,) in conn.execute(
        "SELECT message_en FROM project_findings WHERE rule = 'plugin_error' AND project_code = 'N-1'"))
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.close()
    assert any("rule quits failed on project N-1: sys.exit(3)" in m for m in named), named
    assert events == PROJECT.count("[[events]]") + 1
