"""The rules browser: districts with their regulation's status, then every article of the chosen
district with the rules that cover it (`Registry.coverage`); Enter shows the article's text."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from zwxm.vocab import REGULATION_STATUSES, label

from ..i18n import one_language, pick, problem_text
from ..widgets import KeyBar
from .base import ZwxmScreen


class RulesScreen(ZwxmScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "k_back")]

    def __init__(self) -> None:
        super().__init__()
        self.district: str | None = None
        self.articles: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        problems = self.zapp.registry.problems
        if problems:
            yield Static(Text("\n".join(problem_text(p, self.lang) for p in problems), "bold red"),
                         id="plugin-problems")
        with Horizontal():
            yield DataTable(id="districts", cursor_type="row")
            with Vertical(id="articles-pane"):
                yield Static(id="coverage")
                yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#districts", DataTable)
        table.add_columns(self.t("col_district"), self.t("col_status"), self.t("col_rules"))
        registry = self.zapp.registry
        for code, district in sorted(registry.districts.items()):
            status = district.regulation.status_on(self.zapp.today)
            table.add_row(district.name_en if self.lang == "en" else district.name,
                          Text(label(REGULATION_STATUSES, status, self.lang),
                               "green" if status == "in_force" else "bold magenta"),
                          str(len(registry.rules_for(code))), key=code)
        articles = self.query_one("#articles", DataTable)
        articles.add_columns(self.t("col_article"), self.t("col_rules"))
        if registry.districts:
            self.show_district(sorted(registry.districts)[0])
        table.focus()
        self.call_after_refresh(self.zapp.painted, "rules")

    @on(DataTable.RowHighlighted, "#districts")
    def district_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value and event.row_key.value != self.district:
            self.show_district(event.row_key.value)

    @on(DataTable.RowSelected, "#districts")
    def district_selected(self) -> None:
        self.query_one("#articles", DataTable).focus()

    def show_district(self, code: str) -> None:
        self.district = code
        registry = self.zapp.registry
        coverage = registry.coverage(code)
        table = self.query_one("#articles", DataTable)
        table.clear()
        self.articles = []
        covered = explained = 0
        for number, rules in coverage.items():
            if isinstance(rules, list):
                covered += 1
                cell = Text("; ".join(pick(self.lang, r.title, r.title_en) for r in rules))
            elif rules:
                explained += 1
                cell = Text(one_language(rules, self.lang), "dim")
            else:
                cell = Text(self.t("not_covered"), "yellow")
            table.add_row(f"第{number}条" if self.lang != "en" else f"Art. {number}", cell)
            self.articles.append(number)
        reg = registry.districts[code].regulation
        heading = Text(f"《{reg.title}》 {reg.number}\n", "bold")
        heading.append(self.t("coverage_line", covered=covered, explained=explained, total=len(coverage)))
        self.query_one("#coverage", Static).update(heading)

    @on(DataTable.RowSelected, "#articles")
    def article_selected(self, event: DataTable.RowSelected) -> None:
        from .article import ArticleScreen

        if self.district and 0 <= event.cursor_row < len(self.articles):
            self.app.push_screen(ArticleScreen(self.district, self.articles[event.cursor_row]))
