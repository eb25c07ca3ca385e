"""What the Luohu scenarios cannot express: lists that must stop, coverage, packaging and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from zwxm.evaluation import evaluate
from zwxm.model import load_project
from zwxm.plugins import Registry, get_plugin_manager
from zwxm.testing.scenarios import load_scenario
from zwxm_luohu import plugin, rules

ZWXM = [str(Path(sys.executable).with_name("zwxm"))]
SCENARIOS = sorted((Path(plugin.__file__).parent / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    """Only the Luohu plugin, on a fresh manager."""
    return Registry(get_plugin_manager([("luohu", plugin)], entry_points=False))


def project(**fields) -> dict:
    base = {"code": "LH-T", "name": "测试项目", "district": "luohu", "kind": "construction",
            "investment": "300万", "funding": "department_budget", "category": "software",
            "owner_unit": "区教育局", "supervisor": "某监理公司", "facts": {"warranty_years": 2}}
    return base | fields


def events(*pairs: tuple[str, str]) -> list[dict]:
    return [{"type": kind, "date": day} for kind, day in pairs]


def test_registers_without_problems(registry):
    assert registry.problems == []
    assert "luohu" in registry.districts
    assert len(registry.rules_for("luohu")) == len(plugin.RULES)


def test_monthly_reports_one_per_month_and_stop_at_completion(registry):
    completed = dt.date(2024, 10, 20)
    data = project(events=events(("contract_signed", "2024-03-05"), ("progress_reported", "2024-03-20"),
                                 ("construction_completed", completed.isoformat())))
    result = evaluate(load_project(data), dt.date(2025, 3, 1), registry=registry)
    monthly = [d for d in result.deadlines if d.rule == "monthly_progress_report"]
    months = [(d.date.year, d.date.month) for d in monthly]
    assert months == sorted(set(months)), "one deadline per month, in order"
    assert months[0] == (2024, 3) and months[-1] == (2024, 9)
    assert all(d.date.day == rules.MONTHLY_REPORT_DAY and d.date <= completed for d in monthly)
    assert [d.status for d in monthly] == ["met"] + ["missed"] * (len(monthly) - 1)


def test_running_implementation_shows_the_coming_report(registry):
    data = project(events=events(("contract_signed", "2024-09-02")))
    result = evaluate(load_project(data), dt.date(2024, 10, 26), registry=registry)
    monthly = [d for d in result.deadlines if d.rule == "monthly_progress_report"]
    assert [d.status for d in monthly] == ["missed", "missed", "open"]
    assert monthly[-1].date == dt.date(2024, 11, 25)


def test_changes_after_as_of_are_not_ruled(registry):
    data = project(changes=[{"date": "2024-05-01", "amount": "10万"}, {"date": "2024-09-01", "amount": "-1万"}])
    result = evaluate(load_project(data), dt.date(2024, 6, 1), registry=registry)
    assert [(c.date, c.procedure) for c in result.changes] == [(dt.date(2024, 5, 1), "reapproval")]


def test_out_of_scope_project_gets_no_obligations(registry):
    result = evaluate(load_project(project(investment="499999", events=events(("contract_signed", "2024-03-05")))),
                      dt.date(2024, 6, 1), registry=registry)
    assert result.applicable is False
    assert result.deadlines == [] and result.approval_path == [] and result.findings == []


def test_every_article_is_covered_or_explained(registry):
    coverage = registry.coverage("luohu")
    assert sorted(coverage) == list(range(1, 35))
    assert all(coverage.values()), [n for n, c in coverage.items() if not c]
    cited = {n for n, c in coverage.items() if isinstance(c, list)}
    assert not cited & set(plugin.UNCOVERED), "an article is both covered and explained away"


def test_every_rule_has_a_scenario():
    mentioned: set[str] = set()
    for path in SCENARIOS:
        expect = load_scenario(path).data["expect"]
        for key in ("applicability", "approval_path", "deadlines", "findings", "changes"):
            mentioned.update(item.get("rule", "") for item in expect.get(key, []))
        for key in ("refused_by", "absent_findings", "absent_deadlines"):
            mentioned.update(expect.get(key, []))
    keys = {key for key, *_ in plugin.RULES}
    assert keys - mentioned == set()


def test_scenario_files_are_named_after_their_article():
    for path in SCENARIOS:
        scenario = load_scenario(path)
        assert path.name.startswith(f"a{scenario.article:02d}_"), path.name
        assert scenario.data["project"]["district"] == "luohu"


def test_gated_events_and_new_event_types_are_known(registry):
    for event_type in plugin.EVENT_TYPES:
        assert event_type.key.startswith("luohu:")
    for rule in registry.rules_for("luohu", "gate"):
        assert rule.events and all(e in registry.event_types for e in rule.events), rule.key


def test_regulation_text_is_packaged():
    regulation = plugin.REGULATION
    articles = regulation.articles()
    assert sorted(articles) == list(range(1, 35))
    assert "有效期五年" in articles[34] and "2020 年 10 月 20 日" in articles[34]
    assert "罗府办规〔2017〕8号" in regulation.note
    assert (Path(plugin.__file__).parent / "interpretation.txt").stat().st_size > 0
    assert regulation.status_on(rules.EFFECTIVE_UNTIL) == "in_force"
    assert regulation.status_on(rules.EFFECTIVE_UNTIL + dt.timedelta(days=1)) == "expired"


def test_plugin_does_no_date_arithmetic():
    source = (Path(rules.__file__)).read_text(encoding="utf-8") + Path(plugin.__file__).read_text(encoding="utf-8")
    assert "timedelta" not in source and "relativedelta" not in source


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*ZWXM, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_rules_and_districts(tmp_path):
    rules_out = run("rules", "luohu", "--json", cwd=tmp_path)
    assert rules_out.returncode == 0, rules_out.stderr
    summary = json.loads(rules_out.stdout)["summary"]
    assert summary["coverage"] == 1.0 and summary["articles"] == 34
    for day, status in (("2025-10-19", "in_force"), ("2025-10-20", "expired"), ("2020-10-19", "not_yet_effective")):
        out = run("districts", "--json", "--as-of", day, cwd=tmp_path)
        listed = json.loads(out.stdout)
        luohu = next(d for d in listed["districts"] if d["district"] == "luohu")
        assert luohu["status"] == status
        assert not [p for p in listed["problems"] if "luohu" in p]


def test_cli_evaluate_project_file(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(tomli_w.dumps(project(events=events(("contract_signed", "2024-09-25")))), encoding="utf-8")
    out = run("evaluate", str(path), "--as-of", "2024-10-07", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    deadlines = {d["rule"]: d for d in json.loads(out.stdout)["deadlines"]}
    assert deadlines["contract_filing"]["date"] == "2024-10-08"
    assert "国庆节" in deadlines["contract_filing"]["explanation"]


def test_cli_refuses_a_category_luohu_does_not_define(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(tomli_w.dumps(project(category="multi_collab")), encoding="utf-8")
    out = run("evaluate", str(path), "--as-of", "2024-10-07", cwd=tmp_path)
    assert out.returncode == 2
    assert "category" in out.stderr and "multi_collab" in out.stderr and "Traceback" not in out.stderr
