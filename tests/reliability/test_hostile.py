"""Hostile input: SQL fragments, control characters, terminal escape sequences, Rich markup and
100,000-character strings in text fields are stored and shown verbatim (escaped on screen), never
executed; paths on the command line are read as given, and `confine` keeps a served session in its
folder; a spreadsheet formula is imported as text and exported so that spreadsheet programs show it
as text."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text as RichText

from zwxm.escape import csv_text, markup_text, terminal_json, terminal_text, xlsx_text
from zwxm.files import confine
from zwxm.model import Event, InputError, Project, dump_project
from zwxm.store import ProjectQuery, Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.widgets import LazyTable

from .harness import ZWXM, env, integrity, mount_tmpfs, remount_read_only, unmount, zwxm

SQL = ["'; DROP TABLE projects; --", "Robert'); DELETE FROM events WHERE ('1'='1", "%' OR 1=1 --", "_%\\"]
CONTROL = ["\x00NUL\x01\x07\x08\x0b\x0c\r\n\t\x7f\x9b", "\x1b[2J\x1b[H\x1b]2;PWNED\x07\x1b[31m红\x1b[0m\x1bP+q\x1b\\"]
MARKUP = ["[bold red]红[/] [@click=app.quit]退出[/] [link=file:///etc/passwd]链接[/link]", "\u202e右到左\u200b零宽"]
FORMULAS = ['=HYPERLINK("http://evil.example/","点我")', "+1+1", "-2+3", "@SUM(1)"]
LONG = "长" * 100_000
HOSTILE = SQL + CONTROL + MARKUP + FORMULAS + [LONG]
TITLE = "\x1b]2;PWNED\x07"  # sets the terminal's window title if it ever reaches the terminal


def hostile_project(n: int, text: str) -> Project:
    return Project(code=f"H-{n:02d}", name=f"名{text}", district="luohu", kind="construction", investment=1_200_000,
                   owner_unit=f"单位{text}", contractor=text, facts={"remarks": text, text[:50] or "k": "值"},
                   tags=[text], events=[Event("declared", dt.date(2025, 1, 6), actor=text, note=text)])


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with Store(db) as store:
        store.save_projects([hostile_project(n, text) for n, text in enumerate(HOSTILE)])
    return db


def test_stored_verbatim_and_never_executed(hostile_db):
    with Store(hostile_db) as store:
        assert set(store.db.table_names()) >= {"projects", "events", "project_status"}
        for n, text in enumerate(HOSTILE):
            assert store.project(f"H-{n:02d}") == hostile_project(n, text)  # every field, byte for byte
        assert store.count_projects(ProjectQuery()) == len(HOSTILE)
        # a search text is data: it finds the one project whose name holds it, nothing more
        for n, text in enumerate(SQL):
            codes = {r["code"] for r in store.query_projects(ProjectQuery(text=text), 0, 100)}
            assert codes == {f"H-{n:02d}"}, text
        assert store.query_projects(ProjectQuery(text="' OR '1'='1"), 0, 100) == []
        assert store.verify() == []
    assert integrity(hostile_db) == "ok"


def test_cli_records_exports_and_imports_hostile_text_unchanged(hostile_db, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(hostile_db, db)
    note = SQL[0] + CONTROL[1] + MARKUP[0] + FORMULAS[0]  # argv cannot hold NUL; everything else goes
    recorded = zwxm("--db", str(db), "record", "H-00", "progress_reported", "--date", "2025-06-25", "--note", note)
    assert recorded.returncode == 0, recorded.stderr
    exported = zwxm("--db", str(db), "export", "all.json", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    names = {p["code"]: p["name"] for p in data["projects"]}
    assert names == {f"H-{n:02d}": f"名{text}" for n, text in enumerate(HOSTILE)}
    back = zwxm("--db", str(tmp_path / "back.db"), "import", "all.json", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    with Store(db) as original, Store(tmp_path / "back.db") as copy:
        for n in range(len(HOSTILE)):
            assert copy.project(f"H-{n:02d}") == original.project(f"H-{n:02d}")
        assert copy.project("H-00").events[-1].note == note
    assert zwxm("--db", str(tmp_path / "back.db"), "verify").returncode == 0


# --- the TUI ---------------------------------------------------------------------------------


def test_tui_shows_markup_and_escapes_as_text(hostile_db):
    asyncio.run(_tui_shows_markup_and_escapes_as_text(hostile_db))


async def _tui_shows_markup_and_escapes_as_text(hostile_db: Path) -> None:
    app = create_app(hostile_db, "zh")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(LazyTable)
        lines = [table.render_line(y).text for y in range(1, len(HOSTILE) + 1)]
        assert not any(ch in line for line in lines for ch in "\x1b\x07\x00\x9b")
        assert any("␛[2J␛[H␛]2;PWNED␇" in line for line in lines)
        assert any("名[bold red]红[/]" in line for line in lines)  # markup shown, not applied
        for n in (HOSTILE.index(CONTROL[1]), HOSTILE.index(MARKUP[0]), HOSTILE.index(LONG)):
            app.open_project(f"H-{n:02d}")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            for tab, column in (("facts", 1), ("timeline", 2)):
                section = app.screen.show(tab)
                cells = [str(section.get_row_at(i)[column]) for i in range(section.row_count)]
                shown = "\n".join(cells)
                assert "\x1b" not in shown and "\x07" not in shown
                assert any(HOSTILE[n][:200].translate({0x1b: "␛", 0x07: "␇"}) in c for c in cells), (tab, cells)
            assert "\x1b" not in app.screen.sub_title
            app.pop_screen()
            await pilot.pause()


TMUX = shutil.which("tmux")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_a_real_terminal_never_interprets_stored_escapes(hostile_db, tmp_path):
    """The real `zwxm` in tmux: the window title stays, the screen is not cleared, markup is text."""
    # pytest-xdist workers export COLUMNS=80 and LINES=24, which Textual obeys over the pane's size
    environment = {k: v for k, v in env().items() if k not in ("TMUX", "COLUMNS", "LINES")}
    environment.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm-256color",
                       TMUX_TMPDIR=str(tmp_path), LANG="C.UTF-8")
    name = f"zwxm-hostile-{os.getpid()}"

    def tmux(*args: str) -> str:
        return subprocess.run([TMUX, *args], capture_output=True, text=True, env=environment).stdout

    def wait_for(*texts: str) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", name)
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} did not appear:\n{screen}")

    subprocess.run([TMUX, "new-session", "-d", "-s", name, "-x", "160", "-y", "50", ZWXM, "--db", str(hostile_db)],
                   check=True, env=environment)
    try:
        before = tmux("display", "-p", "-t", name, "#{pane_title}")
        screen = wait_for("H-00", "H-05", "PWNED")
        assert "␛]2;PWNED␇" in screen  # shown as symbols; the list was not wiped
        tmux("send-keys", "-t", name, "Down", "Down", "Down", "Down", "Down", "Enter")
        screen = wait_for("项目名称")
        assert "名␛[2J␛[H␛]2;PWNED␇" in screen
        tmux("send-keys", "-t", name, "Escape")
        wait_for("排序")  # back on the list
        time.sleep(0.5)  # let the list take focus again before the next keys
        tmux("send-keys", "-t", name, "Down", "Enter")
        screen = wait_for("H-06  名[bold red]红[/]")
        assert "[@click=app.quit]退出[/]" in screen  # the contractor cell shows the markup as text
        assert tmux("display", "-p", "-t", name, "#{pane_title}") == before
        assert "PWNED" not in tmux("display", "-p", "-t", name, "#{pane_title}")
        tmux("send-keys", "-t", name, "C-q")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", name], capture_output=True, env=environment)


# --- files outside the working directory -------------------------------------------------------


@pytest.fixture
def places(tmp_path) -> tuple[Path, Path]:
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    (elsewhere / "ledger.csv").write_text("项目编号,项目名称,所属区,项目类别,总投资（万元）\nOUT-1,外部台账,罗湖,新建,120\n",
                                         encoding="utf-8")
    (here / "link.csv").symlink_to(elsewhere / "ledger.csv")
    shutil.copy(elsewhere / "ledger.csv", here / "inside.csv")
    return here, elsewhere


def test_paths_on_the_command_line_are_read_as_given(places):
    """As every command-line program: relative, absolute, `../` and symbolic links are all read."""
    here, elsewhere = places
    db = str(here / "zwxm.db")
    first = zwxm("--db", db, "import", "../elsewhere/ledger.csv", cwd=here)
    assert first.returncode == 0 and "新增 1" in first.stdout, first.stderr
    for path in (str(elsewhere / "ledger.csv"), "link.csv", "inside.csv"):
        again = zwxm("--db", db, "import", path, cwd=here)
        assert again.returncode == 0 and "未变 1" in again.stdout, again.stderr
    help_text = zwxm("import", "--help").stdout
    assert "--allow-outside" not in help_text and "--limit" in help_text


def test_confine_keeps_a_served_session_inside_its_folder(places):
    """`zwxm.files.confine`: the one check a browser-served session uses for paths it is given."""
    here, elsewhere = places
    assert confine("inside.csv", here) == (here / "inside.csv").resolve()
    assert confine(str(here / "inside.csv"), here, field="path") == (here / "inside.csv").resolve()
    for path in ("../elsewhere/ledger.csv", str(elsewhere / "ledger.csv"), "link.csv", "/etc/passwd", "~/x", "sub/../../x"):
        with pytest.raises(InputError) as refused:
            confine(path, here, field="path")
        assert refused.value.problems[0].field == "path" and refused.value.problems[0].value == path


# --- spreadsheet formulas ------------------------------------------------------------------------


def test_xlsx_formula_is_imported_as_text_and_exported_as_text(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）", "建设单位", "备注"])
    sheet.append(["F-1", FORMULAS[0], "罗湖", "新建", 120, "=1+1", "@SUM(A1:A2)"])
    sheet.append(["F-2", "正常名称", "罗湖", "新建", "=SUM(1,2)", "区教育局", ""])
    book.save(tmp_path / "in.xlsx")
    assert sheet["B2"].data_type == "f"  # a real formula cell, as a spreadsheet program saves it

    result = zwxm("--db", "zwxm.db", "import", "in.xlsx", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # F-2 is refused: a formula is no amount
    with Store(tmp_path / "zwxm.db") as store:
        project = store.project("F-1")
        assert (project.name, project.owner_unit, project.facts["remarks"]) == (FORMULAS[0], "=1+1", "@SUM(A1:A2)")
        assert store.project("F-2") is None
    rejects = (tmp_path / "in.rejects.csv").read_text(encoding="utf-8-sig")
    assert "'=SUM(1,2)" in rejects  # the rejects CSV quotes it too

    exported = zwxm("--db", "zwxm.db", "export", "out.xlsx", "--code", "F-1", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
        styles = archive.read("xl/styles.xml").decode()
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)  # no formula anywhere
    assert 'quotePrefix="1"' in styles
    cells = {c.value: c for row in openpyxl.load_workbook(tmp_path / "out.xlsx")["projects"].iter_rows() for c in row}
    for text in (FORMULAS[0], "=1+1"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix

    again = zwxm("--db", "back.db", "import", "out.xlsx", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    with Store(tmp_path / "back.db") as store:
        assert store.project("F-1").name == FORMULAS[0]


# --- one escaping path: every command and screen (issue 13 §6) ---------------------------------

# What a terminal must never receive from data: C0 but the line break, DEL, C1, bidi overrides.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TERMINAL = [*CONTROL, *MARKUP, "[/bold]", "[/]", "\x1b]0;PWNED\x1b\\", "\x9b31m红", "\n假的一行: verified", "\\[bold]"]


def hostile_code(n: int, text: str) -> str:
    return f"C{n}-{text[:40]}"


@pytest.fixture(scope="module")
def terminal_db(tmp_path_factory) -> Path:
    """Projects whose code, name and note are each a hostile string."""
    db = tmp_path_factory.mktemp("terminal") / "terminal.db"
    with Store(db) as store:
        store.save_projects([attrs.evolve(hostile_project(n, text), code=hostile_code(n, text))
                             for n, text in enumerate(TERMINAL)])
    return db


def assert_safe(result: subprocess.CompletedProcess) -> str:
    """No traceback, nothing a terminal would act on; returns what was printed."""
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown, result.stderr
    assert not RAW.search(shown), RAW.findall(shown)
    return shown


def test_every_command_prints_hostile_text_as_symbols(terminal_db, tmp_path):
    db = tmp_path / "t.db"
    shutil.copy(terminal_db, db)
    with Store(db) as store:
        projects = [store.project(hostile_code(n, text)) for n, text in enumerate(TERMINAL)]
    for n, project in enumerate(projects):
        path = tmp_path / f"p{n}.json"
        path.write_text(json.dumps(dump_project(project), ensure_ascii=False, default=str), encoding="utf-8")
        text = assert_safe(zwxm("evaluate", str(path), "--as-of", "2025-06-30"))
        assert terminal_text(project.code) in text  # shown, as symbols
        as_json = zwxm("evaluate", str(path), "--json")
        assert_safe(as_json)
        assert json.loads(as_json.stdout)["project"] == project.code  # and exact in JSON
        assert_safe(zwxm("compare", str(path), "--as-of", "2025-06-30"))
        assert json.loads(assert_safe(zwxm("compare", str(path), "--json")))
        if "\x00" in project.code:
            continue  # argv cannot hold NUL
        recorded = zwxm("--db", str(db), "record", project.code, "progress_reported", "--date", "2025-06-25",
                        "--note", TERMINAL[n].replace("\x00", ""))
        assert recorded.returncode == 0 and terminal_text(project.code) in assert_safe(recorded)
    conn = sqlite3.connect(db)  # someone edits every note behind the program's back: verify names each project
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET note = note || '改'")
    conn.commit()
    conn.close()
    verified = zwxm("--db", str(db), "verify")
    assert verified.returncode == 1
    shown = assert_safe(verified)
    assert all(terminal_text(p.code) in shown for p in projects)
    assert "\n假的一行: verified" not in shown
    exported = zwxm("--db", str(db), "export", str(tmp_path / "all.xlsx"))
    assert exported.returncode == 0 and "␛" in assert_safe(exported)  # the cells whose characters were replaced
    named = tmp_path / "台账\x1b]2;PWNED\x07.csv"
    named.write_text("项目编号,项目名称,所属区,项目类别,总投资（万元）\n[/bold],名,罗湖,新建,很多\n", encoding="utf-8")
    imported = zwxm("--db", str(db), "import", str(named))
    assert imported.returncode == 1 and "台账␛]2;PWNED␇.csv" in assert_safe(imported)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None, database=None)
def test_escaping_for_a_terminal_and_for_rich_markup(text):
    safe = terminal_text(text)
    assert len(safe) == len(text) and not RAW.search(safe.replace("\n", "␊"))
    assert "\n" not in safe
    assert RichText.from_markup(markup_text(text)).plain == safe  # markup read back is the text, never a style
    assert json.loads(terminal_json({"v": text})) == {"v": text} and not RAW.search(terminal_json(text, None))


@given(st.text(max_size=40))
@settings(max_examples=150, deadline=None, database=None)
def test_escaping_for_a_spreadsheet(text):
    cell, replaced = xlsx_text(text)
    book = openpyxl.Workbook()
    book.active["A1"] = cell  # openpyxl refuses what XML cannot hold: this would raise
    assert replaced == (cell != text) and len(cell) == len(text)
    formula = text.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_text(text) == ("'" + text if formula else text)


def test_tui_rejects_table_and_failing_workers(terminal_db, tmp_path):
    asyncio.run(_tui_rejects_table_and_failing_workers(terminal_db, tmp_path))


def screen_lines(app) -> list[str]:
    """What the screen's widgets draw, line by line (markup applied or not, as the terminal would get it)."""
    lines = []
    for widget in app.screen.query("*"):
        if widget.display and widget.size.height:
            lines.extend(widget.render_line(y).text for y in range(min(widget.size.height, 60)))
    return lines


