"""The detail screen shows the core's evaluation; rows open the article's exact text; a plugin
whose rule raises shows an error notice naming it and the UI stays up."""

from __future__ import annotations

import sqlite3

from textual.widgets import DataTable, Static

from tests.example_district import plugin as example_plugin
from tests.tui.conftest import screen_after, started
from zwxm import hookimpl
from zwxm.plugins import Registry, get_plugin_manager
from zwxm.rules import Rule
from zwxm.store import Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.article import ArticleScreen
from zwxm_tui.screens.detail import DetailScreen

SIZE = (140, 40)


def cells(app, tab: str) -> list[list[str]]:
    """The rows of one tab of the detail screen, as shown in its table."""
    table = app.screen.show(tab)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_detail(app, pilot, code: str) -> DetailScreen:
    app.open_project(code)
    await pilot.pause()
    assert isinstance(app.screen, DetailScreen)
    return app.screen


async def test_detail_shows_the_evaluation(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_detail(app, pilot, "EX-2025-003")
        expected = Store(db_path, registry).evaluation("EX-2025-003")
        summary = str(screen.query_one("#summary", Static).render())
        assert "政务云扩容（3期）" in summary and "示府办〔2024〕1号" in summary and "现行有效" in summary
        deadlines = cells(app, "deadlines")
        assert len(deadlines) == len(expected.deadlines)
        assert deadlines[0][0] == expected.deadlines[0].date.isoformat()
        assert deadlines[0][2] == "合同备案" and deadlines[0][3] == "已逾期" and deadlines[0][4] == "第5条"
        timeline = cells(app, "timeline")
        assert [row[1] for row in timeline] == ["已申报", "已立项/批复", "合同签订"]
        path = cells(app, "path")
        assert [row[1] for row in path] == [s.title for s in expected.approval_path]
        roles = cells(app, "roles")
        assert roles == [["示例区数据局", "技术论证、合同备案", "第4条、第5条"]]
        facts = {row[0]: row[1] for row in cells(app, "facts")}
        assert facts["总投资"] == "300.5 万元 (3,005,000 元)"


async def test_detail_in_english(db_path, registry):
    app = create_app(db_path, "en", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_detail(app, pilot, "EX-2025-003")
        deadlines = cells(app, "deadlines")
        assert deadlines[0][1:] == ["due", "contract filing", "missed", "Art. 5"]
        assert cells(app, "roles")[0][0] == "Example data bureau"


async def test_selecting_a_deadline_shows_the_article_text(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_detail(app, pilot, "EX-2025-003")
        await pilot.press("4")  # the deadlines tab
        assert screen.tab == "deadlines"
        screen.query_one("#section", DataTable).focus()
        assert isinstance(await screen_after(pilot, "enter"), ArticleScreen)
        text = str(app.screen.query_one("#article-text", Static).render())
        assert text == "第五条 建设单位自签订合同之日起10日内报区数据局备案。"
        explanation = str(app.screen.query_one("#article-explanation", Static).render())
        assert "10 日内" in explanation
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_a_finding_row_opens_its_article(db_path, registry):
    store = Store(db_path, registry)
    project = store.project("EX-2025-005")
    project.facts["warranty_years"] = 1
    store.save_project(project)
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_detail(app, pilot, "EX-2025-005")
        findings = cells(app, "findings")
        assert ["违规", "保修期 1 年，低于 2 年", "第6条"] in findings
        start = next(start for start, _end, key in screen.query_one("#tabs")._spans if key == "findings")
        await pilot.click("#tabs", offset=(start + 2, 0))  # a mouse click on the findings tab
        assert screen.tab == "findings"
        table = screen.query_one("#section", DataTable)
        table.focus()
        table.move_cursor(row=[r[1] for r in findings].index("保修期 1 年，低于 2 年"))
        assert isinstance(await screen_after(pilot, "a"), ArticleScreen) and app.screen.article == 6
        assert "保修期不低于2年" in str(app.screen.query_one("#article-text", Static).render())


class BrokenPlugin:
    """A throw-away cross-cutting plugin whose only rule raises."""

    @staticmethod
    @hookimpl
    def zwxm_register_rules(register):
        def explode(ctx):
            raise RuntimeError("boom")

        register(Rule("always_fails", "*", "finding", None, "总是出错", explode, "always fails"))


async def test_a_raising_plugin_shows_a_notice_naming_it_and_the_ui_stays_up(db_path):
    registry = Registry(get_plugin_manager([("example", example_plugin), ("broken_district_addon", BrokenPlugin)],
                                           entry_points=False))
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_detail(app, pilot, "EX-2025-003")
        notices = [n.message for n in app._notifications]
        assert any("broken_district_addon" in m and "always_fails" in m for m in notices)
        assert any(n.severity == "error" for n in app._notifications)
        # the rest of the evaluation is still there, and the app still answers keys
        assert cells(app, "deadlines")[0][2] == "合同备案"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen and app.is_running


async def _notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_an_unreadable_stored_project_is_named_and_the_app_stays_up(db_path, registry):
    """A row edited outside zwxm (tags cut short) is named with its field and value wherever its
    screens would open — from the list (Enter, record, compare) and from an open detail screen —
    and the app stays on the list instead of stopping with a traceback."""
    from zwxm_tui.screens.projects import ProjectsScreen

    async with started(db_path, registry) as (app, pilot):
        app.open_project("EX-2025-001")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        with sqlite3.connect(db_path) as conn:
            conn.execute("UPDATE projects SET tags = '[1,' WHERE code = 'EX-2025-001'")
        app.screen.load()  # as a reload after an action would
        await pilot.pause()
        assert isinstance(app.screen, ProjectsScreen)
        assert app.screen.current_code == "EX-2025-001"  # the row under the cursor
        for open_it in (lambda: app.open_project("EX-2025-001"), app.screen.action_record, app.screen.action_compare):
            open_it()
            await pilot.pause()
            assert isinstance(app.screen, ProjectsScreen)
        notices = await _notices(app)
        assert len(notices) == 4
        assert all(n == "EX-2025-001 tags: '[1,': 存储的数据无法读取（另见 zwxm verify）" for n in notices)
        app.open_project("EX-2025-003")  # the others open as before
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
