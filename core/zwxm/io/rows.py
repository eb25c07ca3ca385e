"""One row -> a validated project, or its problems as `Reject`s naming row, column and value."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any

import attrs

from ..errors import ValueProblem
from ..evaluation import check_project
from ..model import Event, InputError, Problem, Project, load_project, parse_date
from ..money import parse_money
from ..vocab import FUNDINGS, KINDS
from .contracts import ContractRecords, contract_data
from .headers import FIELD_HEADERS, FUNDING_PREFIX, IGNORE, MONEY_TARGETS, NESTED, NOT_AN_OBJECT, QUOTED_FORMULA, Column

_WORD_TARGETS = frozenset({"district", "kind", "funding", "tags"})  # text read as words (see RowReader._normal)

# Values people write for the vocabulary keys, besides the keys and their labels in vocab.py.
_KIND_WORDS = {"新建": "construction", "改建": "construction", "扩建": "construction", "续建": "construction",
               "升级改造": "construction", "建设": "construction", "运维": "operation", "运行维护": "operation",
               "服务": "service", "购买服务": "service"}
_FUNDING_WORDS = {"财政预算": "department_budget", "财政投资": "government_investment", "自筹": "own_funds",
                  "自筹资金": "own_funds", "自有": "own_funds", "上级": "superior_funds", "上级补助": "superior_funds"}


@attrs.frozen(slots=True)
class Reject:
    row: int
    code: str | None
    column: str
    value: Any
    reason: str
    reason_en: str


class _MappedRow:
    """What `RowReader.data` gathers from one row's cells (a plain class: one is made per imported row)."""

    __slots__ = ("data", "facts", "events", "problems", "sources", "funding", "total_cell")

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.facts: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.problems: list[Reject] = []
        self.sources: dict[str, str] = {}  # field path -> source column
        self.funding: dict[str, tuple[str, Any, int]] = {}  # source -> (header, cell, amount in 元)
        self.total_cell: Any = None  # the investment (合计) cell as written


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
        # contract rows of a contracts sheet or file, by project code (see io/contracts.py)
        self.contract_rows: ContractRecords = {}
        self.contract_label = ""

    def code_of(self, raw: dict[str, Any]) -> str | None:
        header = self.field_column.get("code")
        return _cell_text(raw.get(header)) if header is not None else None

    def data(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Reject], dict[str, str]]:
        """Plain project data, the problems found while mapping, and field path -> source column."""
        row = _MappedRow()
        for header, value in raw.items():
            self._map_cell(row, header, value)
        self._complete(row)
        return row.data, row.problems, row.sources

    def _map_cell(self, row: _MappedRow, header: str, value: Any) -> None:
        """One cell into `row`: the field its column maps to, or a problem naming the column."""
        column = self.columns.get(header)
        if header == NOT_AN_OBJECT:
            row.problems.append(Reject(0, None, "(行 / row)", value, "不是一个 JSON 对象（项目）",
                                       "not a JSON object (a project)"))
            return
        if column is None:
            if header == "" and _cell_text(value) is not None:
                row.problems.append(Reject(0, None, "(无列名 / no header)", value, "此列没有列名", "this column has no header"))
            return
        target = column.target
        if isinstance(value, str) and value.startswith(QUOTED_FORMULA):
            value = value[1:]
        if target == IGNORE or (not isinstance(value, (list, dict)) and _cell_text(value) is None):
            return
        raw_value = value
        if target == "investment":
            row.total_cell = value
        if target in MONEY_TARGETS:
            try:
                value = parse_money(_cell_text(value) if isinstance(value, str) else value, column.unit)
            except ValueProblem as exc:
                row.problems.append(Reject(0, None, header, exc.value, exc.message, exc.message_en))
                return
        if target.startswith("event:"):
            row.sources[f"events[{len(row.events)}]"] = header
            row.events.append({"type": target[6:], "date": value})
        elif target.startswith(FUNDING_PREFIX):
            row.funding[target[len(FUNDING_PREFIX):]] = (header, raw_value, value)
        elif target.startswith("facts."):
            row.facts[target[6:]] = _json_cell(value)
        elif target in NESTED:
            row.data[target] = _json_cell(value)
        else:
            row.data[target] = self._normal(target, value)
            row.sources[target] = header

    def _complete(self, row: _MappedRow) -> None:
        """What the row's cells make together: events, funding sources, the contracts sheet's rows,
        facts, the default district and the category's key."""
        data, events = row.data, row.events
        if isinstance(data.get("events"), list):
            events = data["events"] + events
        if row.funding:
            row.problems.extend(self._funding(data, row.funding, row.sources, row.total_cell))
        code = _cell_text(data.get("code")) if isinstance(data.get("code"), (str, int, float)) else None
        if code is not None and code in self.contract_rows:
            contracts, contract_events, found, refused = contract_data(self.contract_rows[code], self.contract_label,
                                                                       len(events))
            data["contracts"] = (data["contracts"] if isinstance(data.get("contracts"), list) else []) + contracts
            events += contract_events
            row.sources.update(found)
            row.problems.extend(Reject(0, None, where, value, p.message, p.message_en) for where, value, p in refused)
        if events:
            data["events"] = events
        if row.facts:
            data["facts"] = ({**(data.get("facts") or {}), **row.facts} if isinstance(data.get("facts"), dict)
                             else row.facts)
        if "district" not in data and self.district:
            data["district"] = self.district
        if isinstance(data.get("category"), str):
            data["category"] = self._category(data["category"], data.get("district"))

    def _funding(self, data: dict[str, Any], funding: dict[str, tuple[str, Any, int]], sources: dict[str, str],
                 total_cell: Any) -> list[Reject]:
        """The funding columns as the project's sources (zero amounts left out); a total that is not
        the sum of its parts (Yubei 附件1: 合计 = 中央财政 + 市财政 + 区财政 + 自有资金) rejects the row."""
        total = sum(amount for _, _, amount in funding.values())
        investment = data.get("investment")
        if isinstance(investment, int) and total != investment:
            header = sources.get("investment", self.field_column.get("investment", "investment"))
            parts = " + ".join(f"{h} {cell}" for h, cell, _ in funding.values())
            return [Reject(0, None, f"{header} / {'、'.join(h for h, _, _ in funding.values())}",
                           f"{total_cell} ≠ {parts}",
                           f"合计 {investment} 元不等于各资金来源之和 {total} 元（{parts}）",
                           f"the total {investment} yuan is not the sum of its sources, {total} yuan ({parts})")]
        data["funding_sources"] = [{"source": source, "amount": amount}
                                   for source, (_, _, amount) in funding.items() if amount]
        sources["funding_sources"] = "、".join(h for h, _, _ in funding.values())
        return []

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
        by_label = {d.category_label(key, lang): key for key in d.categories for lang in ("en", "zh")}
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
            problems = check_project(project, self.registry) + _repeated_events(project)
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


