"""Recording events through the core's gates, the project forms and the change request, each
checked in the database afterwards."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Button, Checkbox, Input, Select, Static

from zwxm.store import Store
from zwxm_tui.screens.change import ChangeScreen
from zwxm_tui.screens.confirm import ConfirmScreen
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.project_form import ProjectForm
from zwxm_tui.screens.record import RecordEventScreen

from .conftest import pushed, screen_after, started


async def fill(pilot, screen, values: dict[str, str]) -> None:
    for widget_id, value in values.items():
        screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.pause()


async def press_button(pilot, screen, button_id: str) -> None:
    screen.query_one(f"#{button_id}", Button).press()
    await pilot.pause()


def error_text(screen) -> str:
    return str(screen.query_one("#error", Static).render())


async def test_record_an_event_stores_it(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        app.open_project("EX-2025-003")
        await pilot.pause()
        form = await screen_after(pilot, "e")
        assert isinstance(form, RecordEventScreen)
        form.query_one("#type", Select).value = "contract_filed"
        today = dt.date.today()
        await fill(pilot, form, {"date": f"{today.year}/{today.month}/{today.day}", "note": "补办备案"})
        await press_button(pilot, form, "save")
        assert isinstance(app.screen, DetailScreen)
        assert len(app.screen.sections["timeline"].rows) == 4
    events = Store(db_path, registry).project("EX-2025-003").events
    assert (events[-1].type, events[-1].date, events[-1].note) == ("contract_filed", dt.date.today(), "补办备案")


async def test_a_bad_date_names_the_field_and_value_and_stores_nothing(db_path, registry):
    async with started(db_path, registry, "en") as (app, pilot):
        form = await pushed(pilot, RecordEventScreen("EX-2025-002"))
        form.query_one("#type", Select).value = "procurement_started"
        await fill(pilot, form, {"date": "2025-02-30"})
        assert form.query_one("#date", Input).has_class("invalid")
        await press_button(pilot, form, "save")
        assert app.screen is form
        assert error_text(form) == "Date (YYYY-MM-DD): '2025-02-30': impossible date"
    assert [e.type for e in Store(db_path, registry).project("EX-2025-002").events] == ["declared", "approved"]


async def test_a_refused_event_shows_reason_and_article_and_needs_confirmation(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        form = await pushed(pilot, RecordEventScreen("EX-2025-004"))
        form.query_one("#type", Select).value = "final_acceptance_passed"
        await fill(pilot, form, {"date": dt.date.today().isoformat()})
        await press_button(pilot, form, "save")
        text = error_text(form)
        assert "竣工验收前须完成数据登记" in text and "示例区第8条" in text
        assert not form.query_one("#force", Button).disabled
        store = Store(db_path, registry)
        assert "final_acceptance_passed" not in [e.type for e in store.project("EX-2025-004").events]
        # recording anyway asks first; "cancel" keeps it out
        await press_button(pilot, form, "force")
        assert isinstance(app.screen, ConfirmScreen)
        await press_button(pilot, app.screen, "no")
        assert app.screen is form
        assert "final_acceptance_passed" not in [e.type for e in store.project("EX-2025-004").events]
        await press_button(pilot, form, "force")
        await press_button(pilot, app.screen, "yes")
        assert app.screen is not form
    event = Store(db_path, registry).project("EX-2025-004").events[-1]
    assert event.type == "final_acceptance_passed" and event.payload["forced"] is True
    findings = Store(db_path, registry).evaluation("EX-2025-004").findings
    assert any(f.rule == "data_before_acceptance" and f.article == 8 for f in findings)


async def test_new_project_form_validates_and_saves(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        form = await screen_after(pilot, "n")
        assert isinstance(form, ProjectForm)
        await fill(pilot, form, {"code": "EX-2026-100", "name": "基层治理平台", "investment": "12O万",
                                 "owner_unit": "区民政局", "budget_year": "2026"})
        form.query_one("#district", Select).value = "example"
        await press_button(pilot, form, "save")
        text = error_text(form)
        assert "项目类型" in text and "总投资" in text and "'12O万'" in text and "无法识别的金额" in text
        assert form.query_one("#investment", Input).has_class("invalid")
        await fill(pilot, form, {"investment": "120万"})
        form.query_one("#kind", Select).value = "construction"
        form.query_one("#funding", Select).value = "government_investment"
        await press_button(pilot, form, "save")
        assert isinstance(app.screen, DetailScreen) and app.screen.code == "EX-2026-100"
    project = Store(db_path, registry).project("EX-2026-100")
    assert (project.name, project.investment, project.owner_unit, project.budget_year) == \
        ("基层治理平台", 1_200_000, "区民政局", 2026)


async def test_new_project_refuses_a_code_in_use(db_path, registry):
    async with started(db_path, registry, "en") as (app, pilot):
        form = await pushed(pilot, ProjectForm(None))
        await fill(pilot, form, {"code": "EX-2025-001", "name": "重复", "investment": "100万"})
        form.query_one("#district", Select).value = "example"
        form.query_one("#kind", Select).value = "operation"
        await press_button(pilot, form, "save")
        assert "Code: 'EX-2025-001': code EX-2025-001 already exists" in error_text(form)
    assert Store(db_path, registry).project("EX-2025-001").name != "重复"


async def test_edit_form_keeps_the_events(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        app.open_project("EX-2025-003")
        await pilot.pause()
        form = await screen_after(pilot, "m")
        assert form.query_one("#code", Input).disabled
        assert form.query_one("#name", Input).value == "政务云扩容（3期）"
        await fill(pilot, form, {"name": "政务云扩容（三期）", "contractor": "某某科技有限公司"})
        await press_button(pilot, form, "save")
        assert isinstance(app.screen, DetailScreen)
        assert "政务云扩容（三期）" in str(app.screen.query_one("#summary").render())
    project = Store(db_path, registry).project("EX-2025-003")
    assert project.name == "政务云扩容（三期）" and project.contractor == "某某科技有限公司"
    assert [e.type for e in project.events] == ["declared", "approved", "contract_signed"]


async def test_change_request_shows_the_procedure_before_saving(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        app.open_project("EX-2025-004")
        await pilot.pause()
        form = await screen_after(pilot, "c")
        assert isinstance(form, ChangeScreen)
        assert form.query_one("#save", Button).disabled
        await fill(pilot, form, {"date": "2026-03-02", "amount": "-20万", "reason": "需求调整"})
        await press_button(pilot, form, "preview")
        assert "所需程序：报备即可（第7条）" in str(form.query_one("#procedure", Static).render())
        form.query_one("#major", Checkbox).value = True
        await pilot.pause()
        assert form.query_one("#save", Button).disabled  # the preview no longer matches the form
        await press_button(pilot, form, "preview")
        assert "所需程序：重新报批（第7条）" in str(form.query_one("#procedure", Static).render())
        assert Store(db_path, registry).project("EX-2025-004").changes == []
        await press_button(pilot, form, "save")
        assert isinstance(app.screen, DetailScreen)
        assert len(app.screen.sections["changes"].rows) == 1
    change = Store(db_path, registry).project("EX-2025-004").changes[0]
    assert (change.date, change.amount, change.major, change.reason) == (dt.date(2026, 3, 2), -200_000, True, "需求调整")


async def test_change_request_rejects_a_bad_amount(db_path, registry):
    async with started(db_path, registry, "en") as (app, pilot):
        form = await pushed(pilot, ChangeScreen("EX-2025-004"))
        await fill(pilot, form, {"amount": "1.5元"})
        await press_button(pilot, form, "preview")
        assert "Investment change (元 or 万元, may be negative): '1.5元': amount must be whole 元" in error_text(form)
        assert form.query_one("#save", Button).disabled
