"""The register's log of writes (issue 13 §1, §2): every meaningful row covered, tampering found and
named, the head as an anchor, who wrote what. Tampering is done as an attacker would: with the plain
sqlite3 shell or Python's sqlite3 module on the real file, never through zwxm."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import ZWXM
from zwxm.model import Change, Event, load_project
from zwxm.store import Store, connect, ledger
from zwxm.store.ledger import COVERED, GENESIS_ACTOR, NOT_COVERED, write_hash

DATA = Path(__file__).parent / "data"
SQLITE3 = shutil.which("sqlite3")
needs_shell = pytest.mark.skipif(SQLITE3 is None, reason="the sqlite3 shell (Debian package sqlite3) is not installed")


def shell(db: Path, sql: str) -> subprocess.CompletedProcess:
    result = subprocess.run([SQLITE3, str(db), sql], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def raw(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Python's sqlite3 module on the file, no zwxm code: what a script with sqlite3 can do."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        rows = conn.execute(sql, params).fetchall()
    finally:
        conn.close()
    return rows


def zwxm(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG", "ZWXM_ACTOR")}
    return subprocess.run([ZWXM, "--db", str(db), "--lang", "en", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=base | (env or {}), timeout=300, cwd=db.parent)


def project(code: str, **extra) -> dict:
    return {"code": code, "name": "示例平台", "district": "example", "kind": "construction", "investment": "120万",
            "owner_unit": "区教育局", "events": [{"type": "declared", "date": "2025-01-02"},
                                                 {"type": "approved", "date": "2025-03-04"},
                                                 {"type": "contract_signed", "date": "2025-05-06"}], **extra}


def write_register(path: Path, registry) -> Path:
    """A closed register file: three projects with three events each, a change, a superseding event."""
    with Store(path, registry=registry, actor="录入员甲") as store:
        for code in ("P-1", "P-2", "P-3"):
            store.save_project(load_project(project(code)))
        store.add_change("P-2", Change(dt.date(2025, 6, 1), 50_000, "增加终端"))
        first = store.events("P-3")[1]["id"]
        store.record_event("P-3", Event("approved", dt.date(2025, 3, 5), note="更正"), supersedes=first, force=True)
    return path


@pytest.fixture
def register(tmp_path, example_registry) -> Path:
    return write_register(tmp_path / "zwxm.db", example_registry)


def problems(path: Path, registry, since: str | None = None):
    with Store(path, registry=registry) as store:
        return store.verify_register(since)


def event_id(path: Path, code: str, seq: int) -> int:
    return raw(path, "SELECT id FROM events WHERE project_code = ? AND seq = ?", (code, seq))[0][0]


# --- coverage -----------------------------------------------------------------------------------


def test_every_table_is_either_in_the_log_or_named_as_outside_it(tmp_path):
    """A table added to the schema without a COVERED or NOT_COVERED entry fails here, not silently."""
    db = connect(tmp_path / "x.db")
    tables = set(db.table_names())
    assert tables == set(COVERED) | set(NOT_COVERED)
    assert not set(COVERED) & set(NOT_COVERED)
    for table, covered in COVERED.items():  # every column that carries meaning exists
        columns = {c.name for c in db[table].columns}
        assert set(covered.key) | set(covered.columns) <= columns, table


def test_an_untouched_register_verifies_and_every_write_is_logged_once(register, example_registry):
    result = problems(register, example_registry)
    assert result.problems == []
    counts = dict(raw(register, "SELECT table_name, count(*) FROM writes GROUP BY table_name"))
    # 3 projects + 3×3 events + the correcting event + 1 change; derived and bookkeeping rows are not logged
    assert counts == {"projects": 3, "events": 10, "changes": 1}
    assert result.head.writes == 14 and len(result.head.digest) == 16


def test_the_log_is_append_only_in_the_plain_shell(register):
    result = subprocess.run([SQLITE3, str(register), "UPDATE writes SET actor = 'x' WHERE seq = 1"],
                            capture_output=True, text=True) if SQLITE3 else None
    if result is not None:
        assert "append-only" in result.stderr
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(register, "DELETE FROM writes WHERE seq = 1")


# --- tamper classes, each found and named ---------------------------------------------------------

UNGUARD = "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "


def _kinds(result) -> set[tuple[str, str]]:
    return {(p.kind, p.where) for p in result.problems}


@needs_shell
def test_a_deleted_last_event_is_found(register, example_registry):
    last = event_id(register, "P-1", 3)
    shell(register, UNGUARD + f"DELETE FROM events WHERE id = {last};")
    found = _kinds(problems(register, example_registry))
    assert ("deleted", f"events {last}") in found


@needs_shell
def test_all_events_of_a_project_deleted_are_each_named(register, example_registry):
    ids = [event_id(register, "P-2", seq) for seq in (1, 2, 3)]
    shell(register, UNGUARD + "DELETE FROM events WHERE project_code = 'P-2';")
    result = problems(register, example_registry)
    assert {("deleted", f"events {i}") for i in ids} <= _kinds(result)
    assert "project P-2" in next(str(p) for p in result.problems if p.where == f"events {ids[0]}")


@needs_shell
def test_a_deleted_project_is_found_with_its_events_and_changes(register, example_registry):
    shell(register, UNGUARD + "DELETE FROM events WHERE project_code = 'P-2'; DELETE FROM changes WHERE "
                              "project_code = 'P-2'; DELETE FROM project_status WHERE code = 'P-2'; DELETE FROM "
                              "project_deadlines WHERE project_code = 'P-2'; DELETE FROM project_findings WHERE "
                              "project_code = 'P-2'; DELETE FROM projects WHERE code = 'P-2';")
    found = _kinds(problems(register, example_registry))
    assert ("deleted", "projects P-2") in found
    assert any(kind == "deleted" and where.startswith("changes") for kind, where in found)


@needs_shell
@pytest.mark.parametrize(("column", "value", "shown"), [
    ("investment", "99000000", "investment: 1200000 → 99000000"),
    ("district", "'luohu'", "district: 'example' → 'luohu'"),
    ("owner_unit", "NULL", "owner_unit: '区教育局' → None"),
    ("classified", "1", "classified: 0 → 1"),
    ("facts", "'{\"funds_city\":1}'", "facts: '{}' → '{\"funds_city\":1}'"),
])
def test_a_changed_project_field_is_named_with_both_values(register, example_registry, column, value, shown):
    shell(register, f"UPDATE projects SET {column} = {value} WHERE code = 'P-1';")
    result = problems(register, example_registry)
    changed = [p for p in result.problems if p.kind == "changed"]
    assert [p.where for p in changed] == ["projects P-1"]
    assert shown in str(changed[0]) and "write #1 " in str(changed[0]) and "录入员甲" in str(changed[0])


@needs_shell
def test_swapped_event_ids_are_found_because_supersedes_points_at_ids(register, example_registry):
    a, b = event_id(register, "P-3", 1), event_id(register, "P-3", 2)
    shell(register, UNGUARD + f"UPDATE events SET id = -1 WHERE id = {a}; UPDATE events SET id = {a} WHERE id = {b}; "
                              f"UPDATE events SET id = {b} WHERE id = -1;")
    found = _kinds(problems(register, example_registry))
    assert {("changed", f"events {a}"), ("changed", f"events {b}")} <= found


@needs_shell
def test_reordered_events_are_found(register, example_registry):
    a, b = event_id(register, "P-1", 1), event_id(register, "P-1", 2)
    shell(register, UNGUARD + f"UPDATE events SET seq = -1 WHERE id = {a}; UPDATE events SET seq = 1 WHERE id = {b}; "
                              f"UPDATE events SET seq = 2 WHERE id = {a};")
    result = problems(register, example_registry)
    assert {("changed", f"events {a}"), ("changed", f"events {b}")} <= _kinds(result)
    assert "seq: 1 → 2" in next(str(p) for p in result.problems if p.where == f"events {a}")


@needs_shell
def test_reordered_or_edited_log_rows_are_found(register, example_registry):
    shell(register, "DROP TRIGGER writes_no_update; UPDATE writes SET seq = -1 WHERE seq = 4; "
                    "UPDATE writes SET seq = 4 WHERE seq = 5; UPDATE writes SET seq = 5 WHERE seq = -1;")
    found = _kinds(problems(register, example_registry))
    assert ("log", "writes 4") in found and ("trigger", "writes_no_update") in found


@needs_shell
def test_a_row_added_outside_zwxm_is_found(register, example_registry):
    shell(register, "INSERT INTO changes (project_code, date, amount, recorded_at) VALUES ('P-1', '2025-07-01', "
                    "-900000, '2025-07-01T00:00:00+08:00');")
    result = problems(register, example_registry)
    added = [p for p in result.problems if p.kind == "added"]
    assert len(added) == 1 and added[0].where.startswith("changes ") and "project P-1" in str(added[0])


@needs_shell
def test_a_do_nothing_trigger_of_the_same_name_is_reported_then_repaired(register, example_registry):
    shell(register, "DROP TRIGGER events_no_update; CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                    "BEGIN SELECT 1; END;")
    with sqlite3.connect(register) as conn:  # verify's own check, before anything repairs it
        db = __import__("sqlite_utils").Database(conn)
        from zwxm.store.schema import trigger_problems
        assert trigger_problems(db) == {"events_no_update": "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                                                            "BEGIN SELECT 1; END"}
    result = zwxm(register, "verify")
    assert "warning: trigger events_no_update was altered; restored" in result.stderr
    assert "trigger events_no_update was altered to CREATE TRIGGER" in result.stderr
    assert result.returncode == 1
    # repaired: the real trigger is back
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(register, "UPDATE events SET note = 'x' WHERE id = 1")


@needs_shell
def test_read_only_verify_reports_a_missing_trigger_without_repairing_it(register):
    shell(register, "DROP TRIGGER events_no_delete;")
    result = zwxm(register, "--read-only", "verify", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert {"kind": "trigger", "where": "events_no_delete"}.items() <= report["problems"][0].items()
    assert raw(register, "SELECT count(*) FROM sqlite_master WHERE name = 'events_no_delete'") == [(0,)]


def test_a_foreign_trigger_on_the_register_is_named(register, example_registry):
    raw(register, "CREATE TRIGGER quiet_fix AFTER INSERT ON projects BEGIN UPDATE projects SET investment = 0 "
                  "WHERE code = NEW.code; END")
    assert ("trigger", "quiet_fix") in _kinds(problems(register, example_registry))


# --- many tamper variants: hypothesis --------------------------------------------------------------

TAMPERS = st.one_of(
    st.tuples(st.just("delete_event"), st.integers(0, 9)),
    st.tuples(st.just("edit_event"), st.integers(0, 9), st.sampled_from(["date", "type", "note", "actor", "payload",
                                                                          "supersedes", "seq", "recorded_by"])),
    st.tuples(st.just("edit_project"), st.integers(0, 2),
              st.sampled_from(["investment", "district", "name", "kind", "budget_year", "tags", "updated_by"])),
    st.tuples(st.just("swap_ids"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("delete_project"), st.integers(0, 2)),
    st.tuples(st.just("edit_change"), st.sampled_from(["amount", "major", "date"])),
    st.tuples(st.just("delete_write"), st.integers(1, 13)),
    st.tuples(st.just("edit_write"), st.integers(1, 14), st.sampled_from(["content", "actor", "at", "key", "op"])),
    st.tuples(st.just("swap_writes"), st.integers(1, 14), st.integers(1, 14)),
)
VALUES = {"date": "2024-12-31", "type": "closed", "note": "改过", "actor": "某人", "payload": '{"x":1}', "supersedes": 1,
          "seq": 9, "recorded_by": "冒名者", "investment": 1, "district": "luohu", "name": "别的", "kind": "service",
          "budget_year": 2030, "tags": '["x"]', "updated_by": "冒名者", "amount": 1, "major": 1, "content": '{"x":1}',
          "at": "2000-01-01T00:00:00+08:00", "key": "[999]", "op": "delete"}


def _tamper(conn: sqlite3.Connection, tamper: tuple) -> None:
    """One tamper with Python's sqlite3, as a script holding the file would do it."""
    events = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")]
    codes = ["P-1", "P-2", "P-3"]
    name, *args = tamper
    if name == "delete_event" and args[0] < len(events):
        conn.execute("DELETE FROM events WHERE id = ?", [events[args[0]]])
    elif name == "edit_event" and args[0] < len(events):
        conn.execute(f"UPDATE events SET {args[1]} = ? WHERE id = ?", [VALUES[args[1]], events[args[0]]])
    elif name == "edit_project":
        conn.execute(f"UPDATE projects SET {args[1]} = ? WHERE code = ?", [VALUES[args[1]], codes[args[0]]])
    elif name == "swap_ids" and max(args) < len(events):
        a, b = events[args[0]], events[args[1]]
        conn.execute("UPDATE events SET id = -1 WHERE id = ?", [a])
        conn.execute("UPDATE events SET id = ? WHERE id = ?", [a, b])
        conn.execute("UPDATE events SET id = ? WHERE id = -1", [b])
    elif name == "delete_project":
        for table in ("events", "changes", "project_deadlines", "project_findings"):
            conn.execute(f"DELETE FROM {table} WHERE project_code = ?", [codes[args[0]]])
        conn.execute("DELETE FROM project_status WHERE code = ?", [codes[args[0]]])
        conn.execute("DELETE FROM projects WHERE code = ?", [codes[args[0]]])
    elif name == "edit_change":
        conn.execute(f"UPDATE changes SET {args[0]} = ?", [VALUES[args[0]]])
    elif name == "delete_write":
        conn.execute("DELETE FROM writes WHERE seq = ?", [args[0]])
    elif name == "edit_write":
        conn.execute(f"UPDATE writes SET {args[1]} = ? WHERE seq = ?", [VALUES[args[1]], args[0]])
    elif name == "swap_writes":
        a, b = args
        conn.execute("UPDATE writes SET seq = -1 WHERE seq = ?", [a])
        conn.execute("UPDATE writes SET seq = ? WHERE seq = ?", [a, b])
        conn.execute("UPDATE writes SET seq = ? WHERE seq = -1", [b])


