"""`Store.rebuild` on real SQLite files with the four installed districts (wuxing's rules read peers):
forked workers store exactly what one process stores and what a full rewrite stores, only rows
that differ are written, a write made by another connection during a rebuild is not overwritten,
a broken row does not stop it, and an interrupted rebuild leaves every committed chunk whole."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import sqlite3
import subprocess
import time

import attrs
import pytest
from cattrs.errors import ClassValidationError

from tests import ZWXM
from zwxm.model import Change, Event, InputError, Project, converter
from zwxm.plugins import get_registry
from zwxm.settings import NUMBER_SETTINGS
from zwxm.store import Store
from zwxm.store.derived import can_fork, rebuild_workers
from zwxm.store.rows import CHUNK, _project_from_rows, project_row
from zwxm_wuxing.splitting import THRESHOLDS

TODAY = dt.date.today()
COUNT = 2 * CHUNK + 300  # three chunks: the workers have work ahead of the writer
EVENTS = ("declared", "technical_review_passed", "approved", "procurement_started", "contract_signed",
          "contract_filed", "progress_reported", "construction_completed")
needs_fork = pytest.mark.skipif(not can_fork(), reason="forked workers need Linux and two CPUs")


def varied(count: int) -> list[Project]:
    """Projects of every district and stage, in a few units (wuxing's split rule compares them), some
    with changes, tags and facts."""
    rng = random.Random(16)
    registry = get_registry()
    districts = sorted(registry.districts)
    projects = []
    for n in range(count):
        district = districts[n % len(districts)]
        day = TODAY - dt.timedelta(days=rng.randint(30, 700))
        events = []
        for event_type in EVENTS[:rng.randint(0, len(EVENTS))]:
            day = min(day + dt.timedelta(days=rng.randint(1, 60)), TODAY)
            events.append(Event(event_type, day, note=rng.choice(("", "月报"))))
        categories = list(registry.districts[district].categories) or [None]
        split = district == "wuxing" and n % 3 == 0  # parts of one project just under a threshold
        projects.append(Project(
            code=f"{district[:2].upper()}-{n:05d}", name="智慧平台" if split else f"智慧平台{n % 37}期",
            district=district, kind=rng.choice(("construction", "operation", "service")),
            investment=min(THRESHOLDS) if split else rng.randint(3, 900) * 10_000,
            category=rng.choice(categories), funding=rng.choice(("department_budget", "government_investment", None)),
            owner_unit=f"单位{n % 23}", budget_year=2025 if split else day.year, tags=rng.choice(([], ["重点"])),
            facts=rng.choice(({}, {"warranty_years": 2})), events=events,
            changes=[Change(day, 50_000, "business_need")] if n % 9 == 0 and events else []))
    return projects


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "zwxm.db"
    with Store(path) as store:
        store.save_projects(varied(COUNT))
        with store.transaction():  # every derived row rewritten, with every peer stored: the reference
            store._refresh_derived(list(store.iter_projects([p.code for p in varied(COUNT)])))
    return path


def derived(path) -> dict[str, list[tuple]]:
    """Every derived row, in project and then id order, without the ids (a rewrite gives new ones)."""
    conn = sqlite3.connect(path)
    try:
        return {"project_status": conn.execute("SELECT * FROM project_status ORDER BY code").fetchall(),
                **{table: [row[1:] for row in conn.execute(f"SELECT * FROM {table} ORDER BY project_code, id")]
                   for table in ("project_deadlines", "project_findings")}}
    finally:
        conn.close()


def spoil(path) -> None:
    """Make rows differ in columns with and without an index, and change how many rows a project has."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE project_status SET evaluated_on = '2000-01-01', stage_order = 99 WHERE rowid % 3 = 0")
        conn.execute("UPDATE project_deadlines SET explanation = 'x', date = '1999-01-01' WHERE id % 4 = 0")
        conn.execute("UPDATE project_findings SET message = 'x' WHERE id % 5 = 0")
        conn.execute("DELETE FROM project_findings WHERE id % 7 = 0")
        conn.execute("DELETE FROM project_status WHERE rowid % 11 = 0")
    conn.close()


@pytest.mark.parametrize("workers", [0, pytest.param(1, marks=needs_fork), pytest.param(2, marks=needs_fork)])
def test_rebuild_stores_what_a_full_write_stores(path, workers):
    written = derived(path)
    assert len(written["project_status"]) == COUNT and written["project_deadlines"] and written["project_findings"]
    assert any("split" in row[1] for row in written["project_findings"]), "wuxing's peer rule has something to find"
    spoil(path)
    assert derived(path) != written
    with Store(path) as store:
        assert store.rebuild(workers=workers) == COUNT
    assert derived(path) == written


