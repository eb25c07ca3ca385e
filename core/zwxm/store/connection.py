"""Opening the database file: where it is, THE connection factory, the BEGIN IMMEDIATE helper, timestamps.

Several processes write at once (the TUI, `zwxm` commands, scripts using sqlite-utils), so every
connection comes from `connect` (WAL, busy timeout) and every writing transaction starts with
BEGIN IMMEDIATE: a deferred transaction that reads then writes loses or refuses writes under
concurrency (see shared/ENGINEERING.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import sqlite_utils

from .schema import SchemaError, _ensure_schema, missing_triggers

BUSY_TIMEOUT_MS = 30_000


# --- Where the file is -----------------------------------------------------------------------


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("zwxm")) / "zwxm.db"


def resolve_db_path(path: str | Path | None) -> Path:
    """An explicit path wins, then the environment variable ZWXM_DB, then the user data directory."""
    if path:
        return Path(path)
    env = os.environ.get("ZWXM_DB")
    return Path(env) if env else default_db_path()


def connect(path: str | Path) -> sqlite_utils.Database:
    """THE connection factory: WAL, synchronous=NORMAL, busy timeout, foreign keys, schema up to date."""
    path = Path(path)
    if path.is_dir():
        raise SchemaError(f"{path} 是一个目录，不是数据库文件 / {path} is a directory, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; writers say BEGIN IMMEDIATE themselves.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        _ensure_schema(db, path)
        missing = missing_triggers(db)
        if missing:
            with _immediate(db):
                for sql in missing:
                    db.execute(sql)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SchemaError(f"{path} 无法打开，或不是 SQLite 数据库、已损坏（{exc}）/ {path} cannot be opened, or is "
                          f"not an SQLite database or is damaged ({exc})") from exc
    except SchemaError:
        conn.close()
        raise
    return db



@contextlib.contextmanager
def _immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or a savepoint when a transaction is already open."""
    if db.conn.in_transaction:
        db.execute("SAVEPOINT zwxm_nested")
        try:
            yield
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK TO zwxm_nested")
                db.execute("RELEASE zwxm_nested")
            raise
        db.execute("RELEASE zwxm_nested")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")



def timestamp() -> str:
    """Now, local time with its offset: how zwxm stamps created_at, recorded_at and import runs."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
