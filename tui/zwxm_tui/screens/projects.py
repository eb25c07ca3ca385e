"""The project list: incremental search, filters, sortable columns, counts; one page of SQL at a time."""

from __future__ import annotations

import sqlite3

import attrs
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Checkbox, Header, Input, Select, Static
from textual.worker import get_current_worker

from zwxm.lifecycle import STAGES
from zwxm.store import ProjectQuery, Store
from zwxm.vocab import KINDS, REGULATION_STATUSES, label

from ..format import deadline_cell, kind_label, stage_label, wan_yuan
from ..widgets import Choice, Column, KeyBar, LazyTable
from .base import ZwxmScreen, command

SORTS = ("code", "name", "district", "owner_unit", "kind", "stage", "investment", "next_deadline")
FILTERS = ("district", "stage", "kind", "year")
LETTER_ACTIONS = {"focus_search", "new_project", "record", "toggle_overdue", "cycle_sort", "reverse_sort",
                  "app.deadlines", "app.rules", "import_file", "export", "compare", "app.quit"}
PAGE = 100  # rows fetched at a time: more than a screen holds
COUNT_DELAY = 0.12  # s: counts start when typing pauses this long


class SearchBox(Input):
    """The search field: while typing, the key bar says how to finish (Enter) or leave (Esc)."""

    BINDINGS = [Binding("enter", "submit", "k_search_done"), Binding("escape", "leave", "k_search_leave")]

    def action_leave(self) -> None:
        self.screen.query_one(LazyTable).focus()


