"""Yubei: what the scenario files cannot say (coverage, documentation, the CLI, multi-year deadlines)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from zwxm.evaluation import evaluate
from zwxm.model import load_project
from zwxm.plugins import Registry, get_plugin_manager
from zwxm_yubei import plugin, rules

PACKAGE = Path(plugin.__file__).parent
README = PACKAGE.parent / "README.md"
PUBLISHED = Path(__file__).resolve().parents[4] / "shared" / "regulations" / "yubei-2019-interim-measures.txt"
ZWXM = Path(sys.executable).parent / "zwxm"


@pytest.fixture(scope="module")
def registry() -> Registry:
    """Only the Yubei plugin, on a fresh manager."""
    return Registry(get_plugin_manager([("yubei", plugin)], entry_points=False))


def _project(**fields) -> dict:
    return {"code": "YB-T", "name": "测试项目", "district": "yubei", "kind": "operation", "investment": "100万", **fields}


def test_registers_without_problems(registry):
    assert registry.problems == []
    assert registry.districts["yubei"].regulation.status_on(dt.date(2026, 11, 23)) == "in_force"
    assert {r.key for r in registry.rules_for("yubei")} == {r.key for r in plugin.RULES}


@pytest.mark.skipif(not PUBLISHED.is_file(), reason="the shared regulations folder is not beside this checkout")
def test_packaged_text_is_the_published_file():
    assert (PACKAGE / "regulation.txt").read_bytes() == PUBLISHED.read_bytes()


def test_every_article_is_covered_or_explained(registry):
    coverage = registry.coverage("yubei")
    assert sorted(coverage) == list(range(1, 21))
    assert all(coverage.values()), [n for n, c in coverage.items() if not c]
    covered = {n for n, c in coverage.items() if isinstance(c, list)}
    assert not covered & set(plugin.DISTRICT.uncovered), "an article is both covered and explained away"


def test_every_department_the_text_names_is_a_role(registry):
    text = (PACKAGE / "regulation.txt").read_text(encoding="utf-8")
    named = set(re.findall(r"区(?:委)?[\u4e00-\u9fa5]{1,5}?(?:局|委|办)", text)) - {"区人民政府办"}  # the issuer
    roles = {role.department for role in registry.roles["yubei"]}
    assert named <= roles
    for role in registry.roles["yubei"]:
        assert role.articles and role.duties and role.department_en


def test_every_scenario_names_its_article_in_its_file_name():
    for path in sorted((PACKAGE / "scenarios").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert re.match(rf"a{data['article']:02d}_", path.name), path.name


def test_every_rule_has_a_scenario():
    mentioned = set()
    for path in (PACKAGE / "scenarios").glob("*.toml"):
        expect = tomllib.loads(path.read_text(encoding="utf-8"))["expect"]
        for value in expect.values():  # expected items name their rule; refused_by / absent_* list rule keys
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and "rule" in item:
                    mentioned.add(item["rule"])
                elif isinstance(item, str):
                    mentioned.add(item)
    assert {r.key for r in plugin.RULES} <= mentioned


def test_readme_documents_rules_facts_events_and_categories():
    readme = README.read_text(encoding="utf-8")
    names = ([r.key for r in plugin.RULES] + list(rules.FACTS) + [e.key for e in plugin.EVENT_TYPES]
             + list(rules.CATEGORIES))
    assert [n for n in names if f"`{n}`" not in readme] == []


def test_operation_deadlines_run_each_year_until_shutdown(registry):
    project = load_project(_project(budget_year=2023, events=[
        {"type": "declared", "date": "2022-12-20"},
        {"type": "yubei:om_needs_declared", "date": "2023-12-12"},
        {"type": "shutdown", "date": "2025-06-30"},
    ]))
    result = evaluate(project, dt.date(2026, 11, 23), registry=registry)
    found = [(d.date, d.status) for d in result.deadlines if d.rule == "om_needs_declaration_deadline"]
    # declared for 2023 and 2024; nothing for 2025; shut down in 2025, so no declaration for 2026 is owed
    assert found == [(dt.date(2022, 12, 31), "met"), (dt.date(2023, 12, 31), "met"), (dt.date(2024, 12, 31), "missed")]


def test_a_late_unlabelled_declaration_fills_the_oldest_gap(registry):
    project = load_project(_project(budget_year=2025, events=[
        {"type": "declared", "date": "2025-01-08"},  # late, for 2025
        {"type": "yubei:om_needs_declared", "date": "2025-12-01"},  # on time, for 2026
    ]))
    result = evaluate(project, dt.date(2026, 2, 2), registry=registry)
    found = [(d.date, d.status, d.done_on) for d in result.deadlines if d.rule == "om_needs_declaration_deadline"]
    assert found == [(dt.date(2024, 12, 31), "missed", dt.date(2025, 1, 8)),
                     (dt.date(2025, 12, 31), "met", dt.date(2025, 12, 1)),
                     (dt.date(2026, 12, 31), "open", None)]


def test_changes_after_the_as_of_date_are_not_ruled(registry):
    project = load_project(_project(budget_year=2025, changes=[{"date": "2025-03-01", "amount": "5万"},
                                                                {"date": "2025-09-01", "amount": "50万"}]))
    result = evaluate(project, dt.date(2025, 6, 1), registry=registry)
    assert [(c.date, c.procedure) for c in result.changes] == [(dt.date(2025, 3, 1), "bureau_approval")]


def _zwxm(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ZWXM), *args], capture_output=True, text=True, timeout=120)


def test_cli_rules_reports_full_coverage():
    result = _zwxm("rules", "yubei", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary == {"articles": 20, "covered": 17, "explained": 3, "coverage": 1.0}


def test_cli_scenarios_pass():
    result = _zwxm("scenarios", "yubei")
    assert result.returncode == 0, result.stdout
    assert re.search(r"^\d+ 个通过，0 个失败$", result.stdout, re.M)


def test_cli_evaluate_names_a_bad_fact_and_its_value(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('code = "YB-BAD"\nname = "取值有误"\ndistrict = "yubei"\nkind = "construction"\n'
                    'investment = "200万"\n[facts]\nfixed_asset_investment = "也许"\ncontent_type = "printer"\n', encoding="utf-8")
    result = _zwxm("evaluate", str(path), "--as-of", "2025-01-06", "--json")
    assert result.returncode == 0, result.stderr
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "fact_values"]
    assert any("facts.fixed_asset_investment" in m and "'也许'" in m for m in messages), messages
    assert any("facts.content_type" in m and "'printer'" in m for m in messages), messages


def test_cli_evaluate_refuses_a_category_yubei_does_not_have(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('code = "YB-CAT"\nname = "类别有误"\ndistrict = "yubei"\nkind = "construction"\n'
                    'investment = "200万"\ncategory = "software"\n', encoding="utf-8")
    result = _zwxm("evaluate", str(path))
    assert result.returncode == 2
    assert "category: 'software'" in result.stderr and "engineering" in result.stderr
