"""Batch import: ledgers and declaration forms (CSV, TSV, JSON, JSON lines, XLSX, a staging table) into the store.

Each row is turned into plain project data by the header mapping, then validated by the same door
as everything else (`load_project` + `check_project`). Invalid rows go to the `import_rejects` table
and a rejects CSV with row, column, value and reason in Chinese and English; valid rows are saved
one transaction per batch, so a killed import leaves the database as before that batch and running
it again changes nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import gc
import itertools
import json
import multiprocessing
import operator
import os
import re
import sys
import tomllib
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from .errors import ValueProblem
from .evaluation import check_project
from .model import Change, Event, InputError, Problem, Project, load_project, parse_date
from .money import parse_money
from .projectfile import read_data_file
from .storage import PROJECT_FIELDS, Store, pinyin, timestamp
from .vocab import FUNDINGS, KINDS

__all__ = ["FORMATS", "HEADERS", "ImportSummary", "Reject", "Column", "import_file", "import_table",
           "open_source", "read_mapping"]

FORMATS = ("csv", "tsv", "json", "jsonl", "toml", "xlsx")
UNITS = {"元": 1, "万元": 10_000, "万": 10_000, "亿元": 100_000_000, "亿": 100_000_000}
IGNORE = "ignore"
DEFAULT_BATCH = 500
# SQLite page cache while importing (negative: KiB): the default 2 MiB keeps re-reading the index pages
# of a growing file; 16 MiB cut the SQL time of a 100,000-project import by ~15%.
IMPORT_CACHE_SIZE = -16_384
PIPE_SIZE = 1 << 20  # bytes between the validating worker and the writer: ~6 batches of 500 projects

# --- Headers ---------------------------------------------------------------------------------
# Chinese headers of the Yubei 附件1 declaration form (渝北区政务信息化项目需求申报表) and of typical
# ledgers, normalised (NFKC, no spaces, no unit in brackets). The value is the target: a project
# field, "facts.<name>", "event:<type>" (a date column meaning that event happened that day) or
# "ignore"; with a unit when the column's numbers are in 万元 without saying so.
_WAN = 10_000
HEADERS: dict[str, str | tuple[str, int]] = {
    # identity and parties
    "项目编号": "code", "项目代码": "code", "编号": "code", "项目号": "code", "项目代码编号": "code",
    "项目名称": "name", "名称": "name",
    "所属区": "district", "所属区县": "district", "区县": "district", "地区": "district", "行政区": "district",
    "项目类别": "kind", "项目类型": "kind", "建设性质": "kind",
    "分类": "category", "项目分类": "category", "应用类别": "category",
    "资金来源": "funding", "资金性质": "funding",
    "是否涉密": "classified", "涉密": "classified",
    "申报单位": "owner_unit", "建设单位": "owner_unit", "填报单位": "owner_unit", "项目单位": "owner_unit",
    "使用单位": "user_unit", "承建单位": "contractor", "中标单位": "contractor", "监理单位": "supervisor",
    "设计单位": "designer", "测评单位": "tester", "第三方测评机构": "tester",
    "年度": "budget_year", "预算年度": "budget_year", "计划年度": "budget_year", "项目年度": "budget_year",
    "标签": "tags",
    # money: investment in 元 unless the header or the text says otherwise
    "总投资": "investment", "项目总投资": "investment", "投资金额": "investment", "项目金额": "investment",
    "预算金额": "investment", "投资额": "investment",
    # the Yubei form's 资金预算 block is in 万元
    "合计": ("investment", _WAN), "资金预算": ("investment", _WAN), "资金预算合计": ("investment", _WAN),
    "中央财政": ("facts.funds_central", _WAN), "中央财政资金": ("facts.funds_central", _WAN),
    "市财政": ("facts.funds_city", _WAN), "市财政资金": ("facts.funds_city", _WAN),
    "区财政": ("facts.funds_district", _WAN), "区财政资金": ("facts.funds_district", _WAN),
    "自有资金": ("facts.funds_own", _WAN),
    # the rest of the Yubei form (its 采购类别 工程类/服务类/货物类 are Yubei's categories), kept as facts
    "联系人": "facts.contact", "联系电话": "facts.contact_phone", "项目周期": "facts.period",
    "采购类别": "category", "资金主要构成": "facts.funds_breakdown",
    "项目内容及功能": "facts.content", "信息资源上云情况": "facts.cloud_usage",
    "信息资源共享情况": "facts.data_sharing", "单位信息化项目现状及整合情况": "facts.current_state",
    "现状及整合情况": "facts.current_state", "备注": "facts.remarks", "填报时间": "facts.filled_on",
    # ledger date columns: the day an event happened
    "申报日期": "event:declared", "申报时间": "event:declared",
    "立项日期": "event:approved", "批复日期": "event:approved", "立项时间": "event:approved",
    "采购日期": "event:procurement_started", "招标日期": "event:procurement_started",
    "合同签订日期": "event:contract_signed", "签订日期": "event:contract_signed",
    "合同签订时间": "event:contract_signed", "合同备案日期": "event:contract_filed",
    "建设完成日期": "event:construction_completed", "完工日期": "event:construction_completed",
    "初验日期": "event:preliminary_acceptance_passed", "初步验收日期": "event:preliminary_acceptance_passed",
    "试运行开始日期": "event:trial_run_started", "试运行结束日期": "event:trial_run_ended",
    "终验日期": "event:final_acceptance_passed", "竣工验收日期": "event:final_acceptance_passed",
    "验收日期": "event:final_acceptance_passed", "移交日期": "event:handed_over",
    "归档日期": "event:archive_submitted", "关停日期": "event:shutdown",
    "序号": IGNORE,
}
FIELD_HEADERS = {t: h for h, t in reversed(HEADERS.items()) if isinstance(t, str) and t in PROJECT_FIELDS}
MONEY_TARGETS = frozenset({"investment", "facts.funds_central", "facts.funds_city", "facts.funds_district",
                           "facts.funds_own"})
NESTED = ("events", "changes", "facts")  # JSON lists and tables (JSON rows, or JSON text in a cell)
QUOTED_FORMULA = ("'=", "'+", "'-", "'@")  # text a CSV export (ours, or a careful spreadsheet's) quote-prefixed
_WORD_TARGETS = frozenset({"district", "kind", "funding", "tags"})  # text read as words (see RowReader._normal)

# Values people write for the vocabulary keys, besides the keys and their labels in vocab.py.
_KIND_WORDS = {"新建": "construction", "改建": "construction", "扩建": "construction", "续建": "construction",
               "升级改造": "construction", "建设": "construction", "运维": "operation", "运行维护": "operation",
               "服务": "service", "购买服务": "service"}
_FUNDING_WORDS = {"财政预算": "department_budget", "财政投资": "government_investment", "自筹": "own_funds",
                  "自筹资金": "own_funds", "自有": "own_funds", "上级": "superior_funds", "上级补助": "superior_funds"}


def normalise_header(text: str) -> tuple[str, int | None]:
    """'总投资（万元）' -> ('总投资', 10000); ' 联 系 人 ' -> ('联系人', None)."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    unit = None
    match = re.search(r"[(\[]\s*(元|万元|万|亿元|亿)\s*[)\]]\s*$", text)
    if match:
        unit = UNITS[match.group(1)]
        text = text[:match.start()]
    return re.sub(r"\s+", "", text), unit


