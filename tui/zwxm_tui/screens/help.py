"""The help screen: every key of every screen, in the app's language (docs/tui.md has the same)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from ..widgets import KeyBar
from .base import ZwxmScreen

KEYS = (  # (screen key, key, description key)
    ("projects", "/", "k_search"), ("projects", "Enter", "k_open"), ("projects", "n", "k_new"),
    ("projects", "e", "k_record"), ("projects", "c", "k_compare"), ("projects", "o", "k_overdue"),
    ("projects", "s", "k_sort"), ("projects", "v", "k_reverse"), ("projects", "d", "k_deadlines"),
    ("projects", "r", "k_rules"), ("projects", "i", "k_import"), ("projects", "x", "k_export"),
    ("detail", "e", "k_record"), ("detail", "c", "k_change"), ("detail", "m", "k_edit"),
    ("detail", "p", "k_compare"), ("detail", "Enter / a", "k_article"), ("detail", "Tab / 1–7", "k_next_tab"), ("detail", "Esc", "k_back"),
    ("search_mode", "Enter", "k_search_done"), ("search_mode", "Esc", "k_search_leave"),
    ("forms", "Tab / Shift+Tab", "k_next_field"), ("forms", "Enter / ↓", "k_open_menu"), ("forms", "Ctrl+S", "k_save"),
    ("forms", "Esc", "k_back"),
    ("deadlines", "Enter", "k_jump"), ("rules", "Enter", "k_article"),
    ("app_title", "F1 / ?", "k_help"), ("app_title", "F2", "k_lang"), ("app_title", "Ctrl+P", "k_palette"),
    ("app_title", "Ctrl+D", "k_deadlines"), ("app_title", "Ctrl+R", "k_rules"), ("app_title", "Ctrl+Q", "k_quit"),
)


class HelpScreen(ZwxmScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "k_back")]

    def compose(self) -> ComposeResult:
        yield Header()
        table = Table(self.t("col_screen"), self.t("col_key"), self.t("col_action"))
        for screen, key, description in KEYS:
            table.add_row(self.t(screen), key, self.t(description))
        with VerticalScroll():
            yield Static(table, id="help-keys")
            yield Static(self.t("mouse_help"))
        yield KeyBar()
