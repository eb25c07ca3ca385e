"""One project: facts, timeline, approval path, deadlines, findings, changes and roles, all from the
core's evaluation. Selecting a row that cites an article opens the article's text."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from zwxm.model import InputError, funding_sources_of
from zwxm.vocab import (
    CONTRACT_KINDS,
    DEADLINE_KINDS,
    DEADLINE_STATUSES,
    FUNDING_SOURCES,
    FUNDINGS,
    PROCEDURES,
    REGULATION_STATUSES,
    SEVERITIES,
    fact_label,
    fact_value,
    label,
)

from ..format import article_ref, iso, kind_label, markup_text, shown, stage_label, visible, wan_yuan
from ..i18n import pick
from ..widgets import KeyBar, TabBar
from .base import ZwxmScreen, command

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {"missed": "bold red", "open": "bold yellow", "met": "green", "pending": "dim"}
@dataclass
class Section:
    """One tab's table: column titles, rows, and the article and explanation behind each row."""

    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    articles: list[int | None] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)


TABS = ("facts", "timeline", "path", "deadlines", "findings", "changes", "roles", "parts")


class DetailScreen(ZwxmScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "k_back"),
        Binding("e", "record", "k_record"),
        Binding("c", "change", "k_change"),
        Binding("m", "edit", "k_edit"),
        Binding("p", "compare", "k_compare"),
        Binding("a", "article", "k_article"),
        Binding("tab", "step_tab(1)", "k_next_tab", show=False),
        Binding("shift+tab", "step_tab(-1)", show=False),
        *(Binding(str(n + 1), f"tab({n})", show=False) for n in range(len(TABS))),
    ]

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.project = None
        self.evaluation = None
        self.sections: dict[str, Section] = {}  # tab -> its columns and rows
        self.tab = "facts"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield TabBar([(tab, self.t(f"tab_{tab}")) for tab in TABS], id="tabs")
        yield DataTable(id="section", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    # loading --------------------------------------------------------------------------------
    def load(self) -> None:
        store = self.zapp.store
        try:
            self.project = store.project(self.code)
        except InputError:  # edited outside zwxm while the screen was open
            self.zapp.unreadable(self.code)  # says which value
            self.app.pop_screen()
            return
        if self.project is None:
            self.notify(self.t("project_not_found", code=markup_text(self.code)), severity="error")
            self.app.pop_screen()
            return
        self.sub_title = visible(f"{self.project.code} {self.project.name}")
        try:
            self.evaluation = store.evaluation(self.code, self.zapp.today)
        except InputError as exc:
            self.evaluation = None
            self.query_one("#summary", Static).update(
                Text("\n".join(f"{fact_label(p.field, self.lang)}: {p.value!r}: {pick(self.lang, p.message, p.message_en)}"
                               for p in exc.problems), style="bold red"))
            self._fill_facts()
            self._fill_timeline()
            self.show(self.tab)
            return
        self._fill_summary()
        self._fill_facts()
        self._fill_timeline()
        self._fill_path()
        self._fill_deadlines()
        self._fill_findings()
        self._fill_changes()
        self._fill_parts()
        self._fill_roles()
        self.show(self.tab)
        for finding in self.evaluation.findings:
            if finding.rule == "plugin_error":
                self.notify(self.t("plugin_error", plugin=markup_text(finding.plugin),
                                   message=markup_text(pick(self.lang, finding.message, finding.message_en))),
                            severity="error", timeout=15)
        self.call_after_refresh(self.zapp.painted, "detail")

    def _table(self, tab: str, *columns: str) -> Section:
        self.sections[tab] = section = Section([self.t(c) for c in columns])
        return section

    def _row(self, section: Section, article: int | None, *cells: object, explanation: str = "") -> None:
        section.rows.append(tuple(shown(c) if isinstance(c, (str, Text)) else c for c in cells))
        section.articles.append(article)
        section.explanations.append(explanation)

    def show(self, tab: str) -> DataTable:
        """Fill the one table with a tab's rows (tables are small: a project's own outputs)."""
        self.tab = tab
        section = self.sections.get(tab) or Section([])
        table = self.query_one("#section", DataTable)
        table.clear(columns=True)
        table.add_columns(*section.columns)
        table.add_rows(section.rows)
        self.query_one(TabBar).active = tab
        return table

    @on(TabBar.Changed)
    def tab_changed(self, event: TabBar.Changed) -> None:
        if event.tab != self.tab:
            self.show(event.tab)

    def action_tab(self, index: int) -> None:
        self.show(TABS[index])

    def action_step_tab(self, delta: int) -> None:
        self.query_one(TabBar).step(delta)

    @property
    def district_name(self) -> str:
        district = self.zapp.registry.districts.get(self.project.district)
        if district is None:
            return self.project.district
        return district.name_en if self.lang == "en" else district.name

    def _fill_summary(self) -> None:
        ev, p = self.evaluation, self.project
        reg = ev.regulation
        status_style = "green" if reg.status == "in_force" else "bold magenta"
        text = Text()
        text.append(visible(f"{p.code}  {p.name}") + "\n", "bold")
        colon = ": " if self.lang == "en" else "："
        text.append(f"{self.district_name} · {self.t('col_stage')}{colon}{stage_label(ev.stage, self.lang)} · "
                    f"{self.t('as_of')} {ev.as_of}\n")
        text.append(f"{self.t('regulation')}{colon}《{reg.title}》 {reg.number} ")
        text.append(f"[{label(REGULATION_STATUSES, reg.status, self.lang)}]", status_style)
        text.append("  ")
        text.append(self.t("applicable") if ev.applicable else self.t("not_applicable"),
                    "green" if ev.applicable else "bold yellow")
        for a in ev.applicability:
            if not a.applies:
                text.append(f"\n  {pick(self.lang, a.message, a.message_en)} {article_ref(a.article, self.lang)}")
        self.query_one("#summary", Static).update(text)

    def _fill_facts(self) -> None:
        """Every field and fact under its name in the operator's language; keys become labels."""
        p, lang = self.project, self.lang
        table = self._table("facts", "col_title", "col_value")
        district = self.zapp.registry.districts.get(p.district)
        unit = "万元" if lang != "en" else "10k yuan"
        rows = [
            ("code", p.code), ("name", p.name), ("district", self.district_name),
            ("kind", kind_label(p.kind, lang)),
            ("investment", f"{wan_yuan(p.investment)} {unit} ({p.investment:,} {'元' if lang != 'en' else 'yuan'})"),
            ("funding", label(FUNDINGS, p.funding, lang) if p.funding else ""),
            ("category", (district.category_label(p.category, lang) if district else p.category) if p.category else ""),
            ("owner_unit", p.owner_unit or ""), ("user_unit", p.user_unit or ""), ("contractor", p.contractor or ""),
            ("supervisor", p.supervisor or ""), ("designer", p.designer or ""), ("tester", p.tester or ""),
            ("budget_year", str(p.budget_year or "")), ("classified", fact_value(p.classified, lang)),
        ]
        name_of = district.fact_label if district else (lambda name, lang: fact_label(name, lang))
        def title(name: str) -> str:
            text = name_of(name, lang)
            return text[:1].upper() + text[1:]

        for key, value in rows:
            self._row(table, None, title(key), value)
        for name, value in sorted(p.facts.items(), key=lambda item: title(item[0])):
            self._row(table, None, title(name), fact_value(value, lang))

    def _fill_timeline(self) -> None:
        table = self._table("timeline", "col_date", "col_event", "col_note", "col_recorded_by")
        types = self.zapp.registry.event_types
        # who recorded each effective event, and when (issue 13 §2)
        recorded = {(r["type"], r["date"], r["note"]): r for r in self.zapp.store.events(self.code)
                    if r["superseded_by"] is None}
        for event in sorted(self.project.events, key=lambda e: e.date):
            row = recorded.get((event.type, event.date.isoformat(), event.note), {})
            by = Text(visible(f"{row.get('recorded_by') or ''} {(row.get('recorded_at') or '')[:16]}".strip()))
            event_type = types.get(event.type)
            name = pick(self.lang, event_type.label, event_type.label_en) if event_type else event.type
            note = Text(visible(event.note))  # before Text(), which silently drops BEL, BS, CR…
            if event.payload.get("forced"):
                note = Text(f"⚠ {self.t('forced')} ", "bold red") + note
            self._row(table, None, event.date.isoformat(), name, note, by)

    def _fill_path(self) -> None:
        table = self._table("path", "col_done", "col_step", "col_required", "col_article")
        for step in self.evaluation.approval_path:
            mark = Text("✓", "green") if step.done else Text("·" if step.required else "○", "yellow" if step.required else "dim")
            required = self.t("yes") if step.required else self.t("optional")
            self._row(table, step.article, mark, pick(self.lang, step.title, step.title_en), required,
                      article_ref(step.article, self.lang), explanation=step.note)

    def _fill_deadlines(self) -> None:
        table = self._table("deadlines", "col_date", "col_kind_dl", "col_title", "col_status", "col_article")
        for d in self.evaluation.deadlines:
            status = Text(label(DEADLINE_STATUSES, d.status, self.lang), STATUS_STYLE.get(d.status, ""))
            if d.provisional:
                status.append(f" ({self.t('provisional')})", "italic magenta")
            self._row(table, d.article, iso(d.date), label(DEADLINE_KINDS, d.kind, self.lang),
                      pick(self.lang, d.title, d.title_en), status, article_ref(d.article, self.lang),
                      explanation=pick(self.lang, d.explanation, d.explanation_en))

    def _fill_findings(self) -> None:
        table = self._table("findings", "col_severity", "col_message", "col_article")
        for f in self.evaluation.findings:
            severity = Text(label(SEVERITIES, f.severity, self.lang), SEVERITY_STYLE.get(f.severity, ""))
            self._row(table, f.article, severity, pick(self.lang, f.message, f.message_en),
                      article_ref(f.article, self.lang))

    def _fill_changes(self) -> None:
        table = self._table("changes", "col_date", "col_amount", "col_procedure", "col_message", "col_article")
        for c in self.evaluation.changes:
            message = pick(self.lang, c.message, c.message_en)
            if c.approvals:  # issue 18: every approval the change needs, each with its department and article
                message += "\n" + self.t("approvals_needed", approvals=c.approvals_text(self.lang))
            self._row(table, c.article, c.date.isoformat(), f"{c.amount:+,}", label(PROCEDURES, c.procedure, self.lang),
                      message, article_ref(c.article, self.lang))

    def _fill_parts(self) -> None:
        """Contracts (each with its own deadlines and findings), phases (likewise), funding sources."""
        ev, p, lang = self.evaluation, self.project, self.lang
        table = self._table("parts", "col_part", "col_title", "col_amount", "col_status", "col_article")
        named = [c.id for c in p.contracts] + [d.contract for d in ev.deadlines if d.contract is not None]
        declared = {c.id: c for c in p.contracts}
        owners = [("contract", k) for k in dict.fromkeys(named)] + [("phase", ph.id) for ph in p.phases]
        for key, owner in owners:
            if key == "contract":
                contract = declared.get(owner)
                about = " · ".join(x for x in ((label(CONTRACT_KINDS, contract.kind, lang), contract.vendor or "",
                                               contract.phase or "") if contract else ()) if x)
                amount = contract.amount if contract else None
            else:
                phase = next(ph for ph in p.phases if ph.id == owner)
                about, amount = " · ".join(x for x in (phase.name, str(phase.year or "")) if x), None
            self._row(table, None, Text(self.t(f"part_{key}", id=visible(owner)), "bold"), about,
                      f"{amount:,}" if amount is not None else "", "", "")
            for d in ev.deadlines:
                if getattr(d, key) == owner:
                    status = Text(label(DEADLINE_STATUSES, d.status, lang), STATUS_STYLE.get(d.status, ""))
                    self._row(table, d.article, f"  {iso(d.date)}", pick(lang, d.title, d.title_en), "", status,
                              article_ref(d.article, lang), explanation=pick(lang, d.explanation, d.explanation_en))
            for f in ev.findings:
                if getattr(f, key) == owner:
                    severity = Text(label(SEVERITIES, f.severity, lang), SEVERITY_STYLE.get(f.severity, ""))
                    self._row(table, f.article, "  ", pick(lang, f.message, f.message_en), "", severity,
                              article_ref(f.article, lang))
        for source in funding_sources_of(p):
            self._row(table, None, self.t("part_funding"), label(FUNDING_SOURCES, source.source, lang),
                      f"{source.amount:,}", "", "")

    def _fill_roles(self) -> None:
        table = self._table("roles", "col_department", "col_duties", "col_article")
        for role in self.evaluation.roles:
            self._row(table, role.articles[0] if role.articles else None,
                      pick(self.lang, role.department, role.department_en), pick(self.lang, role.duties, role.duties_en),
                      "、".join(article_ref(n, self.lang) for n in role.articles))

    # actions --------------------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_article(event.cursor_row)

    def open_article(self, row: int) -> None:
        """The article cited by a row of the current tab, with the row's explanation (if any)."""
        from .article import ArticleScreen

        section = self.sections.get(self.tab)
        if self.evaluation is None or section is None or not 0 <= row < len(section.articles) \
                or section.articles[row] is None:
            return
        self.app.push_screen(ArticleScreen(self.evaluation.district, section.articles[row],
                                           section.explanations[row]))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`a` (the article) only on a row that cites one."""
        if action == "article":
            section = self.sections.get(self.tab)
            row = self.query_one("#section", DataTable).cursor_row
            return bool(section and 0 <= row < len(section.articles) and section.articles[row] is not None)
        return super().check_action(action, parameters)

    @on(DataTable.RowHighlighted)
    def row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_article(self) -> None:
        self.open_article(self.query_one("#section", DataTable).cursor_row)

    def _reload_after(self, _: object = None) -> None:
        self.load()

    def action_record(self) -> None:
        if self.zapp.writes_refused():
            return
        from .record import RecordEventScreen

        self.app.push_screen(RecordEventScreen(self.code), self._reload_after)

    def action_change(self) -> None:
        if self.zapp.writes_refused():
            return
        from .change import ChangeScreen

        self.app.push_screen(ChangeScreen(self.code), self._reload_after)

    def action_edit(self) -> None:
        if self.zapp.writes_refused():
            return
        from .project_form import ProjectForm

        self.app.push_screen(ProjectForm(self.code), self._reload_after)

    def action_compare(self) -> None:
        from .compare import CompareScreen

        self.app.push_screen(CompareScreen(self.code))

    def palette_commands(self):
        lang, code = self.lang, self.code
        if not self.zapp.read_only:
            yield command(lang, "record_event", "e", self.action_record, code)
            yield command(lang, "change_request", "c", self.action_change, code)
            yield command(lang, "edit_project", "m", self.action_edit, code)
        yield command(lang, "compare", "p", self.action_compare, code)
        yield command(lang, "k_article", "a", self.action_article)
