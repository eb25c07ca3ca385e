"""The footer's key bar: one line listing the screen's active key bindings; click a key to run it.

Textual's Footer builds a widget per key and rebuilds them on every focus change (three times per
screen push, ~40 widgets with their styles); this draws one line of text, so opening a project
stays well under the 150 ms target.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

from ..i18n import tr


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, object, str]] = []  # (start, end, node, action)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        seen_actions = set()
        palette = None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action == "app.command_palette" or binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = (node, binding)
                continue
            if not binding.show or not binding.description or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            start = text.cell_len
            text.append(f" {self.app.get_key_display(binding)} ", "bold reverse" if enabled else "dim reverse")
            text.append(f" {binding.description}  ", "" if enabled else "dim")
            self._spans.append((start, text.cell_len, node, binding.action))
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            node, binding = palette
            start = text.cell_len
            text.append(f" {self.app.get_key_display(binding)} ", "bold reverse")
            text.append(f" {tr('k_palette', getattr(self.app, 'lang', 'zh'))} ")
            self._spans.append((start, text.cell_len, node, binding.action))
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, node, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
