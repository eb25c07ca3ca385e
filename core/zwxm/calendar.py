"""Legal calendar and deadline engine: Chinese working days and period counting.

Every district deadline goes through this module. Conventions (民法典 第二百零一条–第二百零四条):
the trigger day is never counted; a period whose last day is a rest day or holiday ends on the next
working day; working days follow the State Council's yearly notices including adjusted workdays
(调休). Data comes from the ``holidays`` package; this module keeps its own table of which years
are official, everything else is provisional. See docs/calendar.md.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime
import functools
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import platformdirs

FIRST_YEAR = 1990
LAST_YEAR = 2100
_BASE = datetime.date(FIRST_YEAR, 1, 1).toordinal()
_END = datetime.date(LAST_YEAR, 12, 31).toordinal()

# Years with an official State Council notice (国务院办公厅关于YYYY年部分节假日安排的通知).
# Numbers only where verified (gov.cn / wikisource copies); never guessed.
OFFICIAL_YEARS: dict[int, str] = {
    year: f"国务院办公厅关于{year}年部分节假日安排的通知" for year in range(2004, 2027)
}
OFFICIAL_YEARS.update({
    2006: "国务院办公厅关于2006年部分节假日安排的通知（国办发明电〔2005〕35号）",
    2007: "国务院办公厅关于2007年部分节假日安排的通知（国办发明电〔2006〕49号）",
    2020: "国务院办公厅关于2020年部分节假日安排的通知；国务院办公厅关于延长2020年春节假期的通知",
    2024: "国务院办公厅 国办发明电〔2023〕7号",
    2025: "国务院办公厅 国办发明电〔2024〕12号",
    2026: "国务院办公厅 国办发明电〔2025〕7号",
})
PROVISIONAL_SOURCE = "provisional (no official schedule)"

# Day kinds.
WORK, ADJUSTED_WORK, REST, HOLIDAY = 0, 1, 2, 3

_BLOCK_NAME = {"农历除夕": "春节", "春节延长假期": "春节"}  # eve/extension belong to 春节
_NAMES_EN = {
    "元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-Sweeping Day",
    "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-Autumn Festival",
    "国庆节": "National Day",
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": "Victory Day (70th anniversary)",
}


class CalendarError(ValueError):
    """Bad override file, or a date outside the supported range."""


@attrs.frozen(slots=True)
class DateResult:
    date: datetime.date
    kind: str  # "due" | "not_before"
    provisional: bool
    explanation: str
    explanation_en: str
    reason_provisional: str = ""


@attrs.frozen(slots=True)
class _YearOverride:
    source: str
    path: Path
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]


def name_en(name_zh: str) -> str:
    """English name of a holiday block name (as stored by the calendar), or the name itself."""
    return _NAMES_EN.get(name_zh, name_zh)


@functools.cache
def _package_data() -> tuple[dict[datetime.date, str], frozenset[datetime.date]]:
    """Rest dates (with zh names) and weekend workdays from the ``holidays`` package, per year.

    Official years: the package's data as is (it follows the notices). Other years: observed=False,
    so no invented "observed" days; only the statutory days the package lists (documented choice).
    """
    import holidays  # imported here: it takes ~0.2 s, and the TUI paints before it needs it

    official = sorted(OFFICIAL_YEARS)
    # One year beyond: a notice may make a day of the previous December a workday.
    off = holidays.China(years=range(official[0], official[-1] + 2), language="zh_CN")
    prov = holidays.China(years=range(FIRST_YEAR, LAST_YEAR + 1), observed=False,
                          language="zh_CN")
    rest: dict[datetime.date, str] = {}
    work: set[datetime.date] = set()
    for obj, pick in ((off, lambda y: y in OFFICIAL_YEARS), (prov, lambda y: y not in OFFICIAL_YEARS)):
        rest.update({d: str(n) for d, n in obj.items() if pick(d.year)})
        work.update(d for d in set(obj.weekend_workdays) if pick(d.year) and FIRST_YEAR <= d.year <= LAST_YEAR)
    return rest, frozenset(work)


def _as_date(value: object, where: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{where}: invalid date {value!r} (expected YYYY-MM-DD)")


def load_override_file(path: Path) -> dict[int, _YearOverride]:
    """Parse and validate one override TOML file; CalendarError names file, key and value."""
    path = Path(path)
    data = _read_toml(path)
    for key in data:
        if key != "years":
            raise CalendarError(f"{path}: unknown key {key!r} (only [years.YYYY] tables)")
    years = data.get("years", {})
    if not isinstance(years, dict):
        raise CalendarError(f"{path}: years: expected tables [years.YYYY], got {years!r}")
    result: dict[int, _YearOverride] = {}
    for ykey, table in years.items():
        year, override = _year_override(path, ykey, table)
        result[year] = override
    return result


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{path}: cannot read calendar override file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"{path}: invalid TOML: {exc}") from exc


def _year_override(path: Path, ykey: str, table: object) -> tuple[int, _YearOverride]:
    """One [years.YYYY] table of an override file, checked."""
    where = f"{path}: years.{ykey}"
    if not (ykey.isdigit() and FIRST_YEAR <= int(ykey) <= LAST_YEAR):
        raise CalendarError(f"{where}: invalid year {ykey!r} (expected {FIRST_YEAR}..{LAST_YEAR})")
    if not isinstance(table, dict):
        raise CalendarError(f"{where}: expected a table, got {table!r}")
    year = int(ykey)
    for key in table:
        if key not in ("source", "holidays", "workdays"):
            raise CalendarError(f"{where}: unknown key {key!r} (source, holidays, workdays)")
    source = table.get("source", "")
    if not isinstance(source, str):
        raise CalendarError(f"{where}.source: expected a string, got {source!r}")
    lists = {field: _dates_of_year(f"{where}.{field}", table.get(field, []), year)
             for field in ("holidays", "workdays")}
    both = lists["holidays"] & lists["workdays"]
    if both:
        bad = min(both).isoformat()
        raise CalendarError(f"{where}: date {bad!r} is in both holidays and workdays")
    return year, _YearOverride(source.strip(), path, lists["holidays"], lists["workdays"])


def _dates_of_year(where: str, values: object, year: int) -> frozenset[datetime.date]:
    """The `holidays` or `workdays` list of a year's table: dates, each in that year."""
    if not isinstance(values, list):
        raise CalendarError(f"{where}: expected a list of dates, got {values!r}")
    dates = []
    for value in values:
        d = _as_date(value, where)
        if d.year != year:
            raise CalendarError(f"{where}: date {value!r} is outside year {year}")
        dates.append(d)
    return frozenset(dates)