def _repeated_events(project: Project) -> list[Problem]:
    """Events of one row that the register could not tell apart (same type, date, note and payload):
    one typed twice or two that happened? Refused rather than silently kept as one."""
    first: dict[tuple[str, Any, str, str], int] = {}
    problems = []
    for index, event in enumerate(project.events):
        payload = json.dumps(event.payload, sort_keys=True, default=str) if event.payload else "{}"
        key = (event.type, event.date, event.note or "", payload)
        if key in first:
            problems.append(Problem(f"events[{index}]", f"{event.type} {event.date}",
                                    f"与第 {first[key] + 1} 个事件完全相同（类型、日期、备注、附加数据），无法区分："
                                    "如是两次不同的事件，请在备注中区分；如是重复录入，请删去一个",
                                    f"identical to event {first[key] + 1} (type, date, note, payload), the two cannot be "
                                    "told apart: tell them apart in the note if both happened, else delete one"))
        else:
            first[key] = index
    return problems


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
        contract, phase = item.get("contract"), item.get("phase")
        if (type(type_) is not str or type(note) is not str
                or not all(v is None or type(v) is str for v in (actor, role, contract, phase))):
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
        events.append(Event(type_, day, actor, role, note, payload, contract, phase))
    return events


def _word_map(vocabulary: dict[str, tuple[str, str]], words: dict[str, str]) -> dict[str, str]:
    found = {key.lower(): key for key in vocabulary}
    for key, (zh, en) in vocabulary.items():
        found[zh.lower()] = key
        found[en.lower()] = key
    found.update(words)
    return found
