"""A change request: the procedure it needs comes from evaluating the project with the change
added (the district's change rules decide), and is shown before anything is saved."""

from __future__ import annotations

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Label, Static

from zwxm.errors import ValueProblem
from zwxm.evaluation import evaluate
from zwxm.model import Change, parse_date
from zwxm.money import parse_money
from zwxm.vocab import PROCEDURES, label

from ..format import article_ref
from ..i18n import pick
from ..widgets import KeyBar
from .base import FORM_BINDINGS, Dialog, ZwxmModal


class ChangeScreen(ZwxmModal):
    BINDINGS = FORM_BINDINGS

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.previewed: Change | None = None

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(Text(f"{self.t('change_request')} · {self.code}", "bold"))
            yield Label(self.t("date"))
            yield Input(self.zapp.today.isoformat(), id="date")
            yield Label(self.t("change_amount"))
            yield Input(id="amount")
            yield Label(self.t("change_reason"))
            yield Input(id="reason")
            yield Checkbox(self.t("change_major"), id="major")
            yield Static(id="procedure")
            yield Static(id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.t("preview"), id="preview", variant="primary")
                yield Button(self.t("save"), id="save", variant="success", disabled=True)
                yield Button(self.t("cancel"), id="cancel")
        yield KeyBar()

    def read_form(self) -> Change | None:
        errors = Text()
        raw_date = self.query_one("#date", Input).value
        raw_amount = self.query_one("#amount", Input).value
        day = amount = None
        try:
            day = parse_date(raw_date)
        except ValueProblem as exc:
            errors.append(f"✗ {self.t('date')}: {raw_date!r}: {pick(self.lang, exc.message, exc.message_en)}\n", "red")
        try:
            amount = parse_money(raw_amount, allow_negative=True)
        except ValueProblem as exc:
            errors.append(f"✗ {self.t('change_amount')}: {raw_amount!r}: {pick(self.lang, exc.message, exc.message_en)}\n", "red")
        self.query_one("#error", Static).update(errors)
        if day is None or amount is None:
            return None
        return Change(date=day, amount=amount, reason=self.query_one("#reason", Input).value.strip(),
                      major=self.query_one("#major", Checkbox).value)

    def rulings(self, change: Change) -> list:
        """The district's rulings on `change`: the project evaluated with it added, as of its date."""
        project = self.zapp.store.project(self.code)
        with_change = attrs.evolve(project, changes=[*project.changes, change])
        as_of = max(change.date, self.zapp.today)
        result = evaluate(with_change, as_of, registry=self.zapp.registry)
        return [c for c in result.changes if c.date == change.date and c.amount == change.amount]

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def form_changed(self) -> None:
        self.previewed = None
        self.query_one("#save", Button).disabled = True

    @on(Button.Pressed, "#preview")
    def preview(self) -> None:
        change = self.read_form()
        if change is None:
            return
        rulings = self.rulings(change)
        text = Text()
        for r in rulings:
            text.append(self.t("procedure_is", procedure=label(PROCEDURES, r.procedure, self.lang),
                               article=article_ref(r.article, self.lang)), "bold")
            message = pick(self.lang, r.message, r.message_en)
            text.append(f"\n  {message}\n" if message else "\n")
        if not rulings:
            text.append(self.t("no_change_rule"), "yellow")
        self.query_one("#procedure", Static).update(text)
        self.previewed = change
        self.query_one("#save", Button).disabled = False

    def action_save(self) -> None:
        """Ctrl+S: show the procedure first; once it is shown, save."""
        if self.previewed is None:
            self.preview()
        else:
            self.save()

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        if self.previewed is None:
            return
        self.zapp.store.add_change(self.code, self.previewed)
        self.notify(self.t("change_saved"))
        self.dismiss(self.previewed)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
