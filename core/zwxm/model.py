"""Projects, events and changes as attrs classes, read and written by one cattrs converter.

`load_project` is the single door for outside data (project files, import rows, the TUI's forms):
it returns a Project or raises InputError with one Problem per bad field, naming field and value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from .errors import ValueProblem
from .money import parse_money
from .vocab import CONTRACT_KINDS, FUNDING_LEVELS, FUNDING_SOURCES, FUNDINGS, KINDS, listing

__all__ = [
    "Event", "Change", "Contract", "Phase", "FundingSource", "Project", "Problem", "InputError", "converter",
    "load_project", "dump_project", "parse_date", "funding_sources_of", "funding_levels",
]

Money = int  # whole 元; see money.parse_money


@attrs.define(slots=True)
class Event:
    """Something that happened on a day. `contract` / `phase` name the contract or phase it belongs to
    (a contract's signing, filing or acceptance; a phase's acceptance), when it belongs to one."""

    type: str
    date: dt.date
    actor: str | None = None
    role: str | None = None
    note: str = ""
    payload: dict[str, Any] = attrs.Factory(dict)
    contract: str | None = None
    phase: str | None = None


@attrs.define(slots=True)
class Change:
    """A change to an approved project, with its two amounts in 元 (either may be zero):

    `amount` is the change's effect on the total investment (signed: an increase of the estimate is
    positive), `content_amount` the value of the content changed (调整内容涉及金额, never negative).
    Data written before content_amount existed held only the signed `amount`; such a change reads as
    content_amount = |amount| (the content a cut or an increase involves is at least its size), which is
    how every district already read it.
    """

    date: dt.date
    amount: int = 0
    reason: str = ""
    major: bool = False
    note: str = ""
    content_amount: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.content_amount is None:
            self.content_amount = abs(self.amount)

    @property
    def involved_amount(self) -> int:
        """The money the change involves (调整内容涉及金额 / 资金调整数额): the changed content, and at
        least the change of the total (a cut or an increase involves at least its own size)."""
        return max(self.content_amount or 0, abs(self.amount))


@attrs.define(slots=True)
class Contract:
    """One contract of a project (合同编号 `id`, unique within the project): its kind (CONTRACT_KINDS),
    vendor (供应商), amount in 元 and, for a phased project, its phase. Its signing and filing are
    events naming it (`Event.contract`), so their dates stay in the append-only history."""

    id: str
    kind: str = "construction"
    vendor: str | None = None
    amount: int | None = None
    phase: str | None = None
    note: str = ""


@attrs.define(slots=True)
class Phase:
    """One phase of a multi-year project (Yubei 第八条 分期建设), declared and accepted on its own."""

    id: str
    name: str = ""
    year: int | None = None
    note: str = ""


@attrs.define(slots=True)
class FundingSource:
    """One source of a project's money (FUNDING_SOURCES: 中央财政, 省财政, 市财政, 区财政, 自有资金 ...) and its amount in 元."""

    source: str
    amount: int


@attrs.define(slots=True)
class Project:
    code: str
    name: str
    district: str
    kind: str
    investment: Money
    category: str | None = None
    funding: str | None = None
    classified: bool = False
    owner_unit: str | None = None
    user_unit: str | None = None
    contractor: str | None = None
    supervisor: str | None = None
    designer: str | None = None
    tester: str | None = None
    budget_year: int | None = None
    tags: list[str] = attrs.Factory(list)
    facts: dict[str, Any] = attrs.Factory(dict)
    events: list[Event] = attrs.Factory(list)
    changes: list[Change] = attrs.Factory(list)
    contracts: list[Contract] = attrs.Factory(list)
    phases: list[Phase] = attrs.Factory(list)
    funding_sources: list[FundingSource] = attrs.Factory(list)


# The source a project with only the single `funding` field is read as (its whole investment).
_SOURCE_OF_FUNDING = {"department_budget": "district", "government_investment": "district", "own_funds": "own",
                      "superior_funds": "superior"}


def funding_levels(project: Project) -> dict[str, int]:
    """The project's money by level (FUNDING_LEVELS: district, superior, own), levels with money only."""
    levels: dict[str, int] = {}
    for source in funding_sources_of(project):
        if source.amount:
            level = FUNDING_LEVELS[source.source]
            levels[level] = levels.get(level, 0) + source.amount
    return levels


def funding_sources_of(project: Project) -> list[FundingSource]:
    """The project's sources of money: those listed, or else its single `funding` read as one source
    covering the whole investment (none when neither is known)."""
    if project.funding_sources:
        return list(project.funding_sources)
    source = _SOURCE_OF_FUNDING.get(project.funding or "")
    return [FundingSource(source, project.investment)] if source else []


