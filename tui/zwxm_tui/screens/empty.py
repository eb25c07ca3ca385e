"""Shown when the database has no project: load the demo data, import a file, or go on."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator, Static

from zwxm.store import ProjectQuery, Store

from .base import ZwxmModal

DEMO_COUNT = 300


class EmptyScreen(ZwxmModal):
    BINDINGS = [Binding("escape", "dismiss", "k_back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.t("empty_title"), "bold"))
            yield Static(self.t("empty_body", path=str(self.zapp.store.path)), id="empty-body")
            with Horizontal(classes="buttons"):
                yield Button(self.t("load_demo"), id="demo", variant="primary")
                yield Button(self.t("import_file"), id="import")
                yield Button(self.t("skip"), id="skip")
            yield LoadingIndicator()

    def on_mount(self) -> None:
        self.query_one(LoadingIndicator).display = False

    @on(Button.Pressed, "#demo")
    def demo(self) -> None:
        for button in self.query(Button):
            button.disabled = True
        self.query_one(LoadingIndicator).display = True
        self.load_demo()

    @work(thread=True, exclusive=True)
    def load_demo(self) -> None:
        """In a thread with its own connection, so the screen keeps drawing meanwhile."""
        from zwxm.io.demo import create_demo

        with self.zapp.open_store() as store:
            create_demo(store, count=DEMO_COUNT)
        self.app.call_from_thread(self.demo_loaded)

    def demo_loaded(self) -> None:
        count = self.zapp.store.count_projects(ProjectQuery())
        self.notify(self.t("demo_loaded", n=count))
        self.dismiss("demo")

    @on(Button.Pressed, "#import")
    def import_file(self) -> None:
        from .transfer import ImportScreen

        self.dismiss("import")
        self.app.push_screen(ImportScreen())

    @on(Button.Pressed, "#skip")
    def skip(self) -> None:
        self.dismiss(None)
