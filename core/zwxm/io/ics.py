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
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
from icalendar import Alarm, Calendar, Event

from ..calendar import LegalCalendar, default_calendar
from ..store.due import CANCELLED_LOOKBACK_DAYS, DueItem
from .deadlines import article_text

PRODID = "-//zwxm//政务项目期限 deadlines//ZH"
DEFAULT_REMIND_WORKDAYS = 3
REMIND_AT = dt.timedelta(hours=9)  # the reminder's time of day on its working day


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
    event.add("categories", [item.district_name[0]])
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


_BEGIN, _END = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
_STAMPED = re.compile(rb"^(DTSTAMP|SEQUENCE):(.*)\r\n", re.MULTILINE)
_UID = re.compile(rb"^UID:((?:.|\r\n )*)\r\n", re.MULTILINE)
_DTSTART = re.compile(rb"^DTSTART;VALUE=DATE:(\d{8})\r\n", re.MULTILINE)


@attrs.frozen(slots=True)
class _Written:
    """An event as the previous file holds it: its text without DTSTAMP and SEQUENCE, and those."""

    content: bytes
    dtstamp: bytes
    sequence: int
    start: dt.date


def _unfold(value: bytes) -> str:
    return value.replace(b"\r\n ", b"").decode("utf-8")


def read_previous(path: Path) -> dict[str, _Written]:
    """The events of the calendar file zwxm wrote at `path` last time, by UID ({} when there is
    no file). Anything else at that path raises ValueError: it is not ours to overwrite.

    Compared as text: both files come from the same serializer, so the same content gives the
    same bytes, and a 100k-event file is read in a second instead of parsed for a minute."""
    if not path.exists():
        return {}
    try:
        data = path.read_bytes()
        header = data[:data.find(_BEGIN)] if _BEGIN in data else data[:data.rfind(b"END:VCALENDAR")]
        ours = Calendar.from_ical(header + b"END:VCALENDAR\r\n").get("prodid") == PRODID
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: 无法读取或不是日历文件，不覆盖 / cannot be read or is not a calendar file, "
                         f"left alone ({exc})") from exc
    if not ours:
        raise ValueError(f"{path}: 不是 zwxm 写的日历文件，不覆盖 / not a calendar file written by zwxm, left alone")
    events = {}
    for block in data.split(_BEGIN)[1:]:
        block = _BEGIN + block[:block.index(_END) + len(_END)]
        stamps = dict(_STAMPED.findall(block))
        uid, start = _UID.search(block), _DTSTART.search(block)
        if uid and start:
            events[_unfold(uid.group(1))] = _Written(_STAMPED.sub(b"", block), stamps.get(b"DTSTAMP", b""),
                                                     int(stamps.get(b"SEQUENCE", b"0")),
                                                     dt.datetime.strptime(start.group(1).decode(), "%Y%m%d").date())
    return events


def _cancelled(written: _Written) -> bytes:
    """A vanished event again, as CANCELLED and without its reminder."""
    event = Event.from_ical(written.content)
    event["status"] = "CANCELLED"
    event.subcomponents = [c for c in event.subcomponents if c.name != "VALARM"]
    return event.to_ical()


def write_calendar(items: list[DueItem], as_of: dt.date, remind_workdays: int = DEFAULT_REMIND_WORKDAYS,
                   previous: dict[str, _Written] | None = None, now: dt.datetime | None = None) -> Iterator[bytes]:
    """The calendar file for these deadlines, a piece at a time (a 100k-event file is ~150 MB).
    With `previous` (`read_previous` of the file written last time) unchanged events keep their
    DTSTAMP and SEQUENCE and vanished ones come back as CANCELLED (module docstring)."""
    calendar = default_calendar()
    previous = previous or {}
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ").encode()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "政务项目期限 zwxm deadlines")
    frame = cal.to_ical()
    yield frame[:-len(b"END:VCALENDAR\r\n")]

    def stamped(uid: str, body: bytes) -> bytes:
        before = previous.get(uid)
        if before is not None and before.content == body:
            dtstamp, sequence = before.dtstamp, before.sequence
        else:
            dtstamp, sequence = stamp, before.sequence + 1 if before is not None else 0
        return _BEGIN + b"DTSTAMP:" + dtstamp + b"\r\nSEQUENCE:" + str(sequence).encode() + b"\r\n" + body[len(_BEGIN):]

    # In the items' order (unit, department, date), then the carried-over cancellations in the
    # previous file's order: the same input gives the same file, and nothing is held in memory.
    for item in items:
        yield stamped(item.uid, _event(item, remind_workdays, calendar).to_ical())
    listed = {item.uid for item in items}
    horizon = as_of - dt.timedelta(days=CANCELLED_LOOKBACK_DAYS)
    for uid, written in previous.items():
        if uid not in listed and written.start >= horizon:
            yield stamped(uid, _cancelled(written))
    yield b"END:VCALENDAR\r\n"