@attrs.frozen(slots=True)
class Problem:
    """One bad field: where it is, what it held, and why it was refused (Chinese and English)."""

    field: str
    value: Any
    message: str
    message_en: str = ""

    def __str__(self) -> str:
        english = f" / {self.message_en}" if self.message_en and self.message_en != self.message else ""
        value = "" if self.value is None else f"{self.value!r}: "
        return f"{self.field}: {value}{self.message}{english}"


class InputError(ValueError):
    """Input that cannot be used; holds every Problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> dt.date:
    """A calendar date from a date, a datetime or text such as 2024-10-05, 2024/10/5, 2024年10月5日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if "T" in text or " " in text:
            text = re.split(r"[T ]", text, maxsplit=1)[0]
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    raise ValueProblem(value, "不存在的日期", "impossible date") from None
    raise ValueProblem(value, "无法识别的日期", "unreadable date")


def _parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueProblem(value, "需要整数", "expected a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().removesuffix("年")
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    raise ValueProblem(value, "需要整数", "expected a whole number")


_TRUE = {"true", "yes", "y", "1", "是", "有", "涉密", "√"}
_FALSE = {"false", "no", "n", "0", "否", "无", "非涉密", "", "×"}


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueProblem(value, "需要是/否", "expected yes or no")


def _parse_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueProblem(value, "需要文本", "expected text")


def _money(value: object, _type: object = None) -> int:
    return parse_money(value)


def _signed_money(value: object, _type: object = None) -> int:
    return parse_money(value, allow_negative=True)


def _optional_money(value: object, _type: object = None) -> int | None:
    return None if value is None else parse_money(value)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(dt.date, lambda v, _: parse_date(v))
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(int, lambda v, _: _parse_int(v))
    conv.register_structure_hook(bool, lambda v, _: _parse_bool(v))
    conv.register_structure_hook(str, lambda v, _: _parse_str(v))
    # money fields: whole 元 from text such as "1200万元"; Change first, Project embeds its hook
    conv.register_structure_hook(Change, cattrs.gen.make_dict_structure_fn(
        Change, conv, _cattrs_forbid_extra_keys=True,
        amount=cattrs.gen.override(struct_hook=_signed_money),
        content_amount=cattrs.gen.override(struct_hook=_optional_money),
    ))
    conv.register_structure_hook(Contract, cattrs.gen.make_dict_structure_fn(
        Contract, conv, _cattrs_forbid_extra_keys=True, amount=cattrs.gen.override(struct_hook=_optional_money),
    ))
    conv.register_structure_hook(FundingSource, cattrs.gen.make_dict_structure_fn(
        FundingSource, conv, _cattrs_forbid_extra_keys=True, amount=cattrs.gen.override(struct_hook=_money),
    ))
    conv.register_structure_hook(Project, cattrs.gen.make_dict_structure_fn(
        Project, conv, _cattrs_forbid_extra_keys=True,
        investment=cattrs.gen.override(struct_hook=_money),
    ))
    return conv


converter = _make_converter()


def _problems_from(exc: BaseException, path: str) -> list[Problem]:
    """Flatten cattrs' exception groups into Problems with dotted field paths."""
    if isinstance(exc, ForbiddenExtraKeysError):
        # a blank key ("" or spaces, e.g. an unnamed spreadsheet column) is shown quoted, so it is still named
        names = [key if key.strip() else repr(key) for key in sorted(exc.extra_fields)]
        return [Problem(f"{path}.{name}" if path else name, None, "未知字段", "unknown field") for name in names]
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        problems: list[Problem] = []
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", [])
            sub_path = path
            for note in notes:
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                if name is not None:
                    sub_path = f"{path}.{name}" if path else name
                elif index is not None:
                    sub_path = f"{path}[{index}]"
            problems.extend(_problems_from(sub, sub_path))
        return problems
    if isinstance(exc, KeyError):
        return [Problem(path, None, "缺少必填字段", "required field is missing")]
    if isinstance(exc, ValueProblem):
        return [Problem(path, exc.value, exc.message, exc.message_en)]
    return [Problem(path, None, str(exc), str(exc))]


def load_project(data: dict[str, Any]) -> Project:
    """Structure one project from plain data, or raise InputError listing every bad field."""
    if not isinstance(data, dict):
        raise InputError([Problem("project", type(data).__name__, "需要一个表", "expected a table of fields")])
    try:
        project = converter.structure(data, Project)
    except (ClassValidationError, ForbiddenExtraKeysError) as exc:
        problems = _problems_from(exc, "")
        seen = {p.field for p in problems}
        problems += [p for p in _vocabulary_problems(data) if p.field not in seen]
        raise InputError(problems) from None
    problems = check_vocabulary(project)
    if problems:
        raise InputError(problems)
    return project


def _vocabulary_problems(data: dict[str, Any]) -> list[Problem]:
    problems = []
    for field in ("code", "name", "district"):
        value = data.get(field)
        if isinstance(value, str) and not value.strip():
            problems.append(Problem(field, value, "不能为空", "must not be empty"))
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(_unknown("kind", kind, KINDS, "项目类型", "kind"))
    funding = data.get("funding")
    if funding is not None and funding not in FUNDINGS:
        problems.append(_unknown("funding", funding, FUNDINGS, "资金来源", "funding"))
    year = data.get("budget_year")
    if isinstance(year, int) and not 1990 <= year <= 2100:
        problems.append(Problem("budget_year", year, "年度超出范围 1990–2100", "year outside 1990–2100"))
    return problems


def check_vocabulary(project: Project) -> list[Problem]:
    """Core checks that need no plugin: required text present, kind and funding known, and the
    contracts, phases and funding sources consistent with each other and with the events."""
    return _vocabulary_problems({"code": project.code, "name": project.name, "district": project.district,
                                 "kind": project.kind, "funding": project.funding, "budget_year": project.budget_year}
                                ) + _parts_problems(project)


def _unknown(field: str, value: Any, known: Any, what: str, what_en: str) -> Problem:
    """An unknown value with the choices: a vocabulary's keys with their labels, ids as they are."""
    listed = listing(known) if isinstance(known, dict) else ", ".join(known)
    return Problem(field, value, f"未知的{what}（可选：{listed or '—'}）", f"unknown {what_en} (one of: {listed or '-'})")


def _parts_problems(project: Project) -> list[Problem]:
    """Contract and phase ids unique and referred to only where declared; funding sources known and
    adding up to the investment; no negative change amount."""
    phases = [p.id for p in project.phases]
    contracts = [c.id for c in project.contracts]
    return [*_id_problems("phases", phases), *_id_problems("contracts", contracts),
            *_reference_problems(project, phases, contracts), *_funding_source_problems(project),
            *(Problem(f"changes[{index}].content_amount", change.content_amount, "金额不能为负",
                      "amount cannot be negative")
              for index, change in enumerate(project.changes)
              if change.content_amount is not None and change.content_amount < 0)]


def _id_problems(name: str, ids: list[str]) -> list[Problem]:
    problems = []
    for index, key in enumerate(ids):
        if not key.strip():
            problems.append(Problem(f"{name}[{index}].id", key, "不能为空", "must not be empty"))
        elif ids.index(key) != index:
            problems.append(Problem(f"{name}[{index}].id", key, "编号重复", "duplicate id"))
    return problems


def _reference_problems(project: Project, phases: list[str], contracts: list[str]) -> list[Problem]:
    """Contract kinds known; the phase of a contract, and the contract and phase of an event, declared."""
    problems = []
    for index, contract in enumerate(project.contracts):
        if contract.kind not in CONTRACT_KINDS:
            problems.append(_unknown(f"contracts[{index}].kind", contract.kind, CONTRACT_KINDS, "合同类型", "contract kind"))
        if contract.phase is not None and contract.phase not in phases:
            problems.append(_unknown(f"contracts[{index}].phase", contract.phase, phases, "分期", "phase"))
    for index, event in enumerate(project.events):
        if event.contract is not None and event.contract not in contracts:
            problems.append(_unknown(f"events[{index}].contract", event.contract, contracts, "合同编号", "contract"))
        if event.phase is not None and event.phase not in phases:
            problems.append(_unknown(f"events[{index}].phase", event.phase, phases, "分期", "phase"))
    return problems


def _funding_source_problems(project: Project) -> list[Problem]:
    problems = [_unknown(f"funding_sources[{index}].source", source.source, FUNDING_SOURCES, "资金来源", "funding source")
                for index, source in enumerate(project.funding_sources) if source.source not in FUNDING_SOURCES]
    if project.funding_sources:
        total = sum(s.amount for s in project.funding_sources)
        if total != project.investment:
            problems.append(Problem("funding_sources", total,
                                    f"各资金来源合计 {total} 元，不等于总投资 {project.investment} 元",
                                    f"the sources add up to {total} yuan, not the investment {project.investment} yuan"))
    return problems


def dump_project(project: Project) -> dict[str, Any]:
    """Plain data for TOML/JSON, dropping empty optional fields so files stay readable."""
    data = converter.unstructure(project)
    return {k: v for k, v in data.items() if v not in (None, [], {})}
