"""Projects in one SQLite file: the connection factory, the schema and its migrations, and `Store`.

Several processes write at once (the TUI, `zwxm` commands, scripts using sqlite-utils), so every
connection comes from `connect` (WAL, busy timeout) and every writing transaction starts with
BEGIN IMMEDIATE: a deferred transaction that reads then writes loses or refuses writes under
concurrency (see shared/ENGINEERING.md). Events are append-only and hash-chained per project;
the derived tables (status, deadlines, findings) are rebuilt from them. docs/schema.md documents
every column for people who script against the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import operator
import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import platformdirs
import sqlite_utils

from .evaluation import Evaluation, check_project, evaluate, gate_refusals
from .lifecycle import STAGE_ORDER, STAGES, derive_stage
from .model import Change, Event, InputError, Problem, Project, check_vocabulary, converter
from .plugins import Registry, get_registry
from .rules import Refusal

__all__ = [
    "SCHEMA_VERSION", "SchemaError", "Refused", "ProjectQuery", "Store", "connect", "default_db_path",
    "resolve_db_path", "event_hash", "SORTS",
]

APPLICATION_ID = 0x7A77786D  # "zwxm": marks the file as ours (PRAGMA application_id)
BUSY_TIMEOUT_MS = 30_000
SEARCH_WALK_BUDGET = 0.02  # seconds a text search may walk the sort index before it scans instead
CHUNK = 500  # codes per "IN (...)" query and projects per rebuild transaction


class SchemaError(Exception):
    """The file is newer than this program, or not a zwxm database; the message names the path."""


class Refused(Exception):
    """An event refused by a gate; `refusals` hold each reason with its article."""

    def __init__(self, code: str, event_type: str, refusals: list[Refusal]):
        self.refusals = refusals
        reasons = "；".join(_cite(r) for r in refusals)
        reasons_en = "; ".join(_cite(r, en=True) for r in refusals)
        super().__init__(f"项目 {code} 不能记录“{event_type}”：{reasons} / project {code}: "
                         f"{event_type} refused: {reasons_en}")


def _cite(refusal: Refusal, en: bool = False) -> str:
    text = (refusal.message_en or refusal.message) if en else refusal.message
    if refusal.article is None:
        return text
    where = f"{refusal.district} " if refusal.district else ""
    return f"{text} ({where}article {refusal.article})" if en else f"{text}（{where}第{refusal.article}条）"


# --- Where the file is -----------------------------------------------------------------------


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("zwxm")) / "zwxm.db"


def resolve_db_path(path: str | Path | None) -> Path:
    """An explicit path wins, then the environment variable ZWXM_DB, then the user data directory."""
    if path:
        return Path(path)
    env = os.environ.get("ZWXM_DB")
    return Path(env) if env else default_db_path()


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

# Triggers are created again on every open when missing: a dropped trigger comes back, and the
# rows changed meanwhile are what `verify` finds. Plain SQL only, so the sqlite3 shell obeys them.
_TRIGGERS = {
    "events_no_update": "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN "
                        "SELECT RAISE(ABORT, 'events are append-only: record a correcting event that supersedes it "
                        "/ 事件只能追加：请记录一条更正事件'); END",
    "events_no_delete": "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN "
                        "SELECT RAISE(ABORT, 'events are append-only / 事件只能追加，不能删除'); END",
}


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    db.executescript(_SCHEMA_V1)


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    """Version 2: a search column (text + pinyin initials) and a pinyin sort key for names."""
    db.execute("ALTER TABLE projects ADD COLUMN search TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE projects ADD COLUMN name_sort TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT code, name, owner_unit, user_unit FROM projects").fetchall()
    db.conn.executemany("UPDATE projects SET search = ?, name_sort = ? WHERE code = ?",
                        [(search_text(*row), sort_key(row[1]), row[0]) for row in rows])
    db.execute("CREATE INDEX projects_name_sort ON projects (name_sort)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migrate_to_1, _migrate_to_2]
SCHEMA_VERSION = len(MIGRATIONS)


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
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SchemaError(f"{path} 无法打开，或不是 SQLite 数据库、已损坏（{exc}）/ {path} cannot be opened, or is "
                          f"not an SQLite database or is damaged ({exc})") from exc
    except SchemaError:
        conn.close()
        raise
    return db


def _versions(db: sqlite_utils.Database) -> tuple[int, int]:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    return app_id, version


def _ensure_schema(db: sqlite_utils.Database, path: Path) -> None:
    app_id, version = _versions(db)
    _check_file(db, path, app_id, version)
    if version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
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
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = [sql for name, sql in _TRIGGERS.items() if name not in present]
    if missing:
        with _immediate(db):
            for sql in missing:
                db.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))


def _check_file(db: sqlite_utils.Database, path: Path, app_id: int, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{path} 的结构版本为 {version}，本程序只认识到 {SCHEMA_VERSION}：请升级 zwxm / "
                          f"{path} has schema version {version}, this program knows up to {SCHEMA_VERSION}: "
                          f"upgrade zwxm")
    foreign = app_id not in (0, APPLICATION_ID) or (app_id == 0 and "projects" in db.table_names())
    if foreign:
        raise SchemaError(f"{path} 不是 zwxm 数据库（已有其他表）/ {path} is not a zwxm database "
                          f"(it holds other tables)")


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


# --- Rows <-> objects ------------------------------------------------------------------------

PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Project) if f.name not in ("events", "changes"))
_JSON_FIELDS = ("tags", "facts")
SORTS: dict[str, str] = {
    "code": "p.code", "name": "p.name_sort", "district": "p.district", "owner_unit": "p.owner_unit",
    "kind": "p.kind", "stage": "s.stage_order", "investment": "p.investment", "next_deadline": "s.next_deadline",
}


# One encoder, made once: json.dumps with options builds a new encoder on every call.
_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def timestamp() -> str:
    """Now, local time with its offset: how zwxm stamps created_at, recorded_at and import runs."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@functools.cache
