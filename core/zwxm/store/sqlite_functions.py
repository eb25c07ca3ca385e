"""sqlite-utils plugin: the legal calendar as SQL functions.

    select zwxm_add_workdays('2024-09-25', 5);        -- '2024-10-08'
    select zwxm_is_workday('2024-09-29');             -- 1 (调休 working Sunday)
    select zwxm_workdays_between('2024-09-30', '2024-10-08');  -- 1

ISO date strings in and out. None, garbage, negative n or dates outside the calendar's range give
NULL; nothing raises inside SQLite. The calendar (with the user's override files) is loaded on
first use, so connections that never call these functions pay nothing.
"""

from __future__ import annotations

import datetime
import sqlite3

import sqlite_utils

from ..calendar import CalendarError, default_calendar


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 10 and text[10] in "T ":  # a datetime: take its date part
        text = text[:10]
    if len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def add_workdays(value: object, n: object) -> str | None:
    d, k = _date(value), _int(n)
    if d is None or k is None or k < 0:
        return None
    try:
        return default_calendar().add_workdays(d, k).isoformat()
    except (CalendarError, ValueError, OverflowError):
        return None


def is_workday(value: object) -> int | None:
    d = _date(value)
    if d is None:
        return None
    try:
        return int(default_calendar().is_workday(d))
    except (CalendarError, ValueError):
        return None


def workdays_between(start: object, end: object) -> int | None:
    a, b = _date(start), _date(end)
    if a is None or b is None:
        return None
    try:
        return default_calendar().workdays_between(a, b)
    except (CalendarError, ValueError):
        return None


def _safe(fn):
    """Belt and braces: any unexpected exception becomes NULL instead of an SQLite error."""

    def wrapper(*args):
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001 - never raise inside SQLite
            return None

    wrapper.__name__ = fn.__name__
    return wrapper


def register(conn: sqlite3.Connection) -> None:
    """Register the zwxm_* functions on a connection (what the plugin hook does)."""
    conn.create_function("zwxm_add_workdays", 2, _safe(add_workdays), deterministic=True)
    conn.create_function("zwxm_is_workday", 1, _safe(is_workday), deterministic=True)
    conn.create_function("zwxm_workdays_between", 2, _safe(workdays_between), deterministic=True)


@sqlite_utils.hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register(conn)
