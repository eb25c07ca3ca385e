"""Shown when the database has no project: open the demo (in its own file, never this one), import
a file, or go on."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, LoadingIndicator, Static

from zwxm.store import ProjectQuery, Store

from ..widgets import KeyBar
from .base import Dialog, ZwxmModal

DEMO_COUNT = 300


class EmptyScreen(ZwxmModal):
    BINDINGS = [Binding("escape", "dismiss", "k_back")]

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(Text(self.t("empty_title"), "bold"))
            yield Static(self.t("empty_body", path=str(self.zapp.store.path)), id="empty-body")
            with Horizontal(classes="buttons"):
                yield Button(self.t("load_demo"), id="demo", variant="primary")
                yield Button(self.t("import_file"), id="import")
                yield Button(self.t("skip"), id="skip")
            yield LoadingIndicator()
        yield KeyBar()

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
        """The demo's own file beside this database, made if missing, then opened in its place; in a
        thread with its own connection, so the screen keeps drawing meanwhile."""
        from zwxm.io.demo import create_demo, demo_path_for, is_demo

        path = demo_path_for(self.zapp.store.path)
        with Store(path, self.zapp.registry, actor=self.zapp.store.actor) as store:
            if store.count_projects(ProjectQuery()) == 0:
                create_demo(store, count=DEMO_COUNT)
            elif not is_demo(store):
                self.app.call_from_thread(self.demo_refused, path)
                return
        self.app.call_from_thread(self.demo_opened, path)

    def demo_opened(self, path) -> None:
        own = self.zapp.store.path
        if path != own:
            self.zapp.store.close()
            self.zapp.store = Store(path, self.zapp.registry, actor=self.zapp.store.actor)
            self.zapp.sub_title = path.name
        count = self.zapp.store.count_projects(ProjectQuery())
        self.notify(self.t("demo_opened", n=count, path=str(path), own=str(own)), timeout=10)
        self.dismiss("demo")

    def demo_refused(self, path) -> None:
        self.notify(self.t("demo_not_demo", path=str(path)), severity="error", timeout=10)
        for button in self.query(Button):
            button.disabled = False
        self.query_one(LoadingIndicator).display = False

    @on(Button.Pressed, "#import")
    def import_file(self) -> None:
        from .transfer import ImportScreen

        self.dismiss("import")
        self.app.push_screen(ImportScreen())

    @on(Button.Pressed, "#skip")
    def skip(self) -> None:
        self.dismiss(None)