@attrs.frozen(slots=True)
class Column:
    """Where one source column goes: `target` (see HEADERS) and the money unit of its bare numbers."""

    header: str
    target: str
    unit: int = 1


def _valid_target(target: str, event_types: dict[str, Any]) -> bool:
    if target == IGNORE or target in PROJECT_FIELDS or target in NESTED:
        return True
    if target.startswith("facts."):
        return bool(target[6:])
    return target.startswith("event:") and target[6:] in event_types


def read_mapping(path: str | Path, event_types: dict[str, Any]) -> dict[str, Column]:
    """A mapping file (TOML or JSON): [columns] "header" = "target" or {field = "...", unit = "万元"}."""
    data = read_data_file(path)
    columns = data.get("columns")
    problems = [Problem(key, None, "映射文件只能有 [columns] 表", "a mapping file has only a [columns] table")
                for key in data if key != "columns"]
    if not isinstance(columns, dict):
        raise InputError(problems or [Problem("columns", columns, "缺少 [columns] 表", "missing [columns] table")])
    mapping = {}
    for header, spec in columns.items():
        target, unit = (spec.get("field"), spec.get("unit", "元")) if isinstance(spec, dict) else (spec, "元")
        if not isinstance(target, str) or not _valid_target(target, event_types):
            problems.append(Problem(f"columns.{header}", target, "未知的目标字段（项目字段、facts.名称、event:事件类型 或 ignore）",
                                    "unknown target (a project field, facts.NAME, event:TYPE or ignore)"))
        elif unit not in UNITS:
            problems.append(Problem(f"columns.{header}.unit", unit, f"未知单位（可选：{'、'.join(UNITS)}）",
                                    f"unknown unit (one of {', '.join(UNITS)})"))
        else:
            mapping[normalise_header(header)[0]] = Column(header, target, UNITS[unit])
    if problems:
        raise InputError(problems)
    return mapping


