"""Issue 14's forms and keys: focus, whole CJK in every menu, the key bar of the screen in front,
search mode, F2 keeping the list's state, the command palette, 80×24, and labels after a save."""

from __future__ import annotations

from textual.notifications import Notify
from textual.widgets import Input, Select

from zwxm.store import ProjectQuery, Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.project_form import ProjectForm
from zwxm_tui.screens.projects import ProjectsScreen
from zwxm_tui.screens.record import RecordEventScreen
from zwxm_tui.widgets import Choice, ChoiceMenu, KeyBar, LazyTable

from .conftest import pushed, screen_after, settle, started
from .test_language import screen_text

SIZE = (160, 45)


def key_bar(app) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def test_the_new_project_form_opens_with_the_first_field_focused(db_path, registry):
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        assert isinstance(await screen_after(pilot, "n"), ProjectForm)
        assert app.focused is app.screen.query_one("#code", Input)
        await pilot.press(*"NEW-1")
        assert app.screen.query_one("#code", Input).value == "NEW-1"


async def test_menus_keep_every_chinese_character_over_a_form(db_path, registry):
    """The event types drop down over the form's labels, inputs and buttons; each label must be
    whole on screen (Select's own overlay lost 初 of 初审通过 to the edges of the widgets below)."""
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        app.open_project("EX-2025-003")
        await pilot.pause()
        assert isinstance(await screen_after(pilot, "e"), RecordEventScreen)
        assert isinstance(await screen_after(pilot, "enter"), ChoiceMenu)
        text = screen_text(app)
        for label in ("已申报", "技术论证通过", "初审通过", "专家评审通过", "合同签订", "合同备案"):
            assert label in text, text
        assert isinstance(await screen_after(pilot, "down", "down", "down", "enter"), RecordEventScreen)
        assert app.screen.query_one("#type", Select).value == "preliminary_review_passed"
        assert app.focused is app.screen.query_one("#type", Select)


async def test_the_key_bar_shows_the_keys_of_the_form_in_front(db_path, registry):
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        assert "新建" in key_bar(app)
        assert isinstance(await screen_after(pilot, "e"), RecordEventScreen)
        bar = key_bar(app)
        assert "下一项" in bar and "保存" in bar and "返回" in bar, bar
        assert "新建" not in bar and "导出" not in bar, bar
        await pilot.press("enter")
        await pilot.pause()
        bar = key_bar(app)
        assert "选择" in bar and "返回" in bar and "保存" not in bar, bar


async def test_search_mode_names_enter_and_esc_and_hides_letter_keys(db_path, registry):
    async with started(db_path, registry, "en", size=SIZE, counts=True) as (app, pilot):
        await pilot.press("slash")
        await pilot.pause()
        bar = key_bar(app)
        assert "Done" in bar and "Back to list" in bar, bar
        assert "New" not in bar and "Export" not in bar, bar  # n and x type letters here
        await pilot.press(*"ng", "escape")
        await pilot.pause()
        assert isinstance(app.focused, LazyTable)
        assert "New" in key_bar(app)


async def test_f2_keeps_search_filters_and_sort(db_path, registry, settings_path):
    async with started(db_path, registry, settings_path=settings_path, size=SIZE, counts=True) as (app, pilot):
        screen = app.screen
        screen.query_one("#search", Input).value = "平台"
        await pilot.pause()
        screen.set_query(sort="investment", descending=True, overdue_only=True, kind="construction")
        await settle(pilot)
        before = screen.query_state
        shown = [screen.query_one(LazyTable).row(i)["code"] for i in range(screen.query_one(LazyTable).total)]
        await pilot.press("f2")
        await settle(pilot)
        assert app.lang == "en" and isinstance(app.screen, ProjectsScreen) and app.screen is not screen
        assert app.screen.query_state == before
        assert app.screen.query_one("#search", Input).value == "平台"
        assert app.screen.query_one("#kind", Select).value == "construction"
        table = app.screen.query_one(LazyTable)
        assert [table.row(i)["code"] for i in range(table.total)] == shown


async def test_the_palette_lists_each_command_once_with_sort_and_search(db_path, registry):
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert len(titles) == len(set(titles))
        assert all(c.help != c.title and c.help.startswith("快捷键") for c in commands)
        assert "搜索" in titles and "按投资(万元)排序" in titles and "倒序" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"按投资")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_state.sort == "investment"


async def test_80_by_24_keeps_names_deadlines_problems_and_help(db_path, registry):
    async with started(db_path, registry, size=(80, 24), counts=True) as (app, pilot):
        table = app.screen.query_one(LazyTable)
        widths = {c.key: w for c, w in table.widths(table.scrollable_content_region.width)}
        assert {"code", "name", "next_deadline", "issues", "stage"} <= set(widths)
        assert widths["name"] >= 20
        assert "owner_unit" not in widths  # the first to give way
        text = screen_text(app)
        assert "下一期限" in text and "问题" in text and "智慧校园平台" in text
        assert "帮助" in text.splitlines()[-1]
        for select in app.screen.query(Choice):  # every filter still on screen
            assert select.region.right <= 80 and select.region.width >= 12


