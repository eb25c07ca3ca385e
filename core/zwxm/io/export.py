"""Export projects to TOML (tomli-w), JSON, CSV or XLSX, in shapes that `zwxm import` reads back unchanged.

TOML and JSON hold `projects`, a list of project tables as `zwxm.model.dump_project` writes them.
CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese) has one row per project:
the project fields as columns, and `tags`, `facts`, `events`, `changes`, `contracts`, `phases` and
`funding_sources` as JSON text, which keeps their types (a yes/no or a number stays one);
formula-like text is quote-prefixed as in XLSX.
XLSX has five sheets: projects (one row each, facts as `facts.NAME` columns, funding sources as
`funding.SOURCE` columns in 元), events, changes, contracts and phases (one row each, first column
project_code). Text cells that a spreadsheet would run as a formula
(starting with = + - @, TAB or CR) are written as plain text with Excel's quote prefix, never as formulas;
characters XML cannot hold (control characters) become visible symbols, and the caller is told
which cells (zwxm.escape is the one place for both). The file is written whole or not at all
(zwxm.files.written).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from ..escape import FORMULA_PREFIXES, csv_text, csv_texts, sheet_row
from ..files import written
from ..model import InputError, Project, converter, dump_project
from ..store import PROJECT_FIELDS
from ..store.rows import CHUNK, PART_COLUMNS, _chunks, _event_from_row, unreadable
from ..vocab import FUNDING_SOURCES
from .headers import FUNDING_PREFIX

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["EXPORT_FORMATS", "export_projects", "export_stored", "FORMULA_PREFIXES"]

EXPORT_FORMATS = ("toml", "json", "csv", "xlsx")
EVENT_COLUMNS = ("project_code", "type", "date", "actor", "role", "note", "payload", "contract", "phase")
CHANGE_COLUMNS = ("project_code", "date", "amount", "content_amount", "reason", "major", "note")
# contracts and phases: a sheet each (the contracts sheet is read by io/contracts.py; its signing and
# filing dates travel in the events sheet, naming the contract); funding sources: funding.<source> columns
CONTRACT_COLUMNS = ("project_code", "id", "kind", "vendor", "amount", "phase", "note")
PHASE_COLUMNS = ("project_code", "id", "name", "year", "note")
RECORDED_COLUMNS = ("project_code", "row", "written_at", "written_by")


def export_projects(projects: Iterable[Project], path: str | Path, fmt: str | None = None,
                    progress: Callable[[int], None] = lambda n: None, altered: list[str] | None = None,
                    recorded: list[dict[str, Any]] | None = None) -> int:
    """Write the projects to `path` in `fmt` (default: from the extension); returns how many.
    `progress(1)` is called as each project is written. For XLSX, `altered` receives "CODE column"
    for each cell whose control characters became symbols. `recorded` (`Store.recorded`: who wrote each
    project, event and change, and when) goes into a `recorded` sheet or top-level list of XLSX, JSON
    and TOML, which `zwxm import` leaves aside."""
    path = Path(path)
    fmt = _format(path, fmt)
    with written(path, field="output") as temporary:
        if fmt == "xlsx":
            return _write_xlsx(projects, temporary, progress, altered if altered is not None else [], recorded)
        if fmt == "csv":
            return _write_csv(projects, temporary, progress)
        extra = {"recorded": [_without_none(r) for r in recorded]} if recorded else {}
        if fmt == "toml":
            data = [_without_none(dump_project(p)) for p in _counted(projects, progress)]
            temporary.write_text(tomli_w.dumps({"projects": data, **extra}), encoding="utf-8")
        else:  # JSON keeps a null inside an event's payload, so the event reads back as the same event
            data = [dump_project(p) for p in _counted(projects, progress)]
            temporary.write_text(json.dumps({"projects": data, **extra}, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")
        return len(data)


def export_stored(store: Store, codes: list[str], path: str | Path, fmt: str | None = None,
                  progress: Callable[[int], None] = lambda n: None, altered: list[str] | None = None) -> int:
    """`export_projects` of the stored projects `codes` (in that order, with who recorded their rows),
    the same file byte for byte. CSV and XLSX are written from the stored rows, SQLite assembling
    each project's events, changes and parts, without making a Project of each (that and writing it
    out again cost ~80 µs a project: issue 16); TOML and JSON go through the Projects."""
    path = Path(path)
    fmt = _format(path, fmt)
    with _snapshot(store):
        if fmt in ("toml", "json"):
            return export_projects(store.iter_projects(codes), path, fmt, progress, altered, store.recorded(codes))
        with written(path, field="output") as temporary:
            if fmt == "csv":
                return _write_stored_csv(store, codes, temporary, progress)
            return _write_stored_xlsx(store, codes, temporary, progress, altered if altered is not None else [])


@contextlib.contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """One read transaction around the export's queries, so that every chunk of projects is read from
    the same state of the database, whatever another process writes meanwhile."""
    if store.db.conn.in_transaction:  # the caller's transaction already is one
        yield
        return
    store.db.execute("BEGIN")
    try:
        yield
    finally:
        store.db.execute("COMMIT")


def _format(path: Path, fmt: str | None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r}: 不支持的导出格式（可选：{'、'.join(EXPORT_FORMATS)}）/ unsupported export "
                         f"format (one of {', '.join(EXPORT_FORMATS)})")
    return fmt


def _counted(projects: Iterable[Project], progress: Callable[[int], None]) -> Iterable[Project]:
    for project in projects:
        yield project
        progress(1)


def _without_none(value: Any) -> Any:
    """TOML has no null: leave out unset fields at every level (they load back as unset)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


