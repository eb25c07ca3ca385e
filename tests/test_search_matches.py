"""Text search on a real SQLite file: whatever path a keystroke takes (walking the sort index, scanning
the narrow index, or testing only the kept matches of the previous keystroke), the page, the count and
the filter menus' counts are those of a plain `LIKE '%text%'` scan over the search column."""

from __future__ import annotations

import pytest

import zwxm.store.store as store_module
from zwxm.model import load_project
from zwxm.store import ProjectQuery, Store
from zwxm.store.query import _FROM_PROJECTS, like_pattern

NAMES = ("智慧校园平台", "全民健康信息平台", "政务云扩容", "视频监控联网", "财政一体化系统", "平台运维100%覆盖",
         "数据_交换平台", "ＡＢＣ电子证照", "校园安全监控")
UNITS = ("区教育局", "区卫生健康局", "区政务服务数据管理局", None, "东门街道办事处")
QUERIES = ("平", "台", "平台", "校园", "教育局", "区教育", "pingtai", "pt", "zhxy", "ZHXY", "PingTai", "dmjd",
           "%", "_", "100%", "数据_交", "100%覆盖", "a_b", "abc", "ＡＢＣ", "ex-2", "EX-2025-01", "qu jiao",
           "不存在的词", "xx-1999", "\\", "'", "e", "1")
TYPED = ("区教育局", "pingtai", "zhxy", "100%覆盖", "数据_交换", "xx-1999", "EX-2025-01")


def make(n: int):
    return load_project({"code": f"EX-2025-{n:03d}", "name": f"{NAMES[n % len(NAMES)]}（{n}期）", "district": "example",
                         "kind": ["construction", "operation"][n % 2], "investment": (n % 5 + 1) * 600_000,
                         "funding": "government_investment", "owner_unit": UNITS[n % len(UNITS)],
                         "budget_year": 2024 + n % 3})


@pytest.fixture
def store(tmp_path, example_registry):
    with Store(tmp_path / "zwxm.db", registry=example_registry) as s:
        s.save_projects([make(n) for n in range(1, 46)])
        yield s


def by_like(store: Store, q: ProjectQuery) -> list[str]:
    """The reference: the whole list filtered by a plain LIKE scan, in the list's order."""
    where, params = ProjectQuery(district=q.district, kind=q.kind, sort=q.sort, descending=q.descending).where()
    clauses = [where.removeprefix(" WHERE ")] if where else []
    like = "p.search LIKE ? ESCAPE '\\'"
    sql = f"SELECT p.code {_FROM_PROJECTS} WHERE {' AND '.join([*clauses, like])} ORDER BY {q.order_by()}"
    return [r[0] for r in store.db.execute(sql, [*params, like_pattern(q.needle)])]


def shown(store: Store, q: ProjectQuery) -> list[str]:
    return [r["code"] for r in store.query_projects(q, 0, 1000)]


def assert_like(store: Store, q: ProjectQuery) -> None:
    expected = by_like(store, q)
    assert shown(store, q) == expected, q.text
    assert store.count_projects(q) == len(expected), q.text
    menus = store.facets(q)
    assert sum(n for _, n in menus["kind"]) == len(by_like(store, ProjectQuery(text=q.text, district=q.district))), q.text


@pytest.fixture(params=["walk", "scan"])
def path(request, monkeypatch):
    """`scan`: the walk's budget is spent at once, so every search scans and keeps its matches."""
    if request.param == "scan":
        monkeypatch.setattr(store_module, "SEARCH_WALK_BUDGET", 0)
    return request.param


def test_the_reference_finds_what_the_queries_are_about(store):
    """The queries cover matches of every kind (so the comparisons below compare something)."""
    found = {text: len(by_like(store, ProjectQuery(text=text))) for text in QUERIES}
    assert found["平台"] == found["pingtai"] == found["PingTai"] > 0 and found["pt"] >= found["平台"]
    assert found["100%"] > 0 and found["%"] == found["100%"]  # % only as a literal
    assert found["数据_交"] > 0 and found["_"] == found["数据_交"] and found["a_b"] == 0  # _ only as a literal
    assert found["abc"] == found["ＡＢＣ"] > 0  # full width folded like the search column
    assert found["区教育"] > 0 and found["dmjd"] > 0 and found["zhxy"] > 0
    assert found["不存在的词"] == found["xx-1999"] == 0


@pytest.mark.parametrize("text", QUERIES)
def test_each_query_matches_a_plain_like_scan(store, path, text):
    for q in (ProjectQuery(text=text), ProjectQuery(text=text, sort="name", descending=True),
              ProjectQuery(text=text, district="example", kind="operation", sort="stage")):
        assert_like(store, q)


@pytest.mark.parametrize("text", TYPED)
def test_typing_and_erasing_keystroke_by_keystroke_matches_a_plain_like_scan(store, path, text):
    prefixes = [text[:n] for n in range(1, len(text) + 1)]
    for typed in [*prefixes, *reversed(prefixes[:-1])]:  # narrowing on the kept matches, then widening
        assert_like(store, ProjectQuery(text=typed, sort="owner_unit"))


def test_kept_matches_follow_a_write_on_another_connection(store, example_registry):
    assert store.text_matches("区教育局") is not None
    before = shown(store, ProjectQuery(text="区教育局"))
    with Store(store.path, registry=example_registry) as other:
        other.save_project(make_named("EX-2025-090", "区教育局录播平台"))
    assert shown(store, ProjectQuery(text="区教育局录")) == ["EX-2025-090"]
    assert shown(store, ProjectQuery(text="区教育局")) == sorted([*before, "EX-2025-090"])


def test_kept_matches_follow_a_write_on_the_same_connection(store):
    assert store.text_matches("视频") is not None
    store.save_project(make_named("EX-2025-091", "视频会议系统"))
    assert "EX-2025-091" in shown(store, ProjectQuery(text="视频会"))
    assert_like(store, ProjectQuery(text="视频"))


def make_named(code: str, name: str):
    return load_project({"code": code, "name": name, "district": "example", "kind": "construction",
                         "investment": 600_000, "funding": "government_investment", "budget_year": 2025})


@pytest.mark.parametrize("extra, kept", [(-1, True), (0, True), (1, False)])
def test_matches_are_kept_up_to_the_limit(store, monkeypatch, extra, kept):
    """A text with MATCHES_KEPT matches or fewer keeps them; one more and it is scanned each time."""
    matching = len(by_like(store, ProjectQuery(text="平台")))
    monkeypatch.setattr(store_module, "MATCHES_KEPT", matching - extra)
    assert (store.text_matches("平台") is not None) is kept
    assert_like(store, ProjectQuery(text="平台运"))


@pytest.mark.parametrize("sort", ["code", "owner_unit", "stage"])
def test_pages_of_kept_matches_read_from_either_end_give_the_same_order(store, path, sort):
    q = ProjectQuery(text="平台", sort=sort, descending=True)
    expected = by_like(store, q)
    total = len(expected)
    assert total > 7
    paged = [r["code"] for offset in range(0, total, 4) for r in store.query_projects(q, offset, 4, total)]
    assert paged == expected
