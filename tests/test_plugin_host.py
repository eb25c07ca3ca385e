"""Plugins cannot break the host (issue 13 §8) and registration checks that name the plugin (issue 17):
throw-away plugins registered beside the example district on a fresh manager."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time

import pytest

from zwxm import hookimpl, watchdog
from zwxm.compare import compare_project
from zwxm.evaluation import PluginInterrupted, evaluate
from zwxm.lifecycle import EventType
from zwxm.model import load_project
from zwxm.plugins import Registry, get_plugin_manager
from zwxm.rules import District, Finding, Regulation, Role, Rule

D = dt.date
LIMIT = 0.3  # the rule time limit in these tests, seconds


@pytest.fixture(autouse=True)
def short_limits(monkeypatch):
    monkeypatch.setattr(watchdog, "RULE_TIME_LIMIT", LIMIT)
    monkeypatch.setattr(watchdog, "REGISTRATION_TIME_LIMIT", LIMIT)


def project(**overrides):
    data = {"code": "EX-1", "name": "示例系统", "district": "example", "kind": "construction",
            "investment": "120万", "funding": "government_investment",
            "events": [{"type": "contract_signed", "date": "2024-09-25"}]}
    data.update(overrides)
    return load_project(data)


def with_rules(*rules: Rule, problems: list | None = None) -> Registry:
    """The example district plus a plugin named "guest" registering `rules`."""
    from tests.example_district import plugin

    class Guest:
        @hookimpl
        def zwxm_register_rules(self, register):
            for rule in rules:
                register(rule)

    problems = [] if problems is None else problems
    return Registry(get_plugin_manager([("example", plugin), ("guest", Guest())], entry_points=False,
                                       problems=problems), problems)


def guest_errors(result) -> list[Finding]:
    return [f for f in result.findings if f.rule == "plugin_error" and f.plugin == "guest"]


def baseline():
    from tests.example_district import example_registry

    return evaluate(project(), D(2024, 10, 20), registry=example_registry())


# --- the time limit ------------------------------------------------------------------------------

def loop_catching_exception(ctx):
    while True:
        try:
            sum(range(100))
        except Exception:  # noqa: BLE001 - the point: a rule that catches everything it is meant to
            pass


def catches_the_timeout_once_then_answers(ctx):
    try:
        while True:
            pass
    except BaseException:  # noqa: BLE001
        return ctx.finding("info", "照常返回", "answered as if nothing happened")


def sleeps_in_c(ctx):
    time.sleep(4 * LIMIT)


@pytest.mark.parametrize("check", [loop_catching_exception, catches_the_timeout_once_then_answers])
def test_a_rule_that_catches_its_time_out_is_still_stopped_and_named(check):
    registry = with_rules(Rule("stubborn", "example", "finding", 6, "不肯停的规则", check))
    started = time.monotonic()
    result = evaluate(project(), D(2024, 10, 20), registry=registry)
    assert time.monotonic() - started < 30  # it returned at all: the limit was not swallowed
    [error] = guest_errors(result)
    assert "plugin guest rule stubborn timed out on project EX-1" in error.message_en
    assert not [f for f in result.findings if f.rule == "stubborn"]  # its late answer does not count
    expected = baseline()
    assert (result.deadlines, result.approval_path) == (expected.deadlines, expected.approval_path)


def test_a_rule_blocked_in_c_is_reported_with_the_time_it_really_took():
    registry = with_rules(Rule("sleeper", "example", "finding", 6, "睡着的规则", sleeps_in_c))
    result = evaluate(project(), D(2024, 10, 20), registry=registry)
    [error] = guest_errors(result)
    ran = float(re.search(r"ran ([0-9.]+) s, limit ([0-9.]+) s", error.message_en).group(1))
    assert ran >= 4 * LIMIT - 0.05  # the real time, not the limit
    assert f"限时 {LIMIT:g} 秒" in error.message


def test_the_limit_is_per_rule_so_slow_rules_do_not_add_up(monkeypatch):
    monkeypatch.setattr(watchdog, "RULE_TIME_LIMIT", 1.0)  # room for a late wake-up on a loaded machine

    def slowish(ctx):
        time.sleep(0.3)

    rules = [Rule(f"slow_{n}", "example", "finding", 6, "稍慢的规则", slowish) for n in range(5)]
    result = evaluate(project(), D(2024, 10, 20), registry=with_rules(*rules))
    assert not guest_errors(result)  # 1.5 s in all, each rule well under the 1 s limit


# --- what a rule does to the process ------------------------------------------------------------

def test_print_in_a_rule_goes_to_stderr_not_stdout(capsys):
    def chatty(ctx):
        print("调试输出 debug output")

    result = evaluate(project(), D(2024, 10, 20), registry=with_rules(Rule("chatty", "example", "finding", 6,
                                                                            "会打印的规则", chatty)))
    out, err = capsys.readouterr()
    assert out == "" and "debug output" in err
    print("after")  # stdout is back once the evaluation is over
    assert capsys.readouterr().out == "after\n"
    assert not guest_errors(result)


@pytest.mark.parametrize("code", [0, 3, "bye"])
def test_sys_exit_in_a_rule_is_a_named_error_and_the_evaluation_goes_on(code):
    def exits(ctx):
        sys.exit(code)

    result = evaluate(project(), D(2024, 10, 20), registry=with_rules(Rule("quitter", "example", "finding", 6,
                                                                            "退出的规则", exits)))
    [error] = guest_errors(result)
    assert f"plugin guest rule quitter failed on project EX-1: sys.exit({code!r})" == error.message_en
    assert result.deadlines == baseline().deadlines


def test_keyboard_interrupt_in_a_rule_stops_and_names_the_rule():
    def interrupts(ctx):
        raise KeyboardInterrupt

    registry = with_rules(Rule("ctrl_c", "example", "finding", 6, "中断的规则", interrupts))
    with pytest.raises(KeyboardInterrupt) as info:
        evaluate(project(), D(2024, 10, 20), registry=registry)
    assert isinstance(info.value, PluginInterrupted)
    assert (info.value.plugin, info.value.rule, info.value.project) == ("guest", "ctrl_c", "EX-1")
    assert "interrupted while plugin guest rule ctrl_c ran on project EX-1" in str(info.value)


def test_keyboard_interrupt_raised_by_a_rule_off_the_main_thread_is_that_rule_s_error():
    import threading

    def interrupts(ctx):
        raise KeyboardInterrupt

    registry = with_rules(Rule("ctrl_c", "example", "finding", 6, "中断的规则", interrupts))
    results = []
    worker = threading.Thread(target=lambda: results.append(evaluate(project(), D(2024, 10, 20), registry=registry)))
    worker.start()
    worker.join(timeout=60)
    [error] = guest_errors(results[0])  # no Ctrl-C can land off the main thread (a TUI worker, a server)
    assert error.message_en == "plugin guest rule ctrl_c failed on project EX-1: KeyboardInterrupt"
    assert results[0].deadlines == baseline().deadlines


# --- outputs checked at the boundary ----------------------------------------------------------------

BAD_OUTPUTS = {
    "string article": (lambda ctx: Finding("bad", "warning", "6", "条款是文本"), "article '6' is not a whole number"),
    "bool article": (lambda ctx: Finding("bad", "warning", True, "条款是布尔"), "article True is not a whole number"),
    "severity": (lambda ctx: Finding("bad", "fatal", 6, "未知级别"), "unknown severity 'fatal'"),
    "message": (lambda ctx: Finding("bad", "info", 6, None), "message is not text"),
    "deadline date": (lambda ctx: ctx.deadline(None, "2024-10-01"), "done_on '2024-10-01' is not a date"),
    "deadline status": (lambda ctx: ctx.deadline(None, None).__class__("bad", "t", "due", None, 6, "late", False),
                        "unknown status 'late'"),
}


@pytest.mark.parametrize("name", BAD_OUTPUTS)
def test_an_output_with_a_field_of_the_wrong_type_is_refused_naming_plugin_and_rule(name):
    check, reason = BAD_OUTPUTS[name]
    result = evaluate(project(), D(2024, 10, 20), registry=with_rules(Rule("bad", "example", "finding", 6, "坏输出",
                                                                            check)))
    [error] = guest_errors(result)
    assert error.message_en.startswith("plugin guest rule bad returned ") and reason in error.message_en
    assert not [f for f in result.findings if f.rule == "bad"]
    json.dumps(result.to_dict())
    assert all(f["article"] is None or type(f["article"]) is int for f in result.to_dict()["findings"])


def test_a_good_output_built_by_hand_passes():
    check = lambda ctx: Finding("by_hand", "warning", 6, "手写的结论", "a finding built by hand", "guest")  # noqa: E731
    result = evaluate(project(), D(2024, 10, 20), registry=with_rules(Rule("by_hand", "example", "finding", 6,
                                                                            "手写", check)))
    assert [f.rule for f in result.findings] == ["by_hand"]


# --- each district sees its own copy ----------------------------------------------------------------

class Vandal:
    """A second district whose rule changes the project it is shown."""

    @hookimpl
    def zwxm_register_districts(self, register):
        register(District("vandal", "破坏区", "Vandal", Regulation("破坏办法", "破〔2025〕1号", D(2020, 1, 1))))

    @hookimpl
    def zwxm_register_rules(self, register):
        def vandalise(ctx):
            ctx.project.investment = 1
            ctx.project.funding = "department_budget"
            ctx.project.events.clear()
            ctx.project.facts["warranty_years"] = 1

        register(Rule("vandalise", "vandal", "finding", None, "改写项目", vandalise))


def test_a_rule_that_changes_the_project_changes_nothing_for_the_other_districts_in_compare():
    from tests.example_district import plugin

    registry = Registry(get_plugin_manager([("vandal", Vandal()), ("example", plugin)], entry_points=False))
    assert sorted(registry.districts) == ["example", "vandal"]  # the vandal runs first
    subject = project()
    before = repr(subject)
    results = compare_project(subject, D(2024, 10, 20), registry)
    expected = baseline()
    assert results["example"].to_dict() == expected.to_dict()
    assert repr(subject) == before  # nor for the caller


# --- registration ---------------------------------------------------------------------------------

def registry_with(guest) -> tuple[Registry, list]:
    from tests.example_district import plugin

    problems: list = []
    registry = Registry(get_plugin_manager([("example", plugin), ("guest", guest)], entry_points=False,
                                           problems=problems), problems)
    return registry, problems


def assert_guest_skipped(registry: Registry, *fragments: str) -> None:
    assert [p.plugin for p in registry.problems] == ["guest"]
    message = registry.problems[0].message
    for fragment in fragments:
        assert fragment in message, message
    assert set(registry.districts) == {"example"} and registry.roles["example"]
    assert {r.plugin for r in registry.rules_for("example")} == {"example"}  # nothing of the guest kept
    assert evaluate(project(), D(2024, 10, 20), registry=registry).to_dict() == baseline().to_dict()


class LoopingHook:
    @hookimpl
    def zwxm_register_rules(self, register):
        register(Rule("first", "example", "finding", 6, "先登记的规则", lambda ctx: None))
        while True:
            try:
                pass
            except Exception:  # noqa: BLE001
                pass


def test_a_registration_hook_that_loops_is_stopped_and_its_plugin_skipped():
    started = time.monotonic()
    registry, _ = registry_with(LoopingHook())
    assert time.monotonic() - started < 30
    assert_guest_skipped(registry, f"registration took longer than {LIMIT:g} s")


class ExitingHook:
    @hookimpl
    def zwxm_register_roles(self, register):
        sys.exit("no roles today")


def test_a_registration_hook_that_exits_skips_its_plugin_only():
    registry, _ = registry_with(ExitingHook())
    assert_guest_skipped(registry, "zwxm_register_roles", "no roles today")


def guest_registering(hook: str, *items):
    class Guest:
        pass

    def implementation(register):
        for item in items:
            register(item)

    implementation.__name__ = hook
    setattr(Guest, hook, staticmethod(hookimpl(implementation)))
    return Guest()


@pytest.mark.parametrize("article, cites, missing", [(10, (), "10"), (6, (12, 3), "12"), (None, (0,), "0")])
def test_a_rule_citing_an_article_the_text_lacks_skips_its_plugin(article, cites, missing):
    rule = Rule("ghost", "example", "finding", article, "引用不存在条款", lambda ctx: None, cites=cites)
    registry, _ = registry_with(guest_registering("zwxm_register_rules", rule))
    assert_guest_skipped(registry, "rule 'ghost'", f"article(s) {missing}", "does not contain", "1–9")


def test_a_rule_citing_articles_the_text_has_is_accepted_on_the_boundary():
    rule = Rule("last", "example", "finding", 9, "引用最后一条", lambda ctx: None, cites=(1,))
    registry, _ = registry_with(guest_registering("zwxm_register_rules", rule))
    assert not registry.problems and "last" in {r.key for r in registry.rules_for("example")}


def test_a_role_citing_an_article_the_text_lacks_skips_its_plugin():
    role = Role("example", "示例区财政局", "资金审核", (5, 42))
    registry, _ = registry_with(guest_registering("zwxm_register_roles", role))
    assert_guest_skipped(registry, "role '示例区财政局'", "article(s) 42")


WRONG_FIELDS = [
    ("zwxm_register_event_types", EventType("guest:x", "accept", 5, "x"), "EventType.label = 5: expected str, got int"),
    ("zwxm_register_event_types", EventType("guest:x", "accept", "标签", "x", "approved"),
     "EventType.requires = 'approved': expected a tuple of event type keys, got str"),
    ("zwxm_register_event_types", EventType("guest:x", "accept", "标签", None),
     "EventType.label_en = None: expected str"),
    ("zwxm_register_roles", Role("example", None, "职责", (4,)), "Role.department = None: expected str"),
    ("zwxm_register_roles", Role("example", "部门", "职责", [4, 5]),
     "Role.articles = [4, 5]: expected a tuple of article numbers, got list"),
    ("zwxm_register_roles", Role("example", "部门", "职责", ("4",)),
     "Role.articles = ('4',): expected a tuple of article numbers"),
    ("zwxm_register_rules", Rule("r", "example", "gate", 8, "闸门", lambda ctx: None, events="approved"),
     "Rule.events = 'approved': expected a tuple of event type keys, got str"),
    ("zwxm_register_rules", Rule("r", "example", "finding", "6", "条款", lambda ctx: None),
     "Rule.article = '6': expected an article number or None, got str"),
    ("zwxm_register_rules", Rule("r", "example", "finding", 6, "条款", lambda ctx: None, cites=6),
     "Rule.cites = 6: expected a tuple of article numbers, got int"),
    ("zwxm_register_districts", District("guest", 5, "Guest", Regulation("办法", "号", None)),
     "District.name = 5: expected str, got int"),
    ("zwxm_register_districts", District("guest", "客区", "Guest", "a regulation"),
     "District.regulation = 'a regulation': expected Regulation, got str"),
]


@pytest.mark.parametrize("hook, item, reason", WRONG_FIELDS, ids=[r for _, _, r in WRONG_FIELDS])
def test_a_contribution_with_a_field_of_the_wrong_type_skips_its_plugin_naming_the_field(hook, item, reason):
    registry, _ = registry_with(guest_registering(hook, item))
    assert_guest_skipped(registry, reason)


def test_fields_of_the_right_type_are_accepted():
    registry, _ = registry_with(guest_registering(
        "zwxm_register_event_types", EventType("guest:x", "accept", "标签", "label", ("approved",))))
    assert not registry.problems and "guest:x" in registry.event_types


# --- the complete rule in docs/plugins.md runs as written ----------------------------------------

def documented_rule():
    from pathlib import Path

    from zwxm.rules import Context

    text = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```python")[1:] if "def contract_filing(ctx: Context)" in b).split("```")[0]
    namespace: dict = {"Context": Context}
    exec(block, namespace)
    return namespace["contract_filing"]


@pytest.mark.parametrize("filed, status, late", [("2024-10-08", "met", False), ("2024-11-08", "missed", False),
                                                 ("2024-11-11", "missed", True)])
def test_the_complete_rule_of_the_docs_gives_a_deadline_and_a_finding(filed, status, late):
    rule = Rule("doc_filing", "example", "deadline", 5, "合同备案", documented_rule())
    events = [{"type": "contract_signed", "date": "2024-09-25"}, {"type": "contract_filed", "date": filed}]
    result = evaluate(project(events=events), D(2024, 12, 1), registry=with_rules(rule))
    [deadline] = [d for d in result.deadlines if d.rule == "doc_filing"]
    assert (deadline.date, deadline.status, deadline.article) == (D(2024, 10, 8), status, 5)  # 10-05 in the holiday
    assert [f.article for f in result.findings if f.rule == "doc_filing"] == ([5] if late else [])
