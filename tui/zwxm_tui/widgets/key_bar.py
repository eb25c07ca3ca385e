"""The footer's key bar: one line listing the keys that work now; click a key to run it.

Textual's Footer builds a widget per key and rebuilds them on every focus change (three times per
screen push, ~40 widgets with their styles); this draws one line of text, so opening a project
stays well under the 150 ms target.

Bindings carry UI keys ("k_open") as descriptions; they are shown in the app's language here.
Only the screen this bar sits on counts (a form shows its own keys, not the list's behind it),
and a binding a screen hides with `check_action` is left out. When the line is too narrow, keys
are dropped from the end, but help and the command palette always stay.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

from ..i18n import UI, tr

ALWAYS_SHOWN = ("app.help", "help", "app.command_palette", "command_palette")


def describe(description: str, lang: str) -> str:
    """A binding's description in `lang` (descriptions are UI keys; other text is shown as is)."""
    return tr(description, lang) if description in UI else description


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

    def items(self) -> list[tuple[object, str, str, str, bool]]:
        """(node, action, key shown, description, enabled) of every key to show, in order."""
        lang = getattr(self.app, "lang", "zh")
        items, seen, palette = [], set(), None
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action in ("app.command_palette", "command_palette"):
                palette = (node, binding.action, self.app.get_key_display(binding), tr("k_palette", lang), True)
                continue
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append((node, binding.action, self.app.get_key_display(binding),
                          describe(binding.description, lang), enabled))
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            items.append(palette)
        return items

    def render(self) -> Text:
        items = self.items()
        width = self.size.width or 10_000

        def cells(item) -> int:
            return Text(f" {item[2]}  {item[3]}  ").cell_len

        while sum(cells(i) for i in items) > width:
            droppable = [i for i in items if i[1] not in ALWAYS_SHOWN]
            if not droppable:
                break
            items.remove(droppable[-1])
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for node, action, key, description, enabled in items:
            start = text.cell_len
            text.append(f" {key} ", "bold reverse" if enabled else "dim reverse")
            text.append(f" {description} ", "" if enabled else "dim")
            self._spans.append((start, text.cell_len, node, action))
            text.append(" ")
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, node, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
