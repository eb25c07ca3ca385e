"""The project list: incremental search, filters, sortable columns, counts; one page of SQL at a time."""

from __future__ import annotations

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Checkbox, Header, Input, Select, Static

from zwxm.lifecycle import STAGES
from zwxm.storage import ProjectQuery
from zwxm.vocab import KINDS, label

from ..format import deadline_cell, kind_label, stage_label, wan_yuan
from ..widgets import Column, KeyBar, LazyTable
from .base import ZwxmScreen

SORTS = ("code", "name", "district", "owner_unit", "kind", "stage", "investment", "next_deadline")
FILTERS = ("district", "stage", "kind", "year")


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

    def __init__(self) -> None:
        super().__init__()
        self.query_state = ProjectQuery()
        self.total_all = 0
        self._loaded = False
        self._offered_empty = False

    # layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder=self.t("search"), id="search")
            yield Select([], prompt=self.t("all_districts"), id="district")
            yield Select([], prompt=self.t("all_stages"), id="stage")
            yield Select([], prompt=self.t("all_kinds"), id="kind")
            yield Select([], prompt=self.t("all_years"), id="year")
            yield Checkbox(self.t("overdue_only"), id="overdue")
        yield Static(id="counts")
        yield LazyTable(self._columns(), self._fetch, self._cell, sort_key="code", id="projects")
        yield KeyBar()

    def _columns(self) -> list[Column]:
        t = self.t
        return [
            Column("code", t("col_code"), 16), Column("name", t("col_name"), 0),
            Column("district", t("col_district"), 10), Column("owner_unit", t("col_unit"), 0),
            Column("kind", t("col_kind"), 8), Column("stage", t("col_stage"), 8),
            Column("investment", t("col_investment"), 14, "right"),
            Column("next_deadline", t("col_deadline"), 18), Column("issues", t("col_findings"), 7, sortable=False),
        ]

    def fill_filters(self) -> None:
        """The filter menus with their counts (GROUP BY over every project: after the first paint)."""
        facets = self.zapp.store.facets()
        for facet in FILTERS:
            select = self.query_one(f"#{facet}", Select)
            value, options = select.value, self._options(facet, facets)
            with select.prevent(Select.Changed):  # refreshed counts are not a new filter
                select.set_options(options)
                if value is not Select.NULL and value in {key for _, key in options}:
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
            options.append((f"{text} ({count:,})", key))
        return options

    def _district_name(self, code: str) -> str:
        district = self.zapp.registry.districts.get(code)
        if district is None:
            return code
        return district.name_en if self.lang == "en" else district.name

    # rows -----------------------------------------------------------------------------------
    def _fetch(self, offset: int, limit: int) -> list[dict]:
        return self.zapp.store.query_projects(self.query_state, offset, limit)

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
        self.call_after_refresh(self.fill_filters)

    def on_screen_resume(self) -> None:
        """Back from a detail or form: the data may have changed."""
        if self.is_mounted and self._loaded:
            self.reload(recount_all=True, keep_cursor=True)
            self.fill_filters()

    def reload(self, recount_all: bool = False, keep_cursor: bool = False) -> None:
        store = self.zapp.store
        q = self.query_state
        shown = store.count_projects(q)
        if recount_all:
            self.total_all = shown if q == ProjectQuery(sort=q.sort, descending=q.descending) \
                else store.count_projects(ProjectQuery())
        overdue = shown if q.overdue_only else store.count_projects(attrs.evolve(q, overdue_only=True))
        table = self.query_one(LazyTable)
        table.sort_key, table.descending = q.sort, q.descending
        table.reset(shown, keep_cursor=keep_cursor)
        sort_label = next(c.label for c in table.columns if c.key == q.sort)
        self.query_one("#counts", Static).update(self.t(
            "count_line", shown=shown, total=self.total_all, overdue=overdue, sort=sort_label,
            desc=self.t("descending") if q.descending else ""))
        if self.total_all == 0 and recount_all and not self._offered_empty:
            self._offered_empty = True
            from .empty import EmptyScreen

            self.app.push_screen(EmptyScreen())
        self._loaded = True
        self.call_after_refresh(self.zapp.painted, "list")

    def set_query(self, **changes: object) -> None:
        self.query_state = attrs.evolve(self.query_state, **changes)
        self.reload()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
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
        from .project_form import ProjectForm

        self.app.push_screen(ProjectForm(None), lambda code: code and self.zapp.open_project(code))

    def action_record(self) -> None:
        from .record import RecordEventScreen

        if self.current_code:
            self.app.push_screen(RecordEventScreen(self.current_code), lambda _: self.reload(keep_cursor=True))

    def action_compare(self) -> None:
        from .compare import CompareScreen

        if self.current_code:
            self.app.push_screen(CompareScreen(self.current_code))

    def action_import_file(self) -> None:
        from .transfer import ImportScreen

        self.app.push_screen(ImportScreen(), lambda _: self.reload(recount_all=True))

    def action_export(self) -> None:
        from .transfer import ExportScreen

        self.app.push_screen(ExportScreen(self.query_state))

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand(self.t("new_project"), self.t("new_project"), self.action_new_project)
        yield SystemCommand(self.t("import"), self.t("import_file"), self.action_import_file)
        yield SystemCommand(self.t("export"), self.t("export"), self.action_export)
        yield SystemCommand(self.t("overdue_only"), self.t("overdue_only"), self.action_toggle_overdue)
        if self.current_code:
            yield SystemCommand(f"{self.t('record_event')} · {self.current_code}", self.t("record_event"), self.action_record)
            yield SystemCommand(f"{self.t('compare')} · {self.current_code}", self.t("compare"), self.action_compare)
