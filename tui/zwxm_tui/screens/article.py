"""The exact text of one article of a district's regulation, so the operator sees why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from zwxm.vocab import REGULATION_STATUSES, label

from ..widgets import KeyBar
from .base import ZwxmModal


class ArticleScreen(ZwxmModal):
    BINDINGS = [Binding("escape", "dismiss", "k_back"), Binding("enter", "dismiss", show=False)]

    def __init__(self, district: str, article: int, explanation: str = ""):
        super().__init__()
        self.district = district
        self.article = article
        self.explanation = explanation

    def article_text(self) -> tuple[str, str]:
        """(heading, text) of the article, read from the regulation the district registered."""
        district = self.zapp.registry.districts.get(self.district)
        if district is None:
            return self.district, self.t("article_missing", n=self.article)
        reg = district.regulation
        status = label(REGULATION_STATUSES, reg.status_on(self.zapp.today), self.lang)
        name = district.name_en if self.lang == "en" else district.name
        heading = f"{name} 《{reg.title}》 {reg.number} [{status}]"
        text = reg.articles().get(self.article)
        return heading, text or self.t("article_missing", n=self.article)

    def compose(self) -> ComposeResult:
        heading, text = self.article_text()
        with VerticalScroll(id="dialog", classes="article"):
            yield Static(Text(heading, "bold"), id="article-heading")
            if self.explanation:
                yield Static(Text(self.explanation, "italic"), id="article-explanation")
            yield Static(Text(text), id="article-text")
            yield Button(self.t("close"), id="close", variant="primary")
        yield KeyBar()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss()