@pytest.mark.parametrize("workers", [0, pytest.param(2, marks=needs_fork)])
def test_rows_that_came_out_the_same_are_not_written_again(path, workers):
    conn = sqlite3.connect(path)
    ids = {table: conn.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()
           for table in ("project_deadlines", "project_findings")}
    status_rowids = conn.execute("SELECT rowid, code FROM project_status ORDER BY rowid").fetchall()
    conn.execute("UPDATE project_findings SET message = 'edited' WHERE id = (SELECT min(id) FROM project_findings)")
    conn.commit()
    conn.close()
    with Store(path) as store:
        store.rebuild(workers=workers)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM project_findings WHERE message = 'edited'").fetchone() == (0,)
        # nothing was deleted and inserted again: every row keeps its id, every status row its place
        for table, before in ids.items():
            assert conn.execute(f"SELECT id FROM {table} ORDER BY id").fetchall() == before
        assert conn.execute("SELECT rowid, code FROM project_status ORDER BY rowid").fetchall() == status_rowids
    finally:
        conn.close()


@pytest.mark.parametrize("workers", [0, pytest.param(2, marks=needs_fork)])
def test_an_event_recorded_during_a_rebuild_is_not_overwritten(path, workers):
    """A project of the last chunk, read and evaluated ahead by a worker (in one process: read after
    the event), ends with rows matching its new events. Its stored rows are spoiled first, so that the
    rows planned before the event differ from them and would be written if nothing checked."""
    with Store(path) as store:
        codes = [r[0] for r in store.db.execute("SELECT code FROM projects ORDER BY code")]
    last = next(code for code in reversed(codes) if not store_project(path, code).events)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE project_status SET stage = 'operate', stage_order = 99, next_deadline = '1999-01-01', "
                     "next_deadline_rule = 'x', evaluated_on = '2000-01-01', errors = 9 WHERE code = ?", [last])
        conn.execute("INSERT INTO project_findings (project_code, rule, severity, message) VALUES (?, 'x', 'error', 'x')",
                     [last])
    conn.close()
    recorded = []

    def record_once(_done: int) -> None:
        if not recorded:
            time.sleep(1.0)  # the workers finish the chunks ahead meanwhile
            with Store(path) as other:
                other.record_event(last, Event("contract_signed", TODAY - dt.timedelta(days=3)), force=True)
            recorded.append(last)

    with Store(path) as store:
        store.rebuild(progress=record_once, workers=workers)
        assert recorded == [last]
        expected = store.evaluation(last, TODAY)
        status = store.db.execute("SELECT stage, next_deadline_rule FROM project_status WHERE code = ?",
                                  [last]).fetchone()
        deadlines = store.db.execute("SELECT rule, date FROM project_deadlines WHERE project_code = ? ORDER BY id",
                                     [last]).fetchall()
    assert status == (expected.stage, expected.next_deadline.rule if expected.next_deadline else None)
    assert deadlines == [(d.rule, d.date.isoformat() if d.date else None) for d in expected.deadlines]
    assert expected.stage == "contract" and status[1] == "contract_filing_deadline"  # the rows follow the signing
    assert store_project(path, last).events


def store_project(path, code: str) -> Project:
    with Store(path) as store:
        project = store.project(code)
    assert project is not None
    return project


@pytest.mark.parametrize("workers", [0, pytest.param(2, marks=needs_fork)])
def test_a_broken_row_does_not_stop_the_rebuild(path, workers):
    written = derived(path)
    conn = sqlite3.connect(path)
    with conn:  # a wuxing project: the other projects of its unit read it as a peer
        broken = conn.execute("SELECT code FROM projects WHERE district = 'wuxing' ORDER BY code").fetchone()[0]
        conn.execute("UPDATE projects SET investment = 'a lot' WHERE code = ?", [broken])
    conn.close()
    with Store(path) as store:
        assert store.rebuild(workers=workers) == COUNT
    after = derived(path)
    status = next(row for row in after["project_status"] if row[0] == broken)
    assert status[1:3] == ("declare", 0) and status[11] == 1
    assert [row[1:3] for row in after["project_findings"] if row[0] == broken] == [("storage", "error")]
    assert next(row[4] for row in after["project_findings"] if row[0] == broken).startswith("存储的数据无法读取")
    assert len(after["project_status"]) == COUNT
    others = {row[0] for row in written["project_status"]} - {broken}
    assert [r for r in after["project_deadlines"] if r[0] in others] == \
        [r for r in written["project_deadlines"] if r[0] in others]


