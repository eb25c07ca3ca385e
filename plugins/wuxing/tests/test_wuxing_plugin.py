"""Wuxing plugin: what the scenario files cannot express — registration, text and coverage, the
cross-project split check, and the CLI run as a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from zwxm.evaluation import evaluate
from zwxm.model import load_project
from zwxm.plugins import Registry, get_plugin_manager
from zwxm_wuxing import plugin, rules
from zwxm_wuxing.splitting import JUST_UNDER_PERCENT, find_split_projects

PACKAGE = Path(plugin.__file__).parent
SHARED_TEXT = Path("/work/shared/regulations/wuxing-2023-measures.txt")
ZWXM = [str(Path(sys.executable).with_name("zwxm"))]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(get_plugin_manager([("wuxing", plugin)], entry_points=False))


def test_registers_cleanly_on_a_fresh_manager(registry):
    assert registry.problems == []
    district = registry.districts["wuxing"]
    assert district.regulation.status_on(dt.date(2026, 11, 23)) == "in_force"
    assert district.regulation.status_on(dt.date(2023, 11, 24)) == "not_yet_effective"
    assert {r.kind for r in registry.rules_for("wuxing")} == {"applicability", "step", "deadline", "finding", "change", "gate"}
    assert all(key in registry.event_types for key in ("wuxing:supervisor_engaged", "wuxing:put_into_use"))


def test_regulation_is_the_published_text():
    if not SHARED_TEXT.exists():
        pytest.skip("shared regulations folder not present")
    assert (PACKAGE / "regulation.txt").read_bytes() == SHARED_TEXT.read_bytes()


def test_every_article_is_split_out_and_covered_or_explained(registry):
    articles = registry.districts["wuxing"].regulation.articles()
    assert sorted(articles) == list(range(1, 34))  # 第五条 and 第十五条 run on in the published text
    assert articles[15].startswith("第十五条") and "5个工作日内" in articles[15]
    assert "第二章" not in articles[6] and "抄送" not in articles[33]
    coverage = registry.coverage("wuxing")
    assert [n for n, covered in coverage.items() if not covered] == []


def _scenario_mentions() -> set[str]:
    mentioned: set[str] = set()
    for path in (PACKAGE / "scenarios").glob("*.toml"):
        expect = tomllib.loads(path.read_text(encoding="utf-8"))["expect"]
        for key, value in expect.items():
            if key.startswith("absent_") or key == "refused_by":
                mentioned.update(value)
            elif isinstance(value, list):
                mentioned.update(item["rule"] for item in value if "rule" in item)
    return mentioned


def test_every_rule_has_a_scenario(registry):
    keys = {r.key for r in registry.rules_for("wuxing")}
    assert sorted(keys - _scenario_mentions()) == []


def test_scenario_files_name_their_article():
    for path in (PACKAGE / "scenarios").glob("*.toml"):
        article = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
        assert path.name.startswith(f"a{article:02d}_"), path.name


def test_readme_documents_every_fact_category_and_tag():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for key in [*rules.FACTS, *rules.CATEGORIES, *rules.EXCLUDED_TAGS, *rules.MUST_NOT_DECLARE_TAGS]:
        assert f"`{key}`" in readme, key
    for r in plugin.RULES:
        assert f"`{r.key}`" in readme, r.key


def _project(code: str, name: str, amount: str, unit: str = "区综合执法局", year: int = 2025):
    return load_project({"code": code, "name": name, "district": "wuxing", "kind": "construction",
                         "investment": amount, "owner_unit": unit, "budget_year": year})


def test_split_under_feasibility_threshold_is_flagged_with_the_projects_named():
    projects = [_project("WX-S1", "智慧城管平台一期", "480万"), _project("WX-S2", "智慧城管平台二期", "460万"),
                _project("WX-S3", "智慧城管平台三期", "420万"), _project("WX-S4", "档案数字化", "470万")]
    suspects = find_split_projects(projects)
    assert [(s.threshold, [p.code for p in s.projects]) for s in suspects] == [(5_000_000, ["WX-S1", "WX-S2", "WX-S3"])]
    assert suspects[0].total == 13_600_000
    assert "WX-S1" in suspects[0].message and "WX-S3" in suspects[0].message and "档案" not in suspects[0].message


@pytest.mark.parametrize("projects", [
    # other units, other years: no split
    [_project("A", "视频监控联网一期", "95万", unit="区公安分局"), _project("B", "视频监控联网二期", "95万", unit="区教育局")],
    [_project("A", "视频监控联网一期", "95万", year=2024), _project("B", "视频监控联网二期", "95万", year=2025)],
    # exactly 100万 is not under the supervision threshold (及以上 includes it)
    [_project("A", "视频监控联网一期", "100万"), _project("B", "视频监控联网二期", "100万")],
    # far under the threshold is not "just under"
    [_project("A", "视频监控联网一期", "30万"), _project("B", "视频监控联网二期", "30万")],
])
def test_no_split_without_the_pattern(projects):
    assert find_split_projects(projects) == []


def test_split_at_the_self_acceptance_threshold_counts_its_number():
    """第二十条: 50万元以下 (inclusive) avoids the bureau's acceptance, so 50万 itself is just under."""
    suspects = find_split_projects([_project("A", "会议系统改造一期", "50万"), _project("B", "会议系统改造二期", "45万")])
    assert [(s.threshold, s.total) for s in suspects] == [(500_000, 950_000)]


