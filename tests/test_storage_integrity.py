"""The file itself: tamper evidence, migrations, refusal of foreign or newer files, concurrent writers."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zwxm.model import Project, load_project
from zwxm.store import SCHEMA_VERSION, ProjectQuery, SchemaError, Store, connect

DATA = Path(__file__).parent / "data"
SQLITE3 = shutil.which("sqlite3")
needs_shell = pytest.mark.skipif(SQLITE3 is None, reason="the sqlite3 shell (Debian package sqlite3) is not installed")


def shell(db: Path, sql: str) -> subprocess.CompletedProcess:
    """The real sqlite3 shell: no zwxm code, no custom SQL functions."""
    return subprocess.run([SQLITE3, str(db), sql], capture_output=True, text=True)


@pytest.fixture
def store(tmp_path, example_registry):
    with Store(tmp_path / "zwxm.db", registry=example_registry) as s:
        for code in ("P-1", "P-2"):
            s.save_project(load_project({
                "code": code, "name": "示例平台", "district": "example", "kind": "construction",
                "investment": "120万", "events": [{"type": "declared", "date": "2025-01-02"},
                                                  {"type": "approved", "date": "2025-03-04"},
                                                  {"type": "contract_signed", "date": "2025-05-06"}]}))
        yield s


@needs_shell
def test_schema_works_in_the_plain_sqlite3_shell(store):
    store.close()
    result = shell(store.path, "SELECT count(*) FROM projects p JOIN project_status s ON s.code = p.code; "
                               "UPDATE events SET note = 'x' WHERE id = 1;")
    assert result.stdout.strip() == "2"
    assert "append-only" in result.stderr
    schema = shell(store.path, ".schema").stdout
    assert "CREATE TRIGGER events_no_update" in schema and "zwxm_" not in schema


@needs_shell
def test_verify_names_project_and_event_changed_behind_our_back(store, example_registry):
    store.close()
    changed = shell(store.path, "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "
                                "UPDATE events SET date = '2025-05-01' WHERE project_code = 'P-2' AND seq = 3; "
                                "DELETE FROM events WHERE project_code = 'P-1' AND seq = 2; "
                                "SELECT id FROM events WHERE project_code = 'P-2' AND seq = 3;")
    assert changed.returncode == 0, changed.stderr
    event_id = changed.stdout.strip()
    with Store(store.path, registry=example_registry) as reopened:
        assert set(reopened.repaired) == {"events_no_update", "events_no_delete"}  # said on opening
        found = reopened.verify_register().problems
        by_kind = {kind: [p for p in found if p.kind == kind] for kind in ("trigger", "deleted", "changed", "chain")}
        assert [p.where for p in by_kind["trigger"]] == ["events_no_update", "events_no_delete"]
        assert "was missing; restored on opening" in str(by_kind["trigger"][0])
        assert len(by_kind["deleted"]) == 1 and "P-1" in str(by_kind["deleted"][0])
        assert by_kind["changed"][0].where == f"events {event_id}"
        assert "date: '2025-05-06' → '2025-05-01'" in str(by_kind["changed"][0])
        chain = [str(p) for p in by_kind["chain"]]
        assert "P-1" in chain[0] and "missing" in chain[0]
        assert "P-2" in chain[1] and f"#{event_id}" in chain[1] and "hash mismatch" in chain[1]
        assert len(found) == 6
        # opening the file put the dropped triggers back
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            reopened.db.execute("DELETE FROM events")


def test_verify_is_empty_for_an_untouched_file(store):
    assert store.verify() == []


def test_version_1_file_is_upgraded_in_one_transaction(tmp_path, example_registry):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript((DATA / "schema_v1.sql").read_text(encoding="utf-8"))
    old.close()
    with Store(path, registry=example_registry) as upgraded:
        assert upgraded.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # the migration filled the new search column from the old rows: pinyin initials of 智慧城管
        assert [r["code"] for r in upgraded.query_projects(ProjectQuery(text="zhcg"))] == ["EX-V1"]
        # and migration 3 added the full pinyin
        assert [r["code"] for r in upgraded.query_projects(ProjectQuery(text="zhihuichengguan"))] == ["EX-V1"]
        assert upgraded.verify() == []  # hashes written by version 1 still verify
        assert [e.type for e in upgraded.project("EX-V1").events] == ["declared", "contract_signed"]


def test_version_2_file_gets_the_full_pinyin(tmp_path, example_registry):
    path = tmp_path / "v2.db"
    with Store(path, registry=example_registry) as store:
        store.save_project(Project(code="EX-V2", name="智慧城管平台", district="example", kind="construction",
                                   investment=1_000_000))
    raw = sqlite3.connect(path)
    raw.execute("UPDATE projects SET search = 'ex-v2 智慧城管平台 zhcgpt'")  # what version 2 stored
    # version 2 counted an expired regulation as a warning of every project of the district
    raw.execute("INSERT INTO project_findings (project_code, rule, severity, message) "
                "VALUES ('EX-V2', 'regulation_status', 'warning', '已失效'), ('EX-V2', 'own', 'warning', '自己的')")
    raw.execute("UPDATE project_status SET warnings = (SELECT count(*) FROM project_findings WHERE severity = 'warning')")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    with Store(path, registry=example_registry) as upgraded:
        assert [r["code"] for r in upgraded.query_projects(ProjectQuery(text="pingtai"))] == ["EX-V2"]
        assert upgraded.query_projects(ProjectQuery())[0]["warnings"] == 1  # its own; not the shared one
        assert upgraded.verify() == []


def test_failed_migration_leaves_the_old_file_as_it_was(tmp_path, example_registry):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript((DATA / "schema_v1.sql").read_text(encoding="utf-8"))
    old.execute("CREATE INDEX projects_name_sort ON projects (name)")  # makes migration 2 fail half-way
    old.close()
    with pytest.raises(SchemaError, match="from version 1 to 2 failed, file left unchanged.*projects_name_sort"):
        connect(path)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in check.execute("PRAGMA table_info(projects)")]
    assert "search" not in columns  # the ALTER TABLE before the failure was rolled back too


def test_newer_file_is_refused_with_path_and_versions(tmp_path):
    path = tmp_path / "future.db"
    connect(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(SchemaError) as info:
        connect(path)
    message = str(info.value)
    assert str(path) in message and str(SCHEMA_VERSION + 5) in message and "upgrade zwxm" in message


def test_foreign_files_are_refused(tmp_path):
    other = tmp_path / "other.db"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE projects (id INTEGER, title TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(SchemaError, match="not a zwxm database"):
        connect(other)
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库 " * 200, encoding="utf-8")
    with pytest.raises(SchemaError, match="not an SQLite database"):
        connect(text)


def test_a_file_holding_only_a_staging_table_is_adopted(tmp_path):
    path = tmp_path / "staging.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE import_projects (code TEXT, name TEXT)")
    raw.execute("INSERT INTO import_projects VALUES ('S-1', '暂存')")
    raw.commit()
    raw.close()
    db = connect(path)
    assert {"projects", "import_projects"} <= set(db.table_names())
    assert db.execute("SELECT count(*) FROM import_projects").fetchone()[0] == 1


WRITER = textwrap.dedent("""
    import datetime as dt, sys
    from zwxm.model import Event, load_project
    from zwxm.plugins import Registry, get_plugin_manager
    from zwxm.store import Store
    from tests.example_district import plugin
    registry = Registry(get_plugin_manager([("example", plugin)], entry_points=False))
    store = Store(sys.argv[1], registry=registry)
    worker = sys.argv[2]
    for i in range(25):
        store.record_event("SHARED", Event("progress_reported", dt.date(2025, 1, 1) + dt.timedelta(days=i),
                                           note=f"{worker}-{i}"))
        store.save_project(load_project({"code": f"{worker}-{i}", "name": "并发", "district": "example",
                                         "kind": "operation", "investment": i}))
""")


def test_concurrent_writers_lose_nothing(store, tmp_path):
    store.save_project(load_project({"code": "SHARED", "name": "共享", "district": "example",
                                     "kind": "construction", "investment": "100万"}))
    root = Path(__file__).parent.parent
    workers = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.path), f"w{n}"], cwd=root,
                                stderr=subprocess.PIPE, text=True) for n in range(3)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read()
    assert len(store.events("SHARED")) == 75
    assert store.count_projects(ProjectQuery()) == 2 + 1 + 75
    assert store.verify() == []
