"""Deadlines view, compare, rules browser, help, language switch, command palette, the empty
database offer, and import/export from inside the TUI."""

from __future__ import annotations

import datetime as dt
import json

from textual.widgets import DataTable, Static

from tests.example_district import plugin as example_plugin
from zwxm import hookimpl
from zwxm.plugins import Registry, get_plugin_manager
from zwxm.rules import District, Rule
from zwxm.store import ProjectQuery, Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.article import ArticleScreen
from zwxm_tui.screens.compare import CompareScreen
from zwxm_tui.screens.deadlines import DeadlinesScreen
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.empty import EmptyScreen
from zwxm_tui.screens.help import HelpScreen
from zwxm_tui.screens.projects import ProjectsScreen
from zwxm_tui.screens.rules import RulesScreen
from zwxm_tui.screens.transfer import ExportScreen, ImportScreen
from zwxm_tui.widgets import KeyBar, LazyTable

from .conftest import SIZE, screen_after, settle, started


async def test_deadlines_view_groups_overdue_and_weeks_and_jumps(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        assert isinstance(await screen_after(pilot, "d"), DeadlinesScreen)
        expected = Store(db_path, registry).deadlines(dt.date.today(), dt.date.today() + dt.timedelta(days=30))
        table = app.screen.query_one(LazyTable)
        rows = [table.row(i) for i in range(table.total)]  # read page by page from SQL, as when scrolled
        groups = [r["group"] for r in rows if "group" in r]
        assert groups[0] == "已逾期 (2)"
        assert all(g.endswith(")") and "起一周" in g for g in groups[1:])
        assert [r["project_code"] for r in rows if "group" not in r] == [d["project_code"] for d in expected]
        chart = str(app.screen.query_one("#chart", Static).render())
        assert "已逾期" in chart and "█" in chart
        await pilot.press("down", "enter")  # the first overdue deadline
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.code == rows[1]["project_code"]


class MirrorDistrict:
    """A second throw-away district with the example's text and a stricter 5-day filing rule."""

    @staticmethod
    @hookimpl
    def zwxm_register_districts(register):
        from tests.example_district.plugin import HERE
        from zwxm.rules import Regulation

        register(District("mirror", "镜像区", "Mirror District",
                          Regulation("镜像区办法", "镜府办〔2025〕2号", dt.date(2025, 1, 1), draft=True,
                                     source=HERE / "regulation.txt")))

    @staticmethod
    @hookimpl
    def zwxm_register_rules(register):
        def filing(ctx):
            signed = ctx.date_of("contract_signed")
            return ctx.deadline(ctx.calendar.due_in_days(signed, 5) if signed else None, ctx.date_of("contract_filed"))

        register(Rule("contract_filing", "mirror", "deadline", 5, "合同备案（5日）", filing, "contract filing (5 days)"))


async def test_compare_shows_every_district_side_by_side(db_path):
    registry = Registry(get_plugin_manager([("example", example_plugin), ("mirror", MirrorDistrict)],
                                           entry_points=False))
    async with started(db_path, registry) as (app, pilot):
        assert isinstance(await screen_after(pilot, "down", "down", "c"), CompareScreen) and app.screen.code == "EX-2025-003"
        example = str(app.screen.query_one("#compare-example Static").render())
        mirror = str(app.screen.query_one("#compare-mirror Static").render())
        assert "示例区" in example and "现行有效" in example and "合同备案" in example
        assert "镜像区" in mirror and "征求意见稿" in mirror and "合同备案（5日）" in mirror


async def test_rules_browser_lists_articles_with_their_rules(db_path, registry):
    async with started(db_path, registry, "en") as (app, pilot):
        assert isinstance(await screen_after(pilot, "r"), RulesScreen)
        table = app.screen.query_one("#articles", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["Art. 1", "目的条款，无数据可查"]
        assert rows[4] == ["Art. 5", "contract filing"]  # the rule's title, not its key
        assert rows[8] == ["Art. 9", "regulation status"]
        coverage = str(app.screen.query_one("#coverage", Static).render())
        assert "8 covered, 1 explained, 9 articles" in coverage
        table.focus()
        table.move_cursor(row=4)
        assert isinstance(await screen_after(pilot, "enter"), ArticleScreen) and app.screen.article == 5


async def test_help_screen_lists_the_keys(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        assert isinstance(await screen_after(pilot, "f1"), HelpScreen)
        assert isinstance(await screen_after(pilot, "escape"), ProjectsScreen)


async def test_language_switch_relabels_and_is_remembered(db_path, registry, settings_path):
    app = create_app(db_path, None, registry=registry, settings_path=settings_path)
    assert app.lang == "zh"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(LazyTable).columns[1].label == "项目名称"
        await pilot.press("f2")
        await settle(pilot)
        assert app.lang == "en"
        assert isinstance(app.screen, ProjectsScreen)
        assert app.screen.query_one(LazyTable).columns[1].label == "Name"
        assert "12 of 12 projects" in str(app.screen.query_one("#counts", Static).render())
        key_bar = str(app.screen.query_one(KeyBar).render())
        assert "Search" in key_bar and "Help" in key_bar, key_bar
        assert not {"搜索", "退出", "帮助", "中/英"} & set(key_bar.split()), key_bar
    assert json.loads(settings_path.read_text(encoding="utf-8")) == {"lang": "en"}
    assert create_app(db_path, None, registry=registry, settings_path=settings_path).lang == "en"


async def test_command_palette_opens_the_deadlines_view(db_path, registry):
    async with started(db_path, registry) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"期限总览")
        await pilot.pause(0.5)
        assert isinstance(await screen_after(pilot, "enter"), DeadlinesScreen)


async def test_an_empty_database_offers_demo_or_import(tmp_path, registry):
    async with started(tmp_path / "new.db", registry, counts=True) as (app, pilot):
        assert isinstance(app.screen, EmptyScreen)
        assert str(tmp_path / "new.db") in str(app.screen.query_one("#empty-body", Static).render())
        app.screen.query_one("#import").press()
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
    assert (tmp_path / "new.db").exists()


async def test_the_demo_button_fills_an_empty_database(tmp_path):
    from zwxm.plugins import get_registry

    async with started(tmp_path / "demo.db", get_registry(), counts=True) as (app, pilot):
        assert isinstance(app.screen, EmptyScreen)
        app.screen.query_one("#demo").press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)
        shown = app.screen.query_one(LazyTable).total
    assert shown == Store(tmp_path / "demo.db").count_projects(ProjectQuery()) > 100


async def test_import_shows_progress_then_the_rejects(tmp_path, registry):
    rows = tmp_path / "ledger.csv"
    rows.write_text("项目编号,项目名称,地区,项目类型,总投资（万元）,建设单位\n"
                    "EX-IMP-001,数字档案馆,example,construction,150,区档案馆\n"
                    "EX-IMP-002,电子证照库,example,construction,约一百万,区政务服务数据管理局\n"
                    "EX-IMP-003,协同办公系统,example,operation,80,区委办\n", encoding="utf-8")
    async with started(tmp_path / "imp.db", registry, counts=True) as (app, pilot):
        await pilot.press("escape")  # past the empty-database offer
        screen = await screen_after(pilot, "i")
        assert isinstance(screen, ImportScreen)
        screen.query_one("#path").value = str(rows)
        screen.query_one("#start").press()
        await pilot.pause()  # the press is a message: the worker starts when it is handled
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = str(screen.query_one("#result", Static).render())
        assert "新增 2" in result and "拒绝 1" in result
        table = screen.query_one("#rejects", DataTable)
        rejects = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert table.display and rejects and all(r[:2] == ["3", "EX-IMP-002"] for r in rejects)  # file line 3
        assert any("总投资" in column and value == "约一百万" and reason for _, _, column, value, reason in rejects)
        assert screen.query_one("ProgressBar").percentage == 1.0
        screen.query_one("#close").press()
        await pilot.pause()
        assert app.screen.query_one(LazyTable).total == 2
    store = Store(tmp_path / "imp.db", registry)
    assert store.project("EX-IMP-001").investment == 1_500_000 and store.project("EX-IMP-002") is None


async def test_import_of_a_missing_file_names_it(db_path, registry, tmp_path):
    async with started(db_path, registry, "en") as (app, pilot):
        app.push_screen(ImportScreen(str(tmp_path / "nope.csv")))
        await pilot.pause()
        app.screen.query_one("#start").press()
        await pilot.pause()
        assert f"'{tmp_path / 'nope.csv'}'" in str(app.screen.query_one("#error", Static).render())


async def test_export_writes_the_current_filter(db_path, registry, tmp_path):
    target = tmp_path / "overdue.json"
    async with started(db_path, registry) as (app, pilot):
        screen = await screen_after(pilot, "o", "x")
        assert isinstance(screen, ExportScreen)
        screen.query_one("#path").value = str(target)
        screen.query_one("#start").press()
        await pilot.pause()  # the press is a message: the worker starts when it is handled
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.exported == 2
    data = json.loads(target.read_text(encoding="utf-8"))
    projects = data["projects"] if isinstance(data, dict) else data
    assert sorted(p["code"] for p in projects) == ["EX-2025-003", "EX-2025-011"]
