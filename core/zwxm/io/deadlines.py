"""`zwxm due` output: a grouped table for the terminal, JSON, CSV and XLSX.

Groups are (construction unit, responsible department), in that order, as the due query sorts
them. Every text from the database goes through `safe_text` on its way out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from ..calendar import LegalCalendar, default_calendar
from ..store.due import DueItem
from ..vocab import COLUMNS, DEADLINE_STATUSES, YES_NO, label, pick
from .safe_text import csv_text, sheet_cell, visible

DUE_FORMATS = ("table", "json", "csv", "xlsx", "ics")
FLAT_COLUMNS = ("owner_unit", "department", "project_code", "project_name", "district", "title", "due_date",
                "status", "working_days", "article", "provisional", "explanation")


def article_text(article: int | None) -> str:
    return f"第{article}条" if article is not None else ""


def working_days_left(item: DueItem, as_of: dt.date, calendar: LegalCalendar) -> int:
    """Working days from `as_of` to the due date; negative when overdue."""
    return calendar.workdays_between(as_of, item.date)


def flat_rows(items: list[DueItem], as_of: dt.date, lang: str) -> Iterator[dict[str, Any]]:
    """One dict per deadline, keyed by FLAT_COLUMNS, texts in `lang` (unescaped: writers escape)."""
    calendar = default_calendar()
    for i in items:
        yield {"owner_unit": i.owner_unit, "department": pick(lang, i.department, i.department_en),
               "project_code": i.project_code, "project_name": i.project_name,
               "district": pick(lang, *i.district_name),
               "title": pick(lang, i.title, i.title_en), "due_date": i.date.isoformat(),
               "status": label(DEADLINE_STATUSES, i.status, lang),
               "working_days": working_days_left(i, as_of, calendar), "article": article_text(i.article),
               "provisional": label(YES_NO, "yes" if i.provisional else "no", lang),
               "explanation": pick(lang, i.explanation, i.explanation_en)}


def headers(lang: str) -> list[str]:
    return [label(COLUMNS, name, lang) for name in FLAT_COLUMNS]


def table_lines(items: list[DueItem], as_of: dt.date, until: dt.date, lang: str) -> Iterator[str]:
    """The terminal digest, a line at a time: a summary line, then one block per (unit, department)."""
    en = lang == "en"
    overdue = sum(i.status == "missed" for i in items)
    yield (f"As of {as_of}: {overdue} overdue, {len(items) - overdue} due by {until}" if en else
           f"截至 {as_of}：逾期 {overdue} 项，{until} 前到期 {len(items) - overdue} 项")
    unit_label, dept_label = label(COLUMNS, "owner_unit", lang), label(COLUMNS, "department", lang)
    pairs = zip(items, flat_rows(items, as_of, lang))
    for (unit, department), group in groupby(pairs, key=lambda pair: (pair[1]["owner_unit"], pair[1]["department"])):
        yield ""
        yield visible(f"{unit_label}: {unit or '—'}  ·  {dept_label}: {department or '—'}")
        for item, r in group:
            days = r["working_days"]
            left = ((f"{-days} workdays late" if days < 0 else f"{days} workdays left") if en else
                    (f"逾期{-days}个工作日" if days < 0 else f"剩{days}个工作日"))
            provisional = (" (provisional)" if en else "（临时）") if item.provisional else ""
            yield visible(f"  {r['due_date']}{provisional}  [{r['status']}·{left}]  {r['project_code']} "
                          f"{r['project_name']}  {r['title']}  {r['article']}")
            if r["explanation"]:
                yield visible(f"      {r['explanation']}")


def json_chunks(items: list[DueItem], as_of: dt.date, until: dt.date, within: int) -> Iterator[str]:
    """The public JSON shape, a group at a time: both languages, English keys, groups as in the table."""
    calendar = default_calendar()
    overdue = sum(i.status == "missed" for i in items)
    head = json.dumps({"as_of": as_of.isoformat(), "until": until.isoformat(), "within_workdays": within,
                       "overdue": overdue, "due": len(items) - overdue}, ensure_ascii=False, indent=2)
    yield head[:-2] + ',\n  "groups": ['
    for n, ((unit, department), group) in enumerate(groupby(items, key=lambda i: (i.owner_unit, i.department))):
        group = list(group)
        entry = {"owner_unit": unit, "department": department, "department_en": group[0].department_en,
                 "deadlines": [{"project_code": i.project_code, "project_name": i.project_name,
                                "district": i.district, "rule": i.rule, "title": i.title, "title_en": i.title_en,
                                "date": i.date.isoformat(), "status": i.status,
                                "working_days": working_days_left(i, as_of, calendar), "article": i.article,
                                "provisional": i.provisional, "explanation": i.explanation,
                                "explanation_en": i.explanation_en} for i in group]}
        yield ("," if n else "") + "\n" + json.dumps(entry, ensure_ascii=False, indent=2)
    yield "\n  ]\n}\n"


def csv_chunks(items: list[DueItem], as_of: dt.date, lang: str, rows_per_chunk: int = 1_000) -> Iterator[str]:
    """The flat list as CSV, a thousand rows at a time; no cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(lang))
    for n, row in enumerate(flat_rows(items, as_of, lang), start=1):
        writer.writerow([csv_text(visible(v)) if isinstance(v, str) else v for v in row.values()])
        if n % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def write_xlsx(items: list[DueItem], as_of: dt.date, lang: str, target: Any) -> None:
    """The flat list as one sheet, to a path or a binary file object."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("到期" if lang != "en" else "due")
    sheet.append(headers(lang))
    for row in flat_rows(items, as_of, lang):
        sheet.append([sheet_cell(sheet, visible(v)) if isinstance(v, str) else v for v in row.values()])
    book.save(target)