def test_two_parts_in_the_band_always_reach_their_threshold():
    """find_split_projects checks no sum: that holds only while the band is under half the threshold.
    The lowest two parts the band admits (80% each, under 50万's inclusive reading too) exceed it."""
    assert 2 * (100 - JUST_UNDER_PERCENT) > 100
    lowest = [_project("A", "会议系统改造一期", "40万"), _project("B", "会议系统改造二期", "40万")]
    assert [(s.threshold, s.total) for s in find_split_projects(lowest)] == [(500_000, 800_000)]


def test_unreadable_fact_names_field_and_value(registry):
    project = load_project({"code": "WX-F", "name": "示例", "district": "wuxing", "kind": "construction",
                            "investment": "80万", "funding": "department_budget",
                            "facts": {"actual_investment": "八十万", "declaration_deadline": "2025-13-01"}})
    result = evaluate(project, dt.date(2025, 3, 1), registry=registry)
    messages = [f.message for f in result.findings if f.rule == "fact_values"]
    assert any("actual_investment" in m and "'八十万'" in m for m in messages)
    assert any("declaration_deadline" in m and "'2025-13-01'" in m for m in messages)


def test_gate_broken_in_history_stays_as_a_warning(registry):
    project = load_project({"code": "WX-G", "name": "示例", "district": "wuxing", "kind": "construction",
                            "investment": "80万", "funding": "department_budget",
                            "events": [{"type": "declared", "date": "2025-01-10"},
                                       {"type": "contract_signed", "date": "2025-02-10"}]})
    result = evaluate(project, dt.date(2025, 3, 1), registry=registry)
    assert [(f.rule, f.severity, f.article) for f in result.findings if f.rule == "procurement_after_approval"] \
        == [("procurement_after_approval", "warning", 15)]


# --- the installed CLI, as an operator runs it ---------------------------------------------------


def _zwxm(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*ZWXM, *args], capture_output=True, text=True, timeout=120, **kw)


def test_cli_rules_reports_full_coverage():
    out = _zwxm("rules", "wuxing", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)["summary"]
    assert summary == {"articles": 33, "covered": 25, "explained": 8, "coverage": 1.0}


def test_cli_districts_lists_wuxing_in_force():
    out = _zwxm("districts", "--json", "--as-of", "2026-11-23")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    row = next(r for r in data["districts"] if r["district"] == "wuxing")
    assert (row["status"], row["number"], row["effective_from"]) == ("in_force", "吴政办发〔2023〕43号", "2023-11-25")
    assert not [p for p in data["problems"] if "wuxing" in p]


def test_cli_evaluate_gives_the_holiday_deadline(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('code = "WX-CLI"\nname = "吴兴示例系统"\ndistrict = "wuxing"\nkind = "construction"\n'
                    'investment = "80万"\nfunding = "department_budget"\n'
                    '[[events]]\ntype = "contract_signed"\ndate = "2024-09-27"\n', encoding="utf-8")
    out = _zwxm("evaluate", str(path), "--as-of", "2024-10-09", "--json")
    assert out.returncode == 0, out.stderr
    deadlines = {d["rule"]: d for d in json.loads(out.stdout)["deadlines"]}
    assert (deadlines["contract_upload_deadline"]["date"], deadlines["contract_upload_deadline"]["status"]) \
        == ("2024-10-10", "open")


def test_missing_actual_investment_hides_no_other_change_ruling(registry):
    """第十九条: the 100万 ruling needs no actual investment; the 10% ones do, and say so once."""
    project = load_project({"code": "WX-C", "name": "示例", "district": "wuxing", "kind": "construction",
                            "investment": "3000万", "funding": "government_investment",
                            "changes": [{"date": "2025-03-01", "amount": "-20万"}, {"date": "2025-04-01", "amount": "-150万"},
                                        {"date": "2025-05-01", "amount": "-10万"}, {"date": "2025-12-01", "amount": "50万"}]})
    result = evaluate(project, dt.date(2025, 6, 1), registry=registry)
    assert [(c.date.isoformat(), c.procedure) for c in result.changes] == [("2025-04-01", "reapproval")]
    assert [(f.rule, f.severity) for f in result.findings if "实际投资金额" in f.message] == [("change_procedure", "info")]
