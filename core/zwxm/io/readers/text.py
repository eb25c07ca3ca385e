"""CSV and TSV files, streamed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..encoding import _encoding_name, detect_encoding
from ..limits import Limits
from .base import RawRow, Source, _zip

# What the csv module says (strict), by a part of its message, in Chinese and English.
_CSV_ERRORS = {
    "unexpected end": ("引号直到文件末尾都没有闭合", "a quote is never closed before the end of the file"),
    "field larger": ("cell", "cell"),
    "expected after": ("闭合的引号后面还有文字", "text follows a closing quote"),
}


def _csv_error(exc: csv.Error) -> tuple[str, str]:
    return next((said for part, said in _CSV_ERRORS.items() if part in str(exc)), (str(exc), str(exc)))


class TextTable(Source):
    """CSV or TSV, streamed from the file on each pass.

    Rows must be told apart with certainty: a quote that is never closed, text after a closing
    quote, or a quoted cell whose lines look like rows of their own (a stray quote swallowing the
    rows below it) refuse the file, naming the row, before anything is written."""

    def __init__(self, path: Path, delimiter: str, encoding: str | None, limits: Limits):
        self.label, self._path, self._delimiter, self._limits = str(path), path, delimiter, limits
        self._codec = detect_encoding(path, encoding)
        self.encoding = _encoding_name(self._codec)
        with self._open() as f:
            self.headers = next(self._records(f), (0, 0, []))[2]
        if len(self.headers) > limits.columns:
            raise limits.refuse("columns", "file", f"{path}: {len(self.headers)} 列 / columns")

    def _open(self) -> Any:
        return self._path.open(encoding=self._codec, newline="")

    def _records(self, f: Any) -> Iterator[tuple[int, int, list[str]]]:
        """(first line, record number, values) of each record, strictly parsed within the cell limit."""
        csv.field_size_limit(self._limits.cell)
        raw: list[str] = []  # the lines of the current record, as written

        def lines() -> Iterator[str]:
            for text in f:
                raw.append(text)
                yield text

        reader = csv.reader(lines(), delimiter=self._delimiter, strict=True)
        line = 1
        for number in range(1, 1 << 62):
            raw.clear()
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise self._unclear(number, line, reader.line_num, _csv_error(exc)) from None
            text = raw[0] if len(raw) == 1 else "".join(raw)
            if '"' in text and any('"' in v for v in values):  # most ledger lines hold no quote at all
                self._check_quotes(number, line, reader.line_num, values, text)
            yield line, number, values
            if reader.line_num > line:  # a quoted cell over several lines
                self._check_spanning(number, line, values)
            line = reader.line_num + 1

    def _check_spanning(self, number: int, line: int, values: list[str]) -> None:
        """A quoted cell over several lines is fine (an address, a description) unless a line of it
        holds as many delimiters as a row: then a stray quote may have swallowed the rows below."""
        separators = max(1, len(self.headers) - 1)
        for value in values:
            for part in value.splitlines()[1:]:
                if part.count(self._delimiter) >= separators:
                    raise self._unclear(number, line, line + value.count("\n"),
                                        ("引号内的单元格跨行，且其中一行看起来是独立的一行数据",
                                         "a quoted cell spans lines, one of which looks like a row of its own"))

    def _check_quotes(self, number: int, first: int, last: int, values: list[str], raw: str) -> None:
        """A quote inside a cell that was not itself quoted is what is left of a quote that closed too
        early: a stray quote has joined or split rows (a spreadsheet never writes one)."""
        for value in values:
            if '"' in value and f'"{value.replace(chr(34), chr(34) * 2)}"' not in raw:
                raise self._unclear(number, first, last, ("未加引号的单元格中有引号", "a quote inside a cell that is not quoted"))

    def _unclear(self, number: int, first: int, last: int, detail: tuple[str, str]) -> InputError:
        if detail[0] == "cell":
            return self._limits.refuse("cell", f"第 {number} 行（文件第 {first} 行起）/ row {number} (line {first})",
                                       self.label)
        return InputError([Problem(
            f"第 {number} 行（文件第 {first}–{last} 行）/ row {number} (lines {first}-{last})", self.label,
            f"引号不成对，无法确定行的边界（{detail[0]}）：请检查该行的引号，文件未导入",
            f"unbalanced quote, the rows cannot be told apart ({detail[1]}): check the quotes of that row; nothing imported")])

    def rows(self) -> Iterator[RawRow]:
        with self._open() as f:
            records = self._records(f)
            next(records, None)
            for _, number, values in records:
                if not any(v.strip() for v in values):
                    continue
                if len(values) > self._limits.columns:
                    raise self._limits.refuse("columns", f"第 {number} 行 / row {number}", f"{len(values)}")
                yield number, _zip(self.headers, values)
