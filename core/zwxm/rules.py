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

from .contracts import ContractState, StrayFiling, pair_contracts, pair_follow_ups
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
    contract: str | None = None
    phase: str | None = None


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
    contract: str | None = None
    phase: str | None = None


@attrs.frozen(slots=True)
class Finding:
    rule: str
    severity: str
    article: int | None
    message: str
    message_en: str = ""
    plugin: str = ""
    contract: str | None = None
    phase: str | None = None


@attrs.frozen(slots=True)
class Approval:
    """One approval a change needs: the department, the article (and its item, e.g. "（二）") that asks for it."""

    department: str
    article: int | None
    department_en: str = ""
    item: str = ""


@attrs.frozen(slots=True)
class ChangeRuling:
    """How a change must be handled. `amount` is its effect on the total, `content_amount` the value of
    the changed content; `approvals` lists every approval it needs (several when the text asks for several)."""

    rule: str
    date: dt.date
    amount: int
    procedure: str
    article: int | None
    message: str = ""
    message_en: str = ""
    content_amount: int = 0
    approvals: tuple[Approval, ...] = ()

    def approvals_text(self, lang: str = "zh") -> str:
        """"区大数据发展局（第11条（一））、区发展改革委（第11条）" for people; empty when none is needed."""
        if lang == "en":
            return ", ".join(f"{a.department_en or a.department} (art. {a.article}{a.item})" for a in self.approvals)
        return "、".join(f"{a.department}（第{a.article}条{a.item}）" for a in self.approvals)


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
                 "category", "peers", "_contracts")

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
        self._contracts: tuple[list[ContractState], list[StrayFiling]] | None = None
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
                            f"contract signed {signed.date} with no procurement recorded: {message_en}", article,
                            contract=signed.contract)

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
    def _running(self) -> Rule:
        rule = self.rule
        assert rule is not None, "output helpers are for rules run by the evaluation"
        return rule

    def _cite(self, article: int | None) -> tuple[str, int | None]:
        rule = self._running()
        return rule.key, rule.article if article is None else article

    def applies(self, applies: bool, message: str, message_en: str = "", article: int | None = None) -> Applicability:
        key, art = self._cite(article)
        return Applicability(key, art, applies, message, message_en)

    def step(self, step: str, required: bool = True, done_by: Iterable[str] = (), title: str | None = None,
             title_en: str | None = None, note: str = "", note_en: str = "", article: int | None = None,
             contract: str | None = None, phase: str | None = None) -> Step:
        key, art = self._cite(article)
        labels = STEPS.get(step, (step, step))
        # a step of one contract or phase is done by an event naming it
        done = any((contract is None or e.contract == contract) and (phase is None or e.phase == phase)
                   for t in done_by for e in self._by_type.get(t, ()))
        return Step(key, step, title or labels[0], art, required, done, title_en or labels[1], note, note_en,
                    contract, phase)

    def deadline(self, result: DateResult | None, done_on: dt.date | None, title: str | None = None,
                 title_en: str | None = None, article: int | None = None, kind: str = "due",
                 contract: str | None = None, phase: str | None = None) -> Deadline:
        """A deadline with its status: pending (no trigger yet), open, met or missed.

        `kind` only matters while pending (no DateResult yet); otherwise the result's kind counts."""
        key, art = self._cite(article)
        rule = self._running()
        title = title or rule.title
        title_en = title_en or rule.title_en
        if result is None:
            return Deadline(key, title, kind, None, art, "pending", False, done_on, title_en=title_en,
                            contract=contract, phase=phase)
        if result.kind == "due":
            if done_on is not None:
                status = "met" if done_on <= result.date else "missed"
            else:
                status = "missed" if self.as_of > result.date else "open"
        else:  # not_before: the next step may not happen before the date
            status = "open" if done_on is None else ("met" if done_on >= result.date else "missed")
        return Deadline(key, title, result.kind, result.date, art, status, result.provisional, done_on,
                        result.explanation, result.explanation_en, title_en, contract, phase)

    def finding(self, severity: str, message: str, message_en: str = "", article: int | None = None,
                contract: str | None = None, phase: str | None = None) -> Finding:
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        key, art = self._cite(article)
        return Finding(key, severity, art, message, message_en, self._running().plugin, contract, phase)

    def change(self, change: Change, procedure: str, message: str = "", message_en: str = "",
               article: int | None = None, approvals: Iterable[Approval] = ()) -> ChangeRuling:
        if procedure not in PROCEDURES:
            raise ValueError(f"unknown change procedure {procedure!r}")
        key, art = self._cite(article)
        return ChangeRuling(key, change.date, change.amount, procedure, art, message, message_en,
                            change.content_amount or 0, tuple(approvals))

    def part_deadlines(self, triggers: tuple[str, ...], done: tuple[str, ...],
                       due: Callable[[dt.date], DateResult]) -> list[Deadline] | None:
        """One deadline per contract or phase whose trigger event (any of `triggers`) names it, due(its
        date), done when every type in `done` has a follow-up paired with it (zwxm.contracts.pair_follow_ups).
        None when no trigger names a contract or phase: the rule keeps its whole-project deadline."""
        happened = sorted((e for t in triggers for e in self._by_type.get(t, ())), key=lambda e: e.date)
        if not any(e.contract or e.phase for e in happened):
            return None
        firsts: dict[tuple[str | None, str | None], Event] = {}
        for event in happened:
            firsts.setdefault((event.contract, event.phase), event)
        rule = self.rule
        assert rule is not None, "output helpers are for rules run by the evaluation"
        starts = sorted(firsts.values(), key=lambda e: e.date)
        follow_up_dates: list[list[dt.date | None]] = [[] for _ in starts]  # per trigger, one per done type
        for done_type in done:
            for index, (_, follow_up) in enumerate(pair_follow_ups(starts, self._by_type.get(done_type, ()))):
                follow_up_dates[index].append(follow_up.date if follow_up else None)
        out = []
        for trigger, dates in zip(starts, follow_up_dates):
            finished = max(dates) if dates and None not in dates else None  # type: ignore[type-var]
            part = " ".join(x for x in (f"合同 {trigger.contract}" if trigger.contract else "",
                                        f"分期 {trigger.phase}" if trigger.phase else "") if x)
            part_en = " ".join(x for x in (f"contract {trigger.contract}" if trigger.contract else "",
                                           f"phase {trigger.phase}" if trigger.phase else "") if x)
            out.append(self.deadline(due(trigger.date), finished, title=f"{rule.title}：{part}" if part else None,
                                     title_en=f"{rule.title_en or rule.key}: {part_en}" if part_en else None,
                                     contract=trigger.contract, phase=trigger.phase))
        return out

    # contracts: which signing and which filing belong to which contract (see zwxm.contracts)
    def contracts(self) -> list[ContractState]:
        """Every contract with its signing and filing dates as of this date, paired by the core's rule."""
        if self._contracts is None:
            self._contracts = pair_contracts(self.project.contracts, self.events)
        return self._contracts[0]

    def stray_filings(self) -> list[StrayFiling]:
        """Filings that are no contract's filing (dated before its signing, or with nothing to pair)."""
        self.contracts()
        assert self._contracts is not None
        return self._contracts[1]

    def contract_filing(self, due: Callable[[dt.date], DateResult]) -> list[Deadline | Finding]:
        """One filing deadline per contract (due(signing date) gives its date), plus a finding for each
        filing that is no contract's filing. A project with no contract yet gets one pending deadline."""
        states = self.contracts()
        rule = self.rule
        assert rule is not None, "output helpers are for rules run by the evaluation"
        out: list[Deadline | Finding] = []
        if not states:
            out.append(self.deadline(None, None))
        for state in states:
            titles: dict[str, Any] = {}
            if state.id.startswith("#") and len(states) > 1:  # an unnamed signing: say when it was signed
                titles = {"title": f"{rule.title}：{state.signed} 签订的合同",
                          "title_en": f"{rule.title_en or rule.key}: contract signed {state.signed}"}
            elif not state.id.startswith("#"):
                titles = {"title": f"{rule.title}：合同 {state.id}", "title_en": f"{rule.title_en or rule.key}: contract {state.id}"}
            result = due(state.signed) if state.signed is not None else None
            out.append(self.deadline(result, state.filed, contract=state.id, **titles))
        for stray in self.stray_filings():
            if stray.contract is None:
                out.append(self.finding("warning", f"{stray.date} 的合同备案没有可对应的已签订合同，不计为任何合同的备案",
                                        f"the contract filing of {stray.date} has no signed contract to belong to"))
            elif stray.signed is None:
                out.append(self.finding("warning", f"{stray.date} 备案的合同 {stray.contract} 尚未记录签订，不计为其备案",
                                        f"contract {stray.contract} was filed {stray.date} but its signing is not recorded",
                                        contract=stray.contract))
            else:
                out.append(self.finding("warning", f"{stray.date} 的备案早于合同 {stray.contract} 的签订（{stray.signed}），"
                                                   "不是该合同的备案：其备案期限照常计算",
                                        f"the filing of {stray.date} precedes the signing of contract {stray.contract} "
                                        f"({stray.signed}): it is not that contract's filing", contract=stray.contract))
        return out

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
