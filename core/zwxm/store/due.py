"""What is due, for whom: open legal deadlines read from the derived tables (never a re-evaluation).

`due_items` answers `zwxm due`, the calendar file and the monthly report. It reads
`project_deadlines` through its partial index on open due dates, joins the project for its
construction unit, and names the responsible department from the district's registered roles
(the role whose articles include the deadline's article). Status is counted against `as_of`, not
against the day the derived rows were written, so a nightly cron sees yesterday's open deadline
as overdue without a rebuild.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import attrs

from ..calendar import LegalCalendar, default_calendar
from ..plugins import Registry
from ..rules import Role
from .store import Store

DEFAULT_WITHIN = 10  # working days ahead (issue 15)
CANCELLED_LOOKBACK_DAYS = 30  # a deadline met this recently is written as cancelled to calendars

# A role that is one of the project's own parties (建设单位, 使用单位（运行单位）, 第三方测评机构 ...),
# not a government department that follows the deadline up.
_PROJECT_PARTY = re.compile(r"(单位|机构)(（[^）]*）)?$")


@attrs.frozen(slots=True)
class DueItem:
    """One deadline of one project, with its status counted as of the query's day."""

    project_code: str
    project_name: str
    district: str
    district_name: tuple[str, str]  # (zh, en), from the district plugin
    owner_unit: str
    department: str
    department_en: str
    rule: str
    title: str
    title_en: str
    date: dt.date
    article: int | None
    status: str  # 'missed' (overdue), 'open' (due within the window) or 'met' (recently done)
    provisional: bool
    done_on: dt.date | None
    explanation: str
    explanation_en: str
    occurrence: int  # 1, 2, ... among the project's dated deadlines of this rule, in date order (0: not asked)

    @property
    def uid(self) -> str:
        """Stable across runs and rebuilds: the project, the rule and which occurrence of it."""
        return f"{self.project_code}/{self.rule}/{self.occurrence}@zwxm"


def responsible_department(roles: Iterable[Role], article: int | None) -> Role | None:
    """The department that follows up a deadline of this article: the first registered role citing
    the article that is not one of the project's own parties, else the first role citing it."""
    citing = [role for role in roles if article is not None and article in role.articles]
    departments = [role for role in citing if not _PROJECT_PARTY.search(role.department)]
    return (departments or citing or [None])[0]


def group_order(item: DueItem) -> tuple:
    """Construction unit, responsible department, date: the order every list of deadlines uses."""
    return item.owner_unit, item.department, item.date, item.project_code, item.occurrence


def window_end(as_of: dt.date, within: int, calendar: LegalCalendar | None = None) -> dt.date:
    """The last day of the window: `within` working days after `as_of` (legal calendar)."""
    return (calendar or default_calendar()).add_workdays(as_of, within)


_COLUMNS = ("d.project_code, p.name, p.district, coalesce(p.owner_unit, ''), d.rule, d.title, d.title_en, d.date, "
            "d.article, d.provisional, d.done_on, d.explanation, d.explanation_en")
# Which occurrence of its rule a deadline is (monthly reports share a rule): only calendars need it.
_OCCURRENCE = ("(SELECT count(*) FROM project_deadlines o WHERE o.project_code = d.project_code AND o.rule = d.rule "
               "AND o.date IS NOT NULL AND (o.date < d.date OR (o.date = d.date AND o.id <= d.id)))")


def due_items(store: Store, as_of: dt.date, until: dt.date | None = None, *, overdue_only: bool = False,
              district: str | None = None, unit: str | None = None, department: str | None = None,
              met_since: dt.date | None = None, numbered: bool = False) -> list[DueItem]:
    """Open due deadlines dated up to `until` (all of them overdue when dated before `as_of`),
    and, with `met_since`, the deadlines met on or after that day (for calendars to cancel).
    `numbered` fills `occurrence` (for `uid`), which costs a look at each project's other deadlines.

    Sorted by construction unit, responsible department, date and project code."""
    last = (as_of - dt.timedelta(days=1)) if overdue_only or until is None else until
    filters, params = [], []
    for column, value in (("p.district", district), ("p.owner_unit", unit)):
        if value:
            filters.append(f" AND {column} = ?")
            params.append(value)
    select = (f"SELECT {_COLUMNS}, {_OCCURRENCE if numbered else 0} FROM project_deadlines d "
              "JOIN projects p ON p.code = d.project_code WHERE d.kind = 'due' AND d.date IS NOT NULL AND ")
    where = "".join(filters)
    rows = store.db.execute(f"{select}d.done_on IS NULL AND d.date <= ?{where}", [last.isoformat(), *params])
    items = _items(rows, as_of, store.registry)  # from the cursor: no second copy of 100k rows in memory
    if met_since is not None:
        met = store.db.execute(f"{select}d.done_on >= ?{where}", [met_since.isoformat(), *params])
        items += _items(met, as_of, store.registry)
    if department:
        needle = department.casefold()
        items = [i for i in items if needle in i.department.casefold() or needle in i.department_en.casefold()]
    items.sort(key=group_order)
    return items


def open_on(store: Store, day: dt.date, first: dt.date | None, last: dt.date) -> list[DueItem]:
    """Due deadlines dated in [first, last] (any date before `last` when `first` is None) that
    were not done before `day`: overdue ones (dated before `day`) and coming ones, for a report
    looking back from `day`. Sorted like `due_items`."""
    window = "d.date <= ?" if first is None else "d.date BETWEEN ? AND ?"
    params = [day.isoformat(), last.isoformat()] if first is None else [day.isoformat(), first.isoformat(),
                                                                         last.isoformat()]
    columns = _COLUMNS.replace("d.done_on", "NULL")  # not done as of `day`, whatever happened since
    rows = store.db.execute(f"SELECT {columns}, 0 FROM project_deadlines d JOIN projects p ON p.code = d.project_code "
                            f"WHERE d.kind = 'due' AND d.date IS NOT NULL AND (d.done_on IS NULL OR d.done_on >= ?) "
                            f"AND {window}", params)
    items = _items(rows, day, store.registry)
    items.sort(key=group_order)
    return items


def _items(rows: Iterable[tuple], as_of: dt.date, registry: Registry) -> list[DueItem]:
    departments: dict[tuple[str, int | None], tuple[str, str]] = {}
    today = as_of.isoformat()
    items = []
    for (code, name, district, owner_unit, rule, title, title_en, date, article, provisional, done_on,
         explanation, explanation_en, occurrence) in rows:
        key = (district, article)
        if key not in departments:
            role = responsible_department(registry.roles.get(district, ()), article)
            departments[key] = (role.department, role.department_en or role.department) if role else ("", "")
        zh, en = departments[key]
        known = registry.districts.get(district)
        status = "met" if done_on else ("missed" if date < today else "open")
        items.append(DueItem(code, name, district, (known.name, known.name_en) if known else (district, district),
                             owner_unit, zh, en, rule, title, title_en,
                             dt.date.fromisoformat(date), article, status, bool(provisional),
                             dt.date.fromisoformat(done_on) if done_on else None, explanation, explanation_en,
                             occurrence))
    return items