CSV_JSON_COLUMNS = ("tags", "facts", "events", "changes", "contracts", "phases", "funding_sources")


def _csv_text(value: Any) -> str:
    """A CSV cell: JSON for lists and tables, `true`/`false` for yes/no, and formula-like text
    quote-prefixed (the import removes the quote again)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_text(value)


def _write_csv(projects: Iterable[Project], path: Path, progress: Callable[[int], None]) -> int:
    columns = [name for name in PROJECT_FIELDS if name not in CSV_JSON_COLUMNS] + list(CSV_JSON_COLUMNS)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for project in projects:
            data = converter.unstructure(project)
            writer.writerow([_csv_text(data.get(name)) for name in columns])
            count += 1
            progress(1)
    return count


_TABLES = {"events": EVENT_COLUMNS, "changes": CHANGE_COLUMNS, "contracts": CONTRACT_COLUMNS, "phases": PHASE_COLUMNS}
_PROJECT_COLUMNS = PROJECT_FIELDS[:PROJECT_FIELDS.index("facts")]


def _xlsx_book(fact_names: list[str], sources: list[str], altered: list[str]) -> tuple[Any, Any, list[str], dict]:
    """A write-only workbook with its sheets and header rows: (book, projects sheet, its header, table sheets)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    headers = [*_PROJECT_COLUMNS, *(f"facts.{n}" for n in fact_names), *(f"{FUNDING_PREFIX}{s}" for s in sources)]
    sheet.append(sheet_row(sheet, headers, altered, "(列名 / header)", headers))  # fact names are data
    tables = {name: book.create_sheet(name) for name in _TABLES}
    for name, columns in _TABLES.items():
        tables[name].append(columns)
    return book, sheet, headers, tables


def _append_recorded(book: Any, chunks: Iterable[list[dict[str, Any]]], altered: list[str]) -> None:
    sheet = None
    names = [f"recorded.{c}" for c in RECORDED_COLUMNS]
    for rows in chunks:
        for r in rows:
            if sheet is None:
                sheet = book.create_sheet("recorded")
                sheet.append(RECORDED_COLUMNS)
            sheet.append(sheet_row(sheet, [r[c] for c in RECORDED_COLUMNS], altered, r["project_code"], names))


def _write_xlsx(projects: Iterable[Project], path: Path, progress: Callable[[int], None], altered: list[str],
                recorded: list[dict[str, Any]] | None = None) -> int:
    projects = list(projects)
    fact_names = sorted({name for p in projects for name in p.facts})
    used = {f.source for p in projects for f in p.funding_sources}
    sources = [source for source in FUNDING_SOURCES if source in used]
    book, sheet, headers, tables = _xlsx_book(fact_names, sources, altered)
    with _closed_on_failure(book):
        _append_projects(projects, sheet, headers, tables, fact_names, sources, altered, progress)
        _append_recorded(book, [recorded or []], altered)
    book.save(path)
    return len(projects)


