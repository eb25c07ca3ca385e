"""Projects, events and changes as table rows and back; the hash chain of each project's events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Iterator
from typing import Any

import attrs

from ..model import Change, Event, Project, converter

CHUNK = 500  # codes per "IN (...)" query and projects per rebuild transaction


PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Project) if f.name not in ("events", "changes"))
_JSON_FIELDS = ("tags", "facts")


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
