"""Pages of the project list on a real SQLite file: read from either end they give the same order
for every sort, each sort walks its index, and a project without a status row is still listed."""

from __future__ import annotations

import datetime as dt

import pytest

from zwxm.model import load_project
from zwxm.store import SORTS, ProjectQuery, Store

TODAY = dt.date.today()
COUNT = 61


def make(n: int) -> object:
    events = [{"type": "contract_signed", "date": (TODAY - dt.timedelta(days=n)).isoformat()}] if n % 3 else []
    return load_project({"code": f"PG-{n:03d}", "name": ["甲平台", "乙系统", "丙数据库"][n % 3], "district": "example",
                         "kind": ["construction", "operation"][n % 2], "investment": (n % 5 + 1) * 600_000,
                         "funding": "government_investment", "owner_unit": None if n % 4 == 0 else f"单位{n % 7}",
                         "budget_year": 2024 + n % 2, "events": events})


@pytest.fixture
def store(tmp_path, example_registry):
    with Store(tmp_path / "zwxm.db", registry=example_registry) as s:
        s.save_projects([make(n) for n in range(COUNT)])
        yield s


def codes(rows: list[dict]) -> list[str]:
    return [r["code"] for r in rows]


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_read_from_the_end_match_the_forward_order(store, sort, descending):
    q = ProjectQuery(sort=sort, descending=descending)
    forward = codes(store.query_projects(q, 0, 1000))
    assert len(forward) == COUNT == store.count_projects(q)
    for size in (7, 10, COUNT):
        paged = [code for offset in range(0, COUNT, size) for code in codes(store.query_projects(q, offset, size, COUNT))]
        assert paged == forward
    assert codes(store.query_projects(q, COUNT - 1, 10, COUNT)) == forward[-1:]  # End
    assert store.query_projects(q, COUNT, 10, COUNT) == []


@pytest.mark.parametrize("sort", ["owner_unit", "next_deadline"])
@pytest.mark.parametrize("descending", [False, True])
def test_projects_without_a_value_come_last_either_way(store, sort, descending):
    rows = store.query_projects(ProjectQuery(sort=sort, descending=descending), 0, 1000)
    values = [r[sort] for r in rows]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)) and present and len(present) < len(values)
    assert present == sorted(present, reverse=descending)


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_walks_an_index(store, sort):
    for descending in (False, True):
        q = ProjectQuery(sort=sort, descending=descending)
        source = "FROM project_status s JOIN projects p ON p.code = s.code" if sort in ("stage", "next_deadline") \
            else "FROM projects p LEFT JOIN project_status s ON s.code = p.code"
        plan = " ".join(row[-1] for row in store.db.execute(
            f"EXPLAIN QUERY PLAN SELECT p.code {source} ORDER BY {q.order_by()} LIMIT 10"))
        assert "TEMP B-TREE" not in plan, plan


def test_a_project_without_its_status_row_is_still_listed(store):
    store.db.execute("DELETE FROM project_status WHERE code = 'PG-002'")
    for sort in ("stage", "next_deadline"):
        listed = codes(store.query_projects(ProjectQuery(sort=sort), 0, 1000))
        assert len(listed) == COUNT and "PG-002" in listed


def test_counting_without_a_status_filter_matches_the_joined_count(store):
    for q in (ProjectQuery(), ProjectQuery(kind="operation"), ProjectQuery(text="平台"), ProjectQuery(stage="contract"),
              ProjectQuery(overdue_only=True)):
        expected = store.db.execute("SELECT count(*) FROM projects p LEFT JOIN project_status s ON s.code = p.code"
                                    f"{q.where()[0]}", q.where()[1]).fetchone()[0]
        assert store.count_projects(q) == expected
    assert store.count_projects(ProjectQuery(kind="operation")) == COUNT // 2


@pytest.mark.parametrize("budget", [10.0, 0.0])  # walking the sort index; matching on the search index first
@pytest.mark.parametrize("text", ["平台", "jpt", "pg-01", "单位3", "无此项目"])
def test_a_text_search_lists_exactly_the_matching_projects_in_order(store, monkeypatch, budget, text):
    monkeypatch.setattr("zwxm.store.store.SEARCH_WALK_BUDGET", budget)
    for sort in ("code", "name", "next_deadline"):
        everything = store.query_projects(ProjectQuery(sort=sort), 0, 1000)
        expected = [r["code"] for r in everything
                    if text in store.db.execute("SELECT search FROM projects WHERE code = ?", [r["code"]]).fetchone()[0]]
        assert codes(store.query_projects(ProjectQuery(text=text, sort=sort), 0, 1000)) == expected
        assert store.count_projects(ProjectQuery(text=text)) == len(expected)
    assert expected or text == "无此项目"


def test_a_file_without_the_list_indexes_gets_them_when_opened(store, example_registry):
    from zwxm.store.schema import LIST_INDEXES

    for name in LIST_INDEXES:
        store.db.execute(f"DROP INDEX {name}")
    store.close()
    with Store(store.path, registry=example_registry) as reopened:
        present = {r[0] for r in reopened.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert set(LIST_INDEXES) <= present
        assert len(reopened.query_projects(ProjectQuery(sort="stage"), 0, 1000)) == COUNT