def _append_projects(projects: list[Project], sheet: Any, headers: list[str], tables: dict, fact_names: list[str],
                     sources: list[str], altered: list[str], progress: Callable[[int], None]) -> None:
    names = {name: [f"{name}.{c}" for c in columns] for name, columns in _TABLES.items()}
    for project in projects:
        data = converter.unstructure(project)
        row = [data[name] for name in _PROJECT_COLUMNS]
        row += [data["facts"].get(name) for name in fact_names]
        amounts = {f.source: f.amount for f in project.funding_sources}
        row += [amounts.get(source) for source in sources]
        sheet.append(sheet_row(sheet, [_sheet_value(v, ([],)) for v in row], altered, project.code, headers))
        for name, columns in _TABLES.items():
            for item in data[name]:
                cells = [project.code if c == "project_code" else _sheet_value(item[c]) for c in columns]
                tables[name].append(sheet_row(tables[name], cells, altered, project.code, names[name]))
        progress(1)


@contextlib.contextmanager
def _closed_on_failure(book: Any) -> Iterator[None]:
    """A write-only workbook given up half way has its sheets closed: left open, each complains with a
    traceback on stderr when it is collected, after zwxm has named what stopped the export."""
    try:
        yield
    except BaseException:
        for sheet in book.worksheets:
            with contextlib.suppress(Exception):
                sheet.close()
        raise


# --- From the stored rows (export_stored) -----------------------------------------------------------------

# One encoder, as json.dumps(value, ensure_ascii=False, sort_keys=True) writes lists and tables above.
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class _Literal(str):
    """JSON text written as it is into the SQL of `_json_object_sql`."""


def _json_object_sql(members: dict[str, str]) -> str:
    """SQL for the text `_dumps` writes for a table (keys sorted, ", " and ": " between them; SQLite's
    json_object writes no spaces): each member is SQL giving its JSON text (json_quote), or a _Literal."""
    pieces: list[str] = []  # SQL string literals and expressions, alternating
    text = "{"
    for index, key in enumerate(sorted(members)):
        text += f'{", " if index else ""}"{key}": '
        if isinstance(members[key], _Literal):
            text += members[key]
            continue
        pieces += [text, members[key]]
        text = ""
    pieces.append(text + "}")
    return " || ".join(f"'{piece}'" if index % 2 == 0 else piece for index, piece in enumerate(pieces))


def _json_array_sql(item: str, table: str, order: str, where: str = "") -> str:
    """SQL for the JSON text of the list of `item` (SQL of each row's JSON text) over a project's
    rows of `table` in `order`; NULL for none, as an empty list is an empty cell."""
    return (f"(SELECT '[' || group_concat(item, ', ') || ']' FROM (SELECT {item} AS item FROM {table} t "
            f"WHERE t.project_code = p.code{where} ORDER BY {order}))")


def _quoted(*columns: str) -> dict[str, str]:
    return {c: f"json_quote(t.{c})" for c in columns}


_IN_CHUNK = "IN (SELECT value FROM json_each(:codes))"  # the codes of one query, a JSON list
# The effective events of a project (none that a later one supersedes), in date order as in Store.project;
# the superseded ones looked up once a query among the events of its projects (a scan of all events each time
# cost 12 s at 100,000 projects).
_LIVE_EVENTS = (" AND t.id NOT IN (SELECT supersedes FROM events WHERE supersedes IS NOT NULL AND project_code "
                f"{_IN_CHUNK})")
# An event without payload (most) is written by SQLite; one with a payload by the model (_stored_event).
_EVENT_SQL = ("CASE WHEN t.payload = '{}' THEN "
              + _json_object_sql({**_quoted("type", "date", "actor", "role", "note"), "payload": _Literal("{}"),
                                  "contract": _Literal("null"), "phase": _Literal("null")})
              + " ELSE zwxm_export_event(t.project_code, t.type, t.date, t.actor, t.role, t.note, t.payload) END")
_CHANGE_SQL = _json_object_sql({**_quoted("date", "amount", "reason", "note"),
                                "content_amount": "json_quote(coalesce(t.content_amount, abs(t.amount)))",
                                "major": "CASE WHEN t.major THEN 'true' ELSE 'false' END"})
_CSV_PLAIN = [name for name in PROJECT_FIELDS if name not in CSV_JSON_COLUMNS]
_CSV_SQL = ", ".join([
    *("CASE WHEN p.classified THEN 'true' ELSE 'false' END" if name == "classified" else f"p.{name}"
      for name in _CSV_PLAIN),
    "CASE WHEN p.tags = '[]' THEN NULL ELSE zwxm_export_json(p.code, 'tags', p.tags) END",
    "CASE WHEN p.facts = '{}' THEN NULL ELSE zwxm_export_json(p.code, 'facts', p.facts) END",
    _json_array_sql(_EVENT_SQL, "events", "t.date, t.seq", _LIVE_EVENTS),
    _json_array_sql(_CHANGE_SQL, "changes", "t.date, t.id"),
    *(_json_array_sql(_json_object_sql(_quoted(*PART_COLUMNS[name])), name, "t.position")
      for name in ("contracts", "phases", "funding_sources")),
])


