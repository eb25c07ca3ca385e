"""Projects as data: JSON, JSON lines, and TOML (a {"projects": [...]} table or one project)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..encoding import _encoding_name, detect_encoding
from ..headers import NOT_AN_OBJECT
from .base import RawRow, Source


class JsonRows(Source):
    """Projects as data: a JSON array, {"projects": [...]} in JSON or TOML, one project, or JSON lines."""

    def __init__(self, path: Path, fmt: str, encoding: str | None):
        self.label, self._path = str(path), path
        self._lines = fmt == "jsonl"
        self._codec = detect_encoding(path, encoding)
        self.encoding = _encoding_name(self._codec)
        if not self._lines:
            text = path.read_text(encoding=self._codec)
            try:
                data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError([Problem("file", str(path), f"JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}",
                                          f"invalid JSON (line {exc.lineno}): {exc.msg}")]) from None
            except tomllib.TOMLDecodeError as exc:
                raise InputError([Problem("file", str(path), f"TOML 格式错误：{exc}", f"invalid TOML: {exc}")]) from None
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

    @staticmethod
    def _lines_of(f: Any) -> Iterator[RawRow]:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                item = f"{line.strip()[:60]} ({exc.msg})"
            yield number, item if isinstance(item, dict) else {NOT_AN_OBJECT: item}
