"""CSV and TSV files, streamed."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..encoding import _encoding_name, detect_encoding
from .base import RawRow, Source, _zip


class TextTable(Source):
    """CSV or TSV, streamed from the file on each pass."""

    def __init__(self, path: Path, delimiter: str, encoding: str | None):
        self.label, self._path, self._delimiter = str(path), path, delimiter
        self._codec = detect_encoding(path, encoding)
        self.encoding = _encoding_name(self._codec)
        with self._open() as f:
            self.headers = next(csv.reader(f, delimiter=delimiter), [])

    def _open(self) -> Any:
        return self._path.open(encoding=self._codec, newline="")

    def rows(self) -> Iterator[RawRow]:
        with self._open() as f:
            reader = csv.reader(f, delimiter=self._delimiter)
            next(reader, None)
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                yield number, _zip(self.headers, values)
