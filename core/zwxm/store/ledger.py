"""The register's log of writes: one append-only, hash-chained row for every write to a row that carries meaning.

`COVERED` names each covered table with its key and the columns that carry meaning; adding a table
to the register is adding one entry there (and, if the table already holds rows, `adopt` in its
migration). Writes are captured by temporary triggers on zwxm's own connection (a write made with
another tool is not logged, which is how `verify` finds it) and appended to `writes`, chained by
sha256, when the transaction commits (`flush`).

docs/schema.md ("The log of writes") describes the table, the hash and the genesis rule.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from typing import Any

import attrs
import sqlite_utils

from .rows import insert_many


@attrs.frozen
class Covered:
    """A table of the register: its key columns, the columns that carry meaning, and how to name a row."""

    key: tuple[str, ...]
    columns: tuple[str, ...]
    label: str  # how a message names a row, in Chinese
    label_en: str


# Every table whose rows carry meaning. Each write to one of them becomes a row of `writes`.
COVERED: dict[str, Covered] = {
    "projects": Covered(("code",), ("name", "district", "kind", "investment", "category", "funding", "classified",
                                    "owner_unit", "user_unit", "contractor", "supervisor", "designer", "tester",
                                    "budget_year", "tags", "facts", "updated_by"), "项目", "project"),
    "events": Covered(("id",), ("project_code", "seq", "type", "date", "actor", "role", "note", "payload",
                                "supersedes", "recorded_at", "recorded_by"), "事件", "event"),
    "changes": Covered(("id",), ("project_code", "date", "amount", "content_amount", "reason", "major", "note",
                                 "recorded_at", "recorded_by"), "变更", "change"),
    "contracts": Covered(("project_code", "position"), ("id", "kind", "vendor", "amount", "phase", "note"),
                         "合同", "contract"),
    "phases": Covered(("project_code", "position"), ("id", "name", "year", "note"), "分期", "phase"),
    "funding_sources": Covered(("project_code", "position"), ("source", "amount"), "资金来源", "funding source"),
}

# The other tables, and why their rows are not in the log (tests check that every table is in one of the two).
NOT_COVERED: dict[str, str] = {
    "project_status": "derived from the events: `zwxm rebuild` recomputes it",
    "project_deadlines": "derived from the events",
    "project_findings": "derived from the events",
    "imports": "bookkeeping of import runs",
    "import_rejects": "rows that were refused, not part of the register",
    "writes": "the log itself, chained by its own hashes",
}

WRITES_SCHEMA = """
CREATE TABLE writes (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    table_name TEXT NOT NULL,
    key TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('adopt', 'insert', 'update', 'delete', 'repair')),
    content TEXT,
    hash TEXT NOT NULL
);
"""

GENESIS_ACTOR = "(adopted)"  # the actor of rows written before the log existed


def default_actor(explicit: str | None = None) -> str:
    """Who writes: an explicit name, else ZWXM_ACTOR, else the operating-system user."""
    if explicit and explicit.strip():
        return explicit.strip()
    env = os.environ.get("ZWXM_ACTOR", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def json_text(value: Any) -> str:
    """Compact JSON, as SQLite's json_array/json_object write it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def key_sql(table: str, row: str = "") -> str:
    """SQL for a row's key as JSON text (`json_array`), the same in the capture triggers and in verify."""
    prefix = f"{row}." if row else ""
    return "json_array(" + ", ".join(f"{prefix}{c}" for c in COVERED[table].key) + ")"


def content_sql(table: str, row: str = "") -> str:
    """SQL for a row's meaning as canonical JSON text: columns in name order, SQLite's own json_object."""
    prefix = f"{row}." if row else ""
    return "json_object(" + ", ".join(f"'{c}', {prefix}{c}" for c in sorted(COVERED[table].columns)) + ")"


def write_hash(prev_hash: str, seq: int, at: str, actor: str, table: str, key: str, op: str,
               content: str | None) -> str:
    """sha256 over the previous write's hash and this write's fields, joined by U+001F (NULL as U+0000)."""
    text = f"{prev_hash}\x1f{seq}\x1f{at}\x1f{actor}\x1f{table}\x1f{key}\x1f{op}\x1f{_NULL if content is None else content}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_NULL = "\x00"


