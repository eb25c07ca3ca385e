"""Reading project and scenario files (TOML or JSON) into plain data, with errors that name the file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from ..files import file_problem
from ..model import InputError, Problem
from .limits import DEFAULT_LIMITS, Limits, nesting_depth


def read_bounded(path: str | Path, limit: int, limit_name: str = "document", limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of `path`, or InputError naming the file when it cannot be read or holds more than
    `limit` bytes (a device such as /dev/zero never ends)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise InputError([file_problem(exc, "file", path)]) from None
    if len(raw) > limit:
        raise limits.refuse(limit_name, "file", str(path))
    return raw


def parse_document(text: str, fmt: str, label: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """JSON or TOML text as data; InputError naming the file (and line) for anything it cannot be."""
    try:
        data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem("file", label, f"JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}",
                                  f"invalid JSON (line {exc.lineno}): {exc.msg}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem("file", label, f"TOML 格式错误：{exc}", f"invalid TOML: {exc}")]) from None
    except RecursionError:
        raise limits.refuse("depth", "file", label) from None
    except ValueError:  # an integer of more than 4,300 digits (sys.get_int_max_str_digits)
        raise InputError([Problem("file", label, "含有超过 4300 位的整数，无法读取",
                                  "holds an integer of more than 4,300 digits, which cannot be read")]) from None
    if nesting_depth(data) > limits.depth:
        raise limits.refuse("depth", "file", label)
    return data


def read_data_file(path: str | Path) -> dict[str, Any]:
    """A TOML or JSON file as a dict; InputError naming the file and the line on any failure."""
    path = Path(path)
    raw = read_bounded(path, DEFAULT_LIMITS.document)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem("file", str(path), "文件不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8",
                                  "file is not UTF-8 (perhaps GBK); save it as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem("file", str(path), "文件为空", "file is empty")])
    looks_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".toml" and text.lstrip().startswith("{"))
    data = parse_document(text, "json" if looks_json else "toml", str(path))
    if not isinstance(data, dict):
        raise InputError([Problem("file", str(path), "顶层须为一个表/对象", "top level must be a table/object")])
    return data
