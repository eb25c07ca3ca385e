"""The schema, its migrations, and the checks that a file is ours and not newer than this program.

docs/schema.md documents every column for people who script against the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from ..evaluation import DISTRICT_WIDE_FINDINGS
from . import ledger
from .search import search_text, sort_key

APPLICATION_ID = 0x7A77786D  # "zwxm": marks the file as ours (PRAGMA application_id)
STAGING_PREFIX = "import_"  # staging tables an unmarked (new) file may already hold


class SchemaError(Exception):
    """The file is newer than this program, or not a zwxm database; the message names the path."""


# --- Schema and migrations -------------------------------------------------------------------
# Each migration takes the database from version N-1 to N. A file is upgraded in one transaction.

_SCHEMA_V1 = """
CREATE TABLE projects (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    investment INTEGER NOT NULL,
    category TEXT,
    funding TEXT,
    classified INTEGER NOT NULL DEFAULT 0,
    owner_unit TEXT,
    user_unit TEXT,
    contractor TEXT,
    supervisor TEXT,
    designer TEXT,
    tester TEXT,
    budget_year INTEGER,
    tags TEXT NOT NULL DEFAULT '[]',
    facts TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_district ON projects (district);
CREATE INDEX projects_kind ON projects (kind);
CREATE INDEX projects_budget_year ON projects (budget_year);
CREATE INDEX projects_owner_unit ON projects (owner_unit);
CREATE INDEX projects_investment ON projects (investment);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    date TEXT NOT NULL,
    actor TEXT,
    role TEXT,
    note TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    supersedes INTEGER REFERENCES events (id),
    recorded_at TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (project_code, seq)
);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    major INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
CREATE INDEX changes_project ON changes (project_code);

CREATE TABLE project_status (
    code TEXT PRIMARY KEY REFERENCES projects (code),
    stage TEXT NOT NULL,
    stage_order INTEGER NOT NULL,
    applicable INTEGER,
    next_deadline TEXT,
    next_deadline_rule TEXT,
    next_deadline_title TEXT,
    next_deadline_title_en TEXT,
    next_deadline_article INTEGER,
    next_deadline_provisional INTEGER NOT NULL DEFAULT 0,
    overdue INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    evaluated_on TEXT
);
CREATE INDEX project_status_stage ON project_status (stage_order);
CREATE INDEX project_status_next_deadline ON project_status (next_deadline);

CREATE TABLE project_deadlines (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    rule TEXT NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    date TEXT,
    article INTEGER,
    status TEXT NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    done_on TEXT,
    explanation TEXT NOT NULL DEFAULT '',
    explanation_en TEXT NOT NULL DEFAULT ''
);
CREATE INDEX project_deadlines_project ON project_deadlines (project_code);
CREATE INDEX project_deadlines_open_due ON project_deadlines (date) WHERE kind = 'due' AND done_on IS NULL;

