"""Excel workbooks: the first sheet with a recognisable header row, streamed in bounded memory.

A workbook is a zip: its declared unpacked sizes are checked before it is opened (Python's zipfile
never inflates an entry past its declared size), and its sheets are streamed row by row in
openpyxl's read-only mode, ignoring the dimension the file declares (`A1:XFD1048576` would
otherwise pad every row to 16,384 cells and add empty rows to a million).
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..contracts import CONTRACT_SHEETS, group_contract_rows
from ..headers import HEADERS, NESTED, _valid_target, normalise_header
from ..limits import Limits
from ..rows import _cell_text, _json_cell
from .base import RawRow, Source, _zip

HEADER_SEARCH = 10  # the header is among the first rows (title rows above it, as on the Yubei form)


class Workbook(Source):
    """An XLSX workbook: the first sheet (or one named projects/项目), plus events, changes, phases and
    contracts sheets if present (the contracts sheet read by io/contracts.py, under the same limits).

    Title rows above the header (as on the Yubei form) are skipped: the header is the first row with
    two or more known headers; a second header row below it (合计/中央财政 under 资金预算) is merged in.
    """

    def __init__(self, path: Path, event_types: dict[str, Any], limits: Limits):
        self.label, self._path, self._limits = str(path), path, limits
        _check_zip(path, limits)
        with self._book() as book:
            names = {name.lower(): name for name in book.sheetnames}
            self._main = names.get("projects") or names.get("项目") or book.sheetnames[0]
            top = []
            for values in self._values(book[self._main]):
                top.append(values)
                if len(top) > HEADER_SEARCH:
                    break
            self._extra = {key: self._sheet_records(book[names[key]])
                           for key in NESTED if key in names and key != "contracts"}
            contracts = next((names[n] for n in CONTRACT_SHEETS if n in names), None)
            if contracts is not None and contracts != self._main:  # read under the same limits
                self.contract_label = f"工作表“{contracts}”"
                rows = self._values(book[contracts])
                headers = ["" if h is None else str(h) for h in next(rows, ())]
                self.contract_rows = group_contract_rows(
                    headers, ((n, _zip(headers, values)) for n, values in enumerate(rows, start=2)), self.contract_label)
        self._header_index, self.headers = _find_header(top, event_types)
        self.headers += list(self._extra)

    @contextlib.contextmanager
    def _book(self) -> Iterator[Any]:
        import openpyxl

        try:
            # data_only=False: a formula cell is read as its text (=HYPERLINK(...)), never as the value
            # a spreadsheet cached for it, nor lost when it cached none; in a money column it is refused.
            book = openpyxl.load_workbook(self._path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a broken or non-XLSX file
            raise InputError([Problem("file", self.label, f"无法读取 XLSX：{exc}", f"cannot read XLSX: {exc}")]) from None
        try:
            yield book
        finally:
            book.close()

    def _values(self, sheet: Any) -> Iterator[list[Any]]:
        """The rows of a sheet as lists, at their own width, within the row and column limits."""
        sheet.reset_dimensions()  # never trust the declared dimension (see the module docstring)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > self._limits.rows + HEADER_SEARCH:
                raise self._limits.refuse("rows", f"{sheet.title}", self.label)
            if len(values) > self._limits.columns:
                last = max(i for i, v in enumerate(values) if v is not None) + 1 if any(v is not None for v in values) else 0
                if last > self._limits.columns:
                    raise self._limits.refuse("columns", f"{sheet.title} 第 {number} 行 / row {number}",
                                              f"{last} 列 / columns")
                values = values[:last]
            for value in values:
                if isinstance(value, str) and len(value) > self._limits.cell:
                    raise self._limits.refuse("cell", f"{sheet.title} 第 {number} 行 / row {number}", f"{value[:40]}…")
            yield list(values)

    def rows(self) -> Iterator[RawRow]:
        with self._book() as book:
            for index, values in enumerate(self._values(book[self._main])):
                if index <= self._header_index or not any(v is not None and str(v).strip() for v in values):
                    continue
                row = _zip(self.headers, values)
                for key, records in self._extra.items():
                    code = _cell_text(row.get("code"))
                    if code is not None:
                        row[key] = records.get(code, [])
                yield index + 1, row

    def _sheet_records(self, sheet: Any) -> dict[str, list[dict[str, Any]]]:
        """An events or changes sheet (first column project_code) grouped by project code."""
        rows = self._values(sheet)
        headers = [str(h) for h in next(rows, ())]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for values in rows:
            record = {h: v for h, v in zip(headers, values) if v is not None and h != "project_code"}
            code = values[0] if values else None
            if code is None:
                continue
            if isinstance(record.get("payload"), str):
                record["payload"] = _json_cell(record["payload"])
            grouped.setdefault(str(code), []).append(record)
        return grouped


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a workbook whose declared unpacked sizes are past the limits: its sheets together past
    `size` (they are streamed), any other part past `document` (shared strings are held whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError([Problem("file", str(path), f"无法读取 XLSX（不是有效的 zip 文件）：{exc}",
                                  f"cannot read XLSX (not a valid zip file): {exc}")]) from None
    sheets = sum(e.file_size for e in entries if e.filename.startswith("xl/worksheets/"))
    if sheets > limits.size:
        raise limits.refuse("size", "file", f"{path}: {sheets} 字节（解压后）/ bytes unpacked")
    for entry in entries:
        if not entry.filename.startswith("xl/worksheets/") and entry.file_size > limits.document:
            raise limits.refuse("document", "file", f"{path}: {entry.filename} {entry.file_size} 字节 / bytes")


def _find_header(values: list[list[Any]], event_types: dict[str, Any]) -> tuple[int, list[str]]:
    def known(row: list[Any]) -> int:
        return sum(1 for v in row if v is not None and (
            normalise_header(v)[0] in HEADERS or _valid_target(normalise_header(v)[0], event_types)))

    best = max(range(min(len(values), HEADER_SEARCH)), key=lambda i: (known(values[i]) >= 2, -i), default=0)
    if not values or known(values[best]) < 2:
        best = 0
    headers = ["" if v is None else str(v) for v in (values[best] if values else [])]
    below = values[best + 1] if best + 1 < len(values) else []
    if below and known(below) >= 1 and known(below) * 2 >= sum(v is not None for v in below):
        merged = ["" if v is None else str(v) for v in below]
        headers += [""] * (len(merged) - len(headers))
        headers = [m or h for h, m in zip(headers, merged + [""] * len(headers))]
        best += 1
    return best, headers
