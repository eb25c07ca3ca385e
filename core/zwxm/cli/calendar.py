"""`zwxm calendar [YEAR [MONTH]]`: print a month grid with rest days, holidays and 调休 marked."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from ..calendar import (
    ADJUSTED_WORK,
    FIRST_YEAR,
    HOLIDAY,
    LAST_YEAR,
    REST,
    CalendarError,
    LegalCalendar,
    default_calendar,
    default_override_files,
    name_en,
)

_MARK = {HOLIDAY: "*", ADJUSTED_WORK: "+", REST: "."}
_TEXT = {
    "zh": {
        "title": "{y}年{m}月",
        "days": ["一", "二", "三", "四", "五", "六", "日"],
        "legend": "图例：* 法定节假日（放假）  + 调休上班（周末上班）  . 周末休息  无标记 = 工作日",
        "holidays": "放假：",
        "adjusted": "调休上班：",
        "official": "{y} 年数据来源：{src}（官方）",
        "provisional": "{y} 年：暂定，尚无国务院放假安排；按周末和法定节日推定，公布后可能变化。"
        "可在覆盖文件中添加（见 docs/calendar.md）",
    },
    "en": {
        "title": "{month} {y}",
        "days": ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
        "legend": "Legend: * holiday (day off)  + adjusted workday (weekend worked, 调休)  "
        ". weekend rest  unmarked = working day",
        "holidays": "Days off: ",
        "adjusted": "Adjusted workdays: ",
        "official": "{y} source: {src} (official)",
        "provisional": "{y}: PROVISIONAL, no official State Council schedule yet; estimated from "
        "weekends and statutory holidays, may change. Add it in an override file (docs/calendar.md)",
    },
}


def _runs(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    runs: list[list[datetime.date]] = []
    for d in days:
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return [(r[0], r[-1]) for r in runs]


def render_month(cal: LegalCalendar, year: int, month: int, lang: str = "zh") -> str:
    """The month grid (Monday first) with marks, the month's holidays and adjusted workdays."""
    t = _TEXT[lang]
    first = datetime.date(year, month, 1)
    days = []
    d = first
    while d.month == month:
        days.append(d)
        d += datetime.timedelta(days=1)
    title = t["title"].format(y=year, m=month, month=first.strftime("%B"))
    if lang == "zh":
        header = "".join(f"  {name} " for name in t["days"])
    else:
        header = "".join(f"{name:>4} " for name in t["days"])
    lines = [title, header]
    cells = ["     "] * first.weekday()
    for d in days:
        cells.append(f"{d.day:>3}{_MARK.get(cal.day_kind(d), ' ')} ")
    for i in range(0, len(cells), 7):
        lines.append("".join(cells[i:i + 7]).rstrip())
    off = [d for d in days if cal.day_kind(d) == HOLIDAY]
    for a, b in _runs(off):
        name = cal.holiday_name(a)
        name = name if lang == "zh" else name_en(name)
        span = f"{a:%m-%d}" if a == b else f"{a:%m-%d} ~ {b:%m-%d}"
        lines.append(f"{t['holidays']}{span} {name}")
    adjusted = [d for d in days if cal.day_kind(d) == ADJUSTED_WORK]
    if adjusted:
        lines.append(t["adjusted"] + ", ".join(
            f"{d:%m-%d}（{t['days'][d.weekday()]}）" if lang == "zh" else f"{d:%m-%d} ({t['days'][d.weekday()]})"
            for d in adjusted))
    return "\n".join(lines)


def render(cal: LegalCalendar, year: int, months: list[int], lang: str = "zh") -> str:
    t = _TEXT[lang]
    parts = [render_month(cal, year, m, lang) for m in months]
    parts.append(t["legend"])
    if cal.is_official(year):
        parts.append(t["official"].format(y=year, src=cal.source(year)))
    else:
        parts.append(t["provisional"].format(y=year))
    return "\n\n".join(parts)


def month_data(cal: LegalCalendar, year: int, month: int) -> dict:
    """A month as data for `--json`: each day's kind (workday, rest, holiday, adjusted workday)."""
    days = []
    day = datetime.date(year, month, 1)
    while day.month == month:
        kind = cal.day_kind(day)
        days.append({"date": day.isoformat(), "kind": _KIND_NAMES.get(kind, "workday"), "workday": cal.is_workday(day),
                     "holiday": cal.holiday_name(day) if kind == HOLIDAY else None})
        day += datetime.timedelta(days=1)
    return {"year": year, "month": month, "days": days}


_KIND_NAMES = {HOLIDAY: "holiday", ADJUSTED_WORK: "adjusted_workday", REST: "rest"}


@click.command("calendar")
@click.argument("year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=False)
@click.argument("month", type=click.IntRange(1, 12), required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="输出语言（默认用 zwxm --lang）/ output language (default: zwxm --lang)")
@click.option("--calendar-file", "calendar_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="另加节假日覆盖文件（可多次）/ extra holiday override TOML file (repeatable), after the user's own files")
@click.option("--json", "as_json", is_flag=True,
              help="输出 JSON：每天的类型、节日名称、数据来源 / JSON output: each day's kind, holiday name, source")
@click.pass_context
def calendar_command(ctx: click.Context, year: int | None, month: int | None, lang: str | None,
                     calendar_files: tuple[Path, ...], as_json: bool) -> None:
    """Show a month (or a whole YEAR) of the legal working-day calendar.

    显示法定工作日历：法定节假日、调休上班日与周末，并注明该年数据来源（官方/暂定）。
    """
    lang = lang or (ctx.obj or {}).get("lang") or "zh"
    today = datetime.date.today()
    if year is None:
        year, months = today.year, [today.month]
    else:
        months = [month] if month else list(range(1, 13))
    try:
        cal = (LegalCalendar([*default_override_files(), *calendar_files])
               if calendar_files else default_calendar())
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        official = cal.is_official(year)
        click.echo(json.dumps({"year": year, "official": official, "source": cal.source(year) if official else None,
                               "months": [month_data(cal, year, m) for m in months]}, ensure_ascii=False, indent=2))
        return
    click.echo(render(cal, year, months, lang))


__all__ = ["calendar_command", "render", "render_month"]
COMMANDS = [calendar_command]
