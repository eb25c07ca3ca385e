"""Export projects to TOML (tomli-w), JSON or XLSX, in shapes that `zwxm import` reads back unchanged.

TOML and JSON hold `projects`, a list of project tables as `zwxm.model.dump_project` writes them.
XLSX has three sheets: projects (one row each, facts as `facts.NAME` columns), events and changes
(one row each, first column project_code). Text cells that a spreadsheet would run as a formula
(starting with = + - @) are written as plain text with Excel's quote prefix, never as formulas;
characters XML cannot hold (control characters) become visible symbols, and the caller is told
which cells (zwxm.escape is the one place for both). The file is written whole or not at all
(zwxm.files.written).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

from ..escape import FORMULA_PREFIXES, is_formula_like, xlsx_text
from ..files import written
from ..model import Project, converter, dump_project
from ..store import PROJECT_FIELDS

__all__ = ["EXPORT_FORMATS", "export_projects", "FORMULA_PREFIXES"]

EXPORT_FORMATS = ("toml", "json", "xlsx")
EVENT_COLUMNS = ("project_code", "type", "date", "actor", "role", "note", "payload")
CHANGE_COLUMNS = ("project_code", "date", "amount", "reason", "major", "note")


def export_projects(projects: Iterable[Project], path: str | Path, fmt: str | None = None,
                    altered: list[str] | None = None) -> int:
    """Write the projects to `path` in `fmt` (default: from the extension); returns how many. For
    XLSX, `altered` receives "CODE column" for each cell whose control characters became symbols."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r}: 不支持的导出格式（可选：{'、'.join(EXPORT_FORMATS)}）/ unsupported export "
                         f"format (one of {', '.join(EXPORT_FORMATS)})")
    with written(path, field="output") as temporary:
        if fmt == "xlsx":
            return _write_xlsx(projects, temporary, altered if altered is not None else [])
        data = [_without_none(dump_project(p)) for p in projects]
        if fmt == "toml":
            temporary.write_text(tomli_w.dumps({"projects": data}), encoding="utf-8")
        else:
            temporary.write_text(json.dumps({"projects": data}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return len(data)


def _without_none(value: Any) -> Any:
    """TOML has no null: leave out unset fields at every level (they load back as unset)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _cell(sheet: Any, value: Any, altered: list[str] | None = None, where: str = "") -> Any:
    """A cell for `value`: JSON text for lists and tables, quote-prefixed text for formula-like strings."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        value, replaced = xlsx_text(value)
        if replaced and altered is not None:
            altered.append(where)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.quotePrefix = True  # and spreadsheet programs show it as text, even after editing
    return cell


def _write_xlsx(projects: Iterable[Project], path: Path, altered: list[str]) -> int:
    import openpyxl

    projects = list(projects)
    fact_names = sorted({name for p in projects for name in p.facts})
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    headers = [*PROJECT_FIELDS[:PROJECT_FIELDS.index("facts")], *(f"facts.{n}" for n in fact_names)]
    sheet.append([_cell(sheet, h, altered, f"(列名 / header) {h}") for h in headers])  # fact names are data
    events = book.create_sheet("events")
    events.append(EVENT_COLUMNS)
    changes = book.create_sheet("changes")
    changes.append(CHANGE_COLUMNS)
    for project in projects:
        data = converter.unstructure(project)
        row = [data[name] for name in PROJECT_FIELDS if name != "facts"]
        row += [data["facts"].get(name) for name in fact_names]
        sheet.append([_cell(sheet, v if v != [] else None, altered, f"{project.code} {h}") for h, v in zip(headers, row)])
        for event in data["events"]:
            events.append([_cell(events, v, altered, f"{project.code} events.{h}") for h, v in zip(EVENT_COLUMNS, (
                project.code, event["type"], event["date"], event["actor"], event["role"], event["note"] or None,
                event["payload"] or None))])
        for change in data["changes"]:
            changes.append([_cell(changes, v, altered, f"{project.code} changes.{h}") for h, v in zip(CHANGE_COLUMNS, (
                project.code, change["date"], change["amount"], change["reason"] or None, change["major"],
                change["note"] or None))])
    book.save(path)
    return len(projects)
