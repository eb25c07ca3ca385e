"""What plugins register (District, Regulation, Role, Rule) and what rules return (the outputs).

A rule is a named check with the article it comes from. Its `check(ctx)` reads the project through
the `Context` and answers with the context's helpers, which stamp the rule's key and article on
every output, so no output can lose its citation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .vocab import PROCEDURES, SEVERITIES, STEPS, Label, fact_label, pick

if TYPE_CHECKING:
    from .calendar import DateResult, LegalCalendar
    from .model import Change, Event, Project

RULE_KINDS = ("applicability", "step", "deadline", "finding", "change", "gate")


# --- What a plugin registers -----------------------------------------------------------------


@attrs.frozen(slots=True)
class Regulation:
    """A regulation and its validity. `effective_until` is the last day in force (inclusive)."""

    title: str
    number: str
    effective_from: dt.date | None
    effective_until: dt.date | None = None
    draft: bool = False
    validity_article: int | None = None
    source: Path | None = None  # full text, shipped as package data
    note: str = ""  # e.g. what it replaced and why that is out of scope

    def status_on(self, day: dt.date) -> str:
        if self.draft:
            return "draft"
        if self.effective_from is not None and day < self.effective_from:
            return "not_yet_effective"
        if self.effective_until is not None and day > self.effective_until:
            return "expired"
        return "in_force"

    def articles(self) -> dict[int, str]:
        """Article number -> its full text, read from the source file."""
        if self.source is None:
            return {}
        return parse_articles(Path(self.source).read_text(encoding="utf-8"))


@attrs.frozen(slots=True)
class District:
    code: str
    name: str
    name_en: str
    regulation: Regulation
    categories: Mapping[str, str | Label] = attrs.field(factory=dict)  # key -> (Chinese, English) or Chinese label
    uncovered: Mapping[int, str] = attrs.field(factory=dict)  # article -> why no rule covers it
    scenarios: Path | None = None  # folder of scenario TOML files
    facts: Mapping[str, Label] = attrs.field(factory=dict)  # project.facts its rules read -> (Chinese, English)

    def category_label(self, key: str, lang: str = "zh") -> str:
        """The category's name in `lang` (its Chinese name when no English one was given)."""
        names = self.categories.get(key)
        if names is None:
            return key
        return names if isinstance(names, str) else pick(lang, *names)

    def fact_label(self, name: str, lang: str = "zh") -> str:
        return fact_label(name, lang, self.facts)


@attrs.frozen(slots=True)
class Role:
    district: str
    department: str
    duties: str
    articles: tuple[int, ...]
    department_en: str = ""
    duties_en: str = ""


@attrs.frozen(slots=True)
class Rule:
    """One rule. `district` is a district code, or "*" for a cross-cutting rule.

    `events` names the event types a gate guards; other kinds leave it empty.
    `cites` lists further articles the rule applies besides `article` (for coverage).
    `reads_peers` says the check reads `ctx.peers`, so the database loads the unit's other projects.
    `plugin` is filled in by the core with the name of the plugin that registered the rule.
    """

    key: str
    district: str
    kind: str
    article: int | None
    title: str
    check: Callable[[Context], Any]
    title_en: str = ""
    events: tuple[str, ...] = ()
    cites: tuple[int, ...] = ()
    reads_peers: bool = False
    plugin: str = ""


# --- What rules return -----------------------------------------------------------------------


@attrs.frozen(slots=True)
class Applicability:
    rule: str
    article: int | None
    applies: bool
    message: str
    message_en: str = ""


@attrs.frozen(slots=True)
class Step:
    rule: str
    step: str
    title: str
    article: int | None
    required: bool
    done: bool
    title_en: str = ""
    note: str = ""
    note_en: str = ""


@attrs.frozen(slots=True)
class Deadline:
    rule: str
    title: str
    kind: str
    date: dt.date | None
    article: int | None
    status: str
    provisional: bool
    done_on: dt.date | None = None
    explanation: str = ""
    explanation_en: str = ""
    title_en: str = ""


