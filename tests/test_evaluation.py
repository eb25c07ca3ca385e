"""The evaluation engine, against the example district registered on a fresh plugin manager."""

import datetime as dt

import pytest

from zwxm import hookimpl
from zwxm.evaluation import evaluate, gate_refusals
from zwxm.model import Event, InputError, load_project
from zwxm.plugins import Registry, RegistryError, get_plugin_manager
from zwxm.rules import District, Regulation, Rule

D = dt.date


def project(**overrides):
    data = {"code": "EX-1", "name": "示例系统", "district": "example", "kind": "construction",
            "investment": "120万", "funding": "government_investment"}
    data.update(overrides)
    return load_project(data)


def test_contract_fields_are_all_present(example_registry):
    result = evaluate(project(), D(2024, 10, 20), registry=example_registry).to_dict()
    for key in ("project", "district", "as_of", "regulation", "applicable", "applicability", "approval_path",
                "deadlines", "findings", "changes", "roles"):
        assert key in result
    assert set(result["regulation"]) >= {"title", "number", "status", "effective_from", "effective_until"}
    assert result["roles"][0]["articles"] == [4, 5]


@pytest.mark.parametrize("amount, applies", [("499999", False), ("500000", True), ("500001", True)])
def test_threshold_inclusive_on_the_boundary(example_registry, amount, applies):
    result = evaluate(project(investment=amount), D(2024, 5, 1), registry=example_registry)
    assert result.applicable is applies
    assert result.applicability[0].article == 2


def test_out_of_scope_projects_get_no_obligations(example_registry):
    result = evaluate(project(investment="10万", events=[{"type": "contract_signed", "date": "2024-09-25"}]),
                      D(2024, 12, 1), registry=example_registry)
    assert not result.applicable and result.deadlines == [] and result.approval_path == []


def test_classified_projects_are_out_citing_their_article(example_registry):
    result = evaluate(project(classified=True), D(2024, 5, 1), registry=example_registry)
    assert not result.applicable
    assert [a.article for a in result.applicability if not a.applies] == [3]


def test_optional_step_is_listed_as_not_required(example_registry):
    steps = {s.step: s for s in evaluate(project(), D(2024, 5, 1), registry=example_registry).approval_path}
    assert steps["feasibility_study"].required is False and steps["project_proposal"].required is True


def test_deadline_statuses_follow_the_events_and_the_date(example_registry):
    signed = [{"type": "contract_signed", "date": "2024-09-25"}]
    open_ = evaluate(project(events=signed), D(2024, 10, 8), registry=example_registry).deadlines[0]
    assert (open_.date, open_.status) == (D(2024, 10, 8), "open")  # 10-05 is National Day: moved to 10-08
    missed = evaluate(project(events=signed), D(2024, 10, 9), registry=example_registry)
    assert missed.deadlines[0].status == "missed" and missed.overdue
    met = evaluate(project(events=signed + [{"type": "contract_filed", "date": "2024-10-08"}]), D(2024, 12, 1),
                   registry=example_registry)
    assert met.deadlines[0].status == "met" and not met.overdue
    pending = evaluate(project(), D(2024, 12, 1), registry=example_registry).deadlines[0]
    assert pending.status == "pending" and pending.date is None


def test_events_after_as_of_are_ignored(example_registry):
    p = project(events=[{"type": "contract_signed", "date": "2024-09-25"}, {"type": "contract_filed", "date": "2024-10-07"}])
    earlier = evaluate(p, D(2024, 10, 1), registry=example_registry)
    assert earlier.deadlines[0].status == "open" and earlier.stage == "contract"
    assert evaluate(p, D(2024, 9, 1), registry=example_registry).stage == "declare"


def test_missing_fact_becomes_an_info_finding_not_an_error(example_registry):
    result = evaluate(project(funding=None), D(2024, 5, 1), registry=example_registry)
    info = [f for f in result.findings if f.rule == "approval_path"]
    assert info and info[0].severity == "info" and "缺少“资金来源”" in info[0].message and "funding source" in info[0].message_en


def test_change_procedures(example_registry):
    p = project(changes=[{"date": "2024-06-01", "amount": "30万", "major": True},
                         {"date": "2024-06-02", "amount": "-5万", "major": False}])
    assert [c.procedure for c in evaluate(p, D(2024, 7, 1), registry=example_registry).changes] == ["reapproval", "file_only"]


