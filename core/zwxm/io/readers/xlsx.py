"""Excel workbooks: the first sheet with a recognisable header row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..contracts import CONTRACT_SHEETS, group_contract_rows
from ..headers import HEADERS, NESTED, _valid_target, normalise_header
from ..rows import _cell_text, _json_cell
from .base import RawRow, Source, _zip


class Workbook(Source):
    """An XLSX workbook: the first sheet (or one named projects/项目), plus events/changes sheets if present.

    Title rows above the header (as on the Yubei form) are skipped: the header is the first row with
    two or more known headers; a second header row below it (合计/中央财政 under 资金预算) is merged in.
    """

    def __init__(self, path: Path, event_types: dict[str, Any]):
        import openpyxl

        self.label = str(path)
        try:
            # data_only=False: a formula cell is read as its text (=HYPERLINK(...)), never as the value
            # a spreadsheet cached for it, nor lost when it cached none; in a money column it is refused.
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a broken or non-XLSX file
            raise InputError([Problem("file", str(path), f"无法读取 XLSX：{exc}", f"cannot read XLSX: {exc}")]) from None
        names = {name.lower(): name for name in book.sheetnames}
        main = names.get("projects") or names.get("项目") or book.sheetnames[0]
        self._values = [list(r) for r in book[main].iter_rows(values_only=True)]
        self._extra = {key: _sheet_records(book[names[key]]) for key in NESTED if key in names and key != "contracts"}
        contracts = next((names[n] for n in CONTRACT_SHEETS if n in names), None)
        if contracts is not None and contracts != main:
            self.contract_label = f"工作表“{contracts}”"
            rows = book[contracts].iter_rows(values_only=True)
            headers = ["" if h is None else str(h) for h in next(rows, ())]
            self.contract_rows = group_contract_rows(
                headers, ((n, _zip(headers, values)) for n, values in enumerate(rows, start=2)), self.contract_label)
        book.close()
        self._header_index, self.headers = _find_header(self._values, event_types)
        self.headers += list(self._extra)

    def rows(self) -> Iterator[RawRow]:
        for index in range(self._header_index + 1, len(self._values)):
            values = self._values[index]
            if not any(v is not None and str(v).strip() for v in values):
                continue
            row = _zip(self.headers, values)
            for key, records in self._extra.items():
                code = _cell_text(row.get("code"))
                if code is not None:
                    row[key] = records.get(code, [])
            yield index + 1, row


def _sheet_records(sheet: Any) -> dict[str, list[dict[str, Any]]]:
    """An events or changes sheet (first column project_code) grouped by project code."""
    rows = sheet.iter_rows(values_only=True)
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


def _find_header(values: list[list[Any]], event_types: dict[str, Any]) -> tuple[int, list[str]]:
    def known(row: list[Any]) -> int:
        return sum(1 for v in row if v is not None and (
            normalise_header(v)[0] in HEADERS or _valid_target(normalise_header(v)[0], event_types)))

    best = max(range(min(len(values), 10)), key=lambda i: (known(values[i]) >= 2, -i), default=0)
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