def target_for(header: Any, event_types: dict[str, Any], mapping: dict[str, Column] | None = None) -> Column | None:
    """The Column a header maps to, or None when it is unknown."""
    key, unit = normalise_header(header)
    if mapping and key in mapping:
        found = mapping[key]
        return Column(str(header), found.target, unit or found.unit)
    target = HEADERS.get(key)
    default_unit = 1
    if isinstance(target, tuple):
        target, default_unit = target
    if target is None and key != IGNORE and _valid_target(key, event_types):
        target = key  # English field names, facts.NAME, event:TYPE
    if target is None and key in event_types:
        target = f"event:{key}"  # an English event type as a date column
    return None if target is None else Column(str(header), target, unit or default_unit)


def map_headers(headers: list[str], event_types: dict[str, Any], mapping: dict[str, Column] | None = None
                ) -> list[Column | None]:
    """The Column of each header (None for an empty one), or InputError naming every unknown header."""
    columns: list[Column | None] = []
    problems = []
    for index, header in enumerate(headers, start=1):
        if header is None or str(header).strip() == "" or header == NOT_AN_OBJECT:
            columns.append(None)
            continue
        column = target_for(header, event_types, mapping)
        if column is None:
            problems.append(Problem(f"第{index}列 / column {index}", str(header),
                                    "无法识别的列名：请用 --mapping 映射文件指定它对应的字段（见 docs/schema.md）",
                                    "unknown column header: name its field in a --mapping file (see docs/schema.md)"))
        columns.append(column)
    targets = [c.target for c in columns if c is not None and c.target != IGNORE and not c.target.startswith("event:")]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        same = [c.header for c in columns if c is not None and c.target == target]
        problems.append(Problem(target, "、".join(same), "多个列对应同一字段", "several columns map to the same field"))
    if problems:
        raise InputError(problems)
    return columns


# --- Sources ---------------------------------------------------------------------------------
RawRow = tuple[int, dict[str, Any]]  # (row number as the person sees it, header -> value)
NOT_AN_OBJECT = "\x00not an object"  # the key under which a JSON row that is no object is passed on


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


class Source:
    """Rows of one input, readable twice (once for duplicate codes, once for the import)."""

    label: str = ""
    headers: list[str] = []
    encoding: str | None = None

    def rows(self) -> Iterator[RawRow]:  # pragma: no cover - interface
        raise NotImplementedError


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


class Workbook(Source):
    """An XLSX workbook: the first sheet (or one named projects/项目), plus events/changes sheets if present.

    Title rows above the header (as on the Yubei form) are skipped: the header is the first row with
    two or more known headers; a second header row below it (合计/中央财政 under 资金预算) is merged in.
    """

    def __init__(self, path: Path, event_types: dict[str, Any]):
        import openpyxl

        self.label = str(path)
        try:
            # data_only=False: a formula cell is read as its text (=HYPERLINK(...)), never as the value
            # a spreadsheet cached for it, nor lost when it cached none; in a money column it is refused.
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a broken or non-XLSX file
            raise InputError([Problem("file", str(path), f"无法读取 XLSX：{exc}", f"cannot read XLSX: {exc}")]) from None
        names = {name.lower(): name for name in book.sheetnames}
        main = names.get("projects") or names.get("项目") or book.sheetnames[0]
        self._values = [list(r) for r in book[main].iter_rows(values_only=True)]
        self._extra = {key: _sheet_records(book[names[key]]) for key in NESTED if key in names}
        book.close()
        self._header_index, self.headers = _find_header(self._values, event_types)
        self.headers += list(self._extra)

    def rows(self) -> Iterator[RawRow]:
        for index in range(self._header_index + 1, len(self._values)):
            values = self._values[index]
            if not any(v is not None and str(v).strip() for v in values):
                continue
            row = _zip(self.headers, values)
            for key, records in self._extra.items():
                code = _cell_text(row.get("code"))
                if code is not None:
                    row[key] = records.get(code, [])
            yield index + 1, row


