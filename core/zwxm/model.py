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
from .vocab import FUNDINGS, KINDS

__all__ = [
    "Event", "Change", "Project", "Problem", "InputError", "converter",
    "load_project", "dump_project", "parse_date",
]

Money = int  # whole 元; see money.parse_money


@attrs.define(slots=True)
class Event:
    type: str
    date: dt.date
    actor: str | None = None
    role: str | None = None
    note: str = ""
    payload: dict[str, Any] = attrs.Factory(dict)


@attrs.define(slots=True)
class Change:
    """A change to an approved project; `amount` is the signed change of the investment in 元."""

    date: dt.date
    amount: int
    reason: str = ""
    major: bool = False
    note: str = ""


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
        problems.append(Problem("kind", kind, f"未知的项目类型（可选：{'、'.join(KINDS)}）", f"unknown kind (one of {', '.join(KINDS)})"))
    funding = data.get("funding")
    if funding is not None and funding not in FUNDINGS:
        problems.append(Problem("funding", funding, f"未知的资金来源（可选：{'、'.join(FUNDINGS)}）", f"unknown funding (one of {', '.join(FUNDINGS)})"))
    year = data.get("budget_year")
    if isinstance(year, int) and not 1990 <= year <= 2100:
        problems.append(Problem("budget_year", year, "年度超出范围 1990–2100", "year outside 1990–2100"))
    return problems


def check_vocabulary(project: Project) -> list[Problem]:
    """Core checks that need no plugin: required text present, kind and funding known."""
    return _vocabulary_problems({"code": project.code, "name": project.name, "district": project.district,
                                 "kind": project.kind, "funding": project.funding, "budget_year": project.budget_year})


def dump_project(project: Project) -> dict[str, Any]:
    """Plain data for TOML/JSON, dropping empty optional fields so files stay readable."""
    data = converter.unstructure(project)
    return {k: v for k, v in data.items() if v not in (None, [], {})}
