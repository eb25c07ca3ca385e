"""A one-line row of tab titles: click one, or let the screen switch with keys.

Lighter than Textual's Tabs (a widget per tab and an animated underline), which cost a third of
the time to open a project.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class TabBar(Widget):
    DEFAULT_CSS = """
    TabBar {
        height: 1;
        background: $panel;
    }
    """

    active: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, bar: TabBar, tab: str):
            self.bar, self.tab = bar, tab
            super().__init__()

    def __init__(self, tabs: list[tuple[str, str]], *, id: str | None = None):
        super().__init__(id=id)
        self.tabs = tabs  # (key, title)
        self.set_reactive(TabBar.active, tabs[0][0] if tabs else "")
        self._spans: list[tuple[int, int, str]] = []

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for index, (key, title) in enumerate(self.tabs):
            if index:
                text.append(" ")
            start = text.cell_len
            text.append(f" {index + 1} {title} ", "bold reverse" if key == self.active else "")
            self._spans.append((start, text.cell_len, key))
        return text

    def watch_active(self, old: str, new: str) -> None:
        if old != new:
            self.post_message(self.Changed(self, new))

    def step(self, delta: int) -> None:
        keys = [key for key, _ in self.tabs]
        self.active = keys[(keys.index(self.active) + delta) % len(keys)]

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.active = key
                return
