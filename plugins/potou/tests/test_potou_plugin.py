"""What Potou's scenarios cannot say: the packaged text, coverage, scenario completeness, bad input."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from zwxm.evaluation import evaluate
from zwxm.model import load_project
from zwxm.plugins import Registry, get_plugin_manager
from zwxm_potou import plugin, rules

SHARED_TEXT = Path("/work/shared/regulations/potou-draft-measures.txt")
SCENARIOS = Path(plugin.__file__).parent / "scenarios"


@pytest.fixture(scope="module")
def registry() -> Registry:
    registry = Registry(get_plugin_manager([("potou", plugin)], entry_points=False))
    assert registry.problems == []
    return registry


def _scenarios() -> list[tuple[Path, dict]]:
    return [(path, tomllib.loads(path.read_text(encoding="utf-8"))) for path in sorted(SCENARIOS.glob("*.toml"))]


@pytest.mark.skipif(not SHARED_TEXT.exists(), reason="the shared regulations folder is not on this machine")
def test_packaged_text_is_the_regulation_byte_for_byte():
    assert plugin.REGULATION.source.read_bytes() == SHARED_TEXT.read_bytes()


def test_every_article_is_covered_or_explained(registry):
    coverage = registry.coverage("potou")
    assert sorted(coverage) == list(range(1, 32))
    unexplained = [n for n, covered in coverage.items() if not covered]
    assert unexplained == []
    covered_by_rules = {n for n, covered in coverage.items() if isinstance(covered, list)}
    assert covered_by_rules.isdisjoint(plugin.UNCOVERED), "an article is both covered and explained away"


def test_every_rule_is_exercised_by_a_scenario(registry):
    named: set[str] = set()
    for _path, data in _scenarios():
        expect = data["expect"]
        for key in ("applicability", "approval_path", "deadlines", "findings", "changes"):
            named.update(item["rule"] for item in expect.get(key, []) if "rule" in item)
        for key in ("absent_findings", "absent_steps", "absent_deadlines", "refused_by"):
            named.update(expect.get(key, []))
    missing = {rule.key for rule in registry.rules_for("potou")} - named
    assert missing == set()


def test_every_deadline_rule_has_open_met_and_missed_scenarios(registry):
    statuses: dict[str, set[str]] = {}
    for _path, data in _scenarios():
        for item in data["expect"].get("deadlines", []):
            statuses.setdefault(item["rule"], set()).add(item.get("status"))
    for rule in registry.rules_for("potou", "deadline"):
        assert {"open", "met", "missed"} <= statuses.get(rule.key, set()), rule.key


def test_scenario_files_are_named_after_their_article():
    for path, data in _scenarios():
        match = re.match(r"a(\d+)_", path.name)
        assert match and int(match.group(1)) == data["article"], path.name
        assert data["project"]["district"] == "potou", path.name


def _project(changes=(), **facts):
    return load_project({"code": "PT-T", "name": "测试项目", "district": "potou", "kind": "service",
                         "investment": "300万", "funding": "department_budget", "category": "professional",
                         "facts": facts, "changes": list(changes)})


def test_unreadable_facts_are_named_with_their_value_and_block_nothing(registry):
    project = _project(service_type="software_development", crypto_application="也许", approved_budget="很多")
    result = evaluate(project, dt.date(2025, 4, 1), registry=registry)
    errors = [f for f in result.findings if f.rule == "fact_values"]
    assert any("facts.crypto_application" in f.message and "'也许'" in f.message for f in errors)
    assert any("facts.approved_budget" in f.message and "'很多'" in f.message_en for f in errors)
    assert all(f.rule != "plugin_error" for f in result.findings)
    crypto = [f for f in result.findings if f.rule == "crypto_review"]
    assert [f.severity for f in crypto] == ["info"]
    assert result.applicable and result.approval_path


def test_change_messages_name_the_failed_conditions(registry):
    project = _project([{"date": "2025-05-01", "amount": "50万", "reason": "预算调整"}], service_type="software_development")
    (ruling,) = evaluate(project, dt.date(2025, 6, 1), registry=registry).changes
    assert ruling.procedure == "reapproval"
    assert "超出批复预算" in ruling.message and "15%" in ruling.message and "'预算调整'" in ruling.message


def test_threshold_setting_is_documented_where_it_is_defined():
    source = Path(rules.__file__).read_text(encoding="utf-8")
    assert rules.PROCUREMENT_THRESHOLD_DEFAULT == 1_000_000
    assert rules.PROCUREMENT_THRESHOLD_ENV in source and "国办发〔2019〕55号" in source
    readme = (Path(plugin.__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert rules.PROCUREMENT_THRESHOLD_ENV in readme and "procurement_threshold" in readme
