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

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomli_w

from ..escape import FORMULA_PREFIXES, csv_text, sheet_cell
from ..files import written
from ..model import Project, converter, dump_project
from ..store import PROJECT_FIELDS
from ..vocab import FUNDING_SOURCES
from .headers import FUNDING_PREFIX

__all__ = ["EXPORT_FORMATS", "export_projects", "FORMULA_PREFIXES"]

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
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r}: 不支持的导出格式（可选：{'、'.join(EXPORT_FORMATS)}）/ unsupported export "
                         f"format (one of {', '.join(EXPORT_FORMATS)})")
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


def _cell(sheet: Any, value: Any, altered: list[str], where: str) -> Any:
    """A cell for `value`: JSON text for lists and tables, then zwxm.escape.sheet_cell."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return sheet_cell(sheet, value, altered, where)


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


def _write_xlsx(projects: Iterable[Project], path: Path, progress: Callable[[int], None], altered: list[str],
                recorded: list[dict[str, Any]] | None = None) -> int:
    import openpyxl

    projects = list(projects)
    fact_names = sorted({name for p in projects for name in p.facts})
    used = {f.source for p in projects for f in p.funding_sources}
    sources = [source for source in FUNDING_SOURCES if source in used]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("projects")
    headers = [*PROJECT_FIELDS[:PROJECT_FIELDS.index("facts")], *(f"facts.{n}" for n in fact_names),
               *(f"{FUNDING_PREFIX}{s}" for s in sources)]
    sheet.append([_cell(sheet, h, altered, f"(列名 / header) {h}") for h in headers])  # fact names are data
    tables = {name: book.create_sheet(name) for name in ("events", "changes", "contracts", "phases")}
    for name, columns in (("events", EVENT_COLUMNS), ("changes", CHANGE_COLUMNS), ("contracts", CONTRACT_COLUMNS),
                          ("phases", PHASE_COLUMNS)):
        tables[name].append(columns)
    for project in projects:
        data = converter.unstructure(project)
        row = [data[name] for name in PROJECT_FIELDS if name != "facts"]
        row += [data["facts"].get(name) for name in fact_names]
        amounts = {f.source: f.amount for f in project.funding_sources}
        row += [amounts.get(source) for source in sources]
        sheet.append([_cell(sheet, v if v != [] else None, altered, f"{project.code} {h}") for h, v in zip(headers, row)])
        for name, columns in (("events", EVENT_COLUMNS), ("changes", CHANGE_COLUMNS), ("contracts", CONTRACT_COLUMNS),
                              ("phases", PHASE_COLUMNS)):
            table = tables[name]
            for item in data[name]:
                table.append([_cell(table, project.code if c == "project_code" else
                                    (item[c] if item[c] not in ("", {}) else None), altered, f"{project.code} {name}.{c}")
                              for c in columns])
        progress(1)
    if recorded:
        recorded_sheet = book.create_sheet("recorded")
        recorded_sheet.append(RECORDED_COLUMNS)
        for r in recorded:
            recorded_sheet.append([_cell(recorded_sheet, r[c], altered, f"{r['project_code']} recorded.{c}")
                                   for c in RECORDED_COLUMNS])
    book.save(path)
    return len(projects)
