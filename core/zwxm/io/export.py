"""Export projects to TOML (tomli-w), JSON or XLSX, in shapes that `zwxm import` reads back unchanged.

TOML and JSON hold `projects`, a list of project tables as `zwxm.model.dump_project` writes them.
XLSX has three sheets: projects (one row each, facts as `facts.NAME` columns), events and changes
(one row each, first column project_code). Text cells that a spreadsheet would run as a formula
(starting with = + - @) are written as plain text with Excel's quote prefix, never as formulas.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

from ..model import Project, converter, dump_project
from ..store import PROJECT_FIELDS

__all__ = ["EXPORT_FORMATS", "export_projects", "FORMULA_PREFIXES"]

EXPORT_FORMATS = ("toml", "json", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@")
EVENT_COLUMNS = ("project_code", "type", "date", "actor", "role", "note", "payload")
CHANGE_COLUMNS = ("project_code", "date", "amount", "reason", "major", "note")
RECORDED_COLUMNS = ("project_code", "row", "written_at", "written_by")


def export_projects(projects: Iterable[Project], path: str | Path, fmt: str | None = None,
                    recorded: list[dict[str, Any]] | None = None) -> int:
    """Write the projects to `path` in `fmt` (default: from the extension); returns how many.

    `recorded` (`Store.recorded`: who wrote each project, event and change, and when) goes into a
    `recorded` sheet or top-level list, which `zwxm import` leaves aside."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r}: 不支持的导出格式（可选：{'、'.join(EXPORT_FORMATS)}）/ unsupported export "
                         f"format (one of {', '.join(EXPORT_FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return _write_xlsx(projects, path, recorded)
    data = [_without_none(dump_project(p)) for p in projects]
    document = {"projects": data, **({"recorded": [_without_none(r) for r in recorded]} if recorded else {})}
    if fmt == "toml":
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
    else:
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(data)


def _without_none(value: Any) -> Any:
    """TOML has no null: leave out unset fields at every level (they load back as unset)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _cell(sheet: Any, value: Any) -> Any:
    """A cell for `value`: JSON text for lists and tables, quote-prefixed text for formula-like strings."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.quotePrefix = True  # and spreadsheet programs show it as text, even after editing
    return cell


def _write_xlsx(projects: Iterable[Project], path: Path, recorded: list[dict[str, Any]] | None = None) -> int:
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
    if recorded:
        sheet = book.create_sheet("recorded")
        sheet.append(RECORDED_COLUMNS)
        for r in recorded:
            sheet.append([_cell(sheet, r[c]) for c in RECORDED_COLUMNS])
    book.save(path)
    return len(projects)