def _pinyin_tables() -> tuple[dict[str, list[list[str]]], dict[int, str], dict[str, int]]:
    """pypinyin's phrase and character readings, and the longest phrase starting with each character."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    longest: dict[str, int] = {}
    for phrase in phrases_dict:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return phrases_dict, pinyin_dict, longest


@functools.lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65_536)
def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese in `text`; other characters are kept as they are.

    pypinyin's dictionaries read longest phrase first (重庆 chongqing, 银行 yinhang), without its
    per-call machinery, which costs ~0.2 ms a name: too slow for a 100,000-row import.
    """
    phrases, chars, longest = _pinyin_tables()
    full: list[str] = []
    initials: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if ord(char) not in chars:
            j = i + 1
            while j < n and ord(text[j]) not in chars:
                j += 1
            full.append(text[i:j])
            initials.append(text[i:j])
            i = j
            continue
        syllables = None
        for length in range(min(longest.get(char, 0), n - i), 1, -1):
            reading = phrases.get(text[i:i + length])
            if reading:
                syllables = [_toneless(r[0]) for r in reading]
                i += length
                break
        if syllables is None:
            syllables = [_toneless(chars[ord(char)].split(",", 1)[0])]
            i += 1
        full.extend(syllables)
        initials.extend([s[0] for s in syllables])
    return " ".join(full).lower(), "".join(initials).lower()


def search_text(code: str, name: str, owner_unit: str | None, user_unit: str | None) -> str:
    """What a free-text search matches: code, name, units, and the pinyin initials of name and units."""
    units = [u for u in (owner_unit, user_unit) if u]
    parts = [code, name, *units, *(pinyin(unicodedata.normalize("NFKC", t))[1] for t in (name, *units))]
    return unicodedata.normalize("NFKC", " ".join(parts)).lower()


def sort_key(name: str) -> str:
    """Names sort by their pinyin, as Chinese lists do."""
    return pinyin(unicodedata.normalize("NFKC", name))[0]


def project_row(project: Project) -> dict[str, Any]:
    """The projects-table columns of a project (without timestamps and search columns)."""
    row = {name: getattr(project, name) for name in PROJECT_FIELDS}
    for name in _JSON_FIELDS:
        row[name] = _json(converter.unstructure(row[name]))
    row["classified"] = int(row["classified"])
    return row


