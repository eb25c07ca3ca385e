"""Projects, events and changes as table rows and back; the hash chain of each project's events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from ..model import Change, Contract, Event, FundingSource, InputError, Phase, Problem, Project, converter

CHUNK = 500  # codes per "IN (...)" query and projects per rebuild transaction
ROWS_PER_INSERT = 1000  # rows per multi-row INSERT statement (fewer if SQLite's variable limit says so)

# A project's parts: lists of records kept in a table each (project_code, position, then their fields).
PARTS: dict[str, type] = {"contracts": Contract, "phases": Phase, "funding_sources": FundingSource}
PART_COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(f.name for f in attrs.fields(kind)) for name, kind in PARTS.items()}
PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Project)
                                        if f.name not in ("events", "changes", *PARTS))
_JSON_FIELDS = ("tags", "facts")
# Event fields kept inside the stored payload (so the events table and its hash chain keep their shape).
_PAYLOAD_FIELDS = ("contract", "phase")


# One encoder, made once: json.dumps with options builds a new encoder on every call.
_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def project_row(project: Project) -> dict[str, Any]:
    """The projects-table columns of a project (without timestamps and search columns)."""
    row = {name: getattr(project, name) for name in PROJECT_FIELDS}
    for name in _JSON_FIELDS:
        row[name] = _json(converter.unstructure(row[name]))
    row["classified"] = int(row["classified"])
    return row


def _event_content(event: Event) -> tuple[str, str, str | None, str | None, str, str]:
    """The stored text of an event: type, date, actor, role, note, payload (JSON). The contract and
    phase an event names are stored in its payload under those keys."""
    data = dict(event.payload)
    for name in _PAYLOAD_FIELDS:
        if getattr(event, name) is not None:
            data[name] = getattr(event, name)
    payload = _json(converter.unstructure(data)) if data else "{}"
    return event.type, event.date.isoformat(), event.actor, event.role, event.note or "", payload


def _change_key(change: Change) -> tuple[Any, ...]:
    return (change.date.isoformat(), change.amount, change.reason or "", int(change.major), change.note or "",
            change.content_amount)


def part_rows(code: str, project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each part table for a project: (project_code, position, *fields)."""
    return {name: [(code, position, *(getattr(item, c) for c in PART_COLUMNS[name]))
                   for position, item in enumerate(getattr(project, name))] for name in PARTS}


def parts_from_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """A project's parts from their stored rows (each list in position order)."""
    return {name: [PARTS[name](*(r[c] for c in PART_COLUMNS[name])) for r in sorted(rows.get(name, ()),
                                                                                    key=lambda r: r["position"])]
            for name in PARTS}


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
    text = row["payload"]
    payload = json.loads(text) if text and text != "{}" else {}  # most payloads are empty: no need to ask json
    named = [payload.pop(name, None) for name in _PAYLOAD_FIELDS]
    return Event(row["type"], dt.date.fromisoformat(row["date"]), row["actor"], row["role"], row["note"] or "",
                 payload, *(None if v is None else str(v) for v in named))


def _project_from_rows(row: dict[str, Any], events: list[dict[str, Any]], changes: list[dict[str, Any]],
                       parts: dict[str, list[dict[str, Any]]] | None = None) -> Project:
    """A stored project with its effective events (superseded ones left out) in date order, and its
    parts; a row that cannot be read (edited outside zwxm) is an InputError naming the project, the
    field and the stored value, not a decoder's message without either."""
    try:
        return _decoded_project(row, events, changes, parts)
    except Exception as exc:
        raise InputError([_unreadable(row, events, changes, exc)]) from exc


def _unreadable(row: dict[str, Any], events: list[dict[str, Any]], changes: list[dict[str, Any]],
                exc: Exception) -> Problem:
    """Which stored value of a project could not be read: the first JSON field, event or change that fails."""
    code = row.get("code")
    for name in _JSON_FIELDS:
        try:
            json.loads(row[name] or "null")
        except ValueError:
            return unreadable(code, name, row[name])
    for index, event in enumerate(events):
        try:
            _event_from_row(event)
        except (ValueError, TypeError):
            return unreadable(code, f"events[{index}]", event.get("payload") or event.get("date"))
    for index, change in enumerate(changes):
        try:
            dt.date.fromisoformat(change["date"])
        except (ValueError, TypeError):
            return unreadable(code, f"changes[{index}].date", change["date"])
    return Problem(str(code), None, f"存储的数据无法读取：{exc}（另见 zwxm verify）",
                   f"stored data unreadable: {exc} (see zwxm verify)")


