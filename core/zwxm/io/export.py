"""Export projects to TOML (tomli-w), JSON, CSV or XLSX, in shapes that `zwxm import` reads back unchanged.

TOML and JSON hold `projects`, a list of project tables as `zwxm.model.dump_project` writes them.
CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese) has one row per project:
the project fields as columns, and `tags`, `facts`, `events` and `changes` as JSON text, which keeps
their types (a yes/no or a number stays one); formula-like text is quote-prefixed as in XLSX.
XLSX has three sheets: projects (one row each, facts as `facts.NAME` columns), events and changes
(one row each, first column project_code). Text cells that a spreadsheet would run as a formula
(starting with = + - @) are written as plain text with Excel's quote prefix, never as formulas.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomli_w

from ..model import Project, converter, dump_project
from ..store import PROJECT_FIELDS
from .safe_text import FORMULA_PREFIXES, csv_text, sheet_cell

__all__ = ["EXPORT_FORMATS", "export_projects", "FORMULA_PREFIXES"]

EXPORT_FORMATS = ("toml", "json", "csv", "xlsx")
EVENT_COLUMNS = ("project_code", "type", "date", "actor", "role", "note", "payload")
CHANGE_COLUMNS = ("project_code", "date", "amount", "reason", "major", "note")
RECORDED_COLUMNS = ("project_code", "row", "written_at", "written_by")


def export_projects(projects: Iterable[Project], path: str | Path, fmt: str | None = None,
                    progress: Callable[[int], None] = lambda n: None,
                    recorded: list[dict[str, Any]] | None = None) -> int:
    """Write the projects to `path` in `fmt` (default: from the extension); returns how many.
    `progress(1)` is called as each project is written. `recorded` (`Store.recorded`: who wrote each
    project, event and change, and when) goes into a `recorded` sheet or top-level list of XLSX, JSON
    and TOML, which `zwxm import` leaves aside."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r}: 不支持的导出格式（可选：{'、'.join(EXPORT_FORMATS)}）/ unsupported export "
                         f"format (one of {', '.join(EXPORT_FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return _write_xlsx(projects, path, progress, recorded)
    if fmt == "csv":
        return _write_csv(projects, path, progress)
    extra = {"recorded": [_without_none(r) for r in recorded]} if recorded else {}
    if fmt == "toml":
        data = [_without_none(dump_project(p)) for p in _counted(projects, progress)]
        path.write_text(tomli_w.dumps({"projects": data, **extra}), encoding="utf-8")
    else:  # JSON keeps a null inside an event's payload, so the event reads back as the same event
        data = [dump_project(p) for p in _counted(projects, progress)]
        path.write_text(json.dumps({"projects": data, **extra}, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    return len(data)


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


def _cell(sheet: Any, value: Any) -> Any:
    """A cell for `value`: JSON text for lists and tables, quote-prefixed text for formula-like strings."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return sheet_cell(sheet, value)


CSV_JSON_COLUMNS = ("tags", "facts", "events", "changes")


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


def _write_xlsx(projects: Iterable[Project], path: Path, progress: Callable[[int], None],
                recorded: list[dict[str, Any]] | None = None) -> int:
    import openpyxl

    projects = list(projects)
    fact_names = sorted({name for p in projects for name in p.facts})
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    headers = [*PROJECT_FIELDS[:PROJECT_FIELDS.index("facts")], *(f"facts.{n}" for n in fact_names)]
    sheet.append(headers)
    events = book.create_sheet("events")
    events.append(EVENT_COLUMNS)
    changes = book.create_sheet("changes")
    changes.append(CHANGE_COLUMNS)
    for project in projects:
        data = converter.unstructure(project)
        row = [data[name] for name in PROJECT_FIELDS if name != "facts"]
        row += [data["facts"].get(name) for name in fact_names]
        sheet.append([_cell(sheet, v if v != [] else None) for v in row])
        for event in data["events"]:
            events.append([_cell(events, v) for v in (project.code, event["type"], event["date"], event["actor"],
                                                      event["role"], event["note"] or None, event["payload"] or None)])
        for change in data["changes"]:
            changes.append([_cell(changes, v) for v in (project.code, change["date"], change["amount"],
                                                        change["reason"] or None, change["major"], change["note"] or None)])
        progress(1)
    if recorded:
        sheet = book.create_sheet("recorded")
        sheet.append(RECORDED_COLUMNS)
        for r in recorded:
            sheet.append([_cell(sheet, r[c]) for c in RECORDED_COLUMNS])
    book.save(path)
    return len(projects)