def _remembered(method):
    """A period answer depends only on its arguments and the calendar, which never changes once
    built; projects share trigger dates, so each answer is computed once per calendar."""
    name = method.__name__

    @functools.wraps(method)
    def answer(self, *args, **kwargs):
        key = (name, args, tuple(sorted(kwargs.items())))
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = method(self, *args, **kwargs)
        return found

    return answer


def _day_kinds(overrides: dict[int, _YearOverride]) -> tuple[bytearray, dict[int, str]]:
    """Each day's kind (by index from _BASE) and the holiday names the package data gives; a year an
    override file covers is taken from that file alone."""
    rest, work = _package_data()
    kinds = bytearray(_END - _BASE + 1)
    names: dict[int, str] = {}
    for i in range(len(kinds)):
        kinds[i] = REST if (i + _BASE) % 7 in (6, 0) else WORK  # ordinal % 7: 0 = Sunday
    for d, name in rest.items():
        if d.year not in overrides:
            kinds[d.toordinal() - _BASE] = HOLIDAY
            names[d.toordinal() - _BASE] = name
    for d in work:
        if d.year not in overrides and kinds[d.toordinal() - _BASE] == REST:
            kinds[d.toordinal() - _BASE] = ADJUSTED_WORK
    for ov in overrides.values():
        for d in ov.holidays:
            kinds[d.toordinal() - _BASE] = HOLIDAY
        for d in ov.workdays:
            if kinds[d.toordinal() - _BASE] == REST:
                kinds[d.toordinal() - _BASE] = ADJUSTED_WORK
    return kinds, names


