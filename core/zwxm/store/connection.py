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
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import sqlite_utils

from . import ledger
from .schema import (
    SCHEMA_VERSION,
    SchemaError,
    _check_file,
    _ensure_schema,
    _versions,
    check_ours,
    restore_triggers,
    trigger_problems,
)

try:
    import fcntl
except ImportError:  # Windows: SQLite's own waiting only
    fcntl = None  # type: ignore[assignment]

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


def connect(path: str | Path, *, read_only: bool = False, actor: str | None = None,
            on_repair: Callable[[dict[str, str | None]], None] | None = None) -> sqlite_utils.Database:
    """THE connection factory: WAL, synchronous=NORMAL, busy timeout, foreign keys, schema up to date.

    Writes are logged (`ledger`) in the name of `actor` (default: ZWXM_ACTOR, else the OS user).
    A missing or altered append-only trigger is logged as a `repair` write, passed to `on_repair`,
    and restored. `read_only` opens the file as it is (SQLite mode=ro, query_only): nothing is
    migrated, repaired or written.
    """
    path = Path(path)
    if path.is_dir():
        raise SchemaError(f"{path} 是一个目录，不是数据库文件 / {path} is a directory, not a database file")
    if read_only:
        return _connect_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; writers say BEGIN IMMEDIATE themselves.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise SchemaError(open_failure(path, exc)) from exc
    with _closed_on_failure(conn, path):
        _pragmas(conn)
        db = sqlite_utils.Database(conn)
        check_ours(db, path)  # before anything (even the journal mode) changes a byte of someone else's file
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _TURN_FILES[db] = f"{path}-writer"
        _ensure_schema(db, path)
        ledger.capture(db, ledger.default_actor(actor))
        if trigger_problems(db):
            with _immediate(db):
                problems = trigger_problems(db)  # another process may have restored them meanwhile
                if problems:
                    ledger.append(db, [("sqlite_master", ledger.json_text(["trigger", name]), "repair",
                                        ledger.json_text({"found": sql})) for name, sql in problems.items()],
                                  ledger.default_actor(actor), timestamp())
                    restore_triggers(db, problems)
            if problems and on_repair:
                on_repair(problems)
    return db


@contextlib.contextmanager
def _closed_on_failure(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Opening a file: on any failure the connection is closed and the failure named in words."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SchemaError(open_failure(path, exc)) from exc
    except SchemaError:
        conn.close()
        raise


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _connect_read_only(path: Path) -> sqlite_utils.Database:
    """The file opened with SQLite's mode=ro and query_only: it can be read, never changed."""
    if not path.exists():
        raise SchemaError(f"{path} 不存在（只读模式不会创建文件）/ {path} does not exist (read-only mode creates "
                          f"nothing)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None)
    with _closed_on_failure(conn, path):
        _pragmas(conn)
        conn.execute("PRAGMA query_only = ON")
        db = sqlite_utils.Database(conn)
        app_id, version = _versions(db)
        _check_file(db, path, app_id, version)
        if version < SCHEMA_VERSION:
            raise SchemaError(f"{path} 的结构版本为 {version}，需要升级到 {SCHEMA_VERSION}：请先不加 --read-only 打开一次 / "
                              f"{path} has schema version {version} and needs upgrading to {SCHEMA_VERSION}: open it "
                              f"once without --read-only")
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
    with _writers_turn(db):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.rollback()
            raise
        try:
            ledger.flush(db, timestamp())
        except BaseException:
            db.rollback()
            raise
        db.execute("COMMIT")


# The lock file of each connection's database (`connect` fills it; the Database object is the key).
_TURN_FILES: weakref.WeakKeyDictionary[sqlite_utils.Database, str] = weakref.WeakKeyDictionary()
TURN_POLL_S = 0.001


@contextlib.contextmanager
def _writers_turn(db: sqlite_utils.Database) -> Iterator[None]:
    """zwxm's writers of one file take turns on a lock file (`<file>-writer`) before BEGIN IMMEDIATE.

    SQLite's busy handler retries every 100 ms once it has waited a while, so under load a writer can
    lose the race for the lock to others again and again for seconds (issue 13 §10); this lock is
    tried every millisecond. After the busy timeout, or where the file cannot be made, it is skipped
    and SQLite's own waiting applies, as it does for writers other than zwxm."""
    path = _TURN_FILES.get(db)
    fd = None
    if path is not None and fcntl is not None:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        if fd is not None:
            deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(TURN_POLL_S)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock



def timestamp() -> str:
    """Now, local time with its offset: how zwxm stamps created_at, recorded_at and import runs."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