@attrs.frozen(slots=True)
class Finding:
    rule: str
    severity: str
    article: int | None
    message: str
    message_en: str = ""
    plugin: str = ""


@attrs.frozen(slots=True)
class ChangeRuling:
    rule: str
    date: dt.date
    amount: int
    procedure: str
    article: int | None
    message: str = ""
    message_en: str = ""


@attrs.frozen(slots=True)
class Refusal:
    """A gate's answer to an event that must not be recorded yet."""

    rule: str
    article: int | None
    message: str
    message_en: str = ""
    district: str = ""


class MissingFact(Exception):
    """Raised by `Context.require` (or a rule) when a fact it needs is missing, or present but
    unreadable (`value` given): the evaluation turns it into an info finding, never a guess."""

    def __init__(self, fact: str, value: Any = None):
        self.fact = fact
        self.value = value
        super().__init__(fact)


# --- The context a rule reads ----------------------------------------------------------------


class Context:
    """One project as of one date, indexed for rules, with helpers that build cited outputs."""

    __slots__ = ("project", "as_of", "district", "calendar", "events", "changes", "event", "rule", "_by_type",
                 "category", "peers")

    def __init__(self, project: Project, as_of: dt.date, district: District, calendar: LegalCalendar,
                 events: list[Event], event: Event | None = None, peers: Sequence[Project] = ()):
        self.project = project
        self.as_of = as_of
        self.district = district
        self.calendar = calendar
        self.events = events  # only those on or before as_of, in date order
        self.changes = [c for c in project.changes if c.date <= as_of]  # like events: only those by as_of
        self.event = event  # the event being recorded, for gates
        self.peers = peers  # other projects of the same owner unit, when the caller has them (a database does)
        self.rule: Rule | None = None
        by_type: dict[str, list[Event]] = {}
        for e in events:
            by_type.setdefault(e.type, []).append(e)
        self._by_type = by_type
        cat = project.category
        self.category = cat if cat is not None and cat in district.categories else None

    # reading the project
    def events_of(self, event_type: str) -> list[Event]:
        return self._by_type.get(event_type, [])

    def has(self, event_type: str) -> bool:
        return event_type in self._by_type

    def first(self, event_type: str) -> Event | None:
        found = self._by_type.get(event_type)
        return found[0] if found else None

    def last(self, event_type: str) -> Event | None:
        found = self._by_type.get(event_type)
        return found[-1] if found else None

    def date_of(self, event_type: str) -> dt.date | None:
        """The date the event type first happened, or None."""
        found = self._by_type.get(event_type)
        return found[0].date if found else None

    def first_on_or_after(self, event_type: str, day: dt.date) -> Event | None:
        for e in self._by_type.get(event_type, ()):
            if e.date >= day:
                return e
        return None

    def contract_without_procurement(self, severity: str, message: str, message_en: str,
                                     article: int | None = None) -> Finding | None:
        """A finding on the first contract signed with no procurement started on or before its date,
        or None: for districts whose text puts procurement first (the message says where)."""
        signed = self.first("contract_signed")
        if signed is None:
            return None
        opened = self.date_of("procurement_started")
        if opened is not None and opened <= signed.date:
            return None
        return self.finding(severity, f"{signed.date} 签订合同前未记录采购：{message}",
                            f"contract signed {signed.date} with no procurement recorded: {message_en}", article)

    def fact(self, name: str, default: Any = None) -> Any:
        """A project field or an entry of `project.facts`."""
        if name == "category":
            return self.category if self.category is not None else default
        value = getattr(self.project, name, None) if name in _PROJECT_FIELDS else self.project.facts.get(name)
        return default if value is None else value

    def require(self, name: str) -> Any:
        """A fact the rule cannot do without; missing, it becomes an info finding, not a guess."""
        value = self.fact(name)
        if value is None or value == "":
            raise MissingFact(name)
        return value

    # building outputs, stamped with the running rule's key and article
    def _cite(self, article: int | None) -> tuple[str, int | None]:
        rule = self.rule
        assert rule is not None, "output helpers are for rules run by the evaluation"
        return rule.key, rule.article if article is None else article

    def applies(self, applies: bool, message: str, message_en: str = "", article: int | None = None) -> Applicability:
        key, art = self._cite(article)
        return Applicability(key, art, applies, message, message_en)

    def step(self, step: str, required: bool = True, done_by: Iterable[str] = (), title: str | None = None,
             title_en: str | None = None, note: str = "", note_en: str = "", article: int | None = None) -> Step:
        key, art = self._cite(article)
        labels = STEPS.get(step, (step, step))
        done = any(t in self._by_type for t in done_by)
        return Step(key, step, title or labels[0], art, required, done, title_en or labels[1], note, note_en)

    def deadline(self, result: DateResult | None, done_on: dt.date | None, title: str | None = None,
                 title_en: str | None = None, article: int | None = None, kind: str = "due") -> Deadline:
        """A deadline with its status: pending (no trigger yet), open, met or missed.

        `kind` only matters while pending (no DateResult yet); otherwise the result's kind counts."""
        key, art = self._cite(article)
        rule = self.rule
        title = title or rule.title
        title_en = title_en or rule.title_en
        if result is None:
            return Deadline(key, title, kind, None, art, "pending", False, done_on, title_en=title_en)
        if result.kind == "due":
            if done_on is not None:
                status = "met" if done_on <= result.date else "missed"
            else:
                status = "missed" if self.as_of > result.date else "open"
        else:  # not_before: the next step may not happen before the date
            status = "open" if done_on is None else ("met" if done_on >= result.date else "missed")
        return Deadline(key, title, result.kind, result.date, art, status, result.provisional, done_on,
                        result.explanation, result.explanation_en, title_en)

    def finding(self, severity: str, message: str, message_en: str = "", article: int | None = None) -> Finding:
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        key, art = self._cite(article)
        return Finding(key, severity, art, message, message_en, self.rule.plugin)

    def change(self, change: Change, procedure: str, message: str = "", message_en: str = "",
               article: int | None = None) -> ChangeRuling:
        if procedure not in PROCEDURES:
            raise ValueError(f"unknown change procedure {procedure!r}")
        key, art = self._cite(article)
        return ChangeRuling(key, change.date, change.amount, procedure, art, message, message_en)

    def refuse(self, message: str, message_en: str = "", article: int | None = None) -> Refusal:
        key, art = self._cite(article)
        return Refusal(key, art, message, message_en, self.district.code)