def _join_holiday_blocks(kinds: bytearray, names: dict[int, str]) -> dict[int, str]:
    """A weekend inside a block of rest days that contains a holiday belongs to the holiday: `kinds`
    is changed so; returns the name of the holiday block of each of its days."""
    block_names: dict[int, str] = {}
    i = 0
    while i < len(kinds):
        if kinds[i] in (WORK, ADJUSTED_WORK):
            i += 1
            continue
        j = i
        while j < len(kinds) and kinds[j] in (REST, HOLIDAY):
            j += 1
        if HOLIDAY in kinds[i:j]:
            labels = [_BLOCK_NAME.get(n, n) for n in (names[k].split("（")[0] for k in range(i, j)
                      if k in names and not names[k].startswith("休息日"))]
            for k in range(i, j):
                kinds[k] = HOLIDAY
                block_names[k] = labels[0] if labels else "节假日"
        i = j
    return block_names


class LegalCalendar:
    """Working-day calendar 1990..2100 with a precomputed per-day index."""

    def __init__(self, override_files: Sequence[Path] = ()):
        self._answers: dict[tuple, DateResult] = {}
        self._overrides: dict[int, _YearOverride] = {}
        for path in override_files:
            self._overrides.update(load_override_file(Path(path)))  # later files win per year
        kinds, names = _day_kinds(self._overrides)
        self._names = _join_holiday_blocks(kinds, names)
        self._kinds = bytes(kinds)
        cum, wd, count = [], [], 0
        for i, k in enumerate(self._kinds):
            if k <= ADJUSTED_WORK:
                count += 1
                wd.append(i)
            cum.append(count)
        self._cum, self._wd = cum, wd

    # -- basic queries -----------------------------------------------------------------------
    def _idx(self, d: datetime.date) -> int:
        o = d.toordinal()
        if not _BASE <= o <= _END:
            raise CalendarError(
                f"date {d.isoformat()} is outside the supported range {FIRST_YEAR}-01-01..{LAST_YEAR}-12-31"
            )
        return o - _BASE

    def _date(self, i: int) -> datetime.date:
        return datetime.date.fromordinal(i + _BASE)

    def day_kind(self, d: datetime.date) -> int:
        """WORK, ADJUSTED_WORK (weekend worked, 调休), REST (weekend) or HOLIDAY."""
        return self._kinds[self._idx(d)]

    def holiday_name(self, d: datetime.date) -> str:
        """zh name of the holiday block d belongs to ("" if none)."""
        return self._names.get(self._idx(d), "")

    def is_workday(self, d: datetime.date) -> bool:
        return self._kinds[self._idx(d)] <= ADJUSTED_WORK

    def is_official(self, year: int) -> bool:
        return year in self._overrides or year in OFFICIAL_YEARS

    def source(self, year: int) -> str:
        if year in self._overrides:
            ov = self._overrides[year]
            return f"{ov.source} (override: {ov.path})" if ov.source else f"override: {ov.path}"
        return OFFICIAL_YEARS.get(year, PROVISIONAL_SOURCE)

    def add_workdays(self, d: datetime.date, n: int) -> datetime.date:
        """The n-th working day after d (d itself not counted); n=0 returns d."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        i = self._idx(d)
        if n == 0:
            return d
        k = self._cum[i] + n - 1
        if k >= len(self._wd):
            raise CalendarError(f"{d.isoformat()} + {n} working days is beyond {LAST_YEAR}-12-31")
        return datetime.date.fromordinal(self._wd[k] + _BASE)

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative when end < start."""
        return self._cum[self._idx(end)] - self._cum[self._idx(start)]

    def next_workday(self, d: datetime.date) -> datetime.date:
        """d itself if it is a working day, else the first working day after it."""
        i = self._idx(d)
        if self._kinds[i] <= ADJUSTED_WORK:
            return d
        if self._cum[i] >= len(self._wd):
            raise CalendarError(f"no working day after {d.isoformat()} before {LAST_YEAR}-12-31")
        return self._date(self._wd[self._cum[i]])

    def previous_workday(self, d: datetime.date) -> datetime.date:
        """d itself if it is a working day, else the last working day before it."""
        i = self._idx(d)
        if self._kinds[i] <= ADJUSTED_WORK:
            return d
        if self._cum[i] == 0:
            raise CalendarError(f"no working day before {d.isoformat()} after {FIRST_YEAR}-01-01")
        return self._date(self._wd[self._cum[i] - 1])

    # -- results ----------------------------------------------------------------------------
    def _rest_words(self, d: datetime.date) -> tuple[str, str]:
        if self.day_kind(d) == HOLIDAY:
            name = self.holiday_name(d)
            return (f"法定节假日（{name}）", f"a holiday ({name_en(name)})") if name else ("法定节假日", "a holiday")
        return "休息日", "a rest day"

    def _result(self, trigger: datetime.date, d: datetime.date, kind: str, zh: str, en: str) -> DateResult:
        lo, hi = sorted((trigger.year, d.year))
        missing = [y for y in range(lo, hi + 1) if not self.is_official(y)]
        reason = ""
        if missing:
            ys = "、".join(map(str, missing)) if len(missing) <= 5 else f"{missing[0]}–{missing[-1]}"
            ys_en = ", ".join(map(str, missing)) if len(missing) <= 5 else f"{missing[0]}-{missing[-1]}"
            reason = (f"{ys} 年尚无国务院放假安排，按周末和法定节日推定，公布后可能变化 / "
                      f"no official State Council schedule for {ys_en}: estimated from weekends and "
                      "statutory holidays, may change when published")
            zh += f"（暂定：{ys} 年放假安排尚未公布）"
            en += f" (provisional: no official schedule for {ys_en})"
        return DateResult(d, kind, bool(missing), zh, en, reason)

    def _rollover(self, end: datetime.date) -> tuple[datetime.date, str, str]:
        if self.is_workday(end):
            return end, f"届满日 {end} 为工作日", f"ends {end}, a working day"
        moved = self.next_workday(end)
        zh, en = self._rest_words(end)
        return moved, f"届满日 {end} 为{zh}，顺延至 {moved}", f"{end} is {en}: moved to {moved}"

    @staticmethod
    def _check_n(n: int) -> None:
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"period length must be an int >= 0, got {n!r}")

    @_remembered
    def due_in_days(self, trigger: datetime.date, n: int) -> DateResult:
        """"N日内": trigger + n calendar days; a rest day/holiday moves to the next working day."""
        self._check_n(n)
        end = trigger + datetime.timedelta(days=n)
        d, zh, en = self._rollover(end)
        return self._result(trigger, d, "due",
                            f"自 {trigger} 起 {n} 日内（起算日不计入），{zh}",
                            f"{n} days after {trigger} (trigger day not counted): {en}")

    @_remembered
    def due_in_workdays(self, trigger: datetime.date, n: int) -> DateResult:
        """"N个工作日内": the n-th working day after the trigger day."""
        self._check_n(n)
        d = self.add_workdays(trigger, n)
        skipped = (d - trigger).days - n
        return self._result(trigger, d, "due",
                            f"自 {trigger} 起 {n} 个工作日内（起算日不计入），截止 {d}（期间 {skipped} 个休息日/节假日不计）",
                            f"{n} working days after {trigger} (trigger day not counted): due {d} "
                            f"({skipped} rest days/holidays skipped)")

    @_remembered
    def due_months_after(self, trigger: datetime.date, months: int) -> DateResult:
        """"N个月内"/"半年内": same day of month (or month end), then rest-day rollover."""
        self._check_n(months)
        end, clamped = add_months(trigger, months)
        note_zh = f"（{end.year}-{end.month:02d} 无 {trigger.day} 日，取月末）" if clamped else ""
        note_en = f" (no day {trigger.day} in {end.year}-{end.month:02d}: month end)" if clamped else ""
        d, zh, en = self._rollover(end)
        return self._result(trigger, d, "due",
                            f"自 {trigger} 起 {months} 个月内{note_zh}，{zh}",
                            f"{months} months after {trigger}{note_en}: {en}")

    def _fixed(self, trigger: datetime.date, d: datetime.date, zh: str, en: str) -> DateResult:
        if self.is_workday(d):
            zh, en = f"{zh}（工作日）", f"{en} (a working day)"
        else:
            rz, re_ = self._rest_words(d)
            prev = self.previous_workday(d)
            zh += f"；该日为{rz}，固定日期不顺延，宜在 {prev} 前办理"
            en += f"; it is {re_}: fixed dates do not move, file by {prev} to be safe"
        return self._result(trigger, d, "due", zh, en)

    def monthly_due_dates(self, start: datetime.date, end: datetime.date, day: int) -> list[DateResult]:
        """"每月D日前": one date per month whose day D (or month end) lies in (start, end].

        start (the trigger, e.g. the start of implementation) is excluded like any trigger day; end
        (the end of the phase) is included. Fixed dates, so no rollover.
        """
        if not 1 <= day <= 31:
            raise ValueError(f"day must be 1..31, got {day}")
        out = []
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            d = datetime.date(y, m, min(day, _stdcal.monthrange(y, m)[1]))
            if start < d <= end:
                out.append(self._fixed(start, d, f"每月 {day} 日前：{d}", f"monthly by day {day}: {d}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @_remembered
    def fixed_date(self, year: int, month: int, day: int | None = None) -> DateResult:
        """"9月底前": a fixed calendar date (day None = last day of month); never rolls over."""
        last = _stdcal.monthrange(year, month)[1]
        d = datetime.date(year, month, last if day is None else day)
        self._idx(d)
        return self._fixed(d, d, f"固定日期 {d} 前", f"fixed date: by {d}")

    @_remembered
    def not_before_days(self, trigger: datetime.date, n: int) -> DateResult:
        """"不少于N天": earliest date of the next step = trigger + n (no rollover)."""
        self._check_n(n)
        d = trigger + datetime.timedelta(days=n)
        self._idx(d)
        return self._result(trigger, d, "not_before",
                            f"自 {trigger} 起不少于 {n} 日（起算日不计入），最早于 {d} 进行下一步",
                            f"at least {n} days after {trigger} (trigger day not counted): next step not before {d}")

    @_remembered
    def not_before_months(self, trigger: datetime.date, months: int) -> DateResult:
        """"不少于N个月": earliest date of the next step = trigger + months (month end clamp)."""
        self._check_n(months)
        d, _ = add_months(trigger, months)
        self._idx(d)
        return self._result(trigger, d, "not_before",
                            f"自 {trigger} 起不少于 {months} 个月，最早于 {d} 进行下一步",
                            f"at least {months} months after {trigger}: next step not before {d}")


def add_months(d: datetime.date, months: int) -> tuple[datetime.date, bool]:
    """Same day of month `months` later, or that month's last day; returns (date, clamped)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = _stdcal.monthrange(year, month)[1]
    return datetime.date(year, month, min(d.day, last)), d.day > last


def default_override_files() -> list[Path]:
    """The user override file (if it exists) then each path in $ZWXM_CALENDAR."""
    files = []
    user = Path(platformdirs.user_config_dir("zwxm")) / "calendar.toml"
    if user.is_file():
        files.append(user)
    env = os.environ.get("ZWXM_CALENDAR", "")
    files.extend(Path(p) for p in env.split(os.pathsep) if p.strip())
    return files


@functools.cache
def default_calendar() -> LegalCalendar:
    """The shared calendar with the user's override files (cached; .cache_clear() to reload)."""
    return LegalCalendar(default_override_files())


__all__ = ["CalendarError", "DateResult", "LegalCalendar", "OFFICIAL_YEARS", "add_months",
           "default_calendar", "default_override_files", "load_override_file"]
