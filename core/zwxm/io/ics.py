"""Deadlines as an iCalendar file (RFC 5545), written with the `icalendar` library.

One all-day VEVENT per deadline. The UID is the project, the rule and the occurrence
(`DueItem.uid`), so a calendar program updates an event instead of adding a second one. A reminder
(VALARM) fires at 09:00 a given number of *working* days before the date, counted with the legal
calendar. Provisional dates (a year whose holidays are not yet published) are TENTATIVE and marked
in the summary.

Met deadlines are written as CANCELLED, not left out: a calendar that imported an earlier file
(rather than subscribing to it) never deletes an event that is missing from a later file, but it
does apply a CANCELLED copy with the same UID and a higher SEQUENCE. The same holds for an event of
the previous file that is no longer listed at all (met long ago, moved out of the window, project
removed): it is carried over as CANCELLED until its date is CANCELLED_LOOKBACK_DAYS in the past.

Re-running over an existing file changes only what changed: an event whose content is the same
keeps its DTSTAMP and SEQUENCE byte for byte; a changed one gets SEQUENCE + 1 and a new DTSTAMP.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from ..calendar import LegalCalendar, default_calendar
from ..store.due import CANCELLED_LOOKBACK_DAYS, DueItem
from .deadlines import article_text

PRODID = "-//zwxm//政务项目期限 deadlines//ZH"
DEFAULT_REMIND_WORKDAYS = 3
REMIND_AT = dt.timedelta(hours=9)  # the reminder's time of day on its working day
_VOLATILE = ("DTSTAMP", "SEQUENCE")  # what a re-run may change without the event having changed


def reminder_day(due: dt.date, workdays: int, calendar: LegalCalendar) -> dt.date:
    """The `workdays`-th working day before `due` (the due day itself not counted); 0: the due day."""
    day = due
    for _ in range(workdays):
        day = calendar.previous_workday(day - dt.timedelta(days=1))
    return day


def _event(item: DueItem, remind_workdays: int, calendar: LegalCalendar) -> Event:
    event = Event()
    event.add("uid", item.uid)
    done = item.status == "met"
    mark = "【已完成】" if done else ("【临时日期】" if item.provisional else "")
    event.add("summary", f"{mark}{item.title}（{article_text(item.article)}）{item.project_name}")
    lines = [f"项目编号 project: {item.project_code}", f"项目名称: {item.project_name}",
             f"建设单位: {item.owner_unit or '—'}", f"责任部门: {item.department or '—'}",
             f"依据: {article_text(item.article)}", f"日期计算: {item.explanation}"]
    if item.provisional:
        lines.append("临时日期：该年度节假日安排尚未公布 / provisional: the year's holidays are not yet published")
    if done and item.done_on:
        lines.append(f"已于 {item.done_on.isoformat()} 完成 / done on {item.done_on.isoformat()}")
    lines += ["", f"{item.title_en} — {item.explanation_en}"]
    event.add("description", "\n".join(lines))
    event.add("dtstart", item.date)
    event.add("dtend", item.date + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("categories", [item.district])
    event.add("status", "CANCELLED" if done else ("TENTATIVE" if item.provisional else "CONFIRMED"))
    event.add("x-zwxm-project", item.project_code)
    event.add("x-zwxm-rule", item.rule)
    if item.provisional:
        event.add("x-zwxm-provisional", "TRUE")
    if not done:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{item.title}：{item.project_code} 将于 {item.date.isoformat()} 到期")
        before = (item.date - reminder_day(item.date, remind_workdays, calendar)).days
        alarm.add("trigger", REMIND_AT - dt.timedelta(days=before))
        event.add_component(alarm)
    return event


def _content(event: Event) -> bytes:
    """The event's text without the properties a re-run may refresh: what "unchanged" compares."""
    return b"\n".join(line for line in event.to_ical().splitlines()
                      if not line.startswith(tuple(name.encode() + b":" for name in _VOLATILE)))


def _cancelled(event: Event) -> Event:
    copy = Event.from_ical(event.to_ical())
    copy["status"] = "CANCELLED"
    for name in _VOLATILE:
        copy.pop(name, None)
    for alarm in [c for c in copy.subcomponents if c.name == "VALARM"]:
        copy.subcomponents.remove(alarm)
    return copy


def build_calendar(items: list[DueItem], as_of: dt.date, remind_workdays: int = DEFAULT_REMIND_WORKDAYS,
                   previous: Calendar | None = None, now: dt.datetime | None = None) -> Calendar:
    """The calendar for these deadlines; with `previous` (the file written last time) unchanged
    events keep their stamps and vanished ones come back as CANCELLED (module docstring)."""
    calendar = default_calendar()
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    old = {str(e["uid"]): e for e in previous.walk("VEVENT")} if previous is not None else {}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "政务项目期限 zwxm deadlines")
    events = [_event(item, remind_workdays, calendar) for item in items]
    listed = {str(e["uid"]) for e in events}
    horizon = as_of - dt.timedelta(days=CANCELLED_LOOKBACK_DAYS)
    for uid, event in old.items():
        if uid not in listed and event.decoded("dtstart") >= horizon:
            events.append(_cancelled(event))
    for event in sorted(events, key=lambda e: (e.decoded("dtstart"), str(e["uid"]))):
        before = old.get(str(event["uid"]))
        if before is not None and _content(before) == _content(event):
            event.add("dtstamp", before.decoded("dtstamp"))
            event.add("sequence", int(before.get("sequence", 0)))
        else:
            event.add("dtstamp", now)
            event.add("sequence", int(before.get("sequence", 0)) + 1 if before is not None else 0)
        cal.add_component(event)
    return cal


def read_previous(path: Path) -> Calendar | None:
    """The calendar file zwxm wrote there last time, or None when there is no file. Anything else
    at that path raises ValueError: it is not ours to overwrite."""
    if not path.exists():
        return None
    try:
        previous = Calendar.from_ical(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: 不是 zwxm 写的日历文件，不覆盖 / not a calendar file written by zwxm, "
                         f"left alone ({exc})") from exc
    if str(previous.get("prodid", "")) != PRODID:
        raise ValueError(f"{path}: 不是 zwxm 写的日历文件，不覆盖 / not a calendar file written by zwxm, left alone")
    return previous
