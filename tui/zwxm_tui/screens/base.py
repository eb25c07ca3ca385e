"""What every screen shares: the app's language and its words.

Key descriptions stay UI keys ("k_open") in the bindings; the key bar shows them in the app's
language when it draws, so switching language needs no rewriting of the bindings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from ..host import WRITE_ACTIONS, Host
from ..i18n import UI, tr


class LocalizedMixin:
    @property
    def zapp(self) -> Host:
        return cast(Host, self.app)  # type: ignore[attr-defined]

    @property
    def lang(self) -> str:
        return self.zapp.lang

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In read-only mode the keys that would change the database are hidden and do nothing."""
        return not (action in WRITE_ACTIONS and getattr(self.app, "read_only", False))

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        """Which keys work depends on what has the keyboard: let the key bar redraw."""
        self.refresh_bindings()  # type: ignore[attr-defined]


class ZwxmScreen(LocalizedMixin, Screen):
    pass


class ZwxmModal(LocalizedMixin, ModalScreen):
    pass


class Dialog(VerticalScroll, can_focus=False):
    """A dialog's box: it scrolls when the terminal is short (80×24), but never takes the keyboard
    itself, so the dialog's first field does."""


# The keys of every form, so the key bar under a form names them (the form defines action_save).
FORM_BINDINGS = [Binding("escape", "dismiss", "k_back"), Binding("tab", "app.focus_next", "k_next_field"),
                 Binding("ctrl+s", "save", "k_save")]


def command(lang: str, title: str, key: str, callback: Callable[[], object], what: str = "") -> SystemCommand:
    """A palette entry: its title (a UI key, or text already in `lang`), and a help line naming its
    key (and `what` it acts on)."""
    help_text = tr("palette_key", lang, keys=key) + (f" · {what}" if what else "")
    return SystemCommand(tr(title, lang) if title in UI else title, help_text, callback)
