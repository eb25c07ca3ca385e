"""The demo stays out of the operator's database, and a future-dated event is refused in the TUI
as on the command line (recorded only when forced)."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Button, Input, Select, Static

from zwxm.plugins import get_registry
from zwxm.store import ProjectQuery, Store
from zwxm_tui.screens.confirm import ConfirmScreen
from zwxm_tui.screens.empty import EmptyScreen
from zwxm_tui.screens.projects import ProjectsScreen
from zwxm_tui.screens.record import RecordEventScreen
from zwxm_tui.widgets import LazyTable

from .conftest import pushed, settle, started


async def test_the_demo_opens_in_its_own_file_and_leaves_the_operators_database_empty(tmp_path):
    own = tmp_path / "zwxm.db"
    async with started(own, get_registry(), counts=True) as (app, pilot):
        assert isinstance(app.screen, EmptyScreen)
        assert "demo.db" in str(app.screen.query_one("#empty-body", Static).render())
        app.screen.query_one("#demo").press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)
        assert app.store.path == tmp_path / "demo.db" and app.sub_title == "demo.db"
        shown = app.screen.query_one(LazyTable).total
    assert Store(own).count_projects(ProjectQuery()) == 0
    assert shown == Store(tmp_path / "demo.db").count_projects(ProjectQuery()) > 100


async def test_the_demo_button_leaves_a_real_demo_db_alone(tmp_path, registry):
    from .conftest import sample_projects

    with Store(tmp_path / "demo.db", registry) as store:  # someone's real data in a file named demo.db
        store.save_projects(sample_projects(3))
    async with started(tmp_path / "zwxm.db", registry, "en", counts=True) as (app, pilot):
        app.screen.query_one("#demo").press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, EmptyScreen) and app.store.path == tmp_path / "zwxm.db"
        assert not app.screen.query_one("#demo", Button).disabled
    assert Store(tmp_path / "demo.db", registry).count_projects(ProjectQuery()) == 3


async def test_a_future_date_is_refused_and_recorded_only_when_forced(db_path, registry):
    future = dt.date.today() + dt.timedelta(days=1)
    async with started(db_path, registry) as (app, pilot):
        form = await pushed(pilot, RecordEventScreen("EX-2025-002"))
        form.query_one("#type", Select).value = "procurement_started"
        form.query_one("#date", Input).value = future.isoformat()
        await pilot.pause()
        form.query_one("#save", Button).press()
        await pilot.pause()
        assert app.screen is form
        assert "晚于今天" in str(form.query_one("#error", Static).render())
        assert "procurement_started" not in [e.type for e in Store(db_path, registry).project("EX-2025-002").events]
        form.query_one("#force", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        app.screen.query_one("#yes", Button).press()
        await pilot.pause()
    event = Store(db_path, registry).project("EX-2025-002").events[-1]
    assert (event.type, event.date, event.payload["forced"]) == ("procurement_started", future, True)