def _stored_event(code: str, type_: str, date: str, actor: str | None, role: str | None, note: str,
                  payload: str) -> dict[str, Any]:
    """A stored event with a payload as the model unstructures it; one no one can read is named."""
    try:
        event = _event_from_row({"type": type_, "date": date, "actor": actor, "role": role, "note": note,
                                 "payload": payload})
    except (ValueError, TypeError):
        raise InputError([unreadable(code, "events", payload)]) from None
    return converter.unstructure(event)


def _loaded(text: str, code: str, field: str) -> Any:
    """Stored JSON text (tags, facts) as Python; text another tool left unreadable is named."""
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        raise InputError([unreadable(code, field, text)]) from None


def _stored_json(text: str, code: str, field: str) -> str | None:
    """Stored JSON text (tags, facts) as `_dumps` writes it; None when empty."""
    value = _loaded(text, code, field)
    return _dumps(value) if value else None


def _in_order(store: Store, sql: str, codes: list[str]) -> Iterator[tuple[list[str], dict[str, tuple[Any, ...]]]]:
    """For each chunk of `codes`: the chunk and its rows of `sql` (first column the code) by code."""
    for chunk in _chunks(codes, CHUNK):
        yield chunk, {row[0]: row for row in store.db.execute(sql, {"codes": json.dumps(chunk)})}


