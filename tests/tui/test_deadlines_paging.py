"""The deadlines view reads its rows a page at a time from SQL: with hundreds of deadlines across
page boundaries it shows exactly the grouped list the store holds, headings in place."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from tests.tui.conftest import screen_after
from zwxm.model import Event, Project
from zwxm.store import Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.deadlines import DeadlinesScreen, week_start
from zwxm_tui.widgets import LazyTable

TODAY = dt.date.today()


def projects(count: int) -> list[Project]:
    """Contracts signed from 60 days ago to today: the 10-day filing deadline of some is missed, of
    the others due within the next two weeks."""
    return [Project(code=f"DL-{n:04d}", name=f"示例平台{n}", district="example", kind="construction",
                    investment=2_000_000, funding="government_investment", owner_unit="区数据局", budget_year=2025,
                    events=[Event("contract_signed", TODAY - dt.timedelta(days=n % 60))]) for n in range(count)]


def expected_rows(store: Store) -> list[dict]:
    """The grouped list as the view showed it when it read every deadline at once."""
    items = store.deadlines(TODAY, TODAY + dt.timedelta(days=30))
    overdue = [d for d in items if d["status"] == "missed"]
    upcoming = [d for d in items if d["status"] != "missed"]
    weeks = Counter(week_start(dt.date.fromisoformat(d["date"])) for d in upcoming)
    rows: list[dict] = [{"group": f"已逾期 ({len(overdue)})"}, *overdue]
    current = None
    for d in upcoming:
        week = week_start(dt.date.fromisoformat(d["date"]))
        if week != current:
            current = week
            rows.append({"group": f"{week.isoformat()} 起一周 ({weeks[week]})"})
        rows.append(d)
    return rows


async def test_paged_deadlines_match_the_whole_list(tmp_path, registry):
    path = tmp_path / "zwxm.db"
    with Store(path, registry) as store:
        store.save_projects(projects(450))
        expected = expected_rows(store)
    assert len(expected) > 300 and sum("group" in r for r in expected) >= 3
    app = create_app(path, "zh", registry=registry)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert isinstance(await screen_after(pilot, "d"), DeadlinesScreen)
        table = app.screen.query_one(LazyTable)
        assert table.total == len(expected)
        backwards = {i: table.row(i) for i in reversed(range(table.total))}  # pages fetched out of order
        assert [backwards[i] for i in range(table.total)] == expected
        assert table.fetches >= 4


class HeldStore(Store):
    """The real store, whose counting waits until the test lets it go: a count slow enough for the spinner."""

    release = threading.Event()

    def deadline_counts(self, *args, **kwargs):
        assert self.release.wait(10)
        return super().deadline_counts(*args, **kwargs)


async def test_slow_counts_paint_a_spinner_then_the_same_list(tmp_path, registry, monkeypatch):
    monkeypatch.setattr("zwxm_tui.screens.deadlines.COUNT_BUDGET", 0.0)  # counting takes longer than the budget
    monkeypatch.setattr("zwxm_tui.screens.deadlines.Store", HeldStore)  # the worker's connection
    path = tmp_path / "zwxm.db"
    with Store(path, registry) as store:
        store.save_projects(projects(120))
        expected = expected_rows(store)
    app = create_app(path, "zh", registry=registry)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        table = app.screen.query_one(LazyTable)
        assert isinstance(app.screen, DeadlinesScreen) and table.loading and table.total == 0
        HeldStore.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not table.loading
        assert [table.row(i) for i in range(table.total)] == expected
