"""Imports evaluate outside the write lock (issue 13 §10): a batch is planned (and evaluated) without
the lock and written in a short transaction; a project written in between is planned again under
the lock, so no write is lost or overwritten. Real files, two real connections."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

from zwxm.model import Change, Event, load_project
from zwxm.store import Store


def project(code: str, *events: tuple[str, str]) -> object:
    return load_project({"code": code, "name": "示例平台", "district": "example", "kind": "construction",
                         "investment": "120万", "events": [{"type": t, "date": d} for t, d in events]})


def test_planning_needs_no_write_lock(tmp_path, example_registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry=example_registry) as importer:
        importer.save_project(project("W-1", ("declared", "2025-01-02")))
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # someone else holds the write lock throughout
        started = time.monotonic()
        plan = importer.plan_write([project(f"W-{n}", ("declared", "2025-01-02"), ("approved", "2025-03-04"))
                                    for n in range(1, 50)])
        assert time.monotonic() - started < 10  # a plan that needed the lock would wait the 30 s busy timeout
        assert len(plan.derived.status) == 49 and not importer.db.conn.in_transaction
        holder.execute("ROLLBACK")
        holder.close()
        with importer.transaction():
            assert importer.write_plan(plan) == ["updated"] + ["inserted"] * 48
        assert importer.verify() == []


def test_a_project_written_between_plan_and_write_is_planned_again(tmp_path, example_registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry=example_registry) as importer, Store(path, registry=example_registry) as operator:
        importer.save_project(project("W-1", ("declared", "2025-01-02")))
        plan = importer.plan_write([project("W-1", ("declared", "2025-01-02"), ("approved", "2025-03-04"))])
        # meanwhile an operator records a change and an event on the same project
        operator.add_change("W-1", Change(dt.date(2025, 2, 1), 10_000, "增加终端"))
        operator.record_event("W-1", Event("progress_reported", dt.date(2025, 2, 2), note="operator"), force=True)
        with importer.transaction():
            assert importer.write_plan(plan) == ["updated"]
        events = importer.events("W-1")
        assert [(e["seq"], e["type"]) for e in events] == [(1, "declared"), (2, "progress_reported"), (3, "approved")]
        stored = importer.project("W-1")
        assert len(stored.changes) == 1
        # the derived row reflects all of it, not the stale plan
        stage = importer.db.execute("SELECT stage FROM project_status WHERE code = 'W-1'").fetchone()[0]
        assert stage == importer.evaluation("W-1").stage
        assert importer.verify() == []


def test_an_unchanged_project_keeps_its_plan(tmp_path, example_registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry=example_registry) as importer, Store(path, registry=example_registry) as operator:
        importer.save_project(project("W-1", ("declared", "2025-01-02")))
        importer.save_project(project("W-2", ("declared", "2025-01-02")))
        plan = importer.plan_write([project("W-1", ("declared", "2025-01-02"), ("approved", "2025-03-04"))])
        operator.add_change("W-2", Change(dt.date(2025, 2, 1), 10_000))  # another project: the plan stands
        assert importer._fingerprints(["W-1"]) == plan.seen
        with importer.transaction():
            assert importer.write_plan(plan) == ["updated"]
        assert importer.verify() == []
