"""Deadlines across all projects: the missed ones, then the next 30 days grouped by week, with the
load per week as a small bar chart. Dates and statuses come from the store's derived rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from zwxm.store import Store
from zwxm.vocab import DEADLINE_STATUSES, label

from ..format import article_ref, deadline_style
from ..i18n import pick
from ..widgets import Column, KeyBar, LazyTable
from .base import ZwxmScreen

HORIZON_DAYS = 30  # issue 9: overdue and the next 30 days
BAR_WIDTH = 40
COUNT_BUDGET = 0.15  # seconds the counts may take before the view paints with a spinner instead


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class DeadlinesScreen(ZwxmScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "k_back"), Binding("enter", "jump", "k_jump", show=False)]

    def __init__(self) -> None:
        super().__init__()
        # the list as laid out: group heading rows, and runs of deadlines as (first row, count, first
        # item) where items are numbered in the store's order; pages are read from SQL on demand
        self.headings: dict[int, str] = {}
        self.runs: list[tuple[int, int, int]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="deadline-heading")
        yield Static(id="chart")
        yield LazyTable([Column("date", self.t("col_date"), 12), Column("project_code", self.t("col_code"), 13),
                         Column("project_name", self.t("col_name"), 0, min_width=16),
                         Column("district", self.t("col_district"), 15 if self.lang == "en" else 8, priority=2),
                         Column("title", self.t("col_title"), 0, min_width=16), Column("status", self.t("col_status"), 8),
                         Column("article", self.t("col_article"), 8, priority=1)],
                        self._fetch, self._cell, id="deadline-table")
        yield KeyBar()

    def on_mount(self) -> None:
        """Lay the list out from counts per day (one indexed query) at once when they take less than
        COUNT_BUDGET; else a spinner shows until a worker thread has them."""
        today = self.zapp.today
        self.window = (today, today + dt.timedelta(days=HORIZON_DAYS))
        counts = self.zapp.store.deadline_counts(*self.window, overdue=True, within=COUNT_BUDGET)
        if counts is None:
            self.query_one(LazyTable).loading = True
            self.count_in_worker()
        else:
            self.lay_out(counts)

    @work(thread=True, exclusive=True, group="deadline-counts")
    def count_in_worker(self) -> None:
        with Store(self.zapp.store.path, self.zapp.registry) as store:  # a connection of the worker's own
            counts = store.deadline_counts(*self.window, overdue=True)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.lay_out, counts)

    def lay_out(self, counts: list[tuple[str, bool, int]]) -> None:
        overdue = sum(n for _, missed, n in counts if missed)
        weeks: Counter = Counter()
        for day, missed, n in counts:
            if not missed:
                weeks[week_start(dt.date.fromisoformat(day))] += n
        groups = ([(f"{self.t('overdue')} ({overdue})", overdue)] if overdue else []) + \
                 [(f"{self.t('week_of', start=week.isoformat())} ({n})", n) for week, n in sorted(weeks.items())]
        row = item = 0
        for heading, n in groups:
            self.headings[row] = heading
            self.runs.append((row + 1, n, item))
            row, item = row + 1 + n, item + n
        self.query_one("#deadline-heading", Static).update(Text(self.t("deadlines_heading", n=item), "bold"))
        self.query_one("#chart", Static).update(self.chart(overdue, weeks))
        table = self.query_one(LazyTable)
        table.loading = False
        table.reset(row)
        table.focus()
        self.call_after_refresh(self.zapp.painted, "deadlines")

    def _fetch(self, offset: int, limit: int) -> list[dict]:
        """Rows [offset, offset + limit) of the laid-out list: its headings, and the deadlines between
        them read in one query (they are consecutive in the store's order)."""
        wanted = range(offset, min(offset + limit, self.query_one(LazyTable).total))
        items = self._items(wanted)
        found = self.zapp.store.deadlines(*self.window, overdue=True, offset=items[0][1],
                                          limit=len(items)) if items else []
        by_row = dict(zip((row for row, _ in items), found))
        return [{"group": self.headings[row]} if row in self.headings else by_row.get(row, {"group": ""})
                for row in wanted]

    def _items(self, rows: range) -> list[tuple[int, int]]:
        """(row, item number) of each deadline row among `rows`."""
        found = []
        for start, n, first in self.runs:
            found.extend((row, first + row - start) for row in range(max(rows.start, start), min(rows.stop, start + n)))
        return found

    def chart(self, overdue: int, weeks: Counter) -> Text:
        """One bar per week (and one for the missed deadlines), scaled to the busiest."""
        bars = ([(self.t("overdue"), overdue, "red")] if overdue else []) + \
               [(week.isoformat(), n, "yellow") for week, n in sorted(weeks.items())]
        most = max((n for _, n, _ in bars), default=0)
        text = Text(self.t("load_per_week") + "\n", "bold")
        for name, n, style in bars:
            width = max(1, round(BAR_WIDTH * n / most)) if most else 0
            text.append(f"{name:>10} ")
            text.append("█" * width, style)
            text.append(f" {n}\n")
        return text

    def _cell(self, key: str, row: dict) -> Text | str:
        if "group" in row:
            return Text(row["group"], "bold reverse") if key == "project_name" else Text("──", "dim")
        if key == "date":
            return Text(row["date"] + ("*" if row.get("provisional") else ""),
                        deadline_style(row["date"], row.get("status") == "missed", bool(row.get("provisional")),
                                       self.zapp.today))
        if key == "district":
            district = self.zapp.registry.districts.get(row["district"])
            return (district.name_en if self.lang == "en" else district.name) if district else row["district"]
        if key == "title":
            return pick(self.lang, row.get("title", ""), row.get("title_en"))
        if key == "status":
            return label(DEADLINE_STATUSES, row.get("status", ""), self.lang)
        if key == "article":
            return article_ref(row.get("article"), self.lang)
        value = row.get(key)
        return "" if value is None else str(value)

    @on(LazyTable.Selected)
    def selected(self, event: LazyTable.Selected) -> None:
        if "project_code" in event.row:
            self.zapp.open_project(event.row["project_code"])

    def action_jump(self) -> None:
        self.query_one(LazyTable).action_select()