CREATE TABLE project_findings (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    article INTEGER,
    message TEXT NOT NULL,
    message_en TEXT NOT NULL DEFAULT '',
    plugin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX project_findings_project ON project_findings (project_code);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE import_rejects (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    row INTEGER NOT NULL,
    code TEXT,
    "column" TEXT NOT NULL,
    value TEXT,
    reason TEXT NOT NULL,
    reason_en TEXT NOT NULL
);
CREATE INDEX import_rejects_import ON import_rejects (import_id);
"""

# Append-only triggers. They are checked by their SQL, not by their name: a missing or altered one is
# reported (`trigger_problems`, named by `verify` and logged as a `repair` write) and then restored by
# `connect`. Plain SQL only, so the sqlite3 shell obeys them.
def _append_only(table: str, update: str, delete: str) -> dict[str, str]:
    return {f"{table}_no_update": f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN "
                                  f"SELECT RAISE(ABORT, '{update}'); END",
            f"{table}_no_delete": f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
                                  f"SELECT RAISE(ABORT, '{delete}'); END"}


_TRIGGERS = {
    **_append_only("events", "events are append-only: record a correcting event that supersedes it "
                             "/ 事件只能追加：请记录一条更正事件", "events are append-only / 事件只能追加，不能删除"),
    **_append_only("writes", "the log of writes is append-only / 写入日志只能追加",
                   "the log of writes is append-only / 写入日志只能追加，不能删除"),
}


def _create_triggers(db: sqlite_utils.Database, table: str) -> None:
    for name, sql in _TRIGGERS.items():
        if name.startswith(f"{table}_"):
            db.execute(sql)


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    db.executescript(_SCHEMA_V1)
    _create_triggers(db, "events")


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    """Version 2: a search column (text + pinyin initials) and a pinyin sort key for names."""
    db.execute("ALTER TABLE projects ADD COLUMN search TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE projects ADD COLUMN name_sort TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT code, name, owner_unit, user_unit FROM projects").fetchall()
    db.conn.executemany("UPDATE projects SET search = ?, name_sort = ? WHERE code = ?",
                        [(search_text(*row), sort_key(row[1]), row[0]) for row in rows])
    db.execute("CREATE INDEX projects_name_sort ON projects (name_sort)")


def _migrate_to_3(db: sqlite_utils.Database) -> None:
    """Version 3: the search column also holds the full pinyin (`pingtai` as well as `pt`), and a
    project's problem counts leave out findings every project of its district shares (the
    regulation's status), recounted from the stored findings."""
    rows = db.execute("SELECT code, name, owner_unit, user_unit FROM projects").fetchall()
    db.conn.executemany("UPDATE projects SET search = ? WHERE code = ?", [(search_text(*row), row[0]) for row in rows])
    shared = ", ".join("?" * len(DISTRICT_WIDE_FINDINGS))
    count = ("(SELECT count(*) FROM project_findings f WHERE f.project_code = project_status.code "
             f"AND f.severity = ? AND f.rule NOT IN ({shared}))")
    db.execute(f"UPDATE project_status SET errors = {count}, warnings = {count}",
               ["error", *DISTRICT_WIDE_FINDINGS, "warning", *DISTRICT_WIDE_FINDINGS])


_SCHEMA_V4 = """
CREATE TABLE IF NOT EXISTS contracts (
    project_code TEXT NOT NULL REFERENCES projects (code),
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    vendor TEXT,
    amount INTEGER,
    phase TEXT,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_code, position),
    UNIQUE (project_code, id)
);
CREATE INDEX IF NOT EXISTS contracts_vendor ON contracts (vendor);

CREATE TABLE IF NOT EXISTS phases (
    project_code TEXT NOT NULL REFERENCES projects (code),
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    year INTEGER,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (project_code, position),
    UNIQUE (project_code, id)
);

CREATE TABLE IF NOT EXISTS funding_sources (
    project_code TEXT NOT NULL REFERENCES projects (code),
    position INTEGER NOT NULL,
    source TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (project_code, position)
);
"""
_COLUMNS_V4 = (("changes", "content_amount", "INTEGER"), ("project_deadlines", "contract", "TEXT"),
               ("project_deadlines", "phase", "TEXT"), ("project_findings", "contract", "TEXT"),
               ("project_findings", "phase", "TEXT"))


def _migrate_to_4(db: sqlite_utils.Database) -> None:
    """Version 4: contracts, phases and funding sources of a project; the content amount of a change;
    the contract or phase a derived deadline or finding belongs to.

    A change stored before version 4 has only its signed `amount` (the change of the investment); its
    content amount becomes |amount|, the reading every district already applied (docs/schema.md)."""
    for statement in _SCHEMA_V4.split(";"):
        if statement.strip():
            db.execute(statement)
    for table, column, kind in _COLUMNS_V4:
        _add_missing_column(db, table, column, kind)
    db.execute("UPDATE changes SET content_amount = abs(amount) WHERE content_amount IS NULL")


def _add_missing_column(db: sqlite_utils.Database, table: str, column: str, kind: str) -> None:
    """Added only where missing, so that a file that already has it (its version number set back) still upgrades."""
    if column not in {c.name for c in db[table].columns}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _migrate_to_5(db: sqlite_utils.Database) -> None:
    """Version 5: the log of writes, who recorded each row, and the existing rows adopted into the log."""
    for table, column in (("projects", "updated_by"), ("events", "recorded_by"), ("changes", "recorded_by")):
        _add_missing_column(db, table, column, "TEXT")
    if "writes" in db.table_names():
        return
    db.execute(ledger.WRITES_SCHEMA)
    _create_triggers(db, "writes")
    from .connection import timestamp  # connection.py imports this module

    at = timestamp()
    for table in ledger.COVERED:
        ledger.adopt(db, table, at)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migrate_to_1, _migrate_to_2, _migrate_to_3,
                                                              _migrate_to_4, _migrate_to_5]
SCHEMA_VERSION = len(MIGRATIONS)


def _versions(db: sqlite_utils.Database) -> tuple[int, int]:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    return app_id, version


