"""How values look on screen: money in 万元, labels, deadline status colours. Presentation only:
every date and status shown here was computed by the core."""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from zwxm.io.safe_text import visible
from zwxm.lifecycle import STAGES
from zwxm.money import format_wan
from zwxm.vocab import KINDS, label

from .i18n import tr

SOON_DAYS = 7  # a due date this close is shown as "due soon" (issue 9: due within 7 days)


# Control characters in stored text are shown as visible symbols and never reach the terminal: the
# core's one rule for every output (zwxm.io.safe_text). One symbol per character, so Rich spans stay aligned.


def shown(value: Text | str) -> Text:
    """Data for the screen: as a Text (never parsed as markup), control characters made visible."""
    if isinstance(value, str):
        return Text(visible(value))
    copy = value.copy()
    copy.plain = visible(copy.plain)
    return copy


def wan_yuan(yuan: int | None) -> str:
    """Whole 元 as a number of 万元, exact (the core's format, without the unit the header carries)."""
    return "" if yuan is None else format_wan(yuan).removesuffix("万")


def article_ref(article: int | None, lang: str, district_name: str = "") -> str:
    """第15条 or "Art. 15"; empty when the output cites no article."""
    if article is None:
        return ""
    if lang == "en":
        return f"{district_name + ' ' if district_name else ''}Art. {article}"
    return f"{district_name}第{article}条"


def stage_label(key: str | None, lang: str) -> str:
    return label(STAGES, key, lang) if key else ""


def kind_label(key: str | None, lang: str) -> str:
    return label(KINDS, key, lang) if key else ""


def deadline_style(date_iso: str | None, overdue: bool, provisional: bool, today: dt.date | None = None) -> str:
    """The colour class of a next-deadline cell: overdue, due soon, provisional, or plain."""
    if overdue:
        return "bold red"
    if date_iso:
        days = (dt.date.fromisoformat(date_iso) - (today or dt.date.today())).days
        if days < 0:
            return "bold red"
        if days <= SOON_DAYS:
            return "bold yellow"
    if provisional:
        return "italic magenta"
    return ""


def deadline_cell(row: dict, lang: str, today: dt.date | None = None) -> Text:
    """Next deadline of a list row: its date, coloured, marked when provisional or overdue."""
    date_iso = row.get("next_deadline")
    overdue = bool(row.get("overdue"))
    provisional = bool(row.get("next_deadline_provisional"))
    text = date_iso or ("—" if not overdue else "")
    if provisional and date_iso:
        text += "*"
    if overdue:
        text = (text + " " if date_iso else "") + tr("overdue", lang)
    return Text(text, style=deadline_style(date_iso, overdue, provisional, today))


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"
