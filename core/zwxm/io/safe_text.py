"""Stored text on its way out: to a terminal (control characters made visible) and to a spreadsheet
(never run as a formula). Data typed by anyone reaches these outputs, so every writer uses these."""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@")

# Control characters (C0, DEL, C1) shown as visible symbols (ESC as ␛): an escape sequence typed
# into a spreadsheet cell must not clear the screen, retitle the window or fake other rows. One
# symbol per character, so aligned columns stay aligned.
_VISIBLE = {**{c: 0x2400 + c for c in range(0x20)}, 0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # a search is ~20x faster than translate on clean text


def visible(text: str) -> str:
    """`text` with each control character replaced by a visible symbol of the same length."""
    return text.translate(_VISIBLE) if _CONTROL.search(text) else text


def csv_text(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula (quote-prefixed)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in (*FORMULA_PREFIXES, "\t", "\r") else text


def sheet_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl value for `value`: formula-like text becomes a quote-prefixed text cell, never a
    formula (and imports back as the same text)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.quotePrefix = True  # and spreadsheet programs show it as text, even after editing
    return cell
