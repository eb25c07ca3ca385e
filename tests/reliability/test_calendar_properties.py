"""Calendar properties that tests/test_calendar.py does not already state (it covers add_workdays /
workdays_between as inverses, due_in_days landing on a working day, and provisional years): every
other due date — N working days, N months — also never falls on a rest day, and a working-day
period counts exactly N working days."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from zwxm.calendar import LegalCalendar, add_months

CAL = LegalCalendar(override_files=())  # the shipped data only, whatever the user has installed
dates = st.dates(dt.date(1990, 1, 1), dt.date(2096, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(1, 400))  # no regulation counts 0 working days; add_workdays(d, 0) is d itself
def test_working_day_periods_count_n_and_end_on_a_working_day(day, n):
    due = CAL.due_in_workdays(day, n)
    assert CAL.is_workday(due.date)
    assert CAL.workdays_between(day, due.date) == n
    assert CAL.workdays_between(day, due.date - dt.timedelta(days=1)) == n - 1  # the first such day


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 48))
def test_month_periods_end_on_the_first_working_day_on_or_after_the_nominal_end(day, months):
    due = CAL.due_months_after(day, months)
    nominal, _ = add_months(day, months)  # same day-of-month, or the month's last day
    assert CAL.is_workday(due.date) and due.date >= nominal
    assert not any(CAL.is_workday(nominal + dt.timedelta(days=k)) for k in range((due.date - nominal).days))