_PROJECT_FIELDS = frozenset(
    ("code", "name", "district", "kind", "investment", "category", "funding", "classified", "owner_unit",
     "user_unit", "contractor", "supervisor", "designer", "tester", "budget_year", "tags")
)

# --- Articles of a regulation text -----------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """第三十四条 -> 34: Chinese numerals up to the hundreds."""
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


# An article heading: 第N条 then a space, at the start of a line or right after a sentence ends (some
# published texts run articles on); a reference inside a sentence ("依照第十一条规定") has no space.
_ARTICLE = re.compile(r"(?:^|(?<=。))[ \t\u3000]*第([零〇一二两三四五六七八九十百]+)条(?=[ \t\u3000])", re.M)
_CHAPTER = re.compile(r"\n[ \t#]*第[零〇一二三四五六七八九十]+章")
_END_MATTER = re.compile(r"\n\s*(?:抄送|附件\s*[0-9１-９]|附件：)")


def parse_articles(text: str) -> dict[int, str]:
    """Split a regulation text into its articles -> full text of each (chapter headings and the
    distribution list after the last article are left out)."""
    end = _END_MATTER.search(text)
    if end:
        text = text[: end.start()]
    matches = list(_ARTICLE.finditer(text))
    articles: dict[int, str] = {}
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = _CHAPTER.split(text[match.start():stop])[0]
        articles.setdefault(chinese_number(match.group(1)), body.strip())
    return articles