def test_gate_refuses_with_reason_and_article(example_registry):
    p = project(events=[{"type": "construction_completed", "date": "2024-05-01"}])
    refusals = gate_refusals(p, Event("final_acceptance_passed", D(2024, 6, 1)), example_registry, p.events)
    assert [(r.rule, r.article) for r in refusals] == [("data_before_acceptance", 8)]
    p.events.append(Event("example:data_registered", D(2024, 5, 20)))
    assert gate_refusals(p, Event("final_acceptance_passed", D(2024, 6, 1)), example_registry, p.events) == []


def test_history_that_broke_a_gate_keeps_a_finding(example_registry):
    p = project(events=[{"type": "final_acceptance_passed", "date": "2024-06-01"}])
    findings = evaluate(p, D(2024, 7, 1), registry=example_registry).findings
    assert any(f.rule == "data_before_acceptance" and f.severity == "warning" and f.article == 8 for f in findings)


def test_core_order_rules(example_registry):
    p = project(events=[{"type": "contract_signed", "date": "2024-05-10"}])
    assert [r.rule for r in gate_refusals(p, Event("contract_filed", D(2024, 5, 1)), example_registry, p.events)] == ["lifecycle"]
    assert gate_refusals(project(), Event("handed_over", D(2024, 5, 1)), example_registry, [])[0].rule == "lifecycle"
    closed = project(events=[{"type": "shutdown", "date": "2024-05-10"}])
    assert gate_refusals(closed, Event("progress_reported", D(2024, 6, 1)), example_registry, closed.events)


def test_regulation_status_by_date(example_registry):
    assert evaluate(project(), D(2023, 12, 31), registry=example_registry).regulation.status == "not_yet_effective"
    assert evaluate(project(), D(2028, 12, 31), registry=example_registry).regulation.status == "in_force"
    expired = evaluate(project(), D(2029, 1, 1), registry=example_registry)
    assert expired.regulation.status == "expired"
    assert any(f.rule == "regulation_status" and f.article == 9 for f in expired.findings)


def test_unknown_district_event_and_category_are_input_errors(example_registry):
    with pytest.raises(InputError) as info:
        evaluate(project(district="atlantis", events=[{"type": "party", "date": "2024-01-01"}]),
                 D(2024, 1, 2), registry=example_registry)
    fields = {p.field: p.value for p in info.value.problems}
    assert fields == {"district": "atlantis", "events[0].type": "party"}
    with pytest.raises(InputError, match="category"):
        evaluate(project(category="castle"), D(2024, 1, 2), registry=example_registry)


def test_namespaced_event_type_is_known_and_moves_the_stage(example_registry):
    p = project(events=[{"type": "example:data_registered", "date": "2024-01-01"}])
    assert evaluate(p, D(2024, 1, 2), registry=example_registry).stage == "accept"


# --- plugins that misbehave ---------------------------------------------------------------------

class BrokenRules:
    @hookimpl
    def zwxm_register_rules(self, register):
        register(Rule("explodes", "example", "finding", 6, "会出错的规则", lambda ctx: 1 / 0))
        register(Rule("bad_kind", "example", "weather", 6, "未知种类", lambda ctx: None))
        register("not a rule")


def test_a_raising_rule_is_isolated_and_named():
    from tests.example_district import plugin

    registry = Registry(get_plugin_manager([("example", plugin), ("broken", BrokenRules())], entry_points=False))
    assert {p.plugin for p in registry.problems} == {"broken"}  # bad kind and wrong type refused at start-up
    result = evaluate(project(), D(2024, 5, 1), registry=registry)
    errors = [f for f in result.findings if f.rule == "plugin_error"]
    assert len(errors) == 1 and "broken" in errors[0].message and "EX-1" in errors[0].message
    assert result.deadlines and result.approval_path  # the rest still evaluated


class CrossCutting:
    @hookimpl
    def zwxm_register_rules(self, register):
        register(Rule("has_owner", "*", "finding", None, "建设单位必填",
                      lambda ctx: None if ctx.project.owner_unit else ctx.finding("warning", "未填写建设单位")))