def _event_content(event: Event) -> tuple[str, str, str | None, str | None, str, str]:
    """The stored text of an event: type, date, actor, role, note, payload (JSON)."""
    payload = _json(converter.unstructure(event.payload)) if event.payload else "{}"
    return event.type, event.date.isoformat(), event.actor, event.role, event.note or "", payload


def _change_key(change: Change) -> tuple[Any, ...]:
    return change.date.isoformat(), change.amount, change.reason or "", int(change.major), change.note or ""


EVENT_COLUMNS = ("project_code", "seq", "type", "date", "actor", "role", "note", "payload", "supersedes",
                 "recorded_at", "hash")
_HASHED = EVENT_COLUMNS[:-1]
_hashed_values = operator.itemgetter(*_HASHED)


def event_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of a stored event row (see _chain_hash)."""
    return _chain_hash(prev_hash, _hashed_values(row))


def _chain_hash(prev_hash: str, values: tuple[Any, ...]) -> str:
    """sha256 over the previous event's hash and this event's _HASHED values, joined by U+001F (NULL as U+0000)."""
    text = "\x1f".join([prev_hash, *["\x00" if v is None else str(v) for v in values]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _event_row(prev_hash: str, code: str, seq: int, content: tuple[Any, ...], supersedes: int | None,
               recorded_at: str) -> tuple[Any, ...]:
    """An events row in EVENT_COLUMNS order, its hash chained to `prev_hash`."""
    values = (code, seq, *content, supersedes, recorded_at)
    return *values, _chain_hash(prev_hash, values)


def _event_from_row(row: dict[str, Any]) -> Event:
    return Event(row["type"], dt.date.fromisoformat(row["date"]), row["actor"], row["role"], row["note"] or "",
                 json.loads(row["payload"] or "{}"))


def _project_from_rows(row: dict[str, Any], events: list[dict[str, Any]], changes: list[dict[str, Any]]) -> Project:
    """A stored project with its effective events (superseded ones left out) in date order."""
    data = {name: row[name] for name in PROJECT_FIELDS}
    for name in _JSON_FIELDS:
        data[name] = json.loads(data[name] or ("[]" if name == "tags" else "{}"))
    data = {k: v for k, v in data.items() if v is not None}
    project = converter.structure(data, Project)
    superseded = {e["supersedes"] for e in events if e["supersedes"] is not None}
    live = sorted((e for e in events if e.get("id") not in superseded), key=lambda e: (e["date"], e["seq"]))
    project.events = [_event_from_row(e) for e in live]
    project.changes = [Change(dt.date.fromisoformat(c["date"]), c["amount"], c["reason"], bool(c["major"]), c["note"])
                       for c in sorted(changes, key=lambda c: (c["date"], c["id"]))]
    return project


_by_date = operator.attrgetter("date")


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# --- Queries ---------------------------------------------------------------------------------


@attrs.frozen
class ProjectQuery:
    """A filter of the project list. `text` matches code, name, units and pinyin initials."""

    text: str = ""
    district: str | None = None
    stage: str | None = None
    kind: str | None = None
    year: int | None = None
    overdue_only: bool = False
    sort: str = attrs.field(default="code")
    descending: bool = False

    @sort.validator
    def _known_sort(self, _attribute: Any, value: str) -> None:
        if value not in SORTS:
            raise ValueError(f"sort: {value!r}: 未知的排序列（可选：{'、'.join(SORTS)}）/ unknown sort column "
                             f"(one of {', '.join(SORTS)})")

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        text = unicodedata.normalize("NFKC", self.text).strip().lower()
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("p.search LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        if self.stage is not None:
            if self.stage not in STAGE_ORDER:
                raise ValueError(f"stage: {self.stage!r}: 未知阶段 / unknown stage")
            clauses.append("s.stage_order = ?")
            params.append(STAGE_ORDER[self.stage])
        for column, value in (("p.district", self.district), ("p.kind", self.kind), ("p.budget_year", self.year)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.overdue_only:
            clauses.append(f"{_OVERDUE} = 1")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# The earliest open due deadline is the stored next_deadline, so "overdue" is one comparison with
# today, made by SQLite at query time: the list never goes stale between rebuilds.
_OVERDUE = "coalesce(s.next_deadline < date('now', 'localtime'), 0)"
_LIST_SQL = f"""
SELECT p.code, p.name, p.district, p.owner_unit, p.user_unit, p.kind, coalesce(s.stage, 'declare') AS stage,
       p.investment, p.budget_year, s.next_deadline, s.next_deadline_title, s.next_deadline_title_en,
       s.next_deadline_article, coalesce(s.next_deadline_provisional, 0) AS next_deadline_provisional,
       {_OVERDUE} AS overdue, coalesce(s.errors, 0) AS errors, coalesce(s.warnings, 0) AS warnings,
       s.evaluated_on
