"""Fixtures for the TUI tests: a real SQLite file filled through the real Store, with the example
district registered on a fresh plugin manager (plus, for one test, a deliberately broken plugin);
and the steps most Pilot tests share: `started`, `settle`, `screen_after`, `pushed`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from zwxm.model import Event, Project
from zwxm.plugins import Registry
from zwxm.store import Store

TODAY = dt.date.today()
SIZE = (140, 45)  # the terminal most Pilot tests run in


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests (Pilot tests) in a fresh event loop; no asyncio plugin needed."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
UNITS = ("区教育局", "区卫生健康局", "区政务服务数据管理局", "区公安分局", "区财政局")
NAMES = ("智慧校园平台", "全民健康信息平台", "政务云扩容", "视频监控联网", "财政一体化系统")


def sample_projects(count: int = 12) -> list[Project]:
    """Example-district projects in different stages: some with a contract filing overdue,
    some due soon, some filed, one too small to be covered."""
    projects = []
    for i in range(count):
        events = [Event("declared", TODAY - dt.timedelta(days=200 + i))]
        if i % 4 >= 1:
            events.append(Event("approved", TODAY - dt.timedelta(days=150 + i)))
        if i % 4 >= 2:
            signed = TODAY - dt.timedelta(days=40 if i % 8 == 2 else 3)  # 10-day filing: missed / open
            events.append(Event("contract_signed", signed, note=f"合同编号 HT-{i:03d}"))
        if i % 4 == 3:
            events.append(Event("contract_filed", TODAY - dt.timedelta(days=1)))
        projects.append(Project(
            code=f"EX-2025-{i + 1:03d}", name=f"{NAMES[i % len(NAMES)]}（{i + 1}期）", district="example",
            kind="construction" if i % 3 else "operation",
            investment=300_000 if i == 0 else 1_000_000 * (i + 1) + 5_000,
            funding="government_investment" if i % 2 else "department_budget",
            owner_unit=UNITS[i % len(UNITS)], budget_year=2024 + i % 3, events=events,
        ))
    return projects


async def settle(pilot) -> None:
    """Wait until the list's counts (a timer, then a worker thread) have arrived and been shown."""
    from zwxm_tui.screens.projects import COUNT_DELAY

    await pilot.pause(COUNT_DELAY + 0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@contextlib.asynccontextmanager
async def started(db_path: Path, registry: Registry | None, lang: str | None = "zh", *, size: tuple[int, int] = SIZE,
                  counts: bool = False, **options: Any) -> AsyncIterator[tuple[Any, Any]]:
    """(app, pilot): the app on `db_path` under Textual's pilot, drawn once, and with `counts` once the
    list's counts have arrived too (`settle`). `options` go to create_app."""
    from zwxm_tui.app import create_app

    app = create_app(db_path, lang, registry=registry, **options)
    async with app.run_test(size=size) as pilot:
        await (settle(pilot) if counts else pilot.pause())
        yield app, pilot


async def screen_after(pilot, *keys: str):
    """The screen in front once `keys` are pressed and what they do is drawn."""
    await pilot.press(*keys)
    await pilot.pause()
    return pilot.app.screen


async def pushed(pilot, screen):
    """The screen in front once `screen` is pushed (as a key or the command palette would) and drawn."""
    pilot.app.push_screen(screen)
    await pilot.pause()
    return pilot.app.screen


@pytest.fixture
def registry(example_registry: Registry) -> Registry:
    return example_registry


@pytest.fixture
def db_path(tmp_path: Path, registry: Registry) -> Path:
    path = tmp_path / "zwxm.db"
    store = Store(path, registry)
    for project in sample_projects():
        store.save_project(project)
    store.close()
    return path


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "tui.json"
