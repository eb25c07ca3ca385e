"""Deadlines across all projects: the missed ones, then the next 30 days grouped by week, with the
load per week as a small bar chart. Dates and statuses come from the store's derived rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from zwxm.vocab import DEADLINE_STATUSES, label

from ..format import article_ref, deadline_style
from ..i18n import pick
from ..widgets import Column, KeyBar, LazyTable
from .base import ZwxmScreen

HORIZON_DAYS = 30  # issue 9: overdue and the next 30 days
BAR_WIDTH = 40


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class DeadlinesScreen(ZwxmScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "k_back"), Binding("enter", "jump", "k_jump", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="deadline-heading")
        yield Static(id="chart")
        yield LazyTable([Column("date", self.t("col_date"), 12), Column("project_code", self.t("col_code"), 13),
                         Column("project_name", self.t("col_name"), 0, min_width=16),
                         Column("district", self.t("col_district"), 15 if self.lang == "en" else 8, priority=2),
                         Column("title", self.t("col_title"), 0, min_width=16), Column("status", self.t("col_status"), 8),
                         Column("article", self.t("col_article"), 8, priority=1)],
                        lambda offset, limit: self.rows[offset:offset + limit], self._cell, id="deadline-table")
        yield KeyBar()

    def on_mount(self) -> None:
        today = self.zapp.today
        items = self.zapp.store.deadlines(today, today + dt.timedelta(days=HORIZON_DAYS), overdue=True)
        overdue = [d for d in items if d["status"] == "missed"]
        upcoming = [d for d in items if d["status"] != "missed"]
        rows: list[dict] = []
        if overdue:
            rows.append({"group": f"{self.t('overdue')} ({len(overdue)})"})
            rows.extend(overdue)
        weeks = Counter(week_start(dt.date.fromisoformat(d["date"])) for d in upcoming)
        current = None
        for d in upcoming:
            week = week_start(dt.date.fromisoformat(d["date"]))
            if week != current:
                current = week
                rows.append({"group": f"{self.t('week_of', start=week.isoformat())} ({weeks[week]})"})
            rows.append(d)
        self.rows = rows
        self.query_one("#deadline-heading", Static).update(Text(self.t("deadlines_heading", n=len(items)), "bold"))
        self.query_one("#chart", Static).update(self.chart(len(overdue), weeks))
        table = self.query_one(LazyTable)
        table.reset(len(rows))
        table.focus()
        self.call_after_refresh(self.zapp.painted, "deadlines")

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