async def _tui_rejects_table_and_failing_workers(terminal_db: Path, tmp_path: Path) -> None:
    from textual.widgets import DataTable, Input, Static

    from zwxm_tui.screens.compare import CompareScreen
    from zwxm_tui.screens.record import RecordEventScreen
    from zwxm_tui.screens.transfer import ExportScreen, ImportScreen

    db = tmp_path / "tui.db"
    shutil.copy(terminal_db, db)
    ledger = tmp_path / "ledger.csv"
    with ledger.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）"])
        for n, text in enumerate(TERMINAL):
            writer.writerow([f"R{n}-{text[:30]}", "名", "罗湖", "新建", f"{text}很多"])  # each refused: no amount
        writer.writerow(["R-OK", "正常", "罗湖", "新建", 120])
    app = create_app(db, "zh")
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        app.push_screen(ImportScreen(str(ledger)))
        await pilot.pause()
        app.screen.start()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#rejects", DataTable)
        cells = [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
        assert table.row_count == len(TERMINAL)
        assert any("[/bold]很多" in c for c in cells) and any("[@click=app.quit]" in c for c in cells)
        lines = screen_lines(app)
        assert not any(RAW.search(line) for line in lines)
        assert any("[/bold]很多" in line for line in lines) and any("␛]2;PWNED␇" in line for line in lines)
        assert app.is_running and isinstance(app.screen, ImportScreen)

        # the same ledger on a read-only share: its rejects file cannot be written beside it, the worker
        # stops after saving the valid row, and the screen says so (it used to end the TUI with a traceback)
        share = tmp_path / "share"
        mounted = mount_tmpfs(share, "1m")
        if not mounted and os.geteuid() == 0:
            pytest.skip("as root, only a read-only mount makes a folder read-only")
        shutil.copy(ledger, share / "ledger.csv")
        if mounted:
            remount_read_only(share)
        else:
            share.chmod(0o555)
        try:
            app.screen.query_one("#path", Input).value = str(share / "ledger.csv")
            app.screen.start()
            await app.workers.wait_for_complete()
            await pilot.pause()
        finally:
            if mounted:
                unmount(share)
            else:
                share.chmod(0o755)
        assert app.is_running and isinstance(app.screen, ImportScreen)
        error = app.screen.query_one("#error", Static).content.plain
        assert "ledger.rejects.csv" in error and ("导入中断" in error or "stopped" in error), error
        app.screen.dismiss(None)
        await pilot.pause()

        # exports: control characters in stored names reach an XLSX as symbols; an unwritable path is shown
        (tmp_path / "plain").write_text("file", encoding="utf-8")
        for target, expected in ((tmp_path / "all.xlsx", "个单元格"), (tmp_path / "plain" / "x.xlsx", "plain")):
            app.push_screen(ExportScreen(ProjectQuery(), str(target)))
            await pilot.pause()
            app.screen.start()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and any(expected in line for line in screen_lines(app)), screen_lines(app)
            app.screen.dismiss(None)
            await pilot.pause()
        assert openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)

    app = create_app(terminal_db, "zh")  # record and compare screens of hostile codes
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        for n, text in enumerate(TERMINAL[:6]):
            for screen in (RecordEventScreen(hostile_code(n, text)), CompareScreen(hostile_code(n, text))):
                app.push_screen(screen)
                await pilot.pause()
                lines = screen_lines(app)
                assert app.is_running and not any(RAW.search(line) for line in lines)
                assert not RAW.search(app.screen.sub_title or "")
                assert any(terminal_text(hostile_code(n, text))[:20] in line for line in lines), lines[:5]
                app.pop_screen()
                await pilot.pause()
