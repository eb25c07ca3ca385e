"""The project list against a real database: counts, search (text and pinyin initials), filters,
sorting by header click, lazy paging, CJK alignment, and opening a project."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Checkbox, Select, Static

from zwxm.store import ProjectQuery, Store
from zwxm.vocab import KINDS, label
from zwxm_tui.app import create_app
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.screens.projects import ProjectsScreen
from zwxm_tui.widgets import LazyTable

from .conftest import sample_projects, screen_after, settle

SIZE = (140, 40)


def table_codes(app) -> list[str]:
    table = app.screen.query_one(LazyTable)
    return [table.row(i)["code"] for i in range(table.total)]


async def test_list_shows_every_project_with_counts(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)
        table = app.screen.query_one(LazyTable)
        assert table.total == 12
        assert table_codes(app) == sorted(p.code for p in sample_projects())
        counts = str(app.screen.query_one("#counts", Static).render())
        assert "12 / 12" in counts and "逾期 2" in counts


async def test_cjk_columns_line_up(db_path, registry):
    """Every line is exactly as wide as the table, and each column starts at the same cell."""
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LazyTable)
        width = table.scrollable_content_region.width
        lines = [table.render_line(y).text for y in range(0, 13)]
        assert all(cell_len(line) == width for line in lines)
        # the district column holds 示例区 in every row: find its cell offset per line
        offsets = set()
        for line in lines[1:]:
            prefix = line[:line.index("示例区")]
            offsets.add(cell_len(prefix))
        assert len(offsets) == 1


async def test_search_by_text_and_pinyin_initials(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"zhxy")  # 智慧校园平台: pinyin initials
        await pilot.pause()
        codes = table_codes(app)
        assert codes and all("智慧校园" in Store(db_path, registry).project(c).name for c in codes)
        assert len(codes) == 3
        await pilot.press(*["backspace"] * 4, *"EX-2025-01")
        await pilot.pause()
        assert table_codes(app) == ["EX-2025-010", "EX-2025-011", "EX-2025-012"]
        await pilot.press(*["backspace"] * 10, *"卫生健康")
        await pilot.pause()
        assert len(table_codes(app)) == 3


async def test_filters_overdue_kind_and_year(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.query_one("#overdue", Checkbox).value is True
        overdue = table_codes(app)
        assert overdue == ["EX-2025-003", "EX-2025-011"]
        table = app.screen.query_one(LazyTable)
        assert all(table.row(i)["overdue"] for i in range(table.total))
        await pilot.press("o")
        await settle(pilot)  # the menus count within the other filters: no overdue operation project, no such entry
        app.screen.query_one("#kind", Select).value = "operation"
        await pilot.pause()
        store = Store(db_path, registry)
        expected = [r["code"] for r in store.query_projects(ProjectQuery(kind="operation"), 0, 100)]
        assert table_codes(app) == expected and len(expected) == 4
        app.screen.query_one("#year", Select).value = "2024"
        await pilot.pause()
        assert table_codes(app) == [r["code"] for r in store.query_projects(ProjectQuery(kind="operation", year=2024))]


async def test_header_click_sorts_and_reverses(db_path, registry):
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LazyTable)
        widths = [w for _c, w in table.widths(table.scrollable_content_region.width)]
        x = sum(widths[:6]) + 6 + 2  # inside the investment column header
        await pilot.click(LazyTable, offset=(x, 0))
        await pilot.pause()
        investments = [table.row(i)["investment"] for i in range(table.total)]
        assert investments == sorted(investments)
        await pilot.click(LazyTable, offset=(x, 0))
        await settle(pilot)
        investments = [table.row(i)["investment"] for i in range(table.total)]
        assert investments == sorted(investments, reverse=True)
        assert "降序" in str(app.screen.query_one("#counts", Static).render())


async def test_list_fetches_only_the_pages_on_screen(tmp_path, registry):
    path = tmp_path / "many.db"
    store = Store(path, registry)
    with store.transaction():
        for project in sample_projects(1_000):
            store.save_project(project)
    app = create_app(path, "en", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LazyTable)
        assert table.total == 1_000  # counted by the worker after the first page was shown
        assert table.fetches == 0  # the first page came with the query; nothing else was asked
        await pilot.press("end")
        await pilot.pause()
        last = max(p.code for p in sample_projects(1_000))  # codes sort as text
        assert table.current["code"] == last
        assert table.fetches == 1 and len(table._pages) <= table.cached_pages
        assert last in table.render_line(table.visible_rows).text


async def test_enter_opens_the_highlighted_project(db_path, registry):
    messages = []
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        selected = [m for m in messages if isinstance(m, LazyTable.Selected)]
        assert selected and selected[-1].row["code"] == "EX-2025-003"
        assert isinstance(app.screen, DetailScreen) and app.screen.code == "EX-2025-003"
        assert isinstance(await screen_after(pilot, "escape"), ProjectsScreen)


async def test_double_click_opens_a_project(db_path, registry):
    app = create_app(db_path, "en", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.double_click(LazyTable, offset=(3, 2))
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.code == "EX-2025-002"


async def test_typed_search_narrowing_the_kept_matches_shows_what_a_like_scan_finds(db_path, registry, monkeypatch):
    """With the walk's budget spent at once, every keystroke scans or narrows the previous one's kept
    matches, and the counting worker counts among them: the list, its counts and the menus are still
    those of a plain LIKE over the search column."""
    import zwxm.store.store as store_module

    monkeypatch.setattr(store_module, "SEARCH_WALK_BUDGET", 0)
    store = Store(db_path, registry)
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for typed in ("区", "区教", "区教育", "区教育局", "区教育局x"):
            await pilot.press(typed[-1])
            await settle(pilot)
            expected = [r[0] for r in store.db.execute(
                "SELECT code FROM projects WHERE search LIKE ? ORDER BY code", [f"%{typed.lower()}%"])]
            assert table_codes(app) == expected
            overdue = store.count_projects(ProjectQuery(text=typed, overdue_only=True))
            assert f"{len(expected)} / 12 个项目 · 逾期 {overdue}" in str(app.screen.query_one("#counts", Static).render())
            kinds = store.facets(ProjectQuery(text=typed))["kind"]
            menu = [str(text) for text, _value in app.screen.query_one("#kind", Select)._options[1:]]  # after its prompt
            assert menu == [f"{label(KINDS, kind, 'zh')} {n:,}" for kind, n in kinds]
        assert app.store.text_matches("区教育局", scan=False) is not None  # the narrowing path was taken


async def test_coming_back_while_the_list_is_counted_counts_again(db_path, registry):
    """Back from another screen while the counting worker still scans (a large file): the reload of the
    same query interrupts that scan and counts again; the app carries on (it stopped with the worker's
    "interrupted" error before) and shows the new counts."""
    import sqlite3

    conn = sqlite3.connect(db_path, isolation_level=None)  # 12 projects copied to ~200,000, as a script would
    columns = {t: ", ".join(r[1] for r in conn.execute(f"PRAGMA table_info({t})")) for t in ("projects", "project_status")}
    conn.execute("BEGIN")
    for n in range(1, 14):
        for table in ("projects", "project_status"):
            renamed = columns[table].replace("code", f"code || '-{n}'", 1)
            conn.execute(f"INSERT INTO {table} ({columns[table]}) SELECT {renamed} FROM {table}")  # noqa: S608
    conn.execute("COMMIT")
    total = conn.execute("SELECT count(*) FROM projects").fetchone()[0]
    conn.close()
    assert total == 12 * 2 ** 13
    app = create_app(db_path, "zh", registry=registry)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):
            app.screen.reload(recount_all=True)
            while app.screen._counting is None:  # the worker is inside its scans
                await pilot.pause(0.005)
            app.screen.reload(recount_all=True)  # what coming back from a detail or the deadlines view does
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen) and app.is_running
        assert f"{total:,} / {total:,}" in str(app.screen.query_one("#counts", Static).render())