FROM projects p LEFT JOIN project_status s ON s.code = p.code"""


# --- The store -------------------------------------------------------------------------------


class Store:
    """The projects database: every read and write of the TUI and the commands goes through here."""

    def __init__(self, path: str | Path | None = None, registry: Registry | None = None):
        self.path = resolve_db_path(path)
        self.db = connect(self.path)
        self.registry = registry or get_registry()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); nested calls become savepoints."""
        return _immediate(self.db)

    # reading ----------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _rows_within(self, sql: str, params: list[Any], seconds: float) -> list[dict[str, Any]] | None:
        """The query's rows, or None when it runs longer than `seconds` (SQLite interrupts it)."""
        deadline = time.perf_counter() + seconds
        self.db.conn.set_progress_handler(lambda: time.perf_counter() > deadline, 20_000)
        try:
            return self._rows(sql, params)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            self.db.conn.set_progress_handler(None, 0)

    def _load(self, codes: list[str]) -> dict[str, tuple[dict, list[dict], list[dict]]]:
        """Stored rows of these projects: code -> (project row, event rows, change rows)."""
        found: dict[str, tuple[dict, list[dict], list[dict]]] = {}
        for chunk in _chunks(codes):
            marks = _marks(len(chunk))
            for row in self._rows(f"SELECT * FROM projects WHERE code IN ({marks})", chunk):
                found[row["code"]] = (row, [], [])
            for row in self._rows(f"SELECT * FROM events WHERE project_code IN ({marks}) ORDER BY project_code, seq",
                                  chunk):
                found[row["project_code"]][1].append(row)
            for row in self._rows(f"SELECT * FROM changes WHERE project_code IN ({marks}) ORDER BY id", chunk):
                found[row["project_code"]][2].append(row)
        return found

    def project(self, code: str) -> Project | None:
        """The stored project with its effective events in date order and its changes, or None."""
        stored = self._load([code]).get(code)
        return _project_from_rows(*stored) if stored else None

    def iter_projects(self, codes: list[str]) -> Iterator[Project]:
        """The stored projects of these codes, in that order, loaded a chunk at a time."""
        for chunk in _chunks(codes):
            stored = self._load(chunk)
            yield from (_project_from_rows(*stored[code]) for code in chunk if code in stored)

    def events(self, code: str) -> list[dict[str, Any]]:
        """Every stored event row of a project in recording order, superseded ones included."""
        rows = self._rows("SELECT e.*, (SELECT min(c.id) FROM events c WHERE c.supersedes = e.id) AS superseded_by "
                          "FROM events e WHERE e.project_code = ? ORDER BY e.seq", [code])
        for row in rows:
            row["payload"] = json.loads(row["payload"] or "{}")
        return rows

    def _require(self, code: str) -> Project:
        project = self.project(code)
        if project is None:
            raise LookupError(f"未知项目编号 {code!r} / unknown project code {code!r}")
        return project

    def evaluation(self, code: str, as_of: dt.date | None = None) -> Evaluation:
        project = self._require(code)
        return evaluate(project, as_of, registry=self.registry, peers=self.peers([project]).get(code, ()))

    def peers(self, projects: list[Project]) -> dict[str, list[Project]]:
        """For each project, the other projects of its owner unit and district (their facts, without
        events), for rules that look across projects such as splitting to evade a threshold; only
        for districts with such a rule (`Registry.needs_peers`)."""
        wanted = {(p.district, p.owner_unit) for p in projects if p.owner_unit and self.registry.needs_peers(p.district)}
        by_unit: dict[tuple[str, str | None], list[Project]] = {}
        for district in sorted({d for d, _ in wanted}):
            units = sorted(u for d, u in wanted if d == district)
            for chunk in _chunks(units, CHUNK - 1):
                sql = f"SELECT * FROM projects WHERE district = ? AND owner_unit IN ({_marks(len(chunk))})"
                for row in self._rows(sql, [district, *chunk]):
                    peer = _project_from_rows(row, [], [])
                    by_unit.setdefault((peer.district, peer.owner_unit), []).append(peer)
        return {p.code: [q for q in by_unit.get((p.district, p.owner_unit), ()) if q.code != p.code]
                for p in projects if (p.district, p.owner_unit) in wanted}

    def query_projects(self, q: ProjectQuery, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        """One page of the project list: SQL only, on indexed columns of projects and project_status."""
        where, params = q.where()
        direction = "DESC" if q.descending else "ASC"
        column = SORTS[q.sort]

        def order_by(expression: str) -> str:
            nulls = f"{expression} IS NULL, " if q.sort in ("next_deadline", "owner_unit") else ""
            return f" ORDER BY {nulls}{expression} {direction}, p.code {direction} LIMIT ? OFFSET ?"

        page = [*params, limit, offset]
        rows = None
        if q.text.strip():
            # A text filter is a LIKE over rows. Walking the sort index stops as soon as a page is
            # found: fast when matches are many, slow (~200 ms at 100k) when there are none.
            # Scanning and sorting the matches ("+column" keeps SQLite off the index) costs ~50 ms
            # whatever they are. So walk first on a short budget, and scan when it runs out.
            rows = self._rows_within(f"{_LIST_SQL}{where}{order_by(column)}", page, SEARCH_WALK_BUDGET)
            column = f"+{column}"
        if rows is None:
            rows = self._rows(f"{_LIST_SQL}{where}{order_by(column)}", page)
        for row in rows:
            for name in ("overdue", "next_deadline_provisional"):
                row[name] = bool(row[name])
        return rows

    def count_projects(self, q: ProjectQuery) -> int:
        where, params = q.where()
        return self.db.execute(f"SELECT count(*) FROM projects p LEFT JOIN project_status s ON s.code = p.code{where}",
                               params).fetchone()[0]

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """Counts per district, stage (lifecycle order), kind and budget year, for the filter menus."""
        def counts(sql: str) -> list[tuple[str, int]]:
            return [(str(key), n) for key, n in self.db.execute(sql).fetchall() if key is not None]

        stages = dict(counts("SELECT coalesce(s.stage, 'declare'), count(*) FROM projects p "
                             "LEFT JOIN project_status s ON s.code = p.code GROUP BY 1"))
        return {
            "district": counts("SELECT district, count(*) FROM projects GROUP BY district ORDER BY district"),
            "stage": [(stage, stages[stage]) for stage in STAGES if stage in stages],
            "kind": counts("SELECT kind, count(*) FROM projects GROUP BY kind ORDER BY kind"),
            "year": counts("SELECT budget_year, count(*) FROM projects GROUP BY budget_year ORDER BY budget_year"),
        }

    def deadlines(self, start: dt.date | None, end: dt.date, overdue: bool = True) -> list[dict[str, Any]]:
        """Open due deadlines dated in [start, end], plus (if `overdue`) every missed one, by date."""
        window = "d.date <= ?" if start is None else "d.date BETWEEN ? AND ?"
        params: list[Any] = [end.isoformat()] if start is None else [start.isoformat(), end.isoformat()]
        if overdue:
            window = f"({window} OR d.date < date('now', 'localtime'))"
        rows = self._rows(
            "SELECT d.project_code, p.name AS project_name, p.district, d.rule, d.title, d.title_en, d.date, "
            "d.article, CASE WHEN d.date < date('now', 'localtime') THEN 'missed' ELSE 'open' END AS status, "
            "d.provisional FROM project_deadlines d JOIN projects p ON p.code = d.project_code "
            f"WHERE d.kind = 'due' AND d.done_on IS NULL AND d.date IS NOT NULL AND {window} "
            "ORDER BY d.date, d.project_code", params)
        for row in rows:
            row["provisional"] = bool(row["provisional"])
        return rows

    # writing ----------------------------------------------------------------------------------
    def save_project(self, project: Project) -> str:
        """Upsert by code, append events and changes not yet stored: "inserted", "updated" or "unchanged"."""
        return self.save_projects([project])[0]

    def save_projects(self, projects: list[Project], derive: bool = True) -> list[str]:
        """Save a batch in one transaction (see save_project). `derive=False` leaves the evaluation to rebuild."""
        problems = []
        for project in projects:
            found = check_vocabulary(project) + check_project(project, self.registry)
            if len(projects) > 1:  # name the project of each problem in a batch
                found = [attrs.evolve(p, field=f"{project.code}.{p.field}") for p in found]
            problems.extend(found)
        if problems:
            raise InputError(problems)
        with self.transaction():
            return self.write_validated(projects, derive)

    def write_validated(self, projects: list[Project], derive: bool = True) -> list[str]:
        """save_projects without the checks, inside the caller's transaction: for importers that validated."""
        now = timestamp()
        stored = self._load([p.code for p in projects])
        outcomes: list[str] = []
        project_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        change_rows: list[tuple[Any, ...]] = []
        to_derive: list[Project] = []
        for project in projects:
            row = project_row(project)
            old = stored.get(project.code)
            old_events = old[1] if old else []
            # an event is the same event when type, date, note and payload are
            known = {(e["type"], e["date"], e["note"] or "", e["payload"]) for e in old_events}
            seq = old_events[-1]["seq"] if old_events else 0
            prev = old_events[-1]["hash"] if old_events else ""
            new_events, kept = [], []
            for event in sorted(project.events, key=_by_date):
                content = _event_content(event)
                key = (content[0], content[1], content[4], content[5])
                if key in known:
                    continue
                known.add(key)
                kept.append(event)
                seq += 1
                new_event = _event_row(prev, project.code, seq, content, None, now)
                prev = new_event[-1]
                new_events.append(new_event)
            known_changes = {(c["date"], c["amount"], c["reason"], c["major"], c["note"]) for c in (old[2] if old else [])}
            new_changes = [c for c in project.changes if _change_key(c) not in known_changes]
            same_row = old is not None and all(old[0][k] == v for k, v in row.items())
            if old is None:
                outcomes.append("inserted")
            elif same_row and not new_events and not new_changes:
                outcomes.append("unchanged")
                continue
            else:
                outcomes.append("updated")
            if not same_row:
                row.update(search=search_text(project.code, project.name, project.owner_unit, project.user_unit),
                           name_sort=sort_key(project.name), created_at=old[0]["created_at"] if old else now,
                           updated_at=now)
                project_rows.append(row)
            event_rows.extend(new_events)
            change_rows.extend((project.code, *_change_key(c), now) for c in new_changes)
            if old is None:
                same = len(kept) == len(project.events) and len(new_changes) == len(project.changes)
                merged = project if same else attrs.evolve(project, events=kept, changes=new_changes)
            else:
                new_rows = [dict(zip(EVENT_COLUMNS, e)) for e in new_events]
                merged = attrs.evolve(_project_from_rows(old[0], old[1] + new_rows, old[2]),
                                      **{k: getattr(project, k) for k in PROJECT_FIELDS})
                merged.changes = merged.changes + new_changes
            to_derive.append(merged)
        self._insert_rows(project_rows, event_rows, change_rows)
        self._refresh_derived(to_derive, evaluate_rules=derive)
        return outcomes

    def _insert_rows(self, project_rows: list[dict], event_rows: list[tuple], change_rows: list[tuple]) -> None:
        conn = self.db.conn
        if project_rows:
            columns = list(project_rows[0])
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("code", "created_at"))
            conn.executemany(f"INSERT INTO projects ({', '.join(columns)}) VALUES ({_marks(len(columns))}) "
                             f"ON CONFLICT (code) DO UPDATE SET {updates}", [tuple(r.values()) for r in project_rows])
        if event_rows:
            conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({_marks(len(EVENT_COLUMNS))})",
                             event_rows)
        if change_rows:
            conn.executemany("INSERT INTO changes (project_code, date, amount, reason, major, note, recorded_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", change_rows)

    def record_event(self, code: str, event: Event, force: bool = False, supersedes: int | None = None) -> list[Refusal]:
        """Append one event through the gates; refused and not forced -> Refused, forced -> stored with its refusals.

        `supersedes` names the id of an earlier event of the same project that this one corrects.
        """
        with self.transaction():
            project = self._require(code)
            problems = check_project(attrs.evolve(project, events=[event]), self.registry)
            if problems:
                raise InputError(problems)
            if supersedes is not None:
                owner = self.db.execute("SELECT project_code FROM events WHERE id = ?", [supersedes]).fetchone()
                if owner is None or owner[0] != code:
                    raise InputError([Problem("supersedes", supersedes, f"项目 {code} 没有这条事件",
                                              f"project {code} has no such event")])
            prior = [e for e in project.events if e.date <= event.date]
            refusals = gate_refusals(project, event, self.registry, prior, today=dt.date.today())
            if refusals and not force:
                raise Refused(code, event.type, refusals)
            if refusals:
                # no nulls: every export format (TOML has none) gives back the same payload
                reasons = [{k: v for k, v in r.items() if v is not None} for r in converter.unstructure(refusals)]
                payload = {**event.payload, "forced": True, "refusals": reasons}
                event = attrs.evolve(event, payload=payload)
            last = self.db.execute("SELECT seq, hash FROM events WHERE project_code = ? ORDER BY seq DESC LIMIT 1",
                                   [code]).fetchone()
            row = _event_row(last[1] if last else "", code, (last[0] if last else 0) + 1, _event_content(event),
                             supersedes, timestamp())
            self._insert_rows([], [row], [])
            self._refresh_derived([self._require(code)])
        return refusals

    def add_change(self, code: str, change: Change) -> None:
        with self.transaction():
            self._require(code)
            self._insert_rows([], [], [(code, *_change_key(change), timestamp())])
            self._refresh_derived([self._require(code)])

    # derived rows -----------------------------------------------------------------------------
    def _refresh_derived(self, projects: list[Project], evaluate_rules: bool = True) -> None:
        """Replace the status, deadline and finding rows of these projects (inside the caller's transaction).

        Without `evaluate_rules` only the stage is stored and evaluated_on stays NULL until `rebuild`.
        """
        if not projects:
            return
        today = dt.date.today()
        status, deadlines, findings = [], [], []
        peers = self.peers(projects) if evaluate_rules else {}
        for project in projects:
            if not evaluate_rules:
                stage = derive_stage((e.type for e in project.events if e.date <= today), self.registry.event_types)
                status.append((project.code, stage, STAGE_ORDER[stage], None, None, None, None, None, None, 0, 0, 0, 0,
                               None))
                continue
            try:
                ev = evaluate(project, today, registry=self.registry, peers=peers.get(project.code, ()))
            except InputError as exc:  # e.g. its district plugin is no longer installed
                stage = derive_stage((e.type for e in project.events), self.registry.event_types)
                status.append((project.code, stage, STAGE_ORDER[stage], None, None, None, None, None, None, 0, 0, 1, 0,
                               today.isoformat()))
                findings.extend((project.code, "evaluation", "error", None, f"无法评估：{p}", f"cannot evaluate: {p}", "")
                                for p in exc.problems)
                continue
            nd = ev.next_deadline
            status.append((project.code, ev.stage, STAGE_ORDER[ev.stage], int(ev.applicable),
                           nd.date.isoformat() if nd else None, nd.rule if nd else None, nd.title if nd else None,
                           nd.title_en if nd else None, nd.article if nd else None, int(bool(nd and nd.provisional)),
                           int(ev.overdue), sum(f.severity == "error" for f in ev.findings),
                           sum(f.severity == "warning" for f in ev.findings), today.isoformat()))
            deadlines.extend((project.code, d.rule, d.title, d.title_en, d.kind, d.date.isoformat() if d.date else None,
                              d.article, d.status, int(d.provisional), d.done_on.isoformat() if d.done_on else None,
                              d.explanation, d.explanation_en) for d in ev.deadlines)
            findings.extend((project.code, f.rule, f.severity, f.article, f.message, f.message_en, f.plugin)
                            for f in ev.findings)
        conn = self.db.conn
        for chunk in _chunks([p.code for p in projects]):
            marks = _marks(len(chunk))
            conn.execute(f"DELETE FROM project_deadlines WHERE project_code IN ({marks})", chunk)
            conn.execute(f"DELETE FROM project_findings WHERE project_code IN ({marks})", chunk)
        conn.executemany(f"INSERT OR REPLACE INTO project_status VALUES ({_marks(14)})", status)
        conn.executemany("INSERT INTO project_deadlines (project_code, rule, title, title_en, kind, date, article, "
                         f"status, provisional, done_on, explanation, explanation_en) VALUES ({_marks(12)})", deadlines)
        conn.executemany("INSERT INTO project_findings (project_code, rule, severity, article, message, message_en, "
                         f"plugin) VALUES ({_marks(7)})", findings)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every derived row from the events, one short transaction per chunk of projects."""
        codes = [r[0] for r in self.db.execute("SELECT code FROM projects ORDER BY code")]
        for chunk in _chunks(codes):
            with self.transaction():
                stored = self._load(chunk)
                projects = []
                for code in chunk:
                    try:
                        projects.append(_project_from_rows(*stored[code]))
                    except Exception as exc:  # a row edited behind our back must not stop the rebuild
                        self._refresh_broken(code, exc)
                self._refresh_derived(projects)
            if progress:
                progress(len(chunk))
        return len(codes)

    def _refresh_broken(self, code: str, exc: Exception) -> None:
        conn = self.db.conn
        conn.execute("DELETE FROM project_deadlines WHERE project_code = ?", [code])
        conn.execute("DELETE FROM project_findings WHERE project_code = ?", [code])
        conn.execute("INSERT OR REPLACE INTO project_status (code, stage, stage_order, errors, evaluated_on) "
                     "VALUES (?, 'declare', 0, 1, ?)", [code, dt.date.today().isoformat()])
        conn.execute("INSERT INTO project_findings (project_code, rule, severity, message, message_en) "
                     "VALUES (?, 'storage', 'error', ?, ?)", [code, f"存储的数据无法读取：{exc}", f"stored data unreadable: {exc}"])

    # integrity --------------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """One message per event whose hash chain does not verify, naming project and event id."""
        messages = []
        cursor = self.db.execute("SELECT id, project_code, seq, type, date, actor, role, note, payload, supersedes, "
                                 "recorded_at, hash FROM events ORDER BY project_code, seq")
        names = [d[0] for d in cursor.description]
        code, prev, expected_seq = None, "", 1
        for values in cursor:
            row = dict(zip(names, values))
            if row["project_code"] != code:
                code, prev, expected_seq = row["project_code"], "", 1
            if row["seq"] != expected_seq:
                messages.append(f"项目 {code} 事件 #{row['id']}：序号 {row['seq']} 前缺少事件（应为 {expected_seq}），"
                                f"可能被删除 / project {code} event #{row['id']}: seq {row['seq']}, expected "
                                f"{expected_seq}: an earlier event is missing (deleted?)")
            elif event_hash(prev, row) != row["hash"]:
                messages.append(f"项目 {code} 事件 #{row['id']}（第 {row['seq']} 条，{row['type']} {row['date']}）"
                                f"哈希不符：记录后被改动 / project {code} event #{row['id']} (seq {row['seq']}, "
                                f"{row['type']} {row['date']}): hash mismatch, changed after it was recorded")
            prev, expected_seq = row["hash"], row["seq"] + 1
        return messages

    def backup(self, target: str | Path) -> Path:
        """A consistent copy through SQLite's backup API, safe while others write; never overwrites."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} 已存在，不会覆盖 / {target} exists, not overwriting")
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(copy)
        finally:
            copy.close()
        return target