def _ensure_schema(db: sqlite_utils.Database, path: Path) -> None:
    app_id, version = _versions(db)
    _check_file(db, path, app_id, version)
    if version < SCHEMA_VERSION:
        with _transaction(db):
            app_id, version = _versions(db)  # another process may have migrated meanwhile
            _check_file(db, path, app_id, version)
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                try:
                    migration(db)
                except sqlite3.Error as exc:
                    raise SchemaError(f"{path} 从版本 {version} 升级到 {number} 失败，文件保持原样：{exc} / upgrading "
                                      f"{path} from version {version} to {number} failed, file left unchanged: "
                                      f"{exc}") from exc
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    _create_list_indexes(db)


@contextlib.contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any failure. The schema's own changes: they take no
    writers' turn and are not in the log of writes (connection._immediate is for the register's writes)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


# The project list's sort orders, each with the code as its tie-break (query.ProjectQuery.order_by),
# and the deadlines view's order, so that any page of them is an index walk. Created on open when missing, like the triggers:
# a database of any version gets them without a migration.
LIST_INDEXES = {
    "projects_list_name": "projects (name_sort, code)",
    "projects_list_district": "projects (district, code)",
    "projects_list_owner_unit": "projects (owner_unit IS NULL, owner_unit, code)",
    "projects_list_owner_unit_desc": "projects (owner_unit IS NULL, owner_unit DESC, code DESC)",
    "projects_list_kind": "projects (kind, code)",
    "projects_list_investment": "projects (investment, code)",
    "project_status_list_stage": "project_status (stage_order, code)",
    "project_status_list_next": "project_status (next_deadline IS NULL, next_deadline, code)",
    "project_status_list_next_desc": "project_status (next_deadline IS NULL, next_deadline DESC, code DESC)",
    "projects_search": "projects (search, code)",  # a text search scans this instead of the table
    "project_deadlines_list_open_due": "project_deadlines (date, project_code) WHERE kind = 'due' AND done_on IS NULL",
}


def _create_list_indexes(db: sqlite_utils.Database) -> None:
    """The list indexes the file lacks, in one transaction (`connect`, through _ensure_schema)."""
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [f"CREATE INDEX IF NOT EXISTS {name} ON {columns}" for name, columns in LIST_INDEXES.items()
               if name not in present]
    if missing:
        with _transaction(db):
            for sql in missing:
                db.execute(sql)


def _normal(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


def trigger_problems(db: sqlite_utils.Database) -> dict[str, str | None]:
    """Our triggers that are missing (None) or whose SQL differs from ours (the SQL found), by name."""
    found = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    return {name: found.get(name) for name, sql in _TRIGGERS.items() if _normal(found.get(name)) != _normal(sql)}


def foreign_triggers(db: sqlite_utils.Database) -> dict[str, str]:
    """Triggers on the register's tables that zwxm did not create (a trigger can rewrite what is stored)."""
    tables = {*ledger.COVERED, "writes"}
    return {name: sql for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master "
                                                         "WHERE type = 'trigger'")
            if table in tables and name not in _TRIGGERS}


def restore_triggers(db: sqlite_utils.Database, problems: dict[str, str | None]) -> None:
    """Put back missing or altered triggers (inside the caller's transaction)."""
    for name in problems:
        db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
        db.execute(_TRIGGERS[name])


def check_ours(db: sqlite_utils.Database, path: Path) -> None:
    """SchemaError unless the file is ours (or new) and not newer than this program; reads only."""
    _check_file(db, path, *_versions(db))


def _check_file(db: sqlite_utils.Database, path: Path, app_id: int, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{path} 的结构版本为 {version}，本程序只认识到 {SCHEMA_VERSION}：请升级 zwxm / "
                          f"{path} has schema version {version}, this program knows up to {SCHEMA_VERSION}: "
                          f"upgrade zwxm")
    # Ours is marked by application_id. An unmarked file is taken only while it holds nothing but
    # staging tables (import_*, loaded by sqlite-utils before the first `zwxm import --from-table`).
    tables = [t for t in db.table_names() if not t.startswith(STAGING_PREFIX)] if app_id == 0 else []
    if app_id not in (0, APPLICATION_ID) or tables:
        held = f"：{'、'.join(tables[:5])}{' …' if len(tables) > 5 else ''}" if tables else ""
        raise SchemaError(f"{path} 不是 zwxm 数据库（已有其他表{held}），不会改动：请用 --db 指定 zwxm 的数据库或新文件 / "
                          f"{path} is not a zwxm database (it holds other tables{held.replace('：', ': ')}), "
                          f"leaving it alone: name a zwxm database or a new file with --db")
