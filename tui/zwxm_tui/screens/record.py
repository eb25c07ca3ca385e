"""Record an event: the core's gates decide; a refusal shows reason and article, and recording
anyway needs a second, explicit confirmation (the store then leaves a finding)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, Static

from zwxm.errors import ValueProblem
from zwxm.model import Event, parse_date
from zwxm.store import Refused

from ..format import article_ref
from ..i18n import pick
from ..widgets import Choice, KeyBar
from .base import FORM_BINDINGS, Dialog, ZwxmModal


def refusal_text(refusals: list, lang: str, registry) -> Text:
    """Each refusal's reason with its district and article."""
    text = Text()
    for r in refusals:
        district = registry.districts.get(r.district)
        name = (district.name_en if lang == "en" else district.name) if district else ""
        text.append("✗ ", "bold red")
        text.append(pick(lang, r.message, r.message_en))
        ref = article_ref(r.article, lang, name)
        if ref:
            text.append(f"  {ref}", "bold")
        text.append("\n")
    return text


class RecordEventScreen(ZwxmModal):
    BINDINGS = FORM_BINDINGS

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.pending: Event | None = None
        self.refusals: list = []

    def event_options(self) -> list[tuple[str, str]]:
        project = self.zapp.store.project(self.code)
        district = project.district if project else ""
        options = []
        for key, event_type in self.zapp.registry.event_types.items():
            if ":" in key and not key.startswith(f"{district}:"):
                continue  # another district's own event type
            options.append((pick(self.lang, event_type.label, event_type.label_en), key))
        return options

    def compose(self) -> ComposeResult:
        with Dialog(id="dialog"):  # scrolls when the terminal is short (80×24)
            yield Static(Text(f"{self.t('record_event')} · {self.code}", "bold"))
            yield Label(self.t("event_type"))
            yield Choice(self.event_options(), id="type", prompt=self.t("event_type"))
            yield Label(self.t("date"))
            yield Input(self.zapp.today.isoformat(), id="date")
            yield Label(self.t("note"))
            yield Input(id="note")
            yield Static(id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.t("save"), id="save", variant="primary")
                yield Button(self.t("record_anyway"), id="force", variant="error", disabled=True)
                yield Button(self.t("cancel"), id="cancel")
        yield KeyBar()

    def show_error(self, text: Text | str) -> None:
        self.query_one("#error", Static).update(text)

    def read_form(self) -> Event | None:
        """The event in the form, or None with the bad field and value shown."""
        kind = self.query_one("#type", Select).value
        if kind is Select.NULL:
            self.show_error(self.t("field_required", field=self.t("event_type")))
            return None
        raw_date = self.query_one("#date", Input).value
        try:
            day = parse_date(raw_date)
        except ValueProblem as exc:
            self.show_error(f"{self.t('date')}: {raw_date!r}: {pick(self.lang, exc.message, exc.message_en)}")
            return None
        return Event(type=kind, date=day, note=self.query_one("#note", Input).value.strip())

    @on(Input.Changed, "#date")
    def date_changed(self, event: Input.Changed) -> None:
        try:
            parse_date(event.value)
            event.input.remove_class("invalid")
        except ValueProblem:
            event.input.add_class("invalid")

    def action_save(self) -> None:
        self.save()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        event = self.read_form()
        if event is None:
            return
        try:
            self.zapp.store.record_event(self.code, event)
        except Refused as exc:
            self.pending, self.refusals = event, exc.refusals
            text = Text(self.t("refused") + "\n", "bold red") + refusal_text(exc.refusals, self.lang, self.zapp.registry)
            self.show_error(text)
            self.query_one("#force", Button).disabled = False
            return
        self.notify(self.t("recorded", event=self._event_label(event.type), date=event.date))
        self.dismiss(event)

    @on(Button.Pressed, "#force")
    def force(self) -> None:
        from .confirm import ConfirmScreen

        if self.pending is None:
            return
        body = Text(self.t("confirm_force") + "\n\n") + refusal_text(self.refusals, self.lang, self.zapp.registry)
        self.app.push_screen(ConfirmScreen(body), self._forced)

    def _forced(self, confirmed: bool | None) -> None:
        if not confirmed or self.pending is None:
            return
        event = self.pending
        refusals = self.zapp.store.record_event(self.code, event, force=True)
        self.notify(self.t("recorded_forced", event=self._event_label(event.type), date=event.date, n=len(refusals)),
                    severity="warning")
        self.dismiss(event)

    def _event_label(self, key: str) -> str:
        event_type = self.zapp.registry.event_types.get(key)
        return pick(self.lang, event_type.label, event_type.label_en) if event_type else key

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