def unreadable(code: Any, where: str, value: Any) -> Problem:
    """A stored value zwxm cannot read (written by another tool): the project, where, the value."""
    return Problem(f"{code} {where}", value, "存储的数据无法读取（另见 zwxm verify）", "stored data unreadable (see zwxm verify)")


def _decoded_project(row: dict[str, Any], events: list[dict[str, Any]], changes: list[dict[str, Any]],
                     parts: dict[str, list[dict[str, Any]]] | None = None) -> Project:
    data = {name: row[name] for name in PROJECT_FIELDS}
    for name in _JSON_FIELDS:
        text = data[name]
        data[name] = json.loads(text) if text and text not in ("[]", "{}") else [] if name == "tags" else {}
    project = _typed_project(data)
    if project is None:  # a value only cattrs reads (or refuses): a row written by another tool
        project = converter.structure({k: v for k, v in data.items() if v is not None}, Project)
    superseded = {e["supersedes"] for e in events if e["supersedes"] is not None}
    live = sorted((e for e in events if e.get("id") not in superseded), key=lambda e: (e["date"], e["seq"]))
    project.events = [_event_from_row(e) for e in live]
    project.changes = [Change(dt.date.fromisoformat(c["date"]), c["amount"], c["reason"], bool(c["major"]), c["note"],
                              c.get("content_amount"))
                       for c in sorted(changes, key=lambda c: (c["date"], c["id"]))]
    if parts:
        for name, items in parts_from_rows(parts).items():
            setattr(project, name, items)
    return project


# The project fields a stored row holds as SQLite gives them back, by the type a row written by zwxm has.
_TEXT = tuple(f.name for f in attrs.fields(Project) if f.type is str)
_OPTIONAL_TEXT = tuple(f.name for f in attrs.fields(Project) if f.type == str | None)
_TYPED = {*_TEXT, *_OPTIONAL_TEXT, "investment", "classified", "budget_year", "tags", "facts"}
assert _TYPED == set(PROJECT_FIELDS), "a new project field needs its stored type in _typed_project"


def _typed_project(data: dict[str, Any]) -> Project | None:
    """The project of stored values that already have the types a row written by zwxm has, built
    directly (cattrs' structuring costs ~10 times more, and a rebuild reads every project); None
    when any value would need cattrs' reading or checks, which then gives the same result or error."""
    investment, classified, year, tags = data["investment"], data["classified"], data["budget_year"], data["tags"]
    if not (type(investment) is int and investment >= 0 and (classified == 0 or classified == 1)
            and type(classified) is int and (year is None or type(year) is int) and type(data["facts"]) is dict
            and type(tags) is list and all(type(t) is str for t in tags)
            and all(type(data[n]) is str for n in _TEXT)
            and all(data[n] is None or type(data[n]) is str for n in _OPTIONAL_TEXT)):
        return None
    return Project(**{**data, "classified": bool(classified)})


_by_date = operator.attrgetter("date")


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def insert_many(conn: sqlite3.Connection, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """`head VALUES (...), (...), ... tail` for `rows` of equal width, in as few statements as SQLite allows.

    Not executemany: each execution of a statement on a table with a trigger (the log's capture, see
    ledger.py) opens a statement journal that copies every page the row touches, and a project row
    touches a page of each of its ~15 indexes: ~30 µs a row, the largest single cost of an import.
    One statement for many rows journals each page once."""
    if not rows:
        return
    width = len(rows[0])
    per = max(1, min(ROWS_PER_INSERT, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    one = f"({_marks(width)})"
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        conn.execute(f"{head} VALUES {','.join([one] * len(chunk))}{tail}", [v for row in chunk for v in row])
