"""Contracts in a ledger: a contracts sheet of a workbook, or a separate file, one row per contract.

Headers (Chinese or the field names): 项目编号 (project_code), 合同编号 (id), 合同类型 (kind),
供应商 (vendor), 合同金额 (amount; 元 unless the header says 万元), 分期 (phase), 备注 (note), and
签订日期 / 备案日期 (signed / filed): the two dates become the contract's signing and filing events,
naming the contract, so they join the project's append-only history like any other event.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..errors import ValueProblem
from ..model import InputError, Problem
from ..money import parse_money
from ..vocab import CONTRACT_KINDS
from .headers import UNITS, normalise_header

CONTRACT_HEADERS: dict[str, str] = {
    "项目编号": "project_code", "项目代码": "project_code", "编号": "project_code", "project_code": "project_code",
    "合同编号": "id", "合同号": "id", "id": "id",
    "合同类型": "kind", "合同类别": "kind", "kind": "kind",
    "供应商": "vendor", "中标单位": "vendor", "承包单位": "vendor", "vendor": "vendor",
    "合同金额": "amount", "金额": "amount", "amount": "amount",
    "分期": "phase", "所属分期": "phase", "phase": "phase",
    "备注": "note", "note": "note",
    "签订日期": "signed", "合同签订日期": "signed", "signed": "signed",
    "备案日期": "filed", "合同备案日期": "filed", "上传日期": "filed", "filed": "filed",
}
CONTRACT_SHEETS = ("contracts", "合同", "合同表", "合同台账")  # a workbook sheet of contracts, by name (lower case)
_DATE_EVENTS = {"signed": "contract_signed", "filed": "contract_filed"}

# What people write in a 合同类型 column, besides the keys and labels of CONTRACT_KINDS.
_KIND_WORDS = {"建设": "construction", "施工": "construction", "承建合同": "construction", "测评": "testing",
               "检测": "testing", "第三方检测": "testing", "运维服务": "om", "运行维护": "om", "采购": "goods",
               "设备": "goods", "技术服务": "services", "监理合同": "supervision", "设计合同": "design"}
_KINDS = {**{k.lower(): k for k in CONTRACT_KINDS}, **{zh: k for k, (zh, _) in CONTRACT_KINDS.items()},
          **{en.lower(): k for k, (_, en) in CONTRACT_KINDS.items()}, **_KIND_WORDS}

ContractRecords = dict[str, list[tuple[int, dict[str, Any]]]]  # project code -> (row number, header -> value)


def group_contract_rows(headers: list[str], rows: Any, label: str) -> ContractRecords:
    """Contract rows grouped by project code; InputError naming every unknown header (before any row)."""
    problems = [Problem(f"{label} 第{i}列 / column {i}", h, "无法识别的合同列名", "unknown contract column header")
                for i, h in enumerate(headers, start=1)
                if h not in (None, "") and normalise_header(h)[0] not in CONTRACT_HEADERS]
    targets = [CONTRACT_HEADERS.get(normalise_header(h)[0]) for h in headers if h not in (None, "")]
    for needed, header in (("project_code", "项目编号"), ("id", "合同编号")):
        if needed not in targets:
            problems.append(Problem(label, header, f"合同表缺少“{header}”列", f"the contracts table lacks a {needed} column"))
    if problems:
        raise InputError(problems)
    grouped: ContractRecords = {}
    code_header = next(h for h in headers if h not in (None, "") and
                       CONTRACT_HEADERS[normalise_header(h)[0]] == "project_code")
    for number, record in rows:
        code = record.get(code_header)
        if code is None or not str(code).strip():
            continue
        grouped.setdefault(str(code).strip(), []).append((number, record))
    return grouped


def contract_data(records: list[tuple[int, dict[str, Any]]], label: str, first_event: int
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str], list[tuple[str, Any, ValueProblem]]]:
    """Plain contract and event data for one project's contract rows, where each field came from
    (field path -> "header（label 第N行）"), and the values refused while reading (where, value, problem).
    `first_event` is the index the first event will have in the project's event list."""
    contracts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    sources: dict[str, str] = {}
    refused: list[tuple[str, Any, ValueProblem]] = []
    for number, record in records:
        contract: dict[str, Any] = {}
        dates: dict[str, Any] = {}
        index = len(contracts)
        for header, value in record.items():
            if header in (None, "") or value is None or (isinstance(value, str) and not value.strip()):
                continue
            key, unit = normalise_header(header)
            target = CONTRACT_HEADERS[key]
            where = f"{header}（{label} 第{number}行）"
            if target == "project_code":
                continue
            if isinstance(value, float) and value.is_integer() and target != "amount":
                value = int(value)
            if target in _DATE_EVENTS:
                sources[f"events[{first_event + len(events) + len(dates)}]"] = where
                dates[target] = value
                continue
            if target == "amount":
                try:
                    value = parse_money(value, unit or UNITS["元"])
                except ValueProblem as problem:
                    refused.append((where, value, problem))
                    continue
            elif target == "kind":
                text = unicodedata.normalize("NFKC", str(value)).strip()
                value = _KINDS.get(text.lower(), _KINDS.get(text, text))
            else:
                value = str(value).strip()
            contract[target] = value
            sources[f"contracts[{index}].{target}"] = where
        sources[f"contracts[{index}]"] = f"{label} 第{number}行"
        contracts.append(contract)
        for target, day in dates.items():
            events.append({"type": _DATE_EVENTS[target], "date": day, "contract": contract.get("id")})
    return contracts, events, sources, refused
