"""The person a TUI session writes as (issue 13 §2), and `zwxm --read-only` opening the file itself
read-only (§9; tests/tui/test_read_only.py checks the hidden keys), with the pilot."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input

from zwxm.store import Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.actor import ActorScreen
from zwxm_tui.screens.detail import DetailScreen

from .conftest import started


def shown_keys(app) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show and active.enabled}


def file_bytes(path) -> bytes:
    return path.read_bytes()


async def test_read_only_opens_the_file_read_only_and_offers_no_name_setting(db_path, registry):
    before = file_bytes(db_path)
    async with started(db_path, registry, "en", read_only=True, counts=True) as (app, pilot):
        assert app.store.read_only and app.sub_title.endswith("· read-only")
        assert not [c for c in app.get_system_commands(app.screen) if c.callback == app.action_actor]
        app.action_actor()
        await pilot.pause()
        assert not isinstance(app.screen, ActorScreen)
        with app.open_store() as other:  # the workers' connections are read-only too
            assert other.read_only
        app.open_project("EX-2025-003")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
    assert file_bytes(db_path) == before


async def test_the_name_set_in_the_tui_is_saved_and_recorded_with_writes(db_path, registry, settings_path):
    async with started(db_path, registry, "en", settings_path=settings_path, counts=True) as (app, pilot):
        app.action_actor()
        await pilot.pause()
        assert isinstance(app.screen, ActorScreen)
        app.screen.query_one("#actor", Input).value = "科员 赵六"
        await pilot.press("enter")
        await pilot.pause()
        assert app.store.actor == "科员 赵六"
        app.open_project("EX-2025-001")
        await pilot.pause()
        app.store.add_change("EX-2025-001", __import__("zwxm.model", fromlist=["Change"]).Change(
            __import__("datetime").date(2025, 6, 1), 10_000))
    assert json.loads(settings_path.read_text(encoding="utf-8"))["actor"] == "科员 赵六"
    with Store(db_path, registry) as store:
        assert store.db.execute("SELECT actor FROM writes ORDER BY seq DESC LIMIT 1").fetchone()[0] == "科员 赵六"
    # a new session starts with the saved name
    again = create_app(db_path, "en", registry=registry, settings_path=settings_path)
    assert again.store.actor == "科员 赵六"
    again.store.close()


async def test_the_timeline_shows_who_recorded_each_event(db_path, registry):
    with Store(db_path, registry, actor="档案员") as store:
        store.record_event("EX-2025-002", __import__("zwxm.model", fromlist=["Event"]).Event(
            "progress_reported", __import__("datetime").date.today()), force=True)
    async with started(db_path, registry, "en", counts=True) as (app, pilot):
        app.open_project("EX-2025-002")
        await pilot.pause()
        app.screen.show("timeline")
        await pilot.pause()
        table = app.screen.query_one("#timeline DataTable", DataTable) if app.screen.query("#timeline DataTable") \
            else next(t for t in app.screen.query(DataTable) if t.display)
        cells = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert any(c.startswith("档案员 ") for c in cells), cells