@needs_fork
def test_an_interrupted_rebuild_leaves_committed_chunks_whole_and_no_worker_behind(path):
    written = derived(path)
    spoil(path)
    spoiled = derived(path)
    chunks_done = []

    def stop_after_first(done: int) -> None:
        chunks_done.append(done)
        raise KeyboardInterrupt

    with Store(path) as store, pytest.raises(KeyboardInterrupt):
        store.rebuild(progress=stop_after_first, workers=2)
    assert multiprocessing.active_children() == []
    first = set(sorted(row[0] for row in written["project_status"])[:CHUNK])
    after = derived(path)
    for table in after:  # the first chunk as a rebuild writes it, the others as they were
        assert [r for r in after[table] if r[0] in first] == [r for r in written[table] if r[0] in first]
        assert [r for r in after[table] if r[0] not in first] == [r for r in spoiled[table] if r[0] not in first]


WORKERS = NUMBER_SETTINGS["ZWXM_REBUILD_WORKERS"]


def test_worker_count_setting(monkeypatch):
    monkeypatch.setenv("ZWXM_REBUILD_WORKERS", "0")
    assert rebuild_workers() == 0
    monkeypatch.setenv("ZWXM_REBUILD_WORKERS", "1")
    assert rebuild_workers() == (1 if can_fork() else 0)
    for setting in ("", "  "):
        monkeypatch.setenv("ZWXM_REBUILD_WORKERS", setting)
        assert rebuild_workers() == (WORKERS.default if can_fork() else 0)
    monkeypatch.setenv("ZWXM_REBUILD_WORKERS", "16")
    assert rebuild_workers() == (16 if can_fork() else 0)
    monkeypatch.setenv("ZWXM_REBUILD_WORKERS", "17")  # a script calling Store.rebuild is told too
    with pytest.raises(InputError) as caught:
        rebuild_workers()
    assert [(p.field, p.value) for p in caught.value.problems] == [("ZWXM_REBUILD_WORKERS", "17")]


@pytest.mark.parametrize("setting", ["two", "-1", "1.5", "²", "١", "17", "100000", "0x2"])
def test_a_bad_worker_count_is_refused_by_name_before_the_file_is_opened(tmp_path, setting):
    """Not silently replaced by the default: `zwxm rebuild` names the variable and the value, exit 2."""
    path = tmp_path / "never.db"
    result = subprocess.run([ZWXM, "--db", str(path), "rebuild"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "ZWXM_REBUILD_WORKERS": setting})
    assert result.returncode == 2
    assert result.stderr == f"ZWXM_REBUILD_WORKERS: {setting!r}: 应为 0–16 的整数 / expected a whole number 0–16\n"
    assert "Traceback" not in result.stderr and not path.exists()


def test_stored_rows_are_read_as_cattrs_reads_them():
    """The direct path for rows of zwxm's own types gives what cattrs gives; other values go to cattrs."""
    for project in varied(40):
        row = project_row(project)
        by_cattrs = converter.structure({k: json.loads(v) if k in ("tags", "facts") else v
                                         for k, v in row.items() if v is not None}, Project)
        assert _project_from_rows(row, [], []) == by_cattrs == attrs.evolve(project, events=[], changes=[])
    row = project_row(varied(1)[0])
    read = _project_from_rows({**row, "investment": "120万元", "budget_year": "2024", "classified": "是",
                               "tags": '["a", 1]'}, [], [])
    assert (read.investment, read.budget_year, read.classified, read.tags) == (1_200_000, 2024, True, ["a", "1"])
    for field, value in (("investment", "a lot"), ("investment", -5), ("classified", 2), ("name", None),
                         ("budget_year", 2024.5), ("tags", '[null]')):
        with pytest.raises(InputError) as refused:  # cattrs' refusal, named with the project
            _project_from_rows({**row, field: value}, [], [])
        assert isinstance(refused.value.__cause__, ClassValidationError)
        assert refused.value.problems[0].field == row["code"]


@pytest.mark.parametrize(("field", "value"), [("tags", "[1,"), ("facts", "{not json")])
def test_an_unreadable_field_is_named_in_the_broken_rows_finding(path, field, value):
    conn = sqlite3.connect(path)
    with conn:
        code = conn.execute("SELECT code FROM projects ORDER BY code").fetchone()[0]
        conn.execute(f"UPDATE projects SET {field} = ? WHERE code = ?", [value, code])
    conn.close()
    with Store(path) as store:
        store.rebuild(workers=0)
    findings = [row for row in derived(path)["project_findings"] if row[0] == code]
    assert [(row[1], row[4], row[5]) for row in findings] == [
        ("storage", f"存储的数据无法读取（另见 zwxm verify）：{field} = {value!r}",
         f"stored data unreadable (see zwxm verify): {field} = {value!r}")]