def capture(db: sqlite_utils.Database, actor: str) -> None:
    """Temporary triggers on this connection that note every write to a covered table until `flush`."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS zwxm_pending (id INTEGER PRIMARY KEY, table_name TEXT, key TEXT, "
               "op TEXT, content TEXT)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS zwxm_session (actor TEXT NOT NULL)")
    set_actor(db, actor)
    for table in COVERED:
        new_key, old_key, new_content = key_sql(table, "NEW"), key_sql(table, "OLD"), content_sql(table, "NEW")
        pending = "INSERT INTO zwxm_pending (table_name, key, op, content)"
        db.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS zwxm_log_{table}_insert AFTER INSERT ON main.{table} BEGIN "
                   f"{pending} VALUES ('{table}', {new_key}, 'insert', {new_content}); END")
        db.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS zwxm_log_{table}_update AFTER UPDATE ON main.{table} BEGIN "
                   f"{pending} SELECT '{table}', {old_key}, 'delete', NULL WHERE {old_key} IS NOT {new_key}; "
                   f"{pending} VALUES ('{table}', {new_key}, 'update', {new_content}); END")
        db.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS zwxm_log_{table}_delete AFTER DELETE ON main.{table} BEGIN "
                   f"{pending} VALUES ('{table}', {old_key}, 'delete', NULL); END")


def set_actor(db: sqlite_utils.Database, actor: str) -> None:
    db.execute("DELETE FROM temp.zwxm_session")
    db.execute("INSERT INTO temp.zwxm_session (actor) VALUES (?)", [actor])


def head(db: sqlite_utils.Database) -> tuple[int, str]:
    """The last write's number and hash ((0, '') for an empty log)."""
    row = db.execute("SELECT seq, hash FROM writes ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, "")


def append(db: sqlite_utils.Database, writes: list[tuple[str, str, str, str | None]], actor: str, at: str) -> None:
    """Append (table, key, op, content) writes to the log, chained to its head (inside the caller's transaction)."""
    seq, prev = head(db)
    rows = []
    for table, key, op, content in writes:
        seq += 1
        prev = write_hash(prev, seq, at, actor, table, key, op, content)
        rows.append((seq, at, actor, table, key, op, content, prev))
    insert_many(db.conn, "INSERT INTO writes (seq, at, actor, table_name, key, op, content, hash)", rows)


def flush(db: sqlite_utils.Database, at: str) -> None:
    """Log the writes noted since the last flush: one write per row touched, with its content at commit."""
    pending = db.execute("SELECT table_name, key, op, content FROM temp.zwxm_pending ORDER BY id").fetchall()
    if not pending:
        return
    last = {(table, key): (op, content) for table, key, op, content in pending}
    if len(last) == len(pending):  # each row touched once (an import): the notes are the writes
        writes = pending
    else:
        first: dict[tuple[str, str], str] = {}
        for table, key, op, _ in pending:
            first.setdefault((table, key), op)
        writes = []
        for (table, key), (op, content) in last.items():
            if op == "delete":
                if first[table, key] != "insert":  # inserted and deleted in one transaction: nothing to log
                    writes.append((table, key, "delete", None))
            else:
                writes.append((table, key, "insert" if first[table, key] == "insert" else "update", content))
    actor = db.execute("SELECT actor FROM temp.zwxm_session").fetchone()[0]
    append(db, writes, actor, at)
    db.execute("DELETE FROM temp.zwxm_pending")


def adopt(db: sqlite_utils.Database, table: str, at: str, actor: str = GENESIS_ACTOR) -> int:
    """The genesis rule: log every existing row of a covered table as an `adopt` write, in key order.

    For a migration that brings rows written before the log (or a table newly covered) into it."""
    key, content = key_sql(table), content_sql(table)
    order = ", ".join(COVERED[table].key)
    rows = db.execute(f"SELECT {key}, {content} FROM main.{table} ORDER BY {order}").fetchall()
    append(db, [(table, k, "adopt", c) for k, c in rows], actor, at)
    return len(rows)