def test_cross_cutting_plugin_adds_findings_to_every_district():
    from tests.example_district import plugin

    registry = Registry(get_plugin_manager([("example", plugin), ("audit", CrossCutting())], entry_points=False))
    findings = evaluate(project(), D(2024, 5, 1), registry=registry).findings
    assert [(f.rule, f.plugin) for f in findings] == [("has_owner", "audit")]


class Impostor:
    @hookimpl
    def zwxm_register_districts(self, register):
        register(District("example", "冒名区", "Impostor", Regulation("x", "y", None)))


def test_two_plugins_claiming_one_district_stop_start_up_naming_both():
    from tests.example_district import plugin

    with pytest.raises(RegistryError) as info:
        Registry(get_plugin_manager([("example", plugin), ("impostor", Impostor())], entry_points=False))
    assert "example" in str(info.value) and "impostor" in str(info.value)


class RaisingHook:
    @hookimpl
    def zwxm_register_roles(self, register):
        raise RuntimeError("boom")


def test_a_hook_that_raises_is_reported_and_the_rest_load():
    from tests.example_district import plugin

    registry = Registry(get_plugin_manager([("example", plugin), ("raiser", RaisingHook())], entry_points=False))
    assert [p.plugin for p in registry.problems] == ["raiser"] and "boom" in registry.problems[0].message
    assert registry.roles["example"]


def test_misspelled_hook_is_caught_at_start_up():
    class Typo:
        @hookimpl
        def zwxm_register_rulez(self, register):
            pass

    with pytest.raises(RegistryError, match="unknown hook"):
        get_plugin_manager([("typo", Typo())], entry_points=False)


def test_coverage_lists_every_article(example_registry):
    coverage = example_registry.coverage("example")
    assert sorted(coverage) == list(range(1, 10))
    assert coverage[1] == "目的条款，无数据可查"
    assert [r.key for r in coverage[3]] == ["scope"]  # cited through `cites`
    assert [r.key for r in coverage[9]] == ["regulation_status"]  # validity article: the core's status check


def test_article_text_is_available(example_registry):
    text = example_registry.districts["example"].regulation.articles()[5]
    assert text.startswith("第五条") and "10日内" in text


class Hangs:
    @hookimpl
    def zwxm_register_rules(self, register):
        def forever(ctx):
            while True:
                pass

        register(Rule("hangs", "example", "finding", 6, "死循环的规则", forever))
        register(Rule("wrong_type", "example", "finding", 6, "返回错误类型", lambda ctx: 42))


def test_a_hanging_rule_or_a_wrong_return_type_is_isolated_and_named():
    import threading
    import time

    from tests.example_district import plugin
    from zwxm import watchdog

    registry = Registry(get_plugin_manager([("example", plugin), ("hanger", Hangs())], entry_points=False))
    results = {}

    def run(name):
        started = time.monotonic()
        results[name] = (evaluate(project(), D(2024, 5, 1), registry=registry), time.monotonic() - started)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]  # works off the main thread too
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    for result, elapsed in results.values():
        errors = {f.message_en.split(" on ")[0] for f in result.findings if f.rule == "plugin_error"}
        assert errors == {"plugin hanger rule hangs timed out", "plugin hanger rule wrong_type returned int"}
        assert result.deadlines and elapsed < watchdog.RULE_TIME_LIMIT + 2
    assert len(results) == 2


class UnreadableFact:
    @hookimpl
    def zwxm_register_rules(self, register):
        def reads_years(ctx):
            from zwxm.rules import MissingFact

            raise MissingFact("warranty_years", ctx.fact("warranty_years"))

        register(Rule("reads_years", "example", "finding", 6, "读取保修年限", reads_years))


def test_an_unreadable_fact_is_named_with_its_value():
    from tests.example_district import plugin

    registry = Registry(get_plugin_manager([("example", plugin), ("reader", UnreadableFact())], entry_points=False))
    result = evaluate(project(facts={"warranty_years": "两年半"}), D(2024, 5, 1), registry=registry)
    finding = next(f for f in result.findings if f.rule == "reads_years")
    assert finding.severity == "info" and "'两年半'" in finding.message and "warranty_years" in finding.message_en
