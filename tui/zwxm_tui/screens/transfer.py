"""Import a file (with a progress bar, then the rejected rows) and export the current filter.

Both run in a worker thread with their own Store: a SQLite connection belongs to the thread that
opened it, and the UI must keep answering during a long import. Validation, batching and the
rejects are the core's (`zwxm.io.importer`, `zwxm.io.export`).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static

from zwxm.model import InputError
from zwxm.store import ProjectQuery
from zwxm.vocab import fact_label

from ..format import shown, visible
from ..i18n import pick
from ..widgets import KeyBar
from .base import Dialog, ZwxmModal

REJECTS_SHOWN = 500  # the rejects file holds them all; the screen shows the first ones


PROBLEMS_SHOWN = 20  # a file with a million unknown columns must not fill the screen


def problems_text(exc: InputError, lang: str) -> Text:
    lines = [f"✗ {fact_label(p.field, lang)}: {p.value!r}: {pick(lang, p.message, p.message_en)}"
             for p in exc.problems[:PROBLEMS_SHOWN]]
    if len(exc.problems) > PROBLEMS_SHOWN:
        lines.append(pick(lang, f"……另有 {len(exc.problems) - PROBLEMS_SHOWN} 个问题",
                          f"… and {len(exc.problems) - PROBLEMS_SHOWN} more problems"))
    return Text("\n".join(visible(line) for line in lines), "red")


def failure_text(exc: BaseException, lang: str) -> Text:
    """Any failure of a worker as one red line (a full disk, an unwritable file, a stopped import):
    the screen stays, the operator reads what happened."""
    from zwxm.files import file_problem
    from zwxm.io.importer import ImportStopped

    if isinstance(exc, InputError):
        return problems_text(exc, lang)
    if isinstance(exc, ImportStopped):
        line = pick(lang, f"导入中断，已保存的批次保留：{exc.summary.line('zh')}", f"import stopped, the batches saved stay: "
                    f"{exc.summary.line('en')}") + "\n" + str(exc.problem)
    elif isinstance(exc, OSError):
        line = str(file_problem(exc))
    else:
        line = f"{type(exc).__name__}: {exc}"
    return Text("✗ " + "\n".join(visible(part) for part in line.split("\n")), "red")


class ImportScreen(ZwxmModal):
    BINDINGS = [Binding("escape", "dismiss", "k_back")]

    def __init__(self, path: str = ""):
        super().__init__()
        self.initial_path = path
        self.summary = None

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(Text(self.t("import"), "bold"))
            yield Label(self.t("file_path"))
            yield Input(self.initial_path, id="path")
            yield ProgressBar(id="transfer-progress", show_eta=False)
            yield Static(id="error", classes="error")
            yield Static(id="result")
            yield DataTable(id="rejects", zebra_stripes=True)
            with Horizontal(classes="buttons"):
                yield Button(self.t("start"), id="start", variant="primary")
                yield Button(self.t("close"), id="close")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rejects", DataTable).display = False

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#path")
    def start(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        path = self.zapp.file_path(raw)
        if path is None:
            self.query_one("#error", Static).update(Text(self.t("outside_files_dir", path=raw,
                                                                folder=str(self.zapp.files_dir)), "red"))
            return
        if not raw or not path.is_file():
            self.query_one("#error", Static).update(
                Text(f"✗ {self.t('file_path')}: {raw!r}: {self.t('no_such_file')}", "red"))
            return
        self.query_one("#error", Static).update("")
        self.query_one("#start", Button).disabled = True
        self.run_import(path)

    @work(thread=True, exclusive=True)
    def run_import(self, path: Path) -> None:
        from zwxm.io.importer import import_file

        bar = self.query_one(ProgressBar)
        store = None
        try:
            store = self.zapp.open_store()
            summary = import_file(store, path,
                                  on_start=lambda total: self.app.call_from_thread(bar.update, total=total),
                                  progress=lambda n: self.app.call_from_thread(bar.advance, n))
        except Exception as exc:  # shown on the screen, never a traceback that ends the TUI
            self.app.call_from_thread(self.failed, exc)
            return
        finally:
            if store is not None:
                store.close()
        self.app.call_from_thread(self.finished, summary)

    def failed(self, exc: Exception) -> None:
        self.query_one("#error", Static).update(failure_text(exc, self.lang))
        self.query_one("#start", Button).disabled = False

    def finished(self, summary) -> None:
        """Show the counts, then the rejected rows: row, column, value and reason."""
        self.summary = summary
        self.query_one("#result", Static).update(Text(self.t(
            "import_done", inserted=summary.inserted, updated=summary.updated, unchanged=summary.unchanged,
            rejected=summary.rejected) + (f"\n{visible(summary.rejects_path)}" if summary.rejects_path else ""), "bold"))
        rows = self.zapp.store.db.execute(
            'SELECT row, code, "column", value, reason, reason_en FROM import_rejects WHERE import_id = ? '
            "ORDER BY row LIMIT ?", [summary.import_id, REJECTS_SHOWN]).fetchall()
        table = self.query_one("#rejects", DataTable)
        table.clear(columns=True)
        table.add_columns(self.t("col_row"), self.t("col_code"), self.t("col_column"), self.t("col_value"),
                          self.t("col_reason"))
        for row, code, column, value, reason, reason_en in rows:
            table.add_row(str(row), *(shown(cell or "") for cell in (code, column, value, pick(self.lang, reason, reason_en))))
        table.display = bool(rows)
        self.query_one("#start", Button).disabled = False

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss(self.summary)


class ExportScreen(ZwxmModal):
    """Export the projects of the list's current filter to TOML, JSON, CSV or XLSX (the suffix decides)."""

    BINDINGS = [Binding("escape", "dismiss", "k_back")]

    def __init__(self, query: ProjectQuery, path: str = "zwxm-export.xlsx"):
        super().__init__()
        self.project_query = query
        self.initial_path = path
        self.exported: int | None = None

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(Text(self.t("export"), "bold"))
            yield Static(self.t("export_count", n=self.zapp.store.count_projects(self.project_query)))
            yield Label(self.t("export_path"))
            yield Input(self.initial_path, id="path")
            yield ProgressBar(id="transfer-progress", show_eta=False)
            yield Static(id="error", classes="error")
            yield Static(id="result")
            with Horizontal(classes="buttons"):
                yield Button(self.t("start"), id="start", variant="primary")
                yield Button(self.t("close"), id="close")
        yield KeyBar()

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#path")
    def start(self) -> None:
        from zwxm.io.export import EXPORT_FORMATS

        raw = self.query_one("#path", Input).value.strip()
        path = self.zapp.file_path(raw)
        if path is None:
            self.query_one("#error", Static).update(Text(self.t("outside_files_dir", path=raw,
                                                                folder=str(self.zapp.files_dir)), "red"))
            return
        if path.suffix.lower().lstrip(".") not in EXPORT_FORMATS:
            self.query_one("#error", Static).update(Text(
                f"✗ {self.t('export_path')}: {raw!r}: {self.t('export_suffix')}", "red"))
            return
        self.query_one("#error", Static).update("")
        self.query_one("#start", Button).disabled = True
        self.run_export(path)

    @work(thread=True, exclusive=True)
    def run_export(self, path: Path) -> None:
        from zwxm.io.export import export_stored

        bar = self.query_one(ProgressBar)
        store = None
        altered: list[str] = []
        try:
            store = self.zapp.open_store()
            codes = store.project_codes(self.project_query)
            self.app.call_from_thread(bar.update, total=len(codes))
            count = export_stored(store, codes, path, progress=lambda n: self.app.call_from_thread(bar.advance, n),
                                  altered=altered)
        except Exception as exc:  # shown on the screen, never a traceback that ends the TUI
            self.app.call_from_thread(self.failed, failure_text(exc, self.lang))
            return
        finally:
            if store is not None:
                store.close()
        self.app.call_from_thread(self.finished, count, path, len(altered))

    def failed(self, message: Text) -> None:
        self.query_one("#error", Static).update(message)
        self.query_one("#start", Button).disabled = False

    def finished(self, count: int, path: Path, altered: int = 0) -> None:
        self.exported = count
        note = pick(self.lang, f"\n{altered} 个单元格的控制字符已替换为可见符号",
                    f"\n{altered} cells: control characters replaced by visible symbols") if altered else ""
        self.query_one("#result", Static).update(Text(visible(self.t("export_done", n=count, path=str(path))) + note,
                                                      "bold"))
        self.query_one("#start", Button).disabled = False

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss(self.exported)
