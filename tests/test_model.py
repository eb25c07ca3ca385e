import datetime as dt

import pytest

from zwxm.model import InputError, dump_project, load_project, parse_date

BASE = {"code": "P1", "name": "系统", "district": "example", "kind": "construction", "investment": "120万"}


def problems_of(data):
    with pytest.raises(InputError) as info:
        load_project(data)
    return {p.field: p for p in info.value.problems}


def test_minimal_project_loads_with_exact_money():
    project = load_project(BASE)
    assert project.investment == 1_200_000
    assert project.events == [] and project.category is None


@pytest.mark.parametrize("text, expected", [
    ("2024-10-05", dt.date(2024, 10, 5)), ("2024/10/5", dt.date(2024, 10, 5)),
    ("2024年10月5日", dt.date(2024, 10, 5)), ("20241005", dt.date(2024, 10, 5)),
    ("２０２４-１０-０５", dt.date(2024, 10, 5)), ("2024-10-05T08:00:00", dt.date(2024, 10, 5)),
    (dt.datetime(2024, 10, 5, 8), dt.date(2024, 10, 5)),
])
def test_dates_in_common_spellings(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("bad", ["2023-02-29", "2024-13-01", "yesterday", "", 20241005])
def test_impossible_or_unreadable_dates_are_refused(bad):
    with pytest.raises(ValueError):
        parse_date(bad)


def test_every_problem_is_reported_with_field_and_value():
    found = problems_of({**BASE, "kind": "castle", "investment": "-3万", "typo": 1,
                         "events": [{"type": "approved", "date": "2024-02-30"}]})
    assert found["kind"].value == "castle"
    assert found["investment"].value == "-3万"
    assert found["events[0].date"].value == "2024-02-30"
    assert "typo" in found
    assert "不存在" in found["events[0].date"].message


def test_missing_required_fields_are_named():
    found = problems_of({"name": "x", "district": "example", "kind": "construction"})
    assert {"code", "investment"} <= set(found)


def test_blank_code_refused():
    assert "code" in problems_of({**BASE, "code": "  "})


def test_unknown_funding_refused():
    assert problems_of({**BASE, "funding": "lottery"})["funding"].value == "lottery"


@pytest.mark.parametrize(("field", "value", "named"), [
    ("kind", "castle", ["construction（建设类）", "service（服务类）"]),
    ("funding", "lottery", ["own_funds（自有资金 / own funds）", "department_budget（部门预算 / department budget）"]),
])
def test_an_unknown_vocabulary_value_lists_each_choice_with_its_label(field, value, named):
    problem = problems_of({**BASE, field: value})[field]
    for choice in named:
        assert choice in problem.message and choice in problem.message_en
    assert "castle" not in problem.message and "lottery" not in problem.message  # the value is named by the field


def test_yes_no_in_chinese():
    assert load_project({**BASE, "classified": "是"}).classified is True
    assert "classified" in problems_of({**BASE, "classified": "maybe"})


def test_changes_may_decrease_investment():
    project = load_project({**BASE, "changes": [{"date": "2024-05-01", "amount": "-10万", "major": "否"}]})
    assert project.changes[0].amount == -100_000 and project.changes[0].major is False


def test_round_trip_through_plain_data():
    project = load_project({**BASE, "tags": ["a"], "facts": {"warranty_years": 3},
                            "events": [{"type": "approved", "date": "2024-01-02", "note": "批复"}]})
    assert load_project(dump_project(project)) == project
