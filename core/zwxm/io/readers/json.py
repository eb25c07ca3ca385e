"""Projects as data: JSON, JSON lines, and TOML (a {"projects": [...]} table or one project)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..encoding import _encoding_name, detect_encoding
from ..headers import NOT_AN_OBJECT
from ..limits import Limits, may_nest_deeper, nesting_depth
from ..projectfile import parse_document, read_bounded
from .base import RawRow, Source


class JsonRows(Source):
    """Projects as data: a JSON array, {"projects": [...]} in JSON or TOML, one project, or JSON lines.

    JSON and TOML are read whole (up to the `document` limit); JSON lines are streamed."""

    def __init__(self, path: Path, fmt: str, encoding: str | None, limits: Limits):
        self.label, self._path, self._limits = str(path), path, limits
        self._lines = fmt == "jsonl"
        self._codec = detect_encoding(path, encoding)
        self.encoding = _encoding_name(self._codec)
        if not self._lines:
            text = read_bounded(path, limits.document, limits=limits).decode(self._codec)
            data = parse_document(text, fmt, str(path), limits)
            if isinstance(data, dict):
                data = data["projects"] if isinstance(data.get("projects"), list) else [data]
            if not isinstance(data, list):
                raise InputError([Problem("file", str(path), "JSON 顶层须为项目数组", "top level must be a list of projects")])
            self._items = data
        self.headers = []  # JSON keys are collected by the import's first pass

    def rows(self) -> Iterator[RawRow]:
        if not self._lines:
            for number, item in enumerate(self._items, start=1):
                yield number, item if isinstance(item, dict) else {NOT_AN_OBJECT: item}
            return
        with self._path.open(encoding=self._codec) as f:
            yield from self._lines_of(f)

    def _lines_of(self, f: Any) -> Iterator[RawRow]:
        limit = self._limits.document  # one line is one project: read no more of it than a whole document
        for number, line in enumerate(iter(lambda: f.readline(limit + 1), ""), start=1):
            if len(line) > limit:
                raise self._limits.refuse("document", f"第 {number} 行 / line {number}", f"{line[:40]}…")
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                item = f"{line.strip()[:60]} ({exc.msg})"
            except (RecursionError, ValueError) as exc:  # nested thousands deep; an integer of 4,300+ digits
                item = f"{line.strip()[:60]} ({'nested too deep' if isinstance(exc, RecursionError) else exc})"
            depth = self._limits.depth
            if isinstance(item, dict) and may_nest_deeper(line, depth) and nesting_depth(item) > depth:
                item = f"{line.strip()[:60]} (nested deeper than {self._limits.depth})"
            yield number, item if isinstance(item, dict) else {NOT_AN_OBJECT: item}
