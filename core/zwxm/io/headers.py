"""Column headers: the Chinese headers of ledgers and declaration forms, what each one fills
(a project field, a fact or an event date), and mapping files that add or override them."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import attrs

from ..model import InputError, Problem
from ..store import PROJECT_FIELDS
from .projectfile import read_data_file
from .safe_text import FORMULA_PREFIXES

UNITS = {"元": 1, "万元": 10_000, "万": 10_000, "亿元": 100_000_000, "亿": 100_000_000}
IGNORE = "ignore"
NOT_AN_OBJECT = "\x00not an object"  # the key under which a JSON row that is no object is passed on

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
# text a CSV export (ours: safe_text.csv_text, or a careful spreadsheet's) quote-prefixed
QUOTED_FORMULA = tuple(f"'{prefix}" for prefix in (*FORMULA_PREFIXES, "\t", "\r"))


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
