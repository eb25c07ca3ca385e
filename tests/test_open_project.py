"""What opening a project reads, on a real SQLite file: the other projects of its unit (for rules that
look across projects) through the owner-unit index, and who corrected which event."""

from __future__ import annotations

import datetime as dt

from zwxm.model import Event, load_project
from zwxm.plugins import get_registry
from zwxm.store import Store


def project(n: int, unit: str, district: str = "wuxing"):
    return load_project({"code": f"WX-2024-{n:03d}", "name": f"系统{n}", "district": district, "kind": "construction",
                         "investment": 400_000, "funding": "government_investment", "owner_unit": unit,
                         "budget_year": 2024})


def test_peers_are_read_through_the_owner_unit_index(tmp_path):
    registry = get_registry()
    assert registry.needs_peers("wuxing")
    with Store(tmp_path / "zwxm.db", registry=registry) as writer:
        writer.save_projects([project(n, f"区单位{n % 3}") for n in range(12)])
    with Store(tmp_path / "zwxm.db", registry=registry) as store:  # its peers are not cached yet: it reads them
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)
        peers = store.peers([store.project("WX-2024-000")])["WX-2024-000"]
        store.db.conn.set_trace_callback(None)
        assert sorted(p.code for p in peers) == ["WX-2024-003", "WX-2024-006", "WX-2024-009"]
        (select,) = [s for s in statements if "owner_unit IN" in s]
        plan = " ".join(r[-1] for r in store.db.execute(f"EXPLAIN QUERY PLAN {select}"))
        assert "INDEX projects_owner_unit" in plan, plan


def test_events_name_the_event_that_corrects_each(tmp_path):
    with Store(tmp_path / "zwxm.db", registry=get_registry()) as store:
        store.save_projects([project(1, "区单位"), project(2, "区单位")])
        store.record_event("WX-2024-001", Event("declared", dt.date(2024, 3, 1)))
        store.record_event("WX-2024-002", Event("declared", dt.date(2024, 3, 2)))
        first = store.events("WX-2024-001")[-1]["id"]
        store.record_event("WX-2024-001", Event("declared", dt.date(2024, 3, 4), note="日期更正"), supersedes=first)
        store.record_event("WX-2024-001", Event("declared", dt.date(2024, 3, 5), note="再更正"), supersedes=first)
        rows = store.events("WX-2024-001")
        assert [r["superseded_by"] for r in rows] == [rows[1]["id"], None, None]  # the earliest correction
        assert [r["superseded_by"] for r in store.events("WX-2024-002")] == [None]