def _sheet_records(sheet: Any) -> dict[str, list[dict[str, Any]]]:
    """An events or changes sheet (first column project_code) grouped by project code."""
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h) for h in next(rows, ())]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for values in rows:
        record = {h: v for h, v in zip(headers, values) if v is not None and h != "project_code"}
        code = values[0] if values else None
        if code is None:
            continue
        if isinstance(record.get("payload"), str):
            record["payload"] = _json_cell(record["payload"])
        grouped.setdefault(str(code), []).append(record)
    return grouped


def _find_header(values: list[list[Any]], event_types: dict[str, Any]) -> tuple[int, list[str]]:
    def known(row: list[Any]) -> int:
        return sum(1 for v in row if v is not None and (
            normalise_header(v)[0] in HEADERS or _valid_target(normalise_header(v)[0], event_types)))

    best = max(range(min(len(values), 10)), key=lambda i: (known(values[i]) >= 2, -i), default=0)
    if not values or known(values[best]) < 2:
        best = 0
    headers = ["" if v is None else str(v) for v in (values[best] if values else [])]
    below = values[best + 1] if best + 1 < len(values) else []
    if below and known(below) >= 1 and known(below) * 2 >= sum(v is not None for v in below):
        merged = ["" if v is None else str(v) for v in below]
        headers += [""] * (len(merged) - len(headers))
        headers = [m or h for h, m in zip(headers, merged + [""] * len(headers))]
        best += 1
    return best, headers


class StagingTable(Source):
    """Rows of a table in the same database (e.g. loaded by `sqlite-utils insert ... --csv`); row = rowid."""

    def __init__(self, store: Store, table: str):
        if table not in store.db.table_names():
            raise InputError([Problem("table", table, "数据库中没有这张表", "no such table in the database")])
        self.label, self._store, self.table = table, store, table
        self.headers = [c.name for c in store.db[table].columns]

    def rows(self) -> Iterator[RawRow]:
        cursor = self._store.db.execute(f"SELECT rowid, * FROM [{self.table}] ORDER BY rowid")
        for values in cursor:
            yield values[0], _zip(self.headers, values[1:])


def _zip(headers: list[str], values: Any) -> dict[str, Any]:
    row = {}
    for index, value in enumerate(values):
        header = headers[index] if index < len(headers) else ""
        if header == "" and (value is None or str(value).strip() == ""):
            continue
        row[header] = value
    return row


