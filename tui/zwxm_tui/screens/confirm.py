"""A yes/no question that must be answered explicitly (no default on Enter)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from ..widgets import KeyBar
from .base import Dialog, ZwxmModal


class ConfirmScreen(ZwxmModal):
    BINDINGS = [Binding("escape", "no", "k_back")]

    def __init__(self, body: Text | str):
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(self.body)
            with Horizontal(classes="buttons"):
                yield Button(self.t("confirm"), id="yes", variant="error")
                yield Button(self.t("cancel"), id="no", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
