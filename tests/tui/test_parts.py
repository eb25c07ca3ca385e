"""Contracts, phases and funding sources in the TUI (issue 18): the detail tab, picking the contract or
phase of an event, and several funding sources on a new project; each checked in the database."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Select

from zwxm.model import load_project
from zwxm.store import Store
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.project_form import ProjectForm, sources_from_text
from zwxm_tui.screens.record import RecordEventScreen

from .conftest import screen_after, started
from .test_actions import error_text, fill, press_button

TODAY = dt.date.today()


def _add_multi_contract_project(db_path, registry) -> None:
    signed = TODAY - dt.timedelta(days=40)
    project = load_project({
        "code": "EX-MC-1", "name": "多合同示例平台", "district": "example", "kind": "construction",
        "investment": "300万", "funding": "department_budget", "owner_unit": "区政务服务数据管理局",
        "phases": [{"id": "一期", "name": "基础平台", "year": TODAY.year}],
        "contracts": [{"id": "HT-1", "kind": "construction", "vendor": "甲科技公司", "amount": "250万", "phase": "一期"},
                      {"id": "HT-2", "kind": "supervision", "vendor": "乙监理公司", "amount": "8万"}],
        "funding_sources": [{"source": "city", "amount": "100万"}, {"source": "district", "amount": "200万"}],
        "events": [{"type": "contract_signed", "date": signed.isoformat(), "contract": "HT-1"},
                   {"type": "contract_filed", "date": (signed + dt.timedelta(days=3)).isoformat(), "contract": "HT-1"},
                   {"type": "contract_signed", "date": signed.isoformat(), "contract": "HT-2"}],
    })
    with Store(db_path, registry) as store:
        store.save_project(project)


async def _open(pilot, key: str):
    """The multi-contract project's detail, then `key` pressed there; the screen it leads to."""
    pilot.app.open_project("EX-MC-1")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DetailScreen)
    await pilot.press(key)
    await pilot.pause()
    return pilot.app.screen


async def test_detail_shows_each_contract_with_its_deadlines_phases_and_sources(db_path, registry):
    _add_multi_contract_project(db_path, registry)
    async with started(db_path, registry) as (app, pilot):
        screen = await _open(pilot, "8")
        await pilot.pause()
        rows = [[str(cell) for cell in row] for row in screen.sections["parts"].rows]
        first = [r[0] for r in rows]
        assert first.index("合同 HT-1") < first.index("合同 HT-2") < first.index("分期 一期")
        below_one = rows[first.index("合同 HT-1") + 1]
        assert "已按时" in below_one[3] and "HT-1" in below_one[1]
        below_two = rows[first.index("合同 HT-2") + 1]
        assert "已逾期" in below_two[3] and "HT-2" in below_two[1]
        assert ["资金来源", "市财政", "1,000,000"] == rows[-2][:3] and rows[-1][1] == "区财政"


async def test_recording_a_filing_lets_the_operator_pick_the_contract(db_path, registry):
    _add_multi_contract_project(db_path, registry)
    async with started(db_path, registry) as (app, pilot):
        form = await _open(pilot, "e")
        assert isinstance(form, RecordEventScreen)
        form.query_one("#type", Select).value = "contract_filed"
        form.query_one("#contract", Select).value = "HT-2"
        form.query_one("#phase", Select).value = "一期"
        await fill(pilot, form, {"date": TODAY.isoformat()})
        await press_button(pilot, form, "save")
        assert isinstance(app.screen, DetailScreen)
    events = Store(db_path, registry).project("EX-MC-1").events
    assert (events[-1].type, events[-1].contract, events[-1].phase) == ("contract_filed", "HT-2", "一期")


async def test_a_project_without_contracts_shows_no_picker(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        app.push_screen(RecordEventScreen("EX-2025-003"))
        await pilot.pause()
        assert not app.screen.query("#contract") and not app.screen.query("#phase")


async def test_a_new_project_takes_several_funding_sources(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        form = await screen_after(pilot, "n")
        assert isinstance(form, ProjectForm)
        await fill(pilot, form, {"code": "EX-2026-200", "name": "混合资金平台", "investment": "300万",
                                 "funding_sources": "市财政=100万，区财政=150万"})
        form.query_one("#district", Select).value = "example"
        form.query_one("#kind", Select).value = "construction"
        await pilot.pause()
        await press_button(pilot, form, "save")
        text = error_text(form)
        assert "资金来源及金额" in text and "2500000" in text and "3000000" in text  # field and sum named
        assert form.query_one("#funding_sources").has_class("invalid")
        await fill(pilot, form, {"funding_sources": "市财政=100万，区财政=200万"})
        await press_button(pilot, form, "save")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.code == "EX-2026-200"
    project = Store(db_path, registry).project("EX-2026-200")
    assert [(s.source, s.amount) for s in project.funding_sources] == [("city", 1_000_000), ("district", 2_000_000)]


def test_funding_source_text_reads_labels_and_keys():
    assert sources_from_text("中央财政=80万、district: 500万；自有=20万") == [
        {"source": "central", "amount": "80万"}, {"source": "district", "amount": "500万"},
        {"source": "own", "amount": "20万"}]
    assert sources_from_text("  ") == []