def open_source(path: str | Path, fmt: str | None = None, encoding: str | None = None,
                event_types: dict[str, Any] | None = None) -> Source:
    """The rows of a file; the format comes from `fmt` or the file's extension."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem("file", str(path), "文件不存在", "no such file")])
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"txt": "tsv", "ndjson": "jsonl", "xlsm": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError([Problem("format", fmt or str(path), f"不支持的格式（可选：{'、'.join(FORMATS)}）",
                                  f"unsupported format (one of {', '.join(FORMATS)})")])
    if path.stat().st_size == 0:
        raise InputError([Problem("file", str(path), "文件为空", "file is empty")])
    if fmt == "xlsx":
        return Workbook(path, event_types or {})
    if fmt in ("json", "jsonl", "toml"):
        return JsonRows(path, fmt, encoding)
    return TextTable(path, "\t" if fmt == "tsv" else ",", encoding)


# --- One row -> a validated project, or its problems -----------------------------------------


@attrs.frozen(slots=True)
class Reject:
    row: int
    code: str | None
    column: str
    value: Any
    reason: str
    reason_en: str


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _json_cell(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class RowReader:
    """Turns raw rows into plain project data and validates them with the core's converter and rules."""

    def __init__(self, columns: list[Column | None], headers: list[str], registry: Any, district: str | None):
        self.columns = {h: c for h, c in zip(headers, columns) if c is not None}
        self.registry = registry
        self.district = district
        self._district_names = {}
        for code, d in registry.districts.items():
            for name in (code, d.name, d.name.removesuffix("区"), d.name_en):
                self._district_names[unicodedata.normalize("NFKC", name).strip().lower()] = code
        self._kinds = _word_map(KINDS, _KIND_WORDS)
        self._fundings = _word_map(FUNDINGS, _FUNDING_WORDS)
        self.field_column = {c.target: c.header for c in self.columns.values()}

    def code_of(self, raw: dict[str, Any]) -> str | None:
        header = self.field_column.get("code")
        return _cell_text(raw.get(header)) if header is not None else None

    def data(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Reject], dict[str, str]]:
        """Plain project data, the problems found while mapping, and field path -> source column."""
        data: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        events: list[dict[str, Any]] = []
        problems: list[Reject] = []
        sources: dict[str, str] = {}
        for header, value in raw.items():
            column = self.columns.get(header)
            if header == NOT_AN_OBJECT:
                problems.append(Reject(0, None, "(行 / row)", value, "不是一个 JSON 对象（项目）", "not a JSON object (a project)"))
                continue
            if column is None:
                if header == "" and _cell_text(value) is not None:
                    problems.append(Reject(0, None, "(无列名 / no header)", value, "此列没有列名", "this column has no header"))
                continue
            target = column.target
            if isinstance(value, str) and value.startswith(QUOTED_FORMULA):
                value = value[1:]
            if target == IGNORE or (not isinstance(value, (list, dict)) and _cell_text(value) is None):
                continue
            if target in MONEY_TARGETS:
                try:
                    value = parse_money(_cell_text(value) if isinstance(value, str) else value, column.unit)
                except ValueProblem as exc:
                    problems.append(Reject(0, None, header, exc.value, exc.message, exc.message_en))
                    continue
            if target.startswith("event:"):
                sources[f"events[{len(events)}]"] = header
                events.append({"type": target[6:], "date": value})
            elif target.startswith("facts."):
                facts[target[6:]] = _json_cell(value)
            elif target in NESTED:
                data[target] = _json_cell(value)
            else:
                data[target] = self._normal(target, value)
                sources[target] = header
        if isinstance(data.get("events"), list):
            events = data["events"] + events
        if events:
            data["events"] = events
        if facts:
            data["facts"] = {**(data.get("facts") or {}), **facts} if isinstance(data.get("facts"), dict) else facts
        if "district" not in data and self.district:
            data["district"] = self.district
        if isinstance(data.get("category"), str):
            data["category"] = self._category(data["category"], data.get("district"))
        return data, problems, sources

    def _normal(self, target: str, value: Any) -> Any:
        if not isinstance(value, str):
            if target == "code" and isinstance(value, float) and value.is_integer():
                return str(int(value))  # an Excel number cell holding a numeric code
            return value
        value = value.strip()
        if target not in _WORD_TARGETS:
            return value
        key = unicodedata.normalize("NFKC", value).strip().lower()
        if target == "district":
            return self._district_names.get(key, value)
        if target == "kind":
            return self._kinds.get(key, value)
        if target == "funding":
            return self._fundings.get(key, value)
        if target == "tags":
            parsed = _json_cell(value)
            return parsed if isinstance(parsed, list) else [t for t in re.split(r"[,，、;；]\s*", value) if t]
        return value

    def _category(self, value: str, district: Any) -> str:
        d = self.registry.districts.get(district) if isinstance(district, str) else None
        if d is None or value in d.categories:
            return value
        by_label = {label: key for key, label in d.categories.items()}
        return by_label.get(value, value)

    def validate(self, number: int, raw: dict[str, Any]) -> tuple[Project | None, list[Reject]]:
        data, mapping_problems, sources = self.data(raw)
        code = _cell_text(data.get("code")) if not isinstance(data.get("code"), (list, dict)) else None
        rejects = [attrs.evolve(r, row=number, code=code) for r in mapping_problems]
        if NOT_AN_OBJECT in raw:
            return None, rejects
        try:
            project = _load_project(data)
        except InputError as exc:
            problems = exc.problems
        else:
            problems = check_project(project, self.registry)
            if not problems and not rejects:
                return project, []
        reported = {r.column for r in rejects}  # a value refused while mapping is not also "missing"
        found = [self._reject(number, code, p, sources) for p in problems]
        return None, rejects + [r for r in found if r.column not in reported]

    def _reject(self, number: int, code: str | None, problem: Problem, sources: dict[str, str]) -> Reject:
        field = problem.field
        head = field.split(".", 1)[0]
        column = sources.get(field) or sources.get(head) or self.field_column.get(field)
        if column is None:  # no such column in the input: name the field as a header would
            column = f"{FIELD_HEADERS[field]}（{field}）" if field in FIELD_HEADERS else field or "(行 / row)"
        return Reject(number, code, column, problem.value, problem.message, problem.message_en)