class ProjectsScreen(ZwxmScreen):
    BINDINGS = [
        Binding("slash", "focus_search", "k_search"),
        Binding("escape", "focus_table", show=False),
        Binding("n", "new_project", "k_new"),
        Binding("e", "record", "k_record"),
        Binding("o", "toggle_overdue", "k_overdue"),
        Binding("s", "cycle_sort", "k_sort"),
        Binding("v", "reverse_sort", "k_reverse", show=False),
        Binding("d", "app.deadlines", "k_deadlines"),
        Binding("r", "app.rules", "k_rules"),
        Binding("i", "import_file", "k_import"),
        Binding("x", "export", "k_export"),
        Binding("c", "compare", "k_compare", show=False),
        Binding("q", "app.quit", "k_quit", show=False),
    ]

    def __init__(self, query_state: ProjectQuery | None = None) -> None:
        super().__init__()
        self.query_state = query_state or ProjectQuery()
        self.total_all: int | None = None
        self._suspended = False
        self._offered_empty = False
        self._count_timer: Timer | None = None
        self._recount_all = False
        self._counting: Store | None = None  # the counting worker's store, to interrupt its scan

    # layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield SearchBox(self.query_state.text, placeholder=self.t("search"), id="search")
            yield Choice([], prompt=self.t("all_districts"), id="district")
            yield Choice([], prompt=self.t("all_stages"), id="stage")
            yield Choice([], prompt=self.t("all_kinds"), id="kind")
            yield Choice([], prompt=self.t("all_years"), id="year")
            yield Checkbox(self.t("k_overdue"), self.query_state.overdue_only, id="overdue")
        yield Static(id="counts")
        notice = self.regulation_notice()
        yield Static(notice, id="regulation-notice").set_styles(display="block" if notice else "none")
        yield LazyTable(self._columns(), self._fetch, self._cell, sort_key="code", page_size=PAGE, id="projects")
        yield KeyBar()

    def _columns(self) -> list[Column]:
        t = self.t
        # at 80 columns: code, name, stage, next deadline and problems stay; the rest give way.
        # English labels are longer than Chinese ones ("Luohu District", "implementation").
        en = self.lang == "en"
        return [
            Column("code", t("col_code"), 14), Column("name", t("col_name"), 0, min_width=20),
            Column("district", t("col_district"), 15 if en else 8, priority=4),
            Column("owner_unit", t("col_unit"), 0, priority=6),
            Column("kind", t("col_kind"), 12 if en else 8, priority=5),
            Column("stage", t("col_stage"), 14 if en else 8, priority=2),
            Column("investment", t("col_investment"), 13 if en else 12, "right", priority=3),
            Column("next_deadline", t("col_deadline"), 18), Column("issues", t("col_findings"), 6, sortable=False),
        ]

    def fill_filters(self, facets: dict[str, list[tuple[str, int]]]) -> None:
        """The filter menus with their counts (from the counting worker)."""
        for facet in FILTERS:
            select = self.query_one(f"#{facet}", Choice)
            value, options = getattr(self.query_state, facet), self._options(facet, facets)
            value = str(value) if value is not None else None
            with select.prevent(Select.Changed):  # refreshed counts are not a new filter
                select.set_options(options)
                if value is not None and value in {key for _, key in options}:
                    select.value = value

    def _options(self, facet: str, facets: dict[str, list[tuple[str, int]]]) -> list[tuple[str, object]]:
        options = []
        for key, count in facets.get(facet, []):
            if key is None:
                continue
            if facet == "district":
                text = self._district_name(key)
            elif facet == "stage":
                text = label(STAGES, key, self.lang)
            elif facet == "kind":
                text = label(KINDS, key, self.lang)
            else:
                text = str(key)
            options.append((f"{text} {count:,}", key))
        return options

    def regulation_notice(self) -> Text:
        """Districts whose regulation is not in force today, once for the whole list: a state every
        project of the district shares is not a per-row problem (the rows' counts leave it out)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for code, district in sorted(self.zapp.registry.districts.items()):
            reg = district.regulation
            status = reg.status_on(self.zapp.today)
            if status == "in_force":
                continue
            when = {"expired": ("regulation_until", reg.effective_until),
                    "not_yet_effective": ("regulation_from", reg.effective_from)}.get(status)
            text.append("\n" if text else "")
            text.append("⚠ ", "bold magenta")
            text.append(self.t("regulation_notice", district=self._district_name(code), title=reg.title,
                               status=label(REGULATION_STATUSES, status, self.lang),
                               when=self.t(when[0], date=when[1]) if when and when[1] else ""))
        return text

    def _district_name(self, code: str) -> str:
        district = self.zapp.registry.districts.get(code)
        if district is None:
            return code
        return district.name_en if self.lang == "en" else district.name

    # rows -----------------------------------------------------------------------------------
    def _fetch(self, offset: int, limit: int) -> list[dict]:
        # the table's total lets a page near the end be read backwards: End costs what Home does
        return self.zapp.store.query_projects(self.query_state, offset, limit, self.query_one(LazyTable).total)

    def _cell(self, key: str, row: dict) -> Text | str:
        if key == "district":
            return self._district_name(row["district"])
        if key == "owner_unit":
            return row.get("owner_unit") or row.get("user_unit") or ""
        if key == "kind":
            return kind_label(row.get("kind"), self.lang)
        if key == "stage":
            return stage_label(row.get("stage"), self.lang)
        if key == "investment":
            return wan_yuan(row.get("investment"))
        if key == "next_deadline":
            return deadline_cell(row, self.lang, self.zapp.today)
        if key == "issues":
            errors, warnings = row.get("errors") or 0, row.get("warnings") or 0
            text = Text()
            if errors:
                text.append(f"✗{errors}", "bold red")
            if warnings:
                text.append((" " if errors else "") + f"!{warnings}", "yellow")
            return text
        value = row.get(key)
        return "" if value is None else str(value)

    # refreshing -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.reload(recount_all=True)
        self.query_one(LazyTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        """A search hint that fits: the long one from 120 columns, the short one below."""
        self.query_one("#search", Input).placeholder = self.t("search" if event.size.width >= 120 else "search_short")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the search field has the keyboard, letter keys type letters: hide their actions."""
        if isinstance(self.focused, Input) and action in LETTER_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        """Back from a detail or form: the data may have changed."""
        if self._suspended:
            self._suspended = False
            self.reload(recount_all=True, keep_cursor=True)

    def reload(self, recount_all: bool = False, keep_cursor: bool = False) -> None:
        """Show the first page of the query at once; the counts follow from a worker thread.

        The page is one indexed SQL query; counting (and the overdue count, and the filter menus'
        facets) scans every matching project, which on 100,000 projects costs more than the
        100 ms a keystroke may take, so it runs after the list is painted, on its own connection.
        """
        q = self.query_state
        page = self.zapp.store.query_projects(q, 0, PAGE)
        table = self.query_one(LazyTable)
        table.sort_key, table.descending = q.sort, q.descending
        exact = len(page) < PAGE  # a short first page is the whole answer
        table.reset(len(page), keep_cursor=keep_cursor, first_page=page)
        self.show_counts(q, len(page) if exact else None, None, None)
        counting = self._counting
        if counting is not None:
            counting.db.conn.interrupt()  # its answer is for an older query: stop its scan now
        if self._count_timer is not None:
            self._count_timer.stop()  # a recount of everything still pending is not dropped with it
        self._recount_all = recount_all = self._recount_all or recount_all
        # the text's matches when the page query kept them: the counts test only those rows
        matches = self.zapp.store.text_matches(q.needle, scan=False) if q.needle else None
        self._count_timer = self.set_timer(COUNT_DELAY, lambda: self.count(q, len(page) if exact else None, recount_all,
                                                                          matches))
        self.call_after_refresh(self.zapp.painted, "list")

    @work(thread=True, exclusive=True, group="counts")
    def count(self, q: ProjectQuery, shown: int | None, recount_all: bool, matches: tuple[int, ...] | None) -> None:
        worker = get_current_worker()
        with self.zapp.open_store() as store:
            if matches is not None:
                store.assume_matches(q.needle, matches)
            self._counting = store
            try:
                if shown is None:
                    shown = store.count_projects(q)
                overdue = shown if q.overdue_only else store.count_projects(attrs.evolve(q, overdue_only=True))
                total = store.count_projects(ProjectQuery()) if recount_all or self.total_all is None else self.total_all
                facets = store.facets(q)  # the menus count within the other filters, so they follow every change
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    return  # by a reload (a newer query, or the same one again), which counts for itself
                raise
            finally:
                if self._counting is store:
                    self._counting = None
        if not worker.is_cancelled:
            self.app.call_from_thread(self.counted, q, shown, overdue, total, facets)

    def counted(self, q: ProjectQuery, shown: int, overdue: int, total: int, facets: dict) -> None:
        tables = self.query(LazyTable)
        if q != self.query_state or not self.is_attached or not tables:
            return  # the query changed while counting (its own count is on the way), or the screen went
        self.total_all = total
        self._recount_all = False
        table = tables.first()
        if shown != table.total:
            table.set_total(shown)
        self.show_counts(q, shown, overdue, total)
        if facets is not None:
            self.fill_filters(facets)
        if total == 0 and not self._offered_empty and not self.zapp.read_only:
            self._offered_empty = True
            from .empty import EmptyScreen

            self.app.push_screen(EmptyScreen())
        self.call_after_refresh(self.zapp.painted, "counts")

    def show_counts(self, q: ProjectQuery, shown: int | None, overdue: int | None, total: int | None) -> None:
        number = lambda n: "…" if n is None else f"{n:,}"  # noqa: E731
        table = self.query_one(LazyTable)
        sort_label = next(c.label for c in table.columns if c.key == q.sort)
        self.query_one("#counts", Static).update(self.t(
            "count_line", shown=number(shown), total=number(total if total is not None else self.total_all),
            overdue=number(overdue), sort=sort_label, desc=self.t("descending") if q.descending else ""))

    def set_query(self, **changes: object) -> None:
        self.query_state = attrs.evolve(self.query_state, **changes)
        self.reload()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if event.value.strip() != self.query_state.text:
            self.set_query(text=event.value.strip())

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one(LazyTable).focus()

    @on(Select.Changed)
    def filter_changed(self, event: Select.Changed) -> None:
        if event.select.id in FILTERS:
            value = None if event.value is Select.NULL else event.value
            if event.select.id == "year" and value is not None:
                value = int(value)
            self.set_query(**{event.select.id: value})

    @on(Checkbox.Changed, "#overdue")
    def overdue_changed(self, event: Checkbox.Changed) -> None:
        self.set_query(overdue_only=event.value)

    @on(LazyTable.SortRequested)
    def sort_requested(self, event: LazyTable.SortRequested) -> None:
        if event.key == self.query_state.sort:
            self.set_query(descending=not self.query_state.descending)
        elif event.key in SORTS:
            self.set_query(sort=event.key, descending=False)

    @on(LazyTable.Selected)
    def row_selected(self, event: LazyTable.Selected) -> None:
        self.zapp.open_project(event.row["code"])

    # actions --------------------------------------------------------------------------------
    @property
    def current_code(self) -> str | None:
        row = self.query_one(LazyTable).current
        return row["code"] if row else None

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(LazyTable).focus()

    def action_toggle_overdue(self) -> None:
        box = self.query_one("#overdue", Checkbox)
        box.value = not box.value

    def action_cycle_sort(self) -> None:
        index = SORTS.index(self.query_state.sort) if self.query_state.sort in SORTS else -1
        self.set_query(sort=SORTS[(index + 1) % len(SORTS)], descending=False)

    def action_reverse_sort(self) -> None:
        self.set_query(descending=not self.query_state.descending)

    def action_new_project(self) -> None:
        if self.zapp.writes_refused():
            return
        from .project_form import ProjectForm

        self.app.push_screen(ProjectForm(None), lambda code: code and self.zapp.open_project(code))

    def action_record(self) -> None:
        if self.zapp.writes_refused():
            return
        from .record import RecordEventScreen

        if self.current_code and not self.zapp.unreadable(self.current_code):
            self.app.push_screen(RecordEventScreen(self.current_code))  # back here: on_screen_resume reloads

    def action_compare(self) -> None:
        from .compare import CompareScreen

        if self.current_code and not self.zapp.unreadable(self.current_code):
            self.app.push_screen(CompareScreen(self.current_code))

    def action_import_file(self) -> None:
        if self.zapp.writes_refused():
            return
        from .transfer import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_export(self) -> None:
        from .transfer import ExportScreen

        self.app.push_screen(ExportScreen(self.query_state))

    def palette_commands(self):
        lang = self.lang
        yield command(lang, "k_search", "/", self.action_focus_search)
        writable = not self.zapp.read_only
        if writable:
            yield command(lang, "new_project", "n", self.action_new_project)
            yield command(lang, "import_file", "i", self.action_import_file)
        yield command(lang, "export", "x", self.action_export)
        yield command(lang, "overdue_only", "o", self.action_toggle_overdue)
        for column in self.query_one(LazyTable).columns:
            if column.sortable:
                yield command(lang, self.t("sort_by", column=column.label), "s",
                              lambda key=column.key: self.set_query(sort=key, descending=False))
        yield command(lang, "k_reverse", "v", self.action_reverse_sort)
        if self.current_code:
            if writable:
                yield command(lang, "record_event", "e", self.action_record, self.current_code)
            yield command(lang, "compare", "c", self.action_compare, self.current_code)
