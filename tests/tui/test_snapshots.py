"""Snapshots of the main screens in Chinese and English (pytest-textual-snapshot). The data has
fixed dates in the past and the app evaluates as of a fixed day, so the pictures do not age.
Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from zwxm.model import Event, Project
from zwxm.store import Store
from zwxm_tui.app import create_app

from .conftest import settle

AS_OF = dt.date(2025, 6, 30)
SIZE = (150, 40)
UNITS = ("区教育局", "区卫生健康局", "区政务服务数据管理局", "区公安分局", "区财政局")
NAMES = ("智慧校园平台", "全民健康信息平台", "政务云扩容", "视频监控联网", "财政一体化系统")


def fixed_projects() -> list[Project]:
    day = dt.date(2025, 1, 6)
    projects = []
    for i in range(10):
        events = [Event("declared", day), Event("approved", day + dt.timedelta(days=20))]
        if i % 3:
            events.append(Event("contract_signed", dt.date(2025, 6, 10 + i), note=f"HT-{i:03d}"))
        if i % 3 == 2:
            events.append(Event("contract_filed", dt.date(2025, 6, 12 + i)))
        projects.append(Project(
            code=f"SN-2025-{i + 1:03d}", name=f"{NAMES[i % 5]}（{i + 1}期）", district="example",
            kind="operation" if i % 4 == 0 else "construction", investment=1_230_000 * (i + 1),
            funding="government_investment", owner_unit=UNITS[i % 5], budget_year=2025, events=events))
    return projects


@pytest.fixture
def snapshot_db(tmp_path: Path, registry) -> Path:
    path = tmp_path / "zwxm.db"
    with Store(path, registry) as store:
        for project in fixed_projects():
            store.save_project(project)
    return path


async def no_blink(pilot) -> None:
    """Counts arrived (they follow the first page), and no blinking cursor."""
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_project_list(snap_compare, snapshot_db, registry, lang):
    app = create_app(snapshot_db, lang, registry=registry, as_of=AS_OF)
    assert snap_compare(app, terminal_size=SIZE, run_before=no_blink)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_project_detail(snap_compare, snapshot_db, registry, lang):
    async def open_deadlines(pilot):
        pilot.app.open_project("SN-2025-002")
        await pilot.pause()
        pilot.app.screen.show("deadlines")
        pilot.app.screen.query_one("#section", DataTable).focus()
        await no_blink(pilot)

    app = create_app(snapshot_db, lang, registry=registry, as_of=AS_OF)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_deadlines)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deadlines_view(snap_compare, snapshot_db, registry, lang):
    app = create_app(snapshot_db, lang, registry=registry, as_of=AS_OF)
    assert snap_compare(app, terminal_size=SIZE, press=["d"], run_before=no_blink)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rules_browser(snap_compare, snapshot_db, registry, lang):
    app = create_app(snapshot_db, lang, registry=registry, as_of=AS_OF)
    assert snap_compare(app, terminal_size=SIZE, press=["r"], run_before=no_blink)
