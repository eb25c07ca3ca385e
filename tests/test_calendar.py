"""The legal calendar: working days, period conventions, provisional years, override files.

Expected dates are taken from the State Council notices (see docs/calendar.md), not from the code.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwxm.calendar import (
    OFFICIAL_YEARS,
    CalendarError,
    DateResult,
    LegalCalendar,
    add_months,
    default_calendar,
)

D = datetime.date
CAL = LegalCalendar()


def wd(s: str) -> bool:
    return CAL.is_workday(D.fromisoformat(s))


# -- working days from the notices -------------------------------------------------------------


@pytest.mark.parametrize("day", [
    "2024-09-29", "2024-10-12", "2024-02-04", "2024-02-18",  # 2024 调休
    "2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11",  # 2025 调休
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10",  # 2026 调休
    "2019-02-02", "2019-02-03", "2019-09-29", "2019-10-12",  # 2019 调休
    "2020-01-19", "2020-09-27", "2020-10-10",  # 2020 调休
    "2005-12-31",  # worked Saturday set by the 2006 notice (国办发明电〔2005〕35号)
])
def test_adjusted_workdays_on_weekends_are_working_days(day):
    assert D.fromisoformat(day).weekday() >= 5
    assert wd(day)


@pytest.mark.parametrize("first,last", [
    ("2019-02-04", "2019-02-10"), ("2019-10-01", "2019-10-07"),
    ("2020-01-24", "2020-02-02"),  # Spring Festival incl. the 2020 extension to 2 Feb
    ("2020-10-01", "2020-10-08"),
    ("2024-02-10", "2024-02-17"), ("2024-10-01", "2024-10-07"),
    ("2025-01-28", "2025-02-04"), ("2025-10-01", "2025-10-08"),
    ("2026-02-15", "2026-02-23"), ("2026-10-01", "2026-10-07"),
])
def test_golden_weeks_are_rest_days_and_bounded_by_workdays(first, last):
    a, b = D.fromisoformat(first), D.fromisoformat(last)
    d = a
    while d <= b:
        assert not CAL.is_workday(d), d
        d += datetime.timedelta(days=1)
    assert CAL.is_workday(b + datetime.timedelta(days=1))


def test_2020_extension_made_saturday_1_feb_a_rest_day():
    # the original 2020 notice had 2020-02-01 (Sat) as a working day; the extension cancelled it
    assert not wd("2020-02-01")
    assert wd("2020-02-03")
    assert CAL.due_in_days(D(2020, 1, 20), 10).date == D(2020, 2, 3)


def test_ordinary_weekends_and_weekdays():
    assert not wd("2024-10-19") and not wd("2024-10-20")
    assert wd("2024-10-18")


def test_next_and_previous_workday():
    assert CAL.next_workday(D(2024, 10, 1)) == D(2024, 10, 8)
    assert CAL.next_workday(D(2024, 10, 8)) == D(2024, 10, 8)
    assert CAL.next_workday(D(2024, 9, 28)) == D(2024, 9, 29)
    assert CAL.previous_workday(D(2024, 10, 6)) == D(2024, 9, 30)


def test_add_workdays_and_between():
    assert CAL.add_workdays(D(2024, 9, 25), 0) == D(2024, 9, 25)
    assert CAL.add_workdays(D(2024, 9, 28), 0) == D(2024, 9, 28)  # n=0 returns d itself
    assert CAL.add_workdays(D(2024, 9, 27), 1) == D(2024, 9, 29)  # the worked Sunday
    assert CAL.add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert CAL.add_workdays(D(2024, 9, 28), 1) == D(2024, 9, 29)  # from a rest day
    assert CAL.workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1
    assert CAL.workdays_between(D(2024, 9, 25), D(2024, 10, 8)) == 5
    assert CAL.workdays_between(D(2024, 10, 8), D(2024, 9, 25)) == -5
    assert CAL.workdays_between(D(2024, 10, 1), D(2024, 10, 1)) == 0
    with pytest.raises(ValueError):
        CAL.add_workdays(D(2024, 1, 1), -1)


# -- "N日内" ---------------------------------------------------------------------------------


def test_due_in_days_ending_on_holiday_rolls_to_next_workday():
    r = CAL.due_in_days(D(2024, 9, 25), 10)
    assert r == DateResult(r.date, "due", False, r.explanation, r.explanation_en, "")
    assert r.date == D(2024, 10, 8)
    assert "2024-10-05 为法定节假日" in r.explanation and "顺延至 2024-10-08" in r.explanation
    assert "2024-10-05 is a holiday" in r.explanation_en and "moved to 2024-10-08" in r.explanation_en


@pytest.mark.parametrize("trigger,n,expected", [
    ("2024-09-20", 10, "2024-09-30"),  # ends on a working Monday
    ("2024-09-19", 10, "2024-09-29"),  # ends on the worked Sunday: no rollover
    ("2024-10-01", 4, "2024-10-08"),   # 10-05 inside National Day
    ("2024-10-10", 2, "2024-10-12"),   # 10-12 Sat is a working day
    ("2024-10-10", 3, "2024-10-14"),   # 10-13 Sun: ordinary weekend -> Monday
    ("2019-01-25", 15, "2019-02-11"),  # 2019-02-09 in Spring Festival
    ("2019-09-20", 15, "2019-10-08"),
    ("2025-01-20", 10, "2025-02-05"),  # 2025-01-30 in Spring Festival
    ("2025-09-26", 2, "2025-09-28"),   # 2025-09-28 Sun worked
    ("2025-09-26", 5, "2025-10-09"),   # 2025-10-01 -> after 8-day holiday
    ("2026-02-10", 7, "2026-02-24"),   # 2026-02-17 in Spring Festival
    ("2026-09-30", 7, "2026-10-08"),
    ("2024-01-01", 0, "2024-01-02"),   # n=0 on a holiday still rolls over
])
def test_due_in_days(trigger, n, expected):
    r = CAL.due_in_days(D.fromisoformat(trigger), n)
    assert r.date == D.fromisoformat(expected)
    assert r.kind == "due" and not r.provisional


def test_due_in_days_plain_weekend_explanation():
    r = CAL.due_in_days(D(2024, 10, 9), 4)  # 10-13 Sunday
    assert r.date == D(2024, 10, 14)
    assert "2024-10-13 为休息日，顺延至 2024-10-14" in r.explanation
    assert "2024-10-13 is a rest day: moved to 2024-10-14" in r.explanation_en


# -- "N个工作日内" --------------------------------------------------------------------------


@pytest.mark.parametrize("trigger,n,expected", [
    ("2024-09-25", 5, "2024-10-08"),  # 26, 27, 29 (Sun worked), 30, 10-08
    ("2024-09-27", 1, "2024-09-29"),
    ("2025-01-24", 3, "2025-02-05"),  # 01-26 Sun worked, 01-27, then after the festival
    ("2025-01-24", 1, "2025-01-26"),
    ("2026-02-13", 1, "2026-02-14"),  # Sat worked
    ("2026-02-13", 2, "2026-02-24"),
    ("2019-09-27", 2, "2019-09-30"),
    ("2019-09-27", 3, "2019-10-08"),
    ("2020-01-23", 1, "2020-02-03"),  # across the extended 2020 Spring Festival
])
def test_due_in_workdays(trigger, n, expected):
    r = CAL.due_in_workdays(D.fromisoformat(trigger), n)
    assert r.date == D.fromisoformat(expected)
    assert r.kind == "due" and not r.provisional and r.explanation and r.explanation_en


# -- month periods ---------------------------------------------------------------------------


@pytest.mark.parametrize("trigger,months,expected", [
    ("2024-01-31", 1, "2024-02-29"),
    ("2024-08-31", 6, "2025-02-28"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2023-01-31", 1, "2023-02-28"),
    ("2024-03-15", 6, "2024-09-15"),
])
def test_add_months_clamps_to_month_end(trigger, months, expected):
    assert add_months(D.fromisoformat(trigger), months)[0] == D.fromisoformat(expected)


@pytest.mark.parametrize("trigger,months,expected", [
    ("2024-01-31", 1, "2024-02-29"),   # Thursday, working day
    ("2024-08-31", 6, "2025-02-28"),   # Friday
    ("2024-02-29", 12, "2025-02-28"),  # Friday
    ("2024-09-01", 1, "2024-10-08"),   # 10-01 National Day: rolls over
    ("2024-05-31", 6, "2024-12-02"),   # clamped to 11-30 (Sat): rolls over to Monday
    ("2025-07-28", 6, "2026-01-28"),   # Wednesday, working day
    ("2025-04-30", 5, "2025-09-30"),   # Tuesday before National Day: no rollover needed
    ("2025-05-01", 5, "2025-10-09"),   # 10-01 inside the 8-day holiday
])
def test_due_months_after(trigger, months, expected):
    r = CAL.due_months_after(D.fromisoformat(trigger), months)
    assert r.date == D.fromisoformat(expected)
    assert r.kind == "due"


def test_due_half_year_into_spring_festival():
    r = CAL.due_months_after(D(2025, 8, 17), 6)  # 2026-02-17, Spring Festival
    assert r.date == D(2026, 2, 24)
    assert "2026-02-17 为法定节假日" in r.explanation and "春节" in r.explanation
    r = CAL.due_months_after(D(2024, 8, 31), 6)
    assert "取月末" in r.explanation and "month end" in r.explanation_en


# -- not-before ------------------------------------------------------------------------------


def test_not_before_days_does_not_roll_over():
    r = CAL.not_before_days(D(2024, 9, 1), 30)
    assert r.date == D(2024, 10, 1) and r.kind == "not_before" and not r.provisional
    r = CAL.not_before_days(D(2024, 9, 25), 30)
    assert r.date == D(2024, 10, 25)


def test_not_before_months():
    r = CAL.not_before_months(D(2024, 1, 31), 1)
    assert r.date == D(2024, 2, 29) and r.kind == "not_before"
    assert CAL.not_before_months(D(2024, 9, 1), 1).date == D(2024, 10, 1)


# -- monthly and fixed dates -----------------------------------------------------------------


def test_monthly_due_dates_start_excluded_end_included_no_rollover():
    rs = CAL.monthly_due_dates(D(2024, 1, 25), D(2024, 5, 25), 25)
    assert [r.date for r in rs] == [D(2024, 2, 25), D(2024, 3, 25), D(2024, 4, 25), D(2024, 5, 25)]
    assert all(r.kind == "due" and not r.provisional for r in rs)
    # 2024-02-25 is a Sunday: not moved, explanation says so and names the safe earlier day
    assert "不顺延" in rs[0].explanation and "2024-02-23" in rs[0].explanation
    assert "do not move" in rs[0].explanation_en


def test_monthly_due_dates_partial_months_and_clamp():
    assert [r.date for r in CAL.monthly_due_dates(D(2024, 1, 10), D(2024, 3, 20), 25)] == [
        D(2024, 1, 25), D(2024, 2, 25)]
    assert [r.date for r in CAL.monthly_due_dates(D(2024, 1, 1), D(2024, 4, 30), 31)] == [
        D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]
    assert CAL.monthly_due_dates(D(2024, 1, 26), D(2024, 2, 24), 25) == []
    # the 25th of October 2024 falls in no holiday; 2025-10-05 does (National Day), not moved
    r = CAL.monthly_due_dates(D(2025, 9, 10), D(2025, 10, 10), 5)
    assert [x.date for x in r] == [D(2025, 10, 5)]
    assert "2025-09-30" in r[0].explanation


def test_fixed_dates():
    r = CAL.fixed_date(2024, 9)
    assert r.date == D(2024, 9, 30) and r.kind == "due" and not r.provisional
    assert "不顺延" not in r.explanation
    r = CAL.fixed_date(2023, 9)  # 2023-09-30 inside Mid-Autumn/National Day: not moved
    assert r.date == D(2023, 9, 30)
    assert "不顺延" in r.explanation and "2023-09-28" in r.explanation
    assert CAL.fixed_date(2024, 2).date == D(2024, 2, 29)
    assert CAL.fixed_date(2025, 6, 15).date == D(2025, 6, 15)


# -- provisional years -----------------------------------------------------------------------


def test_official_years_table():
    assert sorted(OFFICIAL_YEARS) == list(range(2004, 2027))
    assert "国办发明电〔2024〕12号" in CAL.source(2025)
    assert CAL.is_official(2026) and not CAL.is_official(2027) and not CAL.is_official(2003)
    assert CAL.source(2027) == "provisional (no official schedule)"


def test_2027_is_provisional_without_invented_observed_days():
    # the holidays package predicts 2027-02-09/10 as "observed" days off; we do not use them
    assert not wd("2027-02-08")  # 春节 (statutory, lunar 1/3)
    assert wd("2027-02-09") and wd("2027-02-10")
    assert not wd("2027-01-01")
    r = CAL.due_in_days(D(2027, 3, 1), 10)
    assert r.provisional and "2027" in r.reason_provisional and "暂定" in r.explanation
    assert "provisional" in r.explanation_en


def test_provisional_when_period_reaches_an_unofficial_year():
    assert not CAL.due_in_days(D(2026, 12, 1), 10).provisional
    assert CAL.due_in_days(D(2026, 12, 25), 10).provisional
    assert CAL.due_in_workdays(D(2026, 12, 25), 10).provisional
    assert CAL.due_months_after(D(2026, 8, 31), 6).provisional
    assert CAL.not_before_days(D(2026, 12, 20), 30).provisional
    assert CAL.fixed_date(2027, 9).provisional
    assert not CAL.fixed_date(2026, 9).provisional
    assert [r.provisional for r in CAL.monthly_due_dates(D(2026, 11, 1), D(2027, 2, 1), 25)] == [
        False, False, True]
    assert CAL.due_in_days(D(2003, 12, 25), 10).provisional  # before 2004 as well


def test_out_of_range_dates_raise():
    with pytest.raises(CalendarError, match="outside the supported range"):
        CAL.is_workday(D(1989, 12, 31))
    with pytest.raises(CalendarError):
        CAL.add_workdays(D(2100, 12, 28), 10)
    with pytest.raises(CalendarError):
        CAL.due_in_days(D(2100, 12, 28), 10)


def test_date_result_is_frozen():
    r = CAL.due_in_days(D(2024, 9, 25), 10)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.date = D(2024, 1, 1)


# -- override files --------------------------------------------------------------------------

OVERRIDE_2027 = """
[years.2027]
source = "测试：国务院办公厅关于2027年部分节假日安排的通知"
holidays = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
            "2027-02-11", "2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"]
