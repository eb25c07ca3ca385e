"""Which text encoding a file is in: UTF-8 (with or without BOM), GB18030 or what the caller says."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..model import InputError, Problem


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes with `encoding`, read in chunks so a large file is never held twice."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GBK/GB18030 if it reads as Chinese; or refuse."""
    where = str(path)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError([Problem("encoding", encoding, "未知的编码", "unknown encoding")]) from None
        if not _decodes(path, encoding):
            raise InputError([Problem("encoding", encoding, f"{where} 不能按此编码读取", f"{where} cannot be read as {encoding}")])
        return encoding
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8-sig"):
        return "utf-8-sig"
    if not _decodes(path, "gb18030"):
        raise InputError([Problem("encoding", where, "无法识别文件编码（不是 UTF-8，也不是 GBK）：请用 --encoding 指定或另存为 UTF-8",
                                  "unknown file encoding (neither UTF-8 nor GBK): give --encoding or save as UTF-8")])
    if not re.search(r"[\u4e00-\u9fff]", head.decode("gb18030", errors="ignore")):
        raise InputError([Problem("encoding", where, "文件不是 UTF-8，按 GBK 读出的内容也不像中文：请用 --encoding 指定",
                                  "not UTF-8, and read as GBK it holds no Chinese: give --encoding")])
    return "gb18030"  # the superset of GBK, so every GBK file reads the same


def _encoding_name(codec: str) -> str:
    return {"utf-8-sig": "utf-8", "gb18030": "gbk"}.get(codec, codec)
