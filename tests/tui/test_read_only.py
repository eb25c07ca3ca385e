"""Read-only mode and the files folder, which `zwxm serve --tui` turns on for every visitor (issue 15):
the keys that change the database are hidden and do nothing, SQLite refuses writes anyway, and
imports and exports stay inside one folder."""

from __future__ import annotations

import json
import sqlite3

import pytest
from textual.widgets import Static

from zwxm.model import Event
from zwxm.store import Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.projects import ProjectsScreen
from zwxm_tui.screens.transfer import ExportScreen, ImportScreen

from .conftest import screen_after, started


def counts(db_path) -> tuple[int, int]:
    with Store(db_path) as store:
        return (store.db.execute("SELECT count(*) FROM projects").fetchone()[0],
                store.db.execute("SELECT count(*) FROM events").fetchone()[0])


async def test_keys_that_write_are_hidden_and_do_nothing(db_path, registry, tmp_path):
    before = counts(db_path)
    async with started(db_path, registry, read_only=True, files_dir=tmp_path / "files", counts=True) as (app, pilot):
        assert "只读" in app.sub_title
        active = {b.binding.action for b in app.active_bindings.values() if b.enabled}
        assert not active & {"new_project", "record", "import_file"}
        assert {"export", "toggle_overdue"} <= active
        assert isinstance(await screen_after(pilot, "n", "e", "i"), ProjectsScreen)
        app.open_project("EX-2025-003")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, DetailScreen)
        assert isinstance(await screen_after(pilot, "e", "c", "m"), DetailScreen)
        app.screen.action_record()  # what the command palette would call: refused with a notice
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert any("只读" in str(n.message) for n in app._notifications)
    assert counts(db_path) == before


async def test_sqlite_refuses_writes_on_the_apps_connection(db_path, registry):
    app = create_app(db_path, "zh", registry=registry, read_only=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            app.store.record_event("EX-2025-001", Event("approved", app.today))
    finally:
        app.store.close()


async def test_exports_stay_inside_the_files_folder(db_path, registry, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    async with started(db_path, registry, read_only=True, files_dir=folder, counts=True) as (app, pilot):
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        for outside in ("../escape.json", str(tmp_path / "escape.json"), "sub/../../escape.json"):
            screen.query_one("#path").value = outside
            screen.query_one("#start").press()
            await pilot.pause()
            assert "只能使用文件夹" in str(screen.query_one("#error", Static).render())
        assert not (tmp_path / "escape.json").exists()
        screen.query_one("#path").value = "all.json"
        screen.query_one("#start").press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.exported == 12
    assert len(json.loads((folder / "all.json").read_text(encoding="utf-8"))["projects"]) == 12


async def test_imports_read_only_from_the_files_folder_when_writable(db_path, registry, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text("code,name\nX,Y\n", encoding="utf-8")
    async with started(db_path, registry, read_only=False, files_dir=folder, counts=True) as (app, pilot):
        app.push_screen(ImportScreen("../secret.csv"))
        await pilot.pause()
        app.screen.query_one("#start").press()
        await pilot.pause()
        assert "只能使用文件夹" in str(app.screen.query_one("#error", Static).render())
