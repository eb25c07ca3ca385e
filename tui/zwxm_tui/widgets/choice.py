"""A Select whose menu opens as its own small screen.

Why: Textual paints a screen line by line, cut at the left and right edge of every visible widget,
and a wide (CJK) character that straddles a cut is replaced by two spaces. Select's built-in menu
floats over the form, so the edges of the labels, inputs and buttons *under* it cut through its
options: 初审通过 showed as "  审通过", 自有资金 as "自有  金". A menu on a screen of its own has no
widgets under it, so its only cuts are its own edges. The form stays visible behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList, Select
from textual.widgets.option_list import Option

from .key_bar import KeyBar

MENU_HEIGHT = 12  # rows, borders included, like Select's own menu


class ChoiceList(OptionList):
    BINDINGS = [Binding("enter", "select", "k_choose")]


class ChoiceMenu(ModalScreen):
    """The options under (or above) the Select that opened it; dismissed with the chosen value."""

    DEFAULT_CSS = """
    ChoiceMenu > ChoiceList { border: tall $border; background: $surface; height: auto; max-height: 12;
                              padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "dismiss_menu", "k_back")]

    def __init__(self, options: list[tuple[RenderableType, Any]], current: Any, anchor: Any) -> None:
        super().__init__()
        self.options = options
        self.current = current
        self.anchor = anchor  # the Select's region on screen

    def compose(self) -> ComposeResult:
        yield ChoiceList(*(Option(prompt, id=str(index)) for index, (prompt, _value) in enumerate(self.options)))
        yield KeyBar()

    def on_mount(self) -> None:
        # inline, so an app stylesheet that centres modal screens does not move the menu
        self.styles.align = ("left", "top")
        self.styles.background = "transparent"
        menu = self.query_one(ChoiceList)
        x, y, width, height = self.anchor
        rows = min(len(self.options) + 2, MENU_HEIGHT)
        top = y + height if y + height + rows <= self.size.height - 1 else max(0, y - rows)
        menu.styles.width = max(width, 12)
        menu.styles.offset = (x, top)
        index = next((i for i, (_p, value) in enumerate(self.options) if value == self.current), 0)
        menu.highlighted = index
        menu.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss((self.options[event.option_index][1],))

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # outside the menu
            self.dismiss(None)


class Choice(Select):
    """A Select (same messages, values and API) that opens `ChoiceMenu` instead of its overlay."""

    DEFAULT_CSS = """
    Choice SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, options: Iterable[tuple[RenderableType, Any]], **kwargs: Any) -> None:
        self.choices = list(options)
        self.allow_blank = kwargs.get("allow_blank", True)
        super().__init__(self.choices, **kwargs)

    def set_options(self, options: Iterable[tuple[RenderableType, Any]]) -> None:
        self.choices = list(options)
        super().set_options(self.choices)

    def validate_expanded(self, expanded: bool) -> bool:
        """Select's own overlay never opens (nor takes the focus): the menu screen does instead."""
        if expanded:
            self.call_later(self.open_menu)
        return False

    def open_menu(self) -> None:
        blank = [(Text(str(self.prompt), "dim"), Select.NULL)] if self.allow_blank else []
        self.app.push_screen(ChoiceMenu(blank + self.choices, self.value, self.region), self._chosen)

    def _chosen(self, result: tuple[Any] | None) -> None:
        if result is not None:
            self.value = result[0]
        self.focus()
