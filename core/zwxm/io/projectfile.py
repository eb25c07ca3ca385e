"""Reading project and scenario files (TOML or JSON) into plain data, with errors that name the file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from ..model import InputError, Problem


def read_data_file(path: str | Path) -> dict[str, Any]:
    """A TOML or JSON file as a dict; InputError naming the file and the line on any failure."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem("file", str(path), f"无法读取文件：{exc.strerror}", f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem("file", str(path), "文件不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8",
                                  "file is not UTF-8 (perhaps GBK); save it as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem("file", str(path), "文件为空", "file is empty")])
    looks_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".toml" and text.lstrip().startswith("{"))
    try:
        data = json.loads(text) if looks_json else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem("file", str(path), f"JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}",
                                  f"invalid JSON (line {exc.lineno}): {exc.msg}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem("file", str(path), f"TOML 格式错误：{exc}", f"invalid TOML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem("file", str(path), "顶层须为一个表/对象", "top level must be a table/object")])
    return data