async def test_category_is_a_choice_of_the_districts_own_categories(tmp_path):
    from zwxm.model import Project
    from zwxm.plugins import get_registry

    registry = get_registry()
    with Store(tmp_path / "x.db", registry) as store:  # not empty, so no offer of demo data
        store.save_project(Project(code="T-0", name="已有项目", district="yubei", kind="service", investment=1))
    app = create_app(tmp_path / "x.db", "en", registry=registry)
    notices = []
    hook = lambda message: notices.append(message.notification.message) if isinstance(message, Notify) else None  # noqa: E731
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        form = await pushed(pilot, ProjectForm(None))
        category = form.query_one("#category", Choice)
        assert category.choices == []
        form.query_one("#district", Choice).value = "luohu"
        await pilot.pause()
        assert ("system integration", "integration") in category.choices
        form.query_one("#district", Choice).value = "potou"
        await pilot.pause()
        assert [key for _, key in category.choices] == ["public", "professional"]
        for field, value in (("code", "T-1"), ("name", "测试平台"), ("investment", "120万")):
            form.query_one(f"#{field}", Input).value = value
        form.query_one("#kind", Choice).value = "service"
        form.query_one("#funding", Choice).value = "department_budget"
        category.value = "public"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Project T-1 saved (created)" in notices
    with Store(tmp_path / "x.db", registry) as store:
        assert store.project("T-1").category == "public"


async def test_the_facts_tab_names_every_fact_in_the_operators_words(tmp_path):
    from zwxm.model import Project
    from zwxm.plugins import get_registry

    registry = get_registry()
    with Store(tmp_path / "x.db", registry) as store:
        store.save_project(Project(code="LH-1", name="罗湖测试平台", district="luohu", kind="construction",
                                   investment=1_200_000, funding="own_funds", category="integration",
                                   classified=True, facts={"contact": "陈静", "it_authority": "区政务服务数据管理局",
                                                           "ex_ante_assessment": False}))
    async with started(tmp_path / "x.db", registry, size=SIZE) as (app, pilot):
        app.open_project("LH-1")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        for shown in ("罗湖区", "系统集成", "自有资金", "联系人", "信息化主管部门", "已完成事前绩效评估"):
            assert shown in text, shown
        for hidden in ("luohu", "integration", "own_funds", "contact", "it_authority", "ex_ante_assessment",
                       "True", "False"):
            assert hidden not in text, hidden


async def test_filter_menus_count_within_the_other_filters(db_path, registry):
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        screen = app.screen
        assert {key for _, key in screen.query_one("#kind", Choice).choices} == {"construction", "operation"}
        screen.query_one("#year", Choice).value = "2024"
        await settle(pilot)
        with Store(db_path, registry) as store:
            in_2024 = store.query_projects(ProjectQuery(year=2024), 0, 100)
        kinds = {k: sum(r["kind"] == k for r in in_2024) for k in ("construction", "operation")}
        labels = {key: str(label) for label, key in screen.query_one("#kind", Choice).choices}
        assert set(labels) == {k for k, n in kinds.items() if n}
        for key in labels:
            assert labels[key].endswith(f" {kinds[key]}"), labels  # counted among 2024's projects only
        assert sum(kinds.values()) < 12
        years = {key for _, key in screen.query_one("#year", Choice).choices}
        assert years == {"2024", "2025", "2026"}  # the year menu itself still offers every year


async def test_a_status_every_row_shares_is_shown_once_in_the_header(tmp_path):
    """Luohu's regulation expired in 2025: its projects carry no per-row warning for that, and the
    header says it once."""
    import datetime as dt

    from zwxm.model import Project
    from zwxm.plugins import get_registry

    registry = get_registry()
    with Store(tmp_path / "x.db", registry) as store:
        store.save_project(Project(code="LH-1", name="罗湖测试平台", district="luohu", kind="construction",
                                   investment=1_200_000, funding="department_budget", owner_unit="区档案馆"))
        evaluation = store.evaluation("LH-1", dt.date.today())
        assert any(f.rule == "regulation_status" for f in evaluation.findings)  # still in the project's findings
        row = store.query_projects(ProjectQuery(), 0, 10)[0]
        assert row["warnings"] == sum(f.severity == "warning" and f.rule != "regulation_status"
                                      for f in evaluation.findings)
    async with started(tmp_path / "x.db", registry, size=SIZE, counts=True) as (app, pilot):
        text = screen_text(app)
        header = [line for line in text.splitlines() if "罗湖区《" in line]
        assert len(header) == 1 and "已失效" in header[0] and "2025-10-19" in header[0]
        line = next(line for line in text.splitlines() if line.startswith("LH-1"))
        assert "!" not in line if row["warnings"] == 0 else f"!{row['warnings']}" in line


async def test_full_pinyin_and_initials_both_find_a_project(db_path, registry):
    async with started(db_path, registry, size=SIZE, counts=True) as (app, pilot):
        for query in ("pingtai", "PingTai", "pt", "zhihuixiaoyuan", "zhxy", "平台"):
            app.screen.query_one("#search", Input).value = query
            await settle(pilot)
            names = [app.screen.query_one(LazyTable).row(i)["name"]
                     for i in range(app.screen.query_one(LazyTable).total)]
            assert names, query
            expected = "校园" if "x" in query.lower() else "平台"
            assert all(expected in name for name in names), (query, names)


async def test_dialogs_fit_80_by_24_and_give_their_first_field_the_keyboard(db_path, registry):
    from textual.widgets import Button

    async with started(db_path, registry, size=(80, 24), counts=True) as (app, pilot):
        for key, first in (("e", "#type"), ("x", "#path"), ("i", "#path"), ("n", "#code")):
            await pilot.press(key)
            await pilot.pause()
            assert app.focused is app.screen.query_one(first), (key, app.focused)
            if key == "e":  # the whole event form, buttons included, is on screen at once
                save = app.screen.query_one("#save", Button)
                assert save.region.bottom <= 23 and save.region.height == 3, save.region
            assert isinstance(await screen_after(pilot, "escape"), ProjectsScreen)
