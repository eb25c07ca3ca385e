"""Evaluate one project under one district's rules as of one date: the public evaluation contract.

Only events and changes dated on or before `as_of` count, so an evaluation "as of" a past date
shows what an operator would have seen that day. Every rule runs isolated: one that raises
becomes an error finding naming its plugin and the project, and the evaluation goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from . import watchdog
from .calendar import CalendarError, LegalCalendar, default_calendar
from .lifecycle import derive_stage
from .model import Event, InputError, Problem, Project, converter
from .plugins import Registry, get_registry
from .rules import (Applicability, Regulation, ChangeRuling, Context, Deadline, Finding, MissingFact, Refusal, Role, Rule,
                    Step)


@attrs.frozen(slots=True)
class RegulationInfo:
    title: str
    number: str
    status: str
    effective_from: dt.date | None
    effective_until: dt.date | None


@attrs.frozen(slots=True)
class Evaluation:
    project: str
    district: str
    as_of: dt.date
    stage: str
    regulation: RegulationInfo
    applicable: bool
    applicability: list[Applicability]
    approval_path: list[Step]
    deadlines: list[Deadline]
    findings: list[Finding]
    changes: list[ChangeRuling]
    roles: list[Role]
    next_deadline: Deadline | None = None
    overdue: bool = False

    def to_dict(self) -> dict[str, Any]:
        return converter.unstructure(self)


_OUTPUT_TYPES = (Applicability, Step, Deadline, Finding, ChangeRuling, Refusal)


REGULATION_STATUS_RULE = "regulation_status"  # the finding every project of a district shares while its text is not in force
DISTRICT_WIDE_FINDINGS = frozenset({REGULATION_STATUS_RULE})

def _as_list(result: Any) -> Iterable[Any]:
    if result is None:
        return ()
    if type(result) is list or type(result) is tuple:
        return result
    if isinstance(result, _OUTPUT_TYPES):
        return (result,)
    if not hasattr(result, "__iter__") or isinstance(result, (str, bytes, dict)):
        raise _WrongType(result)
    return list(result)


class _WrongType(Exception):
    """A rule answered with something that is not an output (nor a list of outputs)."""


def _run(rule: Rule, ctx: Context, project: Project, findings: list[Finding]) -> Iterable[Any]:
    """Run one rule; a missing fact or a crash becomes a finding instead of an exception."""
    ctx.rule = rule
    try:
        return _as_list(rule.check(ctx))
    except watchdog.RuleTimeout:
        findings.append(_timeout_finding(rule, project))
        watchdog.arm()  # a fresh allowance for the rules after this one
    except MissingFact as missing:
        zh_name, en_name = ctx.district.fact_label(missing.fact, "zh"), ctx.district.fact_label(missing.fact, "en")
        if missing.value is None:
            zh, en = f"缺少“{zh_name}”", f"missing: {en_name}"
        else:
            zh, en = f"“{zh_name}”的值 {missing.value!r} 无法识别", f"{en_name}: unreadable value {missing.value!r}"
        findings.append(Finding(rule.key, "info", rule.article, f"{zh}，无法检查：{rule.title}",
                                f"{en}: cannot check {rule.title_en or rule.key}", rule.plugin))
    except _WrongType as wrong:
        findings.append(_wrong_type_finding(rule, wrong.args[0]))
    except CalendarError as exc:  # a date outside the calendar's years is the data's problem, not the plugin's
        findings.append(Finding(rule.key, "warning", rule.article, f"日期超出可计算范围，无法检查：{rule.title}（{exc}）",
                                f"date outside the calendar's range: cannot check {rule.title_en or rule.key} ({exc})",
                                rule.plugin))
    except Exception as exc:  # a plugin's bug must not take the whole evaluation down
        findings.append(Finding("plugin_error", "error", rule.article,
                                f"插件 {rule.plugin} 的规则 {rule.key} 在项目 {project.code} 上出错：{exc!r}",
                                f"plugin {rule.plugin} rule {rule.key} failed on project {project.code}: {exc!r}",
                                rule.plugin))
    return ()


def _timeout_finding(rule: Rule, project: Project) -> Finding:
    return Finding("plugin_error", "error", rule.article,
                   f"插件 {rule.plugin} 的规则 {rule.key} 在项目 {project.code} 上超时（{watchdog.RULE_TIME_LIMIT} 秒）",
                   f"plugin {rule.plugin} rule {rule.key} timed out on project {project.code} "
                   f"({watchdog.RULE_TIME_LIMIT} s)", rule.plugin)


def _wrong_type_finding(rule: Rule, output: Any) -> Finding:
    return Finding("plugin_error", "error", rule.article,
                   f"插件 {rule.plugin} 的规则 {rule.key} 返回了无法识别的结果：{output!r}",
                   f"plugin {rule.plugin} rule {rule.key} returned {type(output).__name__}", rule.plugin)


def check_project(project: Project, registry: Registry, district: str | None = None) -> list[Problem]:
    """Problems that need the plugins to see: unknown district, event type or category."""
    code = district or project.district
    problems = []
    if code not in registry.districts:
        known = "、".join(sorted(registry.districts)) or "—"
        problems.append(Problem("district", code, f"未知地区（已安装：{known}）", f"unknown district (installed: {known})"))
    elif district is None and project.category is not None and registry.districts[code].categories \
            and project.category not in registry.districts[code].categories:
        d = registry.districts[code]
        known = "、".join(f"{key}（{d.category_label(key)}）" for key in d.categories)
        known_en = ", ".join(f"{key} ({d.category_label(key, 'en')})" for key in d.categories)
        problems.append(Problem("category", project.category, f"{d.name}未定义此类别（可选：{known}）",
                                f"unknown category for {d.name_en} (one of {known_en})"))
    for index, event in enumerate(project.events):
        if event.type not in registry.event_types:
            problems.append(Problem(f"events[{index}].type", event.type, "未知的事件类型", "unknown event type"))
    return problems


def gate_refusals(project: Project, event: Event, registry: Registry, prior: list[Event],
                  calendar: LegalCalendar | None = None, district: str | None = None,
                  shut_down: bool | None = None, today: dt.date | None = None) -> list[Refusal]:
    """Why `event` may not be recorded after `prior`: the core's order rules, then the district's gates.

    `shut_down` tells whether `prior` holds a shutdown, when the caller already knows. `today` is
    given when an operator records the event now: a date after it is refused in every district (an
    event that has not happened is a plan, not history)."""
    refusals = []
    if today is not None and event.date > today:
        refusals.append(Refusal("future_date", None, f"日期 {event.date} 晚于今天（{today}）：尚未发生的事件不能记录",
                                f"dated {event.date}, after today ({today}): an event that has not happened "
                                "cannot be recorded"))
    if shut_down if shut_down is not None else any(e.type == "shutdown" for e in prior):
        refusals.append(Refusal("lifecycle", None, "项目已关停，不能再记录事件", "the project is shut down"))
    event_type = registry.event_types.get(event.type)
    for needed in event_type.requires if event_type is not None else ():
        before = next((e for e in prior if e.type == needed), None)
        if before is None:
            label = registry.event_types[needed].label
            refusals.append(Refusal("lifecycle", None, f"须先有“{label}”", f"needs {needed!r} first"))
        elif before.date > event.date:
            refusals.append(Refusal("lifecycle", None, f"日期早于“{registry.event_types[needed].label}”（{before.date}）",
                                    f"dated before {needed!r} ({before.date})"))
    code = district or project.district
    if code in registry.districts and event.type in registry.gated_events[code]:
        gates = registry.gates_for(code, event.type)
        if gates:
            ctx = Context(project, event.date, registry.districts[code], calendar or default_calendar(), prior, event)
            findings: list[Finding] = []
            with watchdog.guard():
                for rule in gates:
                    refusals.extend(r for r in _run(rule, ctx, project, findings) if isinstance(r, Refusal))
            refusals.extend(Refusal(f.rule, f.article, f.message, f.message_en, code) for f in findings
                            if f.rule == "plugin_error")
    return refusals


def evaluate(project: Project, as_of: dt.date | None = None, district: str | None = None,
             registry: Registry | None = None, calendar: LegalCalendar | None = None,
             peers: Sequence[Project] = ()) -> Evaluation:
    """Evaluate `project` under `district` (default: its own) as of `as_of` (default: today).

    `peers` are the other projects of the same owner unit, for rules that look across projects
    (e.g. splitting a project to evade a threshold); a single project file has none."""
    try:
        with watchdog.guard():
            return _evaluate(project, as_of, district, registry, calendar, peers)
    except watchdog.RuleTimeout:  # landed between two rules, not in one: evaluate once more
        with watchdog.guard():
            return _evaluate(project, as_of, district, registry, calendar, peers)


def _evaluate(project: Project, as_of: dt.date | None, district: str | None, registry: Registry | None,
              calendar: LegalCalendar | None, peers: Sequence[Project]) -> Evaluation:
    registry = registry or get_registry()
    calendar = calendar or default_calendar()
    as_of = as_of or dt.date.today()
    problems = check_project(project, registry, district)
    if problems:
        raise InputError(problems)
    code = district or project.district
    dist = registry.districts[code]
    events = sorted((e for e in project.events if e.date <= as_of), key=lambda e: e.date)
    ctx = Context(project, as_of, dist, calendar, events, peers=peers)
    regulation = dist.regulation
    status = regulation.status_on(as_of)
    info = RegulationInfo(regulation.title, regulation.number, status, regulation.effective_from,
                          regulation.effective_until)

    findings: list[Finding] = []
    if status != "in_force":
        findings.append(_status_finding(dist.code, regulation, status, as_of))
    if project.category is not None and ctx.category is None and district is not None:
        home = registry.districts.get(project.district)  # the category is named in its own district's words
        zh, en = (home.category_label(project.category, "zh"), home.category_label(project.category, "en")) if home \
            else (project.category, project.category)
        findings.append(Finding("category", "info", None,
                                f"类别“{zh}”不是{dist.name}的类别，依赖类别的规则按缺少类别处理",
                                f"category “{en}” is not one of {dist.name_en}'s; rules that need it treat it as missing"))

    rules = registry.rules_for(code)
    sorted_outputs: dict[type, list[Any]] = {Applicability: [], Step: [], Deadline: [], ChangeRuling: [], Finding: findings}

    def collect(rule: Rule) -> None:
        """Outputs go where their type says, so any rule may also return findings."""
        try:
            for output in _run(rule, ctx, project, findings):
                bucket = sorted_outputs.get(type(output))
                if bucket is None:
                    findings.append(_wrong_type_finding(rule, output))
                else:
                    bucket.append(output)
        except watchdog.RuleTimeout:  # landed just after the rule returned: still this rule's time
            findings.append(_timeout_finding(rule, project))
            watchdog.arm()

    for rule in registry.rules_for(code, "applicability"):
        collect(rule)
    applicability = sorted_outputs[Applicability]
    applicable = all(a.applies for a in applicability)
    if applicable:
        for rule in rules:
            if rule.kind not in ("applicability", "gate"):
                collect(rule)
        findings.extend(_replayed_gate_findings(project, events, registry, calendar, code))

    steps, deadlines, changes = sorted_outputs[Step], sorted_outputs[Deadline], sorted_outputs[ChangeRuling]
    open_due = [d for d in deadlines if d.kind == "due" and d.date is not None and d.done_on is None]
    next_deadline = min(open_due, key=lambda d: d.date, default=None)
    overdue = any(d.status == "missed" for d in open_due)
    return Evaluation(project.code, code, as_of, derive_stage((e.type for e in events), registry.event_types),
                      info, applicable, applicability, steps, deadlines, findings, changes,
                      registry.roles.get(code, []), next_deadline, overdue)


def _status_finding(code: str, regulation: Regulation, status: str, as_of: dt.date) -> Finding:
    title, until, since = regulation.title, regulation.effective_until, regulation.effective_from
    messages = {
        "expired": (f"《{title}》有效期至 {until}，{as_of} 已失效：以下结果仅供参考",
                    f"the regulation was in force until {until} and had expired on {as_of}: results for reference only"),
        "not_yet_effective": (f"《{title}》自 {since} 起施行，{as_of} 尚未施行",
                              f"the regulation takes effect on {since}, not yet on {as_of}"),
        "draft": (f"《{title}》为征求意见稿，尚未正式发布：以下结果为模拟",
                  "the regulation is a draft for comment: results are what-if only"),
    }
    zh, en = messages[status]
    return Finding(REGULATION_STATUS_RULE, "info" if status == "draft" else "warning", regulation.validity_article, zh, en)


def _replayed_gate_findings(project: Project, events: list[Event], registry: Registry, calendar: LegalCalendar,
                            code: str) -> list[Finding]:
    """Events already in the history that broke a gate stay there, each with a finding."""
    gated = registry.gated_events[code]
    findings = []
    shut = False
    for index, event in enumerate(events):
        was_shut = shut
        shut = shut or event.type == "shutdown"
        if not (was_shut or event.type in gated):
            continue
        for refusal in gate_refusals(project, event, registry, events[:index], calendar, code, was_shut):
            findings.append(Finding(refusal.rule, "warning", refusal.article,
                                    f"{event.date} 记录的“{registry.event_types[event.type].label}”违反：{refusal.message}",
                                    f"{event.type} on {event.date} broke a gate: {refusal.message_en or refusal.message}"))
    return findings
