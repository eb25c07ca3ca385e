"""A table that holds only the rows on screen.

The built-in DataTable keeps and measures every row (12–17 s for 100k rows here); this one asks a
`fetch(offset, limit)` callback for one page at a time, keeps a few pages, and draws each line with
Rich cell widths so Chinese text lines up.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..format import shown

Row = dict[str, Any]
Fetch = Callable[[int, int], list[Row]]
RenderCell = Callable[[str, Row], "Text | str"]

SEPARATOR = " "


@dataclass(frozen=True)
class Column:
    """A column: `width` in terminal cells, 0 for one that takes the remaining width (at least
    `min_width`). When the table is too narrow, columns give way by `priority`: the highest number
    is hidden first; 0 is never hidden."""

    key: str
    label: str
    width: int = 0
    justify: str = "left"
    sortable: bool = True
    priority: int = 0
    min_width: int = 8


def fit(text: Text | str, width: int, justify: str = "left") -> Text:
    """`text` cut or padded to exactly `width` cells (a CJK character takes two); never markup, and
    control characters shown as symbols (see format.shown)."""
    text = shown(text)
    text.no_wrap = True
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if pad > 0:
        if justify == "right":
            text = Text(" " * pad) + text
        else:
            text.append(" " * pad)
    return text


class LazyTable(ScrollView, can_focus=True):
    """Rows fetched a page at a time; a header line that sorts on click; a cursor row."""

    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "select", "k_open"),
    ]

    DEFAULT_CSS = """
    LazyTable { height: 1fr; overflow-x: hidden; }
    """

    COMPONENT_CLASSES = {"lazy-table--header", "lazy-table--cursor", "lazy-table--odd"}

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, table: LazyTable, index: int, row: Row | None):
            self.table, self.index, self.row = table, index, row
            super().__init__()

    class Selected(Message):
        def __init__(self, table: LazyTable, index: int, row: Row):
            self.table, self.index, self.row = table, index, row
            super().__init__()

    class SortRequested(Message):
        def __init__(self, table: LazyTable, key: str):
            self.table, self.key = table, key
            super().__init__()

    def __init__(self, columns: list[Column], fetch: Fetch, render_cell: RenderCell | None = None, *,
                 page_size: int = 100, cached_pages: int = 8, sort_key: str | None = None,
                 descending: bool = False, name: str | None = None, id: str | None = None,
                 classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.columns = columns
        self.fetch = fetch
        self.render_cell = render_cell or (lambda key, row: str(row.get(key, "") if row.get(key) is not None else ""))
        self.page_size = page_size
        self.cached_pages = cached_pages
        self.sort_key = sort_key
        self.descending = descending
        self.total = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self.fetches = 0  # pages fetched since the last reset, for tests and the benchmark

    # data -----------------------------------------------------------------------------------
    def reset(self, total: int, fetch: Fetch | None = None, keep_cursor: bool = False,
              first_page: list[Row] | None = None) -> None:
        """New data: forget cached pages, size the scroll area to `total` rows, redraw.

        `first_page`, when the caller already has it, is kept as page 0 so it is not asked twice.
        """
        if fetch is not None:
            self.fetch = fetch
        self._pages.clear()
        self.fetches = 0
        if first_page is not None:
            self._pages[0] = first_page
        self.set_total(total)
        cursor = min(self.cursor_row, max(total - 1, 0)) if keep_cursor else 0
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = cursor
        self.refresh()

    def set_total(self, total: int) -> None:
        """The number of rows changed (e.g. a count arrived): resize, keep the cached pages."""
        self.total = total
        self.virtual_size = Size(0, total + 1)
        self.refresh()

    def row(self, index: int) -> Row | None:
        """The row at `index`, fetching its page if it is not cached."""
        if not 0 <= index < self.total:
            return None
        number, offset = divmod(index, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self.fetch(number * self.page_size, self.page_size)
            self.fetches += 1
            self._pages[number] = page
            while len(self._pages) > self.cached_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    @property
    def current(self) -> Row | None:
        return self.row(self.cursor_row)

    # geometry -------------------------------------------------------------------------------
    @property
    def visible_rows(self) -> int:
        return max(self.size.height - 1, 1)

    def shown_columns(self, width: int) -> list[Column]:
        """The columns that fit in `width`, in order: the least important give way first."""
        shown = list(self.columns)

        def needed(columns: list[Column]) -> int:
            return sum(c.width or c.min_width for c in columns) + len(SEPARATOR) * (len(columns) - 1)

        while needed(shown) > width and any(c.priority for c in shown):
            shown.remove(max((c for c in shown if c.priority), key=lambda c: c.priority))
        return shown

    def widths(self, width: int) -> list[tuple[Column, int]]:
        """(column, width) of each shown column; flexible columns share what is left."""
        shown = self.shown_columns(width)
        fixed = sum(c.width for c in shown) + len(SEPARATOR) * (len(shown) - 1)
        flexible = [c for c in shown if c.width == 0]
        spare = max(width - fixed, sum(c.min_width for c in flexible))
        share = spare // len(flexible) if flexible else 0
        return [(c, c.width or max(share, c.min_width)) for c in shown]

    def column_at(self, x: int) -> Column | None:
        edge = 0
        for column, width in self.widths(self.scrollable_content_region.width):
            edge += width + len(SEPARATOR)
            if x < edge:
                return column
        return None

    # drawing --------------------------------------------------------------------------------
    def _line(self, cells: list[Text], style: Style) -> Strip:
        line = Text(no_wrap=True, end="")
        for index, cell in enumerate(cells):
            if index:
                line.append(SEPARATOR)
            line.append_text(cell)
        segments = [Segment(seg.text, style + seg.style if seg.style else style)
                    for seg in line.render(self.app.console)]
        return Strip(segments, line.cell_len).extend_cell_length(self.scrollable_content_region.width, style).crop(0, self.scrollable_content_region.width)

    def render_line(self, y: int) -> Strip:
        widths = self.widths(self.scrollable_content_region.width)
        if y == 0:
            style = self.get_component_rich_style("lazy-table--header")
            cells = []
            for column, width in widths:
                title = column.label
                if column.key == self.sort_key:
                    title += " ▼" if self.descending else " ▲"
                cells.append(fit(title, width, column.justify))
            return self._line(cells, style)
        index = int(self.scroll_y) + y - 1
        row = self.row(index)
        base = self.rich_style
        if row is None:
            return Strip.blank(self.scrollable_content_region.width, base)
        if index == self.cursor_row and self.has_focus:
            style = base + self.get_component_rich_style("lazy-table--cursor")
        elif index == self.cursor_row:
            style = base + self.get_component_rich_style("lazy-table--cursor").without_color + Style(reverse=True)
        elif index % 2:
            style = base + self.get_component_rich_style("lazy-table--odd")
        else:
            style = base
        cells = []
        for column, width in widths:
            value = self.render_cell(column.key, row)
            cells.append(fit(value, width, column.justify))
        return self._line(cells, style)

    # cursor ---------------------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        if self.total == 0:
            return
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self.visible_rows:
            self.scroll_to(y=new - self.visible_rows + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self, new, self.row(new)))

    def move_cursor(self, index: int) -> None:
        if self.total:
            self.cursor_row = max(0, min(index, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self.visible_rows)

    def action_jump(self, index: int) -> None:
        self.move_cursor(self.total - 1 if index < 0 else index)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, self.cursor_row, row))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self.column_at(event.x)
            if column is not None and column.sortable:
                self.post_message(self.SortRequested(self, column.key))
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.total:
            self.cursor_row = index
            if event.chain >= 2:
                self.action_select()