_EVENT_KEYS = frozenset(f.name for f in attrs.fields(Event))
_date_of_text = functools.lru_cache(maxsize=65_536)(parse_date)  # an import repeats the same few thousand dates


def _load_project(data: dict[str, Any]) -> Project:
    """load_project, with well-formed events built directly: structuring a million events through cattrs is
    most of an import's validation. Any event the fast path is unsure of sends the whole row through
    load_project, so what is accepted and every message stay exactly the converter's."""
    events = _well_formed_events(data.get("events"))
    if events is None:
        return load_project(data)
    project = load_project({k: v for k, v in data.items() if k != "events"})
    project.events = events
    return project


def _well_formed_events(items: Any) -> list[Event] | None:
    """The Events of a list of plain event tables, or None unless each is one the converter takes as is."""
    if type(items) is not list:
        return None
    events = []
    for item in items:
        if type(item) is not dict or not _EVENT_KEYS.issuperset(item):
            return None
        type_, date, note = item.get("type"), item.get("date"), item.get("note", "")
        actor, role, payload = item.get("actor"), item.get("role"), item.get("payload")
        if (type(type_) is not str or type(note) is not str or not (actor is None or type(actor) is str)
                or not (role is None or type(role) is str)):
            return None
        if payload is None:
            if "payload" in item:
                return None
            payload = {}
        elif type(payload) is not dict or not all(type(key) is str for key in payload):
            return None
        else:
            payload = dict(payload)
        try:
            day = _date_of_text(date) if type(date) is str else parse_date(date)
        except ValueProblem:
            return None
        events.append(Event(type_, day, actor, role, note, payload))
    return events


def _word_map(vocabulary: dict[str, tuple[str, str]], words: dict[str, str]) -> dict[str, str]:
    found = {key.lower(): key for key in vocabulary}
    for key, (zh, en) in vocabulary.items():
        found[zh.lower()] = key
        found[en.lower()] = key
    found.update(words)
    return found


# --- The import --------------------------------------------------------------------------------


@attrs.define
class ImportSummary:
    import_id: int
    source: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    encoding: str | None = None
    rejects_path: Path | None = None

    def line(self, lang: str = "zh") -> str:
        if lang == "en":
            return (f"imported {self.source}: inserted {self.inserted}, updated {self.updated}, "
                    f"unchanged {self.unchanged}, rejected {self.rejected}")
        return (f"导入 {self.source}：新增 {self.inserted}，更新 {self.updated}，未变 {self.unchanged}，"
                f"拒绝 {self.rejected}")


REJECT_HEADER = ("行 row", "项目编号 code", "列 column", "值 value", "原因", "reason")


