"""New project and edit forms. Validation is the core's: `load_project` (the one converter) and
`check_project` (district, category); each problem is shown with its field and value."""

from __future__ import annotations

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from zwxm.evaluation import check_project
from zwxm.model import InputError, Problem, load_project
from zwxm.vocab import FUNDINGS, KINDS, SAVE_RESULTS, fact_label, label

from ..i18n import pick, tr
from ..widgets import Choice, KeyBar
from .base import FORM_BINDINGS, Dialog, ZwxmModal

TEXT_FIELDS = ("code", "name", "investment", "owner_unit", "user_unit", "contractor", "budget_year")
CHOICE_FIELDS = ("district", "kind", "funding", "category")  # every field with a vocabulary is a choice


class ProjectForm(ZwxmModal):
    """`code` None: a new project; else edit that project (its code is fixed, its events kept)."""

    BINDINGS = FORM_BINDINGS

    def __init__(self, code: str | None):
        super().__init__()
        self.code = code
        self.existing = None

    def choices(self, field: str, district: str | None = None) -> list[tuple[str, str]]:
        """The options of a choice field, as labels in the app's language (categories: the district's)."""
        if field == "district":
            return [(d.name_en if self.lang == "en" else d.name, code)
                    for code, d in sorted(self.zapp.registry.districts.items())]
        if field == "category":
            d = self.zapp.registry.districts.get(district or "")
            return [(d.category_label(key, self.lang), key) for key in d.categories] if d else []
        vocabulary = KINDS if field == "kind" else FUNDINGS
        return [(label(vocabulary, key, self.lang), key) for key in vocabulary]

    def compose(self) -> ComposeResult:
        if self.code is not None:
            self.existing = self.zapp.store.project(self.code)
        p = self.existing
        title = self.t("edit_project") + f" · {self.code}" if p else self.t("new_project")
        with Dialog(id="dialog", classes="form"):
            yield Static(Text(title, "bold"))
            for field in ("code", "name", "district", "kind", "investment", "funding", "category",
                          "owner_unit", "user_unit", "contractor", "budget_year"):
                yield Label(self.t(f"field_{field}"))
                if field in CHOICE_FIELDS:
                    value = getattr(p, field) if p else None
                    options = self.choices(field, p.district if p else None)
                    if value and value not in {key for _, key in options}:
                        options.append((value, value))  # a stored value the vocabulary lost: keep it visible
                    yield Choice(options, id=field, value=value if value else Select.NULL,
                                 prompt=self.t(f"field_{field}"))
                else:
                    value = getattr(p, field) if p else None
                    yield Input("" if value is None else str(value), id=field,
                                disabled=field == "code" and p is not None)
            yield Checkbox(self.t("field_classified"), p.classified if p else False, id="classified")
            yield Static(id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.t("save"), id="save", variant="primary")
                yield Button(self.t("cancel"), id="cancel")
        yield KeyBar()

    def on_mount(self) -> None:
        """The first field that can be typed in has the keyboard at once."""
        first = next(w for w in self.query("#dialog Input, #dialog Choice") if not w.disabled)
        first.focus()

    @on(Select.Changed, "#district")
    def district_changed(self, event: Select.Changed) -> None:
        """Categories are the district's own: offer those of the chosen district."""
        category = self.query_one("#category", Choice)
        district = None if event.value is Select.NULL else str(event.value)
        value = category.value
        category.set_options(self.choices("category", district))
        if value is not Select.NULL and value in {key for _, key in category.choices}:
            category.value = value

    def form_data(self) -> dict:
        data: dict = {}
        for field in TEXT_FIELDS:
            value = self.query_one(f"#{field}", Input).value.strip()
            if value:
                data[field] = value
        for field in CHOICE_FIELDS:
            value = self.query_one(f"#{field}", Select).value
            if value is not Select.NULL:
                data[field] = value
        data["classified"] = self.query_one("#classified", Checkbox).value
        return data

    def show_problems(self, problems: list[Problem]) -> None:
        for widget in self.query(".invalid"):
            widget.remove_class("invalid")
        text = Text()
        for p in problems:
            field = p.field.split(".")[0].split("[")[0]
            if field in TEXT_FIELDS + CHOICE_FIELDS:
                self.query_one(f"#{field}").add_class("invalid")
                name = self.t(f"field_{field}")
            else:
                name = fact_label(field, self.lang)
            value = "" if p.value is None else f"{p.value!r}: "
            text.append(f"✗ {name}: {value}{pick(self.lang, p.message, p.message_en)}\n", "red")
        self.query_one("#error", Static).update(text)

    def action_save(self) -> None:
        self.save()

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        data = self.form_data()
        if self.existing is not None:
            data["code"] = self.existing.code
        try:
            project = load_project(data)
        except InputError as exc:
            self.show_problems(exc.problems)
            return
        problems = check_project(project, self.zapp.registry)
        if self.existing is None and self.zapp.store.project(project.code) is not None:
            problems.insert(0, Problem("code", project.code, tr("code_exists", "zh", code=project.code),
                                       tr("code_exists", "en", code=project.code)))
        if problems:
            self.show_problems(problems)
            return
        if self.existing is not None:
            old = self.existing
            project = attrs.evolve(project, events=old.events, changes=old.changes, facts=old.facts, tags=old.tags,
                                   designer=old.designer, supervisor=old.supervisor, tester=old.tester)
        result = self.zapp.store.save_project(project)
        self.notify(self.t("saved_project", code=project.code, result=label(SAVE_RESULTS, result, self.lang)))
        self.dismiss(project.code)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
