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

from .schema import SchemaError, _ensure_schema, check_ours, missing_triggers

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; writers say BEGIN IMMEDIATE themselves.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise SchemaError(open_failure(path, exc)) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        check_ours(db, path)  # before anything (even the journal mode) changes a byte of someone else's file
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _ensure_schema(db, path)
        missing = missing_triggers(db)
        if missing:
            with _immediate(db):
                for sql in missing:
                    db.execute(sql)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SchemaError(open_failure(path, exc)) from exc
    except SchemaError:
        conn.close()
        raise
    return db



def open_failure(path: Path, exc: Exception) -> str:
    """One line saying why the database file at `path` cannot be used, in Chinese and English."""
    text = str(exc).lower()
    folder = path.parent
    if not path.exists() and (not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK)):
        return (f"{path}: 无法在文件夹 {folder} 中创建数据库（文件夹不存在或不可写）/ cannot create the database in "
                f"{folder} (the folder does not exist or is not writable)")
    if "readonly" in text or "read-only" in text or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path}: 数据库文件只读，无法写入（请检查文件权限）/ the database file is read-only (check its permissions)"
    if "unable to open" in text or isinstance(exc, OSError):
        return f"{path}: 无法打开数据库文件（{exc}）/ cannot open the database file ({exc})"
    if "disk is full" in text or "disk i/o" in text:
        return f"{path}: 磁盘已满或无法写入（{exc}）/ the disk is full or cannot be written ({exc})"
    return (f"{path} 无法打开，或不是 SQLite 数据库、已损坏（{exc}）/ {path} cannot be opened, or is "
            f"not an SQLite database or is damaged ({exc})")


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