def _write_stored_csv(store: Store, codes: list[str], path: Path, progress: Callable[[int], None]) -> int:
    failed: list[InputError] = []  # what a function below refused: SQLite only says one raised

    def kept(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return function(*args)
            except InputError as exc:
                failed.append(exc)
                raise
        return call

    conn = store.db.conn
    conn.create_function("zwxm_export_json", 3, kept(lambda code, field, text: _stored_json(text, code, field)),
                         deterministic=True)
    conn.create_function("zwxm_export_event", 7, kept(lambda *row: _dumps(_stored_event(*row))), deterministic=True)
    plain = len(_CSV_PLAIN)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("\ufeff")  # the byte-order mark ("utf-8-sig" would encode every write in Python)
        f.write(_csv_line([*_CSV_PLAIN, *CSV_JSON_COLUMNS]))
        try:
            for chunk, rows in _in_order(store, f"SELECT {_CSV_SQL} FROM projects p WHERE p.code {_IN_CHUNK}", codes):
                lines = [_csv_line([*csv_texts(row[:plain]), *(cell or "" for cell in row[plain:])])
                         for row in (rows.get(code) for code in chunk) if row is not None]
                f.write("".join(lines))
                count += len(lines)
                progress(len(lines))
        except sqlite3.OperationalError:
            if failed:
                raise failed[0] from None
            raise
    return count


_CSV_QUOTED = re.compile('[",\r\n]').search


def _csv_line(cells: list[str]) -> str:
    """One CSV record as csv.writer writes it (excel dialect: a cell holding a comma, a quote or a line
    break quoted, its quotes doubled), in a fraction of its time on long JSON cells: it copies each
    character in turn (~17 µs for a row of 1.5 kB, against ~5 µs)."""
    return ",".join(['"' + cell.replace('"', '""') + '"' if _CSV_QUOTED(cell) else cell for cell in cells]) + "\r\n"


# The rows of each table sheet, from SQL (in the sheet's columns), for the projects of one query.
_TABLE_SQL = {
    "events": f"SELECT project_code, type, date, actor, role, note, payload FROM events t WHERE project_code {_IN_CHUNK}"
              f"{_LIVE_EVENTS} ORDER BY project_code, date, seq",
    "changes": f"SELECT project_code, date, amount, coalesce(content_amount, abs(amount)), reason, major, note "
               f"FROM changes WHERE project_code {_IN_CHUNK} ORDER BY project_code, date, id",
    **{name: f"SELECT {', '.join(_TABLES[name])} FROM {name} WHERE project_code {_IN_CHUNK} ORDER BY project_code, "
             f"position" for name in ("contracts", "phases")},
}
_XLSX_SQL = f"SELECT {', '.join(_PROJECT_COLUMNS)}, facts FROM projects WHERE code {_IN_CHUNK}"
_CLASSIFIED, _TAGS = _PROJECT_COLUMNS.index("classified"), _PROJECT_COLUMNS.index("tags")


def _sheet_value(value: Any, empty: tuple[Any, ...] = ("", {})) -> Any:
    """A value as `_write_xlsx` writes it: an `empty` one as an empty cell (an empty list on the projects
    sheet, empty text or table on the others), lists and tables as JSON text."""
    if value in empty:
        return None
    return _dumps(value) if isinstance(value, (list, dict)) else value


def _by_code(store: Store, sql: str, codes: str) -> dict[str, list[tuple[Any, ...]]]:
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in store.db.execute(sql, {"codes": codes}):
        grouped.setdefault(row[0], []).append(row)
    return grouped


def _event_cells(row: tuple[Any, ...]) -> list[Any]:
    """An events row (project_code, type, date, actor, role, note, payload) in the sheet's columns; the
    contract and phase of an event are kept in its payload (store.rows)."""
    code, type_, date, actor, role, note, payload = row
    if payload == "{}":
        return [code, *(_sheet_value(v) for v in (type_, date, actor, role, note)), None, None, None]
    item = _stored_event(code, type_, date, actor, role, note, payload)
    return [code, *(_sheet_value(item[c]) for c in EVENT_COLUMNS[1:])]


def _xlsx_columns(store: Store, codes: list[str]) -> tuple[list[str], list[str]]:
    """The fact names (sorted) and the funding sources (in vocabulary order) of these projects."""
    names: set[str] = set()
    used: set[str] = set()
    for chunk in _chunks(codes, CHUNK):
        marks = {"codes": json.dumps(chunk)}
        for code, facts in store.db.execute(f"SELECT code, facts FROM projects WHERE code {_IN_CHUNK} AND facts != '{{}}'",
                                            marks):
            names.update(_loaded(facts, code, "facts"))
        used.update(s for (s,) in store.db.execute(f"SELECT source FROM funding_sources WHERE project_code {_IN_CHUNK}",
                                                   marks))
    return sorted(names), [source for source in FUNDING_SOURCES if source in used]


def _write_stored_xlsx(store: Store, codes: list[str], path: Path, progress: Callable[[int], None],
                       altered: list[str]) -> int:
    """`_write_xlsx` from the stored rows, a query of each table for each CHUNK projects."""
    fact_names, sources = _xlsx_columns(store, codes)
    book, sheet, headers, tables = _xlsx_book(fact_names, sources, altered)
    with _closed_on_failure(book):
        names = {name: [f"{name}.{c}" for c in columns] for name, columns in _TABLES.items()}
        count = 0
        for chunk, rows in _in_order(store, _XLSX_SQL, codes):
            marks = json.dumps(chunk)
            parts = {name: _by_code(store, sql, marks) for name, sql in _TABLE_SQL.items()}
            amounts: dict[str, dict[str, int]] = {}
            for code, source, amount in store.db.execute(
                    f"SELECT project_code, source, amount FROM funding_sources WHERE project_code {_IN_CHUNK} "
                    "ORDER BY project_code, position", {"codes": marks}):
                amounts.setdefault(code, {})[source] = amount
            written_before = count
            for code in chunk:
                row = rows.get(code)
                if row is None:
                    continue
                values = list(row[:-1])
                values[_CLASSIFIED] = bool(values[_CLASSIFIED])
                values[_TAGS] = _stored_json(values[_TAGS], code, "tags")
                facts = _loaded(row[-1], code, "facts")
                values += [facts.get(name) for name in fact_names]
                found = amounts.get(code, {})
                values += [found.get(source) for source in sources]
                sheet.append(sheet_row(sheet, [v if v.__class__ is str else _sheet_value(v, ([],)) for v in values],
                                       altered, code, headers))
                for item in parts["events"].get(code, ()):
                    tables["events"].append(sheet_row(tables["events"], _event_cells(item), altered, code, names["events"]))
                for name in ("changes", "contracts", "phases"):
                    for item in parts[name].get(code, ()):
                        cells = [_sheet_value(v) for v in item]
                        if name == "changes":
                            cells[5] = bool(item[5])  # major
                        tables[name].append(sheet_row(tables[name], cells, altered, code, names[name]))
                count += 1
            progress(count - written_before)
        _append_recorded(book, (store.recorded(chunk) for chunk in _chunks(codes, CHUNK)), altered)
    book.save(path)
    return count