workdays = [2027-02-20, "2027-10-09"]
"""


def write(tmp_path: Path, text: str, name: str = "calendar.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_override_makes_2027_official_and_wins(tmp_path):
    p = write(tmp_path, OVERRIDE_2027)
    cal = LegalCalendar([p])
    assert cal.is_official(2027)
    assert "测试" in cal.source(2027) and str(p) in cal.source(2027)
    assert not cal.is_workday(D(2027, 2, 9))  # listed holiday
    assert cal.is_workday(D(2027, 2, 20))  # Saturday made a working day (TOML date literal)
    assert cal.is_workday(D(2027, 10, 9))
    assert not cal.is_workday(D(2027, 10, 2))  # weekend inside the National Day block
    assert cal.day_kind(D(2027, 10, 2)) == 3
    r = cal.due_in_days(D(2027, 9, 28), 5)  # 10-03 -> after the holiday
    assert r.date == D(2027, 10, 8) and not r.provisional and r.reason_provisional == ""
    # the whole year is replaced: a package holiday not in the file is a working day
    assert cal.is_workday(D(2027, 4, 5))
    # other years unchanged
    assert cal.is_workday(D(2026, 2, 14)) and cal.source(2026) == CAL.source(2026)


def test_later_override_file_wins_per_year(tmp_path):
    a = write(tmp_path, OVERRIDE_2027, "a.toml")
    b = write(tmp_path, '[years.2027]\nholidays = ["2027-04-05"]\n', "b.toml")
    cal = LegalCalendar([a, b])
    assert cal.source(2027) == f"override: {b}"
    assert cal.is_workday(D(2027, 2, 9)) and not cal.is_workday(D(2027, 4, 5))


def test_override_can_correct_an_official_year(tmp_path):
    p = write(tmp_path, '[years.2025]\nsource = "更正"\nholidays = ["2025-01-01"]\n')
    cal = LegalCalendar([p])
    assert cal.is_workday(D(2025, 1, 28)) and cal.source(2025).startswith("更正")


@pytest.mark.parametrize("text,needles", [
    ('[years.2027]\nholidays = ["2027-02-30"]\n', ["years.2027.holidays", "2027-02-30"]),
    ('[years.2027]\nholidays = ["27-1-1"]\n', ["years.2027.holidays", "27-1-1"]),
    ('[years.2027]\nworkdays = ["2026-12-31"]\n', ["years.2027.workdays", "2026-12-31", "outside"]),
    ('[years.2027]\nholidays = ["2027-02-20"]\nworkdays = ["2027-02-20"]\n',
     ["years.2027", "2027-02-20", "both"]),
    ('[years.2027]\nholiday = ["2027-02-20"]\n', ["years.2027", "'holiday'"]),
    ('[years.twenty]\nholidays = []\n', ["years.twenty", "invalid year"]),
    ('[years.2027]\nholidays = "2027-01-01"\n', ["years.2027.holidays", "2027-01-01"]),
    ('[years.2027]\nsource = 12\n', ["years.2027.source", "12"]),
    ('[year.2027]\n', ["'year'"]),
    ('[years.2027\n', ["invalid TOML"]),
    ('[years.2027]\nholidays = [2027-01-01T10:00:00]\n', ["years.2027.holidays", "2027"]),
])
def test_bad_override_files(tmp_path, text, needles):
    p = write(tmp_path, text)
    with pytest.raises(CalendarError) as exc:
        LegalCalendar([p])
    message = str(exc.value)
    assert str(p) in message
    for needle in needles:
        assert needle in message


def test_missing_override_file(tmp_path):
    with pytest.raises(CalendarError, match="cannot read"):
        LegalCalendar([tmp_path / "nope.toml"])


def test_default_calendar_reads_user_file_and_env(tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "zwxm").mkdir(parents=True)
    write(config / "zwxm", '[years.2028]\nsource = "user"\nholidays = ["2028-01-03"]\n')
    env_file = write(tmp_path, OVERRIDE_2027, "env.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("ZWXM_CALENDAR", os.pathsep.join([str(env_file), ""]))
    default_calendar.cache_clear()
    try:
        cal = default_calendar()
        assert cal is default_calendar()
        assert cal.is_official(2027) and cal.is_official(2028)
        assert cal.source(2028).startswith("user")
        assert not cal.is_workday(D(2028, 1, 3))
    finally:
        default_calendar.cache_clear()


# -- properties ------------------------------------------------------------------------------

dates = st.dates(D(1990, 1, 1), D(2098, 12, 31))  # + 400 days stays inside 2100


@settings(max_examples=400, deadline=None)
@given(dates, st.integers(0, 400))
def test_add_workdays_inverse_of_between(d, n):
    r = CAL.add_workdays(d, n)
    assert CAL.workdays_between(d, r) == n
    if n > 0:
        assert CAL.is_workday(r)
        assert CAL.workdays_between(d, r - datetime.timedelta(days=1)) == n - 1  # the first such day


@settings(max_examples=400, deadline=None)
@given(dates, st.integers(0, 400))
def test_due_in_days_is_first_workday_on_or_after_end(d, n):
    r = CAL.due_in_days(d, n)
    end = d + datetime.timedelta(days=n)
    assert CAL.is_workday(r.date) and r.date >= end
    x = end
    while x < r.date:
        assert not CAL.is_workday(x)
        x += datetime.timedelta(days=1)


# dates end in 2094 so that 59 months or 800 days later is still inside the calendar (to 2100)
@settings(max_examples=400, deadline=None)
@given(st.dates(D(1990, 1, 1), D(2094, 12, 31)), st.integers(0, 800), st.sampled_from(["days", "workdays", "months", "not_before"]))
def test_provisional_exactly_when_a_year_lacks_official_data(d, n, how):
    if how == "days":
        r = CAL.due_in_days(d, n)
    elif how == "workdays":
        r = CAL.due_in_workdays(d, n)
    elif how == "months":
        r = CAL.due_months_after(d, n % 60)
    else:
        r = CAL.not_before_days(d, n)
    official = set(range(2004, 2027))
    lacking = any(y not in official for y in range(d.year, r.date.year + 1))
    assert r.provisional == lacking
    assert bool(r.reason_provisional) == lacking


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(0, 120))
def test_month_periods_keep_day_or_clamp(d, months):
    r, clamped = add_months(d, months)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == months
    assert r.day == d.day or (clamped and r.day < d.day and (r + datetime.timedelta(days=1)).day == 1)


# -- the `zwxm calendar` command (subprocess) -------------------------------------------------


def run_calendar(*args: str, env: dict | None = None):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", "from zwxm.cli.calendar import calendar_command; calendar_command()",
         *args],
        capture_output=True, text=True, env={**os.environ, "ZWXM_CALENDAR": "", **(env or {})},
    )


def test_calendar_command_october_2024_zh():
    out = run_calendar("2024", "10")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "2024年10月" in text and "一   二   三" in text
    assert "  1*   2*   3*   4*   5*   6*" in text  # Monday first: 10-01 is a Tuesday
    assert " 12+  13." in text  # 10-12 worked Saturday, 10-13 ordinary Sunday
    assert "放假：10-01 ~ 10-07 国庆节" in text and "调休上班：10-12（六）" in text
    assert "图例" in text and "国办发明电〔2023〕7号（官方）" in text


def test_calendar_command_english_and_2026_february():
    out = run_calendar("2026", "2", "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert "February 2026" in out.stdout and "Mo   Tu" in out.stdout
    assert "02-15 ~ 02-23 Spring Festival" in out.stdout
    assert "Adjusted workdays: 02-14 (Sa), 02-28 (Sa)" in out.stdout
    assert "Legend" in out.stdout and "(official)" in out.stdout


def test_calendar_command_provisional_year_and_override(tmp_path):
    out = run_calendar("2027", "2")
    assert out.returncode == 0 and "暂定" in out.stdout
    p = write(tmp_path, OVERRIDE_2027)
    out = run_calendar("2027", "2", "--calendar-file", str(p))
    assert out.returncode == 0, out.stderr
    assert "暂定" not in out.stdout and "测试" in out.stdout and " 20+" in out.stdout
    out = run_calendar("2027", "2", env={"ZWXM_CALENDAR": str(p)})
    assert "测试" in out.stdout


def test_calendar_command_whole_year_and_errors(tmp_path):
    out = run_calendar("2025")
    assert out.returncode == 0 and out.stdout.count("2025年") == 12
    assert run_calendar("2025", "13").returncode == 2
    assert run_calendar("1900").returncode == 2
    bad = write(tmp_path, '[years.2027]\nholidays = ["2027-02-30"]\n')
    out = run_calendar("2027", "--calendar-file", str(bad))
    assert out.returncode == 1 and "2027-02-30" in out.stderr and str(bad) in out.stderr


def test_period_answers_are_computed_once_per_calendar():
    """Plugins call the calendar for every project; the same question gets the same (remembered) answer."""
    first = CAL.due_in_workdays(D(2024, 9, 25), 7)
    assert CAL.due_in_workdays(D(2024, 9, 25), 7) is first
    assert LegalCalendar().due_in_workdays(D(2024, 9, 25), 7) == first  # another calendar computes its own
