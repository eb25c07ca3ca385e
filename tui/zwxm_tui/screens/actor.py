"""Naming the person who writes in this session (issue 13 §2): saved in the settings, recorded with every write."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from .base import ZwxmModal


class ActorScreen(ZwxmModal):
    """One line: the name; Enter keeps it, Escape leaves the current one."""

    BINDINGS = [Binding("escape", "dismiss", "k_back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.t("actor"))
            yield Input(self.zapp.store.actor, id="actor")

    @on(Input.Submitted, "#actor")
    def keep(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)
