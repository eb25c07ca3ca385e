"""Cross-check the calendar against an independent dataset: chinese_calendar, every day 2004–2026.

The two sources must agree on every day except the explicit allow-list below. A new disagreement
fails; a disagreement that disappears (a fixed upstream dataset) fails too, so the list stays true.
"""

from __future__ import annotations

import datetime

import chinese_calendar
import holidays
import pytest

from zwxm.calendar import LegalCalendar

D = datetime.date
CAL = LegalCalendar()

# day -> (our answer: is a working day, why we are right)
DISAGREEMENTS: dict[datetime.date, tuple[bool, str]] = {
    D(2005, 12, 31): (
        True,
        "Saturday worked under the 2006 notice (国办发明电〔2005〕35号): 元旦 1月1日—3日放假, "
        "'12月31日（星期六）上班'. The `holidays` package records it as a substituted workday of "
        "2006 (2006-01-03 off, from 2005-12-31). chinese_calendar 1.11 lists 2006-01-01..03 as "
        "holidays but has no workday entry for 2005-12-31 (its notice-per-year data seems to "
        "drop the one cross-year workday of the 2006 notice; the analogous 2006-12-30/31 of the "
        "2007 notice and 2011-12-31 of the 2012 notice are present).",
    ),
}


def all_days(first: int, last: int):
    d = D(first, 1, 1)
    while d.year <= last:
        yield d
        d += datetime.timedelta(days=1)


def test_every_day_2004_2026_against_chinese_calendar():
    found = {
        d: CAL.is_workday(d)
        for d in all_days(2004, 2026)
        if CAL.is_workday(d) != chinese_calendar.is_workday(d)
    }
    assert found == {d: ours for d, (ours, _why) in DISAGREEMENTS.items()}


def test_every_day_2004_2026_against_holidays_package_itself():
    # Same source as our data: checks the index building (cross-year workdays, overlays).
    cn = holidays.China(years=range(2004, 2028))
    bad = [d for d in all_days(2004, 2026) if CAL.is_workday(d) != cn.is_working_day(d)]
    assert bad == []


@pytest.mark.parametrize("year", range(2004, 2027))
def test_add_workdays_matches_find_workday(year):
    # chinese_calendar.find_workday(k, x) = k working days after the first working day >= x,
    # so our add_workdays(d, n) for n >= 1 equals find_workday(n - 1, d + 1 day).
    d = D(year, 1, 1)
    stop = D(year, 12, 31) - datetime.timedelta(days=90)  # stay inside 2004..2026 for the oracle
    while d <= stop:
        for n in (1, 2, 5, 10, 20):
            expected = chinese_calendar.find_workday(n - 1, d + datetime.timedelta(days=1))
            spans_disagreement = any(d < x <= expected for x in DISAGREEMENTS)
            if not spans_disagreement:
                assert CAL.add_workdays(d, n) == expected, (d, n)
        d += datetime.timedelta(days=3)
