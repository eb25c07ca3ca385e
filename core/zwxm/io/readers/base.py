"""The reader interface: a `Source` yields (row number, header -> value) rows, readable twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

RawRow = tuple[int, dict[str, Any]]  # (row number as the person sees it, header -> value)


class Source:
    """Rows of one input, readable twice (once for duplicate codes, once for the import)."""

    label: str = ""
    headers: list[str] = []
    encoding: str | None = None
    contract_rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # a workbook's contracts sheet, by project code
    contract_label: str = ""

    def rows(self) -> Iterator[RawRow]:  # pragma: no cover - interface
        raise NotImplementedError




def _zip(headers: list[str], values: Any) -> dict[str, Any]:
    row = {}
    for index, value in enumerate(values):
        header = headers[index] if index < len(headers) else ""
        if header == "" and (value is None or str(value).strip() == ""):
            continue
        row[header] = value
    return row