def _safe_csv(value: Any) -> str:
    """Text for the rejects CSV that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


Checked = tuple[int, str | None, Project | None, list[Reject]]  # row number, code, the project or the row's rejects


def run_import(store: Store, source: Source, *, mapping: dict[str, Column] | None = None,
               district: str | None = None, batch_size: int = DEFAULT_BATCH, derive: bool = True,
               rejects_path: Path | None = None, progress: Callable[[int], None] | None = None,
               on_start: Callable[[int], None] | None = None, parallel: bool | None = None) -> ImportSummary:
    """Validate every row and save the valid ones, one transaction per batch. See the module docstring.

    With `parallel` (by default: a file of more than one batch, on Linux with two or more CPUs) a
    forked process reads and validates the rows while this one writes; the results are the same.
    """
    registry = store.registry
    if district is not None and district not in registry.districts:
        known = "、".join(sorted(registry.districts))
        raise InputError([Problem("district", district, f"未知地区（已安装：{known}）", f"unknown district (installed: {known})")])
    event_types = registry.event_types
    if source.headers:  # a table: unknown headers stop the import before any row is read
        map_headers(source.headers, event_types, mapping)
    # First pass: every header (JSON rows may differ), the row count, and codes seen more than once.
    headers: dict[str, None] = dict.fromkeys(source.headers)
    is_code: dict[str, bool] = {}
    seen: dict[str, list[int]] = {}
    total = 0
    for number, raw in source.rows():
        total += 1
        for key in raw:
            if key not in is_code:
                headers.setdefault(key)
                column = target_for(key, event_types, mapping) if key and key != NOT_AN_OBJECT else None
                is_code[key] = column is not None and column.target == "code"
        code = next((_cell_text(raw[k]) for k in raw if is_code[k]), None)
        if code is not None:
            seen.setdefault(code, []).append(number)
    if total == 0:
        raise InputError([Problem("file", source.label, "文件为空：没有数据行", "file is empty: no data rows")])
    names = list(headers)
    reader = RowReader(map_headers(names, event_types, mapping), names, registry, district)
    if "code" not in reader.field_column:
        raise InputError([Problem("code", None, "没有项目编号列（如“项目编号”或 code）：每个项目须有编号",
                                  "no project code column (such as 项目编号 or code): every project needs one")])
    duplicates = {code: rows for code, rows in seen.items() if len(rows) > 1}
    del seen
    if on_start:
        on_start(total)

    with store.transaction():
        import_id = store.db.execute("INSERT INTO imports (source, started_at) VALUES (?, ?)",
                                     [source.label, timestamp()]).lastrowid
    summary = ImportSummary(import_id, source.label, rows=total, encoding=source.encoding)
    rejects_file = None
    writer = None
    staging = source if isinstance(source, StagingTable) else None
    cache_size = store.db.execute("PRAGMA cache_size").fetchone()[0]
    store.db.execute(f"PRAGMA cache_size = {IMPORT_CACHE_SIZE}")
    # The import allocates millions of short-lived objects; without this the garbage collector
    # re-scans every long-lived one (plugins, the pinyin tables loaded here) on each full collection.
    pinyin("")
    gc.freeze()
    if parallel is None:  # a second process pays off once there is more than one batch to overlap
        parallel = staging is None and total > batch_size and _can_fork()
    batches = (_checked_in_worker if parallel else _checked_here)(source, reader, batch_size)
    try:
        def flush(batch: list[Checked]) -> None:
            nonlocal rejects_file, writer
            valid: list[Project] = []
            valid_rows: list[int] = []
            rejects: list[Reject] = []
            rejected_rows = 0
            for number, code, project, found in batch:
                if code in duplicates:
                    others = "、".join(str(r) for r in duplicates[code] if r != number)
                    found = [Reject(number, code, reader.field_column["code"], code,
                                    f"项目编号在本文件中重复（另见第 {others} 行）",
                                    f"project code repeated in this input (also row {others})")]
                    project = None
                if project is None:
                    rejects.extend(found)
                    rejected_rows += 1
                else:
                    valid.append(project)
                    valid_rows.append(number)
            with store.transaction():
                outcomes = store.write_validated(valid, derive) if valid else []
                store.db.conn.executemany(
                    "INSERT INTO import_rejects (import_id, row, code, \"column\", value, reason, reason_en) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(import_id, r.row, r.code, r.column, _value_text(r.value), r.reason, r.reason_en) for r in rejects])
                counts = {k: outcomes.count(k) for k in ("inserted", "updated", "unchanged")}
                store.db.execute("UPDATE imports SET inserted = inserted + ?, updated = updated + ?, "
                                 "unchanged = unchanged + ?, rejected = rejected + ? WHERE id = ?",
                                 [counts["inserted"], counts["updated"], counts["unchanged"], rejected_rows, import_id])
                if staging is not None and valid_rows:  # moved: the valid rows leave the staging table
                    store.db.conn.executemany(f"DELETE FROM [{staging.table}] WHERE rowid = ?",
                                              [(n,) for n in valid_rows])
            summary.inserted += counts["inserted"]
            summary.updated += counts["updated"]
            summary.unchanged += counts["unchanged"]
            summary.rejected += rejected_rows
            if rejects and rejects_path is not None:
                if writer is None:
                    rejects_path.parent.mkdir(parents=True, exist_ok=True)
                    rejects_file = rejects_path.open("w", encoding="utf-8-sig", newline="")
                    writer = csv.writer(rejects_file)
                    writer.writerow(REJECT_HEADER)
                    summary.rejects_path = rejects_path
                writer.writerows((r.row, _safe_csv(r.code), _safe_csv(r.column), _safe_csv(_value_text(r.value)),
                                  r.reason, r.reason_en) for r in rejects)
            if progress:
                progress(len(batch))

        for batch in batches:
            flush(batch)
    finally:
        batches.close()  # stops the worker when the import stops early
        gc.unfreeze()
        store.db.execute(f"PRAGMA cache_size = {cache_size}")
        if rejects_file is not None:
            rejects_file.close()
    with store.transaction():
        store.db.execute("UPDATE imports SET finished_at = ? WHERE id = ?", [timestamp(), import_id])
    return summary


def _checked_here(source: Source, reader: RowReader, batch_size: int) -> Iterator[list[Checked]]:
    """The rows of `source` validated, a batch at a time, in this process."""
    rows = source.rows()
    while batch := list(itertools.islice(rows, batch_size)):
        yield [(number, reader.code_of(raw), *reader.validate(number, raw)) for number, raw in batch]


def _can_fork() -> bool:
    """A forked worker inherits the loaded plugins at no cost; Linux only (fork is unsafe on macOS)."""
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


def _checked_in_worker(source: Source, reader: RowReader, batch_size: int) -> Iterator[list[Checked]]:
    """The same batches as _checked_here, validated by a forked process while this one writes.

    The pipe holds a few batches (PIPE_SIZE), so the worker runs at most that far ahead (memory stays flat).
    If this process dies, the worker's next send fails and it exits; if this process stops early,
    closing this generator ends the worker.
    """
    import fcntl  # Linux only, like fork here (see _can_fork)

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with contextlib.suppress(OSError):  # room for a few batches, so neither process waits on the other's turn
        fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    worker = context.Process(target=_validate_in_worker, args=(source, reader, batch_size, receiver, sender),
                             name="zwxm-import-validate", daemon=True)
    worker.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                worker.join()
                raise RuntimeError(f"导入的校验进程意外退出（退出码 {worker.exitcode}）/ the import's validating process "
                                   f"stopped unexpectedly (exit code {worker.exitcode})") from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield [(number, code, None if packed is None else _unpacked(packed), found)
                   for number, code, packed, found in message]
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


# Projects cross the pipe as tuples: pickle restores attrs instances through a Python __setstate__,
# which costs the writing process more than building them again.
_project_values = operator.attrgetter(*(f.name for f in attrs.fields(Project)))
_event_values = operator.attrgetter(*(f.name for f in attrs.fields(Event)))
_change_values = operator.attrgetter(*(f.name for f in attrs.fields(Change)))


def _packed(project: Project) -> tuple[Any, ...]:
    *fields, events, changes = _project_values(project)
    return *fields, [_event_values(e) for e in events], [_change_values(c) for c in changes]


def _unpacked(values: tuple[Any, ...]) -> Project:
    *fields, events, changes = values
    return Project(*fields, [Event(*e) for e in events], [Change(*c) for c in changes])


def _validate_in_worker(source: Source, reader: RowReader, batch_size: int, receiver: Any, sender: Any) -> None:
    receiver.close()  # only the importing process reads: when it dies, our sends fail instead of blocking
    try:
        for batch in _checked_here(source, reader, batch_size):
            sender.send([(number, code, None if project is None else _packed(project), found)
                         for number, code, project, found in batch])
        sender.send(None)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the importing process is gone, or Ctrl-C reached both: it reports, not us
    except Exception as exc:  # a bug: hand it to the importing process to raise
        try:
            sender.send(exc)
        except Exception:  # not picklable
            sender.send(RuntimeError("".join(traceback.format_exception(exc))))
    finally:
        sender.close()


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def import_file(store: Store, path: str | Path, *, fmt: str | None = None, encoding: str | None = None,
                mapping_path: str | Path | None = None, rejects_path: str | Path | None = None,
                **options: Any) -> ImportSummary:
    """Import one file; rejects go to `rejects_path` (default: <file stem>.rejects.csv beside the file)."""
    path = Path(path)
    mapping = read_mapping(mapping_path, store.registry.event_types) if mapping_path else None
    source = open_source(path, fmt, encoding, store.registry.event_types)
    target = Path(rejects_path) if rejects_path else path.with_name(f"{path.stem}.rejects.csv")
    return run_import(store, source, mapping=mapping, rejects_path=target, **options)


def import_table(store: Store, table: str, *, mapping_path: str | Path | None = None,
                 rejects_path: str | Path | None = None, **options: Any) -> ImportSummary:
    """Validate and move the rows of a staging table; rejected rows stay in it to be fixed."""
    mapping = read_mapping(mapping_path, store.registry.event_types) if mapping_path else None
    target = Path(rejects_path) if rejects_path else Path(f"{table}.rejects.csv")
    return run_import(store, StagingTable(store, table), mapping=mapping, rejects_path=target, **options)
