"""Readers, one module per format behind one interface (`Source`, in base.py); `open_source` picks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...model import InputError, Problem
from ..limits import DEFAULT_LIMITS, Limits
from .base import RawRow, Source
from .json import JsonRows
from .staging import StagingTable
from .text import TextTable
from .xlsx import Workbook

__all__ = ["FORMATS", "JsonRows", "RawRow", "Source", "StagingTable", "TextTable", "Workbook", "open_source"]

FORMATS = ("csv", "tsv", "json", "jsonl", "toml", "xlsx")


def open_source(path: str | Path, fmt: str | None = None, encoding: str | None = None,
                event_types: dict[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS) -> Source:
    """The rows of a file; the format comes from `fmt` or the file's extension; past `limits` refused."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem("file", str(path), "文件不存在", "no such file")])
    if not path.is_file():  # a folder, a device (/dev/zero), a pipe: no end, or no rows, to read twice
        raise InputError([Problem("file", str(path), "不是普通文件", "not a regular file")])
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"txt": "tsv", "ndjson": "jsonl", "xlsm": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError([Problem("format", fmt or str(path), f"不支持的格式（可选：{'、'.join(FORMATS)}）",
                                  f"unsupported format (one of {', '.join(FORMATS)})")])
    size = path.stat().st_size
    if size == 0:
        raise InputError([Problem("file", str(path), "文件为空", "file is empty")])
    if size > limits.size:
        raise limits.refuse("size", "file", f"{path}: {size} 字节 / bytes")
    if fmt == "xlsx":
        return Workbook(path, event_types or {}, limits)
    if fmt in ("json", "jsonl", "toml"):
        return JsonRows(path, fmt, encoding, limits)
    return TextTable(path, "\t" if fmt == "tsv" else ",", encoding, limits)