def _snapshot(conn: sqlite3.Connection) -> tuple[dict, dict]:
    """An oracle independent of verify: every covered row by (table, key), and every write by seq."""
    rows = {}
    for table, covered in COVERED.items():
        key = ", ".join(covered.key)
        for values in conn.execute(f"SELECT {key}, {', '.join(covered.columns)} FROM {table}"):
            rows[f"{table} {values[0]}"] = values[1:]
    writes = {r[0]: r[1:] for r in conn.execute("SELECT * FROM writes")}
    return rows, writes


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The register of `write_register`, written once for the module (each example copies it)."""
    from tests.example_district import example_registry

    return write_register(tmp_path_factory.mktemp("pristine") / "zwxm.db", example_registry())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tampers=st.lists(TAMPERS, min_size=1, max_size=4))
def test_every_tamper_is_found_and_named(pristine, tmp_path, example_registry, tampers):
    """Random deletions, field edits, id swaps and reorders of rows and of the log itself: every row that
    differs afterwards is named (or, when its own writes were deleted or altered too, those writes are),
    and damage to the log (except deleted trailing writes, which only an anchor shows) is named."""
    path = tmp_path / "t.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(pristine, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "
                       "DROP TRIGGER writes_no_update; DROP TRIGGER writes_no_delete;")
    rows_before, writes_before = _snapshot(conn)
    for tamper in tampers:
        _tamper(conn, tamper)
    rows_after, writes_after = _snapshot(conn)
    conn.close()
    expected = {where for where in rows_before.keys() | rows_after.keys()
                if rows_before.get(where) != rows_after.get(where)}
    last_kept = max(writes_after, default=0)
    expected |= {f"writes {seq}" for seq in writes_before if seq <= last_kept
                 and writes_before[seq] != writes_after.get(seq) and (seq - 1 not in writes_before
                                                                      or writes_after.get(seq - 1) is not None
                                                                      or seq not in writes_after)}
    with Store(path, registry=example_registry) as store:
        found = {p.where for p in store.verify_register().problems}
    gaps = {f"writes {seq}" for seq in writes_before if seq not in writes_after and seq < last_kept}
    assert found, f"{tampers}: nothing found"
    named_log = {w for w in found if w.startswith("writes ")}
    # a row whose own writes were deleted or altered cannot be named from the log: the damaged writes are
    damaged = {f"{w[2]} {json.loads(w[3])[0]}" for seq, w in writes_before.items() if writes_after.get(seq) != w}
    missing = {w for w in expected - found if not w.startswith("writes ") and not (w in damaged and named_log)}
    assert not missing, f"{tampers}: not named {missing}; found {found}"
    if expected & ({f"writes {s}" for s in writes_before} | gaps):
        assert named_log, f"{tampers}: the log's damage was not named; found {found}"


# --- the head as an anchor ------------------------------------------------------------------------


def test_verify_prints_the_head_and_since_proves_the_register_extends_it(register, example_registry):
    first = zwxm(register, "verify")
    assert first.returncode == 0, first.stderr
    digest = first.stdout.split("head: ", 1)[1].split(" ", 1)[0]
    assert len(digest) == 16 and "(14 writes)" in first.stdout
    with Store(register, registry=example_registry) as store:
        store.add_change("P-1", Change(dt.date(2025, 7, 1), 10_000))
    later = zwxm(register, "verify", "--since", digest)
    assert later.returncode == 0, later.stderr
    assert f"extends the one whose head was {digest} (write 14)" in later.stdout and "writes since" in later.stdout
    with_count = zwxm(register, "verify", "--since", f"14:{digest}")
    assert with_count.returncode == 0
    assert zwxm(register, "verify", "--since", f"13:{digest}").returncode == 1  # wrong number: not that head


def test_a_rewrite_before_the_anchor_is_found_only_with_the_anchor(register, example_registry):
    """The limit docs/schema.md states: whoever holds the file can rewrite the log and every hash after
    the change; verify alone then passes, and only a head kept elsewhere shows it."""
    anchor = problems(register, example_registry).head
    conn = sqlite3.connect(register, isolation_level=None)
    conn.executescript("DROP TRIGGER writes_no_update; DROP TRIGGER writes_no_delete;")
    conn.execute("UPDATE projects SET investment = 1 WHERE code = 'P-1'")
    rows = conn.execute("SELECT seq, at, actor, table_name, key, op, content FROM writes ORDER BY seq").fetchall()
    prev = ""
    for seq, at, actor, table, key, op, content in rows:  # rewrite history as an attacker with the file would
        if (table, key) == ("projects", '["P-1"]'):
            content = json.dumps({**json.loads(content), "investment": 1}, ensure_ascii=False, separators=(",", ":"))
        prev = write_hash(prev, seq, at, actor, table, key, op, content)
        conn.execute("UPDATE writes SET content = ?, hash = ? WHERE seq = ?", [content, prev, seq])
    conn.executescript(";".join(__import__("zwxm.store.schema", fromlist=["_TRIGGERS"])._TRIGGERS[n]
                                for n in ("writes_no_update", "writes_no_delete")))
    conn.close()
    assert problems(register, example_registry).problems == []  # without an anchor: not provable
    anchored = problems(register, example_registry, since=anchor.digest)
    assert [p.kind for p in anchored.problems] == ["anchor"] and anchored.since is None
    assert "rewritten at or before that head" in str(anchored.problems[0])


def test_a_deleted_last_write_is_found_by_the_anchor(register, example_registry):
    anchor = problems(register, example_registry).head
    conn = sqlite3.connect(register, isolation_level=None)
    conn.executescript("DROP TRIGGER writes_no_delete; DROP TRIGGER events_no_delete;")
    key = conn.execute("SELECT key FROM writes WHERE seq = 14").fetchone()[0]
    conn.execute("DELETE FROM writes WHERE seq = 14")
    conn.close()
    result = problems(register, example_registry, since=anchor.digest)
    assert [p.kind for p in result.problems if p.kind == "anchor"] == ["anchor"]
    # and the row whose write went missing is no longer backed by the log
    assert ("added", f"changes {json.loads(key)[0]}") in _kinds(result) or result.problems


def test_verify_json_lists_every_problem_and_the_head(register):
    raw(register, "UPDATE projects SET investment = 7 WHERE code IN ('P-1', 'P-2', 'P-3')")
    result = zwxm(register, "verify", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["ok"] is False
    assert [p["where"] for p in report["problems"]] == ["projects P-1", "projects P-2", "projects P-3"]
    assert set(report["head"]) == {"writes", "digest", "hash"} and report["head"]["writes"] == 14
    assert report["problems"][0]["message_en"].startswith("project P-1 was changed outside zwxm: investment")


# --- the genesis rule: a file written by schema version 2 --------------------------------------------


def _v2_file(tmp_path: Path) -> Path:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "schema_v2.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_a_version_2_file_has_every_row_adopted_into_the_log(tmp_path):
    path = _v2_file(tmp_path)
    existing = {r[0] for r in raw(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    # the tables of later versions (the model's contracts, phases, funding sources) start empty
    before = {t: raw(path, f"SELECT count(*) FROM {t}")[0][0] if t in existing else 0 for t in COVERED}
    assert {"contracts", "phases", "funding_sources"} <= set(COVERED) - existing
    with Store(path) as store:
        assert store.verify_register().problems == []
        writes = store.db.execute("SELECT seq, actor, table_name, key, op FROM writes ORDER BY seq").fetchall()
    assert [w[0] for w in writes] == list(range(1, sum(before.values()) + 1))
    assert {w[1] for w in writes} == {GENESIS_ACTOR} and {w[4] for w in writes} == {"adopt"}
    # table by table in COVERED's order, rows in key order
    assert [w[2] for w in writes] == [t for t in COVERED for _ in range(before[t])]
    assert [w[3] for w in writes if w[2] == "projects"] == ['["V2-001"]', '["V2-002"]']
    event_keys = [json.loads(w[3])[0] for w in writes if w[2] == "events"]
    assert event_keys == sorted(event_keys) and len(event_keys) == 4


@needs_shell
def test_tampering_with_an_adopted_row_is_found(tmp_path):
    path = _v2_file(tmp_path)
    Store(path).close()  # upgrade
    shell(path, "UPDATE changes SET amount = 1;")
    with Store(path) as store:
        found = store.verify_register().problems
    assert [p.kind for p in found] == ["changed"] and "(adopted)" in str(found[0])


# --- who did it --------------------------------------------------------------------------------------


def test_the_actor_is_the_os_user_then_zwxm_actor_then_actor(tmp_path, monkeypatch):
    import getpass

    monkeypatch.delenv("ZWXM_ACTOR", raising=False)
    assert ledger.default_actor() == getpass.getuser()
    monkeypatch.setenv("ZWXM_ACTOR", "王五")
    assert ledger.default_actor() == "王五"
    assert ledger.default_actor("  李四 ") == "李四"


def test_every_write_records_its_actor_and_time(tmp_path):
    path = tmp_path / "zwxm.db"
    (tmp_path / "p.json").write_text(json.dumps([project("A-1", district="luohu")], ensure_ascii=False),
                                     encoding="utf-8")
    imported = zwxm(path, "import", "p.json", env={"ZWXM_ACTOR": "导入员"})
    assert imported.returncode == 0, imported.stderr
    recorded = zwxm(path, "--actor", "张三", "record", "A-1", "progress_reported", "--date", "2025-06-01",
                    "--actor", "项目办", "--force")
    assert recorded.returncode == 0, recorded.stderr
    rows = raw(path, "SELECT actor, at, table_name, op FROM writes ORDER BY seq")
    assert [(a, t) for a, _, t, _ in rows] == [("导入员", "projects")] + [("导入员", "events")] * 3 + [("张三", "events")]
    assert all(dt.datetime.fromisoformat(at).tzinfo is not None for _, at, _, _ in rows)
    # the event's own actor (who did it in the world) and who recorded it are different facts
    assert raw(path, "SELECT actor, recorded_by FROM events ORDER BY id DESC LIMIT 1") == [("项目办", "张三")]
    assert raw(path, "SELECT updated_by FROM projects") == [("导入员",)]
    with Store(path) as store:
        history = store.events("A-1")
    assert [e["recorded_by"] for e in history] == ["导入员"] * 3 + ["张三"]


def test_verify_names_who_made_the_write_that_was_altered(register, example_registry):
    raw(register, "UPDATE changes SET amount = 1")
    found = problems(register, example_registry).problems
    assert "by 录入员甲" in str(found[0])


def test_a_changed_event_actor_on_reimport_is_a_correction_not_unchanged(tmp_path, example_registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry=example_registry) as store:
        store.save_project(load_project(project("R-1")))
        again = project("R-1")
        again["events"] = [*again["events"][:2], {**again["events"][2], "actor": "区教育局 李明"}]
        assert store.save_project(load_project(again)) == "updated"
        rows = store.events("R-1")
        assert store.save_project(load_project(again)) == "unchanged"
        assert store.verify() == []
    assert [(e["type"], e["actor"], e["superseded_by"] is not None) for e in rows] == [
        ("declared", None, False), ("approved", None, False), ("contract_signed", None, True),
        ("contract_signed", "区教育局 李明", False)]
    assert rows[3]["supersedes"] == rows[2]["id"]


def test_exports_show_who_wrote_each_row_and_still_import_back(tmp_path):
    import openpyxl

    path = tmp_path / "zwxm.db"
    (tmp_path / "p.json").write_text(json.dumps([project("X-1", district="luohu")], ensure_ascii=False),
                                     encoding="utf-8")
    assert zwxm(path, "--actor", "导入员", "import", "p.json").returncode == 0
    for name in ("out.json", "out.toml", "out.xlsx"):
        result = zwxm(path, "export", name)
        assert result.returncode == 0, result.stderr
    recorded = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["recorded"]
    assert [(r["row"].split(" ")[0], r["written_by"]) for r in recorded] == [("project", "导入员")] + [("event", "导入员")] * 3
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["recorded"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("project_code", "row", "written_at", "written_by") and rows[1][3] == "导入员"
    assert "导入员" in (tmp_path / "out.toml").read_text(encoding="utf-8")
    for name in ("out.json", "out.toml", "out.xlsx"):  # the extra part is left aside on import
        again = zwxm(tmp_path / f"again-{name}.db", "import", name)
        assert again.returncode == 0 and "inserted 1" in again.stdout, again.stderr


def test_text_output_is_bounded_and_json_lists_every_problem(tmp_path, example_registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry=example_registry) as store:
        store.save_projects([load_project(project(f"B-{n:03d}")) for n in range(120)])
    raw(path, "UPDATE projects SET investment = investment + 1")
    text = zwxm(path, "verify")
    assert text.returncode == 1
    lines = text.stderr.splitlines()
    assert sum("was changed outside zwxm" in line for line in lines) == 100
    assert "... and 20 more (--json lists every one)" in text.stderr
    assert len(json.loads(zwxm(path, "verify", "--json").stdout)["problems"]) == 120


@needs_shell
def test_the_models_contracts_phases_funding_and_content_amount_are_in_the_log(tmp_path, example_registry):
    """Issue 18's tables and `changes.content_amount` are covered: written through zwxm they are logged,
    changed behind its back they are named."""
    path = tmp_path / "zwxm.db"
    parts = {"phases": [{"id": "一期", "year": 2025}],
             "contracts": [{"id": "HT-1", "vendor": "甲公司", "amount": "100万", "phase": "一期"}],
             "funding_sources": [{"source": "city", "amount": "120万"}]}
    with Store(path, registry=example_registry, actor="录入员甲") as store:
        store.save_project(load_project(project("P-1", **parts)))
        store.add_change("P-1", Change(dt.date(2025, 6, 1), 0, "调整内容", content_amount=30_000))
        store.save_project(load_project(project("P-1", **{**parts, "contracts": [
            {"id": "HT-1", "vendor": "丙公司", "amount": "100万", "phase": "一期"}]})))
    writes = raw(path, "SELECT table_name, key, op FROM writes WHERE table_name IN "
                       "('contracts', 'phases', 'funding_sources') ORDER BY seq")
    inserted = {("contracts", '["P-1",0]', "insert"), ("phases", '["P-1",0]', "insert"),
                ("funding_sources", '["P-1",0]', "insert")}
    assert set(writes[:3]) == inserted and writes[3:] == [("contracts", '["P-1",0]', "update")]
    assert problems(path, example_registry).problems == []
    shell(path, "UPDATE contracts SET vendor = '丁公司'; UPDATE funding_sources SET amount = 1; "
                "UPDATE changes SET content_amount = 1;")
    changed = {p.where: str(p) for p in problems(path, example_registry).problems if p.kind == "changed"}
    change_id = raw(path, "SELECT id FROM changes")[0][0]
    assert set(changed) == {'contracts ["P-1",0]', 'funding_sources ["P-1",0]', f"changes {change_id}"}
    assert "vendor: '丙公司' → '丁公司'" in changed['contracts ["P-1",0]']
    assert "content_amount: 30000 → 1" in changed[f"changes {change_id}"]


def test_an_import_in_batches_logs_every_row_once_with_the_documented_hash(tmp_path, monkeypatch):
    """A batched import (multi-row INSERTs under the capture triggers) logs each project and event row
    once, in the importing actor's name, chained by the hash docs/schema.md defines, computed here
    independently of `write_hash`; and the file verifies."""
    import hashlib

    from zwxm.io.importer import import_file

    monkeypatch.setenv("ZWXM_ACTOR", "导入员")
    source = tmp_path / "ledger.jsonl"
    rows = [{"code": f"P-{n}", "name": f"平台{n}", "district": "luohu", "kind": "construction", "investment": "120万",
             "events": [{"type": "declared", "date": "2024-03-01"},
                        {"type": "progress_reported", "date": "2024-04-01", "note": f"进度 {n}"}]}
            for n in range(7)]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    path = tmp_path / "ledger.db"
    with Store(path) as store:
        summary = import_file(store, source, batch_size=3, parallel=False, derive=False)
        assert summary.inserted == 7
        assert store.verify() == []
    writes = raw(path, "SELECT seq, at, actor, table_name, key, op, content, hash FROM writes ORDER BY seq")
    logged = [(table, json.loads(key)) for _, _, _, table, key, _, _, _ in writes]
    event_ids = [row[0] for row in raw(path, "SELECT id FROM events ORDER BY id")]
    assert sorted(k[0] for t, k in logged if t == "projects") == sorted(f"P-{n}" for n in range(7))
    assert sorted(k[0] for t, k in logged if t == "events") == event_ids and len(event_ids) == 14
    assert len(logged) == len(set(map(json.dumps, logged))) == 21  # each row once
    assert {actor for _, _, actor, *_ in writes} == {"导入员"} and {w[5] for w in writes} == {"insert"}
    prev = ""
    for seq, at, actor, table, key, op, content, stored in writes:
        text = "\x1f".join([prev, str(seq), at, actor, table, key, op, "\x00" if content is None else content])
        assert stored == hashlib.sha256(text.encode("utf-8")).hexdigest()
        prev = stored
