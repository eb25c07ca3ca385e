"""One project evaluated under every installed district, side by side (`zwxm.compare`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static

from zwxm.compare import compare_project
from zwxm.evaluation import Evaluation
from zwxm.model import InputError
from zwxm.vocab import DEADLINE_STATUSES, REGULATION_STATUSES, SEVERITIES, label

from ..format import article_ref, iso
from ..i18n import pick
from ..widgets import KeyBar
from .base import ZwxmScreen
from .detail import SEVERITY_STYLE, STATUS_STYLE


class CompareScreen(ZwxmScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "k_back")]

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        yield Header()
        project = self.zapp.store.project(self.code)
        with Horizontal(id="compare"):
            try:
                results = compare_project(project, self.zapp.today, self.zapp.registry) if project else {}
            except InputError as exc:
                results = {}
                yield Static(Text("\n".join(str(p) for p in exc.problems), "red"))
            for code, evaluation in results.items():
                with VerticalScroll(classes="district-column", id=f"compare-{code}"):
                    yield Static(self.render_column(code, evaluation))
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = f"{self.t('compare')} · {self.code}"

    def render_column(self, code: str, ev: Evaluation) -> Text:
        lang = self.lang
        district = self.zapp.registry.districts[code]
        text = Text()
        text.append(f"{district.name_en if lang == 'en' else district.name}", "bold")
        text.append(f"  [{label(REGULATION_STATUSES, ev.regulation.status, lang)}]\n",
                    "green" if ev.regulation.status == "in_force" else "bold magenta")
        text.append(f"《{ev.regulation.title}》\n", "dim")
        text.append((self.t("applicable") if ev.applicable else self.t("not_applicable")) + "\n",
                    "green" if ev.applicable else "yellow")
        text.append(f"\n{self.t('approval_path')}\n", "bold underline")
        for step in ev.approval_path or ():
            mark = "✓" if step.done else ("·" if step.required else "○")
            optional = "" if step.required else (f" ({self.t('optional')})" if lang == "en" else f"（{self.t('optional')}）")
            text.append(f" {mark} {pick(lang, step.title, step.title_en)}{optional} {article_ref(step.article, lang)}\n")
        if not ev.approval_path:
            text.append(f" {self.t('none')}\n", "dim")
        text.append(f"\n{self.t('tab_deadlines')}\n", "bold underline")
        for d in ev.deadlines:
            status = label(DEADLINE_STATUSES, d.status, lang) + (f" {self.t('provisional')}" if d.provisional else "")
            text.append(f" {iso(d.date)} {pick(lang, d.title, d.title_en)} ")
            text.append(f"[{status}]", STATUS_STYLE.get(d.status, ""))
            text.append(f" {article_ref(d.article, lang)}\n")
        if not ev.deadlines:
            text.append(f" {self.t('none')}\n", "dim")
        text.append(f"\n{self.t('tab_findings')}\n", "bold underline")
        for f in ev.findings:
            text.append(f" [{label(SEVERITIES, f.severity, lang)}] ", SEVERITY_STYLE.get(f.severity, ""))
            text.append(f"{pick(lang, f.message, f.message_en)} {article_ref(f.article, lang)}\n")
        if not ev.findings:
            text.append(f" {self.t('none')}\n", "dim")
        return text
