"""One escaping path for data on its way out: to a terminal (the CLI and the TUI) or a spreadsheet.

Stored text is whatever a ledger held: escape sequences, Rich markup, formulas. Every place that
shows data goes through here, so that an ESC cannot retitle or clear the terminal, `[@click=...]`
cannot become a live action in the TUI, and `=HYPERLINK(...)` cannot run in a spreadsheet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

# Control characters (C0, DEL, C1) and the bidirectional overrides that reorder what a line seems
# to say become visible symbols (ESC as ␛, a line feed as ␊), one per character, so that a value
# stays on its line and Rich spans stay aligned.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_VISIBLE = {**{c: 0x2400 + c for c in range(0x20)}, 0x7F: 0x2421, **dict.fromkeys(range(128, 160), 65533),
            **dict.fromkeys(_BIDI, 65533)}


def terminal_text(value: object) -> str:
    """`value` as one line of plain text for a terminal: every control character made visible."""
    return str(value).translate(_VISIBLE)


def terminal_lines(lines: Iterable[object]) -> str:
    """Lines for a terminal, each made safe on its own: data cannot add a line or an escape."""
    return "\n".join(terminal_text(line) for line in lines)


# JSON keeps C0 escaped itself; these it would write raw, and a terminal could act on them.
_JSON_RAW = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *_BIDI, 0x2028, 0x2029)}


def terminal_json(data: object, indent: int | None = 2) -> str:
    """`data` as JSON for a terminal or a pipe: Chinese as is, every control character as a \\u escape."""
    return json.dumps(data, ensure_ascii=False, indent=indent, default=str).translate(_JSON_RAW)


def markup_text(value: object) -> str:
    """`value` for a place that reads Rich markup: control characters visible, `[` escaped, shown
    exactly (Rich's escape doubles a trailing backslash; the NUL sentinel, never in terminal text, stops it)."""
    from rich.markup import escape

    return escape(terminal_text(value) + "\x00")[:-1]


# --- Spreadsheets ------------------------------------------------------------------------------

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 cannot hold these (openpyxl refuses them); lone surrogates cannot be written as UTF-8.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def is_formula_like(text: object) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_PREFIXES)


def csv_text(value: object) -> str:
    """Text for a CSV cell that a spreadsheet shows as text (a leading ' where it would run a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def csv_texts(values: Iterable[object]) -> list[str]:
    """csv_text of each value of a row, without a call a cell: exports write millions of cells."""
    texts = ["" if value is None else str(value) for value in values]
    return ["'" + text if text.startswith(FORMULA_PREFIXES) else text for text in texts]


def xlsx_text(text: str) -> tuple[str, bool]:
    """(text an XLSX cell can hold, whether characters had to be replaced): each character XML
    cannot hold becomes its visible symbol, as on a terminal."""
    if not _XML_ILLEGAL.search(text):
        return text, False
    return _XML_ILLEGAL.sub(lambda m: terminal_text(m.group()) if m.group() < " " else "\ufffd", text), True


def sheet_cell(sheet: Any, value: Any, altered: list[str] | None = None, where: str = "") -> Any:
    """An openpyxl value for `value` in a write-only `sheet`: text XML can hold (`where` is appended to
    `altered` when characters were replaced), and formula-like text as a quote-prefixed text cell,
    never a formula (it imports back as the same text)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    value, replaced = xlsx_text(value)
    if replaced and altered is not None:
        altered.append(where)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.quotePrefix = True  # and spreadsheet programs show it as text, even after editing
    return cell


def sheet_row(sheet: Any, values: Iterable[Any], altered: list[str] | None, owner: str,
              names: Iterable[str]) -> list[Any]:
    """sheet_cell of each value of a row (a replaced cell is named "OWNER NAME" in `altered`), with
    the plain text and the numbers passed as they are without a call each: exports write millions of cells."""
    row = []
    for value, name in zip(values, names):
        if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or _XML_ILLEGAL.search(value)):
            value = sheet_cell(sheet, value, altered, f"{owner} {name}")
        row.append(value)
    return row
