"""The monthly supervision report (通报): one set of tables, written as XLSX (native openpyxl charts)
and as a self-contained HTML page (inline SVG charts, inline CSS, no network).

The report looks back from the first day of the following month: a deadline is overdue when it
was dated before that day and not done before it; "due next month" is dated in the following
month and not done before it. Both come from the derived deadline rows (`done_on` tells when a
deadline was met), so a report for a past month does not count what was done later as overdue.
Findings are those of the last evaluation (`zwxm rebuild`). Changes awaiting approval: zwxm
records no approval event for a change, so these are the changes of the twelve months up to the
month's end whose district's rules require an approval procedure (re-approval or approval by the
IT authority), found by evaluating only the projects that have such changes.
"""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
import html
from collections import Counter, defaultdict
from typing import Any

import attrs

from ..store import Store
from ..store.due import DueItem, open_on
from ..vocab import COLUMNS, PROCEDURES, REPORT_SECTIONS, SEVERITIES, label, pick
from .deadlines import article_text
from .safe_text import sheet_cell, visible

HTML_ROWS = 300  # longer lists are cut in the page and given in full in the XLSX
APPROVAL_PROCEDURES = ("reapproval", "bureau_approval")
SEVERITY_ORDER = ("error", "warning")  # open findings; info findings are notes, not problems
CHANGES_LOOKBACK_DAYS = 365


@attrs.frozen
class Table:
    """One table of the report: a section key, column keys (labels from vocab), rows of values."""

    section: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@attrs.frozen
class Chart:
    """A bar chart: title key, category labels (zh, en) and named series of numbers."""

    title: str
    categories: list[tuple[str, str]]
    series: list[tuple[str, list[int]]]  # (column key, values)


@attrs.frozen
class Report:
    year: int
    month: int
    day: dt.date  # the first day of the following month: what the report looks back from
    generated: str
    tables: list[Table]
    charts: dict[str, Chart]  # section -> its chart


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, monthcal.monthrange(year, month)[1])


def build_report(store: Store, year: int, month: int, now: dt.datetime | None = None) -> Report:
    """Every table and chart of the report for `month`, read from the derived tables."""
    _, last = month_bounds(year, month)
    day = last + dt.timedelta(days=1)
    _, next_last = month_bounds(day.year, day.month)
    overdue = open_on(store, day, None, last)
    coming = open_on(store, day, day, next_last)
    districts = store.registry.districts
    names = {code: (d.name, d.name_en) for code, d in districts.items()}

    projects = dict(store.db.execute("SELECT district, count(*) FROM projects GROUP BY district").fetchall())
    unit_projects = dict(store.db.execute("SELECT coalesce(owner_unit, ''), count(*) FROM projects "
                                          "GROUP BY 1").fetchall())
    findings = store.db.execute(
        "SELECT p.district, coalesce(p.owner_unit, ''), f.severity, f.article, count(*) FROM project_findings f "
        "JOIN projects p ON p.code = f.project_code WHERE f.severity IN ('error', 'warning') GROUP BY 1, 2, 3, 4"
    ).fetchall()
    by = {"district": defaultdict(Counter), "unit": defaultdict(Counter)}
    for items, key in ((overdue, "overdue_count"), (coming, "due_count")):
        for i in items:
            by["district"][i.district][key] += 1
            by["unit"][i.owner_unit][key] += 1
    for district, unit, severity, _article, n in findings:
        by["district"][district][severity] += n
        by["unit"][unit][severity] += n

    def counts(group: dict[str, Counter], key: str) -> tuple[int, ...]:
        c = group[key]
        return c["overdue_count"], c["due_count"], c["error"], c["warning"]

    district_rows = [(names.get(code, (code, code)), projects.get(code, 0), *counts(by["district"], code))
                     for code in sorted(set(projects) | set(by["district"]))]
    unit_rows = sorted(((unit or "—", unit_projects.get(unit, 0), *counts(by["unit"], unit))
                        for unit in set(unit_projects) | set(by["unit"])), key=lambda r: (-r[2], -r[3], r[0]))
    finding_rows = [(names.get(d, (d, d)), SEVERITIES[s], article_text(a), n) for d, s, a, n in
                    sorted(_without_units(findings), key=lambda r: (r[0], SEVERITY_ORDER.index(r[1]), -r[3], r[2] or 0))]
    severity_totals: Counter = Counter()
    for _d, _u, severity, _a, n in findings:
        severity_totals[severity] += n

    tables = [
        Table("by_district", ("district", "projects", "overdue_count", "due_count", "error", "warning"), district_rows),
        Table("by_unit", ("owner_unit", "projects", "overdue_count", "due_count", "error", "warning"), unit_rows),
        Table("overdue", _ITEM_COLUMNS, [_item_row(i, day) for i in overdue]),
        Table("due_next_month", _ITEM_COLUMNS, [_item_row(i, day) for i in coming]),
        Table("findings", ("district", "severity", "article", "count"), finding_rows),
        Table("changes", ("project_code", "project_name", "owner_unit", "date", "amount", "procedure", "article",
                          "message"), _changes_awaiting_approval(store, last)),
    ]
    top_units = [r for r in unit_rows if r[2] or r[3]][:10]
    charts = {
        "by_district": Chart("chart_overdue_by_district", [names.get(c, (c, c)) for c in sorted(
            set(projects) | set(by["district"]))], [("overdue_count", [r[2] for r in district_rows]),
                                                    ("due_count", [r[3] for r in district_rows])]),
        "by_unit": Chart("chart_overdue_by_unit", [(r[0], r[0]) for r in top_units],
                         [("overdue_count", [r[2] for r in top_units]), ("due_count", [r[3] for r in top_units])]),
        "findings": Chart("chart_findings_by_severity", [SEVERITIES[s] for s in SEVERITY_ORDER],
                          [("count", [severity_totals[s] for s in SEVERITY_ORDER])]),
    }
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    return Report(year, month, day, stamp, tables, charts)


_ITEM_COLUMNS = ("owner_unit", "department", "project_code", "project_name", "district", "title", "due_date",
                 "article", "working_days", "explanation")


def _item_row(item: DueItem, day: dt.date) -> tuple[Any, ...]:
    from ..calendar import default_calendar

    return (item.owner_unit, (item.department, item.department_en), item.project_code, item.project_name,
            item.district_name, (item.title, item.title_en), item.date.isoformat(), article_text(item.article),
            default_calendar().workdays_between(day, item.date), (item.explanation, item.explanation_en))


def _without_units(findings: list[tuple]) -> list[tuple[str, str, int | None, int]]:
    """Finding counts by (district, severity, article), the units added up."""
    total: Counter = Counter()
    for district, _unit, severity, article, n in findings:
        total[(district, severity, article)] += n
    return [(*key, n) for key, n in total.items()]


def _changes_awaiting_approval(store: Store, last: dt.date) -> list[tuple[Any, ...]]:
    since = last - dt.timedelta(days=CHANGES_LOOKBACK_DAYS)
    codes = [r[0] for r in store.db.execute("SELECT DISTINCT project_code FROM changes WHERE date BETWEEN ? AND ? "
                                            "ORDER BY project_code", [since.isoformat(), last.isoformat()])]
    rows = []
    for project in store.iter_projects(codes):
        evaluation = store.evaluation(project.code, last)
        for ruling in evaluation.changes:
            if ruling.procedure in APPROVAL_PROCEDURES and since <= ruling.date <= last:
                rows.append((project.code, project.name, project.owner_unit or "", ruling.date.isoformat(),
                             ruling.amount, PROCEDURES[ruling.procedure], article_text(ruling.article),
                             (ruling.message, ruling.message_en)))
    return rows


# --- rendering --------------------------------------------------------------------------------

_LABELS = {**COLUMNS, **SEVERITIES}


def _text(value: Any, lang: str) -> Any:
    """A cell's value in `lang`: (zh, en) pairs are picked, everything else is as it is."""
    if isinstance(value, tuple):
        return pick(lang, value[0], value[1])
    return value


def _title(report: Report, lang: str) -> str:
    return f"{label(REPORT_SECTIONS, 'title', lang)} {report.year:04d}-{report.month:02d}"


def write_xlsx(report: Report, lang: str, target: Any) -> None:
    """One sheet per table, each chart beside its table; texts never become formulas."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for table in report.tables:
        sheet = book.create_sheet(label(REPORT_SECTIONS, table.section, lang)[:31])
        sheet.append([_title(report, lang)])
        sheet.append([f"{label(REPORT_SECTIONS, 'as_of', lang)}: {report.day.isoformat()}  "
                      f"{label(REPORT_SECTIONS, 'generated', lang)}: {report.generated}"])
        sheet.append([label(_LABELS, c, lang) for c in table.columns])
        for row in table.rows:
            sheet.append([sheet_cell(sheet, visible(v)) if isinstance(v, str) else v
                          for v in (_text(v, lang) for v in row)])
        chart = report.charts.get(table.section)
        if chart is not None and chart.categories:
            _xlsx_chart(sheet, chart, lang, anchor=f"{chr(ord('A') + len(table.columns) + 1)}3",
                        first_row=4 + len(table.rows) + 1)
    book.save(target)


def _xlsx_chart(sheet: Any, chart: Chart, lang: str, anchor: str, first_row: int) -> None:
    """The chart's numbers as a small block below the table (a chart needs cells), and a native bar
    chart over them."""
    from openpyxl.chart import BarChart, Reference

    sheet.append([])
    sheet.append([label(REPORT_SECTIONS, chart.title, lang), *(label(_LABELS, name, lang) for name, _ in chart.series)])
    for r, category in enumerate(chart.categories):
        sheet.append([sheet_cell(sheet, visible(_text(category, lang))), *(values[r] for _, values in chart.series)])
    header, count = first_row + 1, len(chart.categories)
    bar = BarChart()
    bar.title = label(REPORT_SECTIONS, chart.title, lang)
    bar.y_axis.title = label(COLUMNS, "count", lang)
    bar.add_data(Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=header, max_row=header + count),
                 titles_from_data=True)
    bar.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=header + count))
    bar.width, bar.height = 18, 9
    sheet.add_chart(bar, anchor)


_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",
sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:2px solid #c9302c;
padding-bottom:.2rem}.meta{color:#59636e}table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
th,td{border:1px solid #d1d9e0;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}.late{color:#c9302c}.more{color:#59636e;font-style:italic}
svg{display:block;margin:.6rem 0}svg text{font-family:inherit;font-size:12px;fill:#1f2328}
"""
_COLOURS = ("#c9302c", "#e6a23c", "#409eff")


def _svg_bars(chart: Chart, lang: str) -> str:
    """A grouped horizontal bar chart as inline SVG: one row per category, one bar per series."""
    rows = len(chart.categories)
    series = len(chart.series)
    bar, gap, left, width = 14, 10, 250, 420
    top = 30 + 18 * series
    height = top + rows * (series * bar + gap) + 10
    peak = max([1, *(v for _, values in chart.series for v in values)])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" role="img" '
             f'aria-label="{html.escape(label(REPORT_SECTIONS, chart.title, lang))}">',
             f'<text x="0" y="16" font-weight="bold">{html.escape(label(REPORT_SECTIONS, chart.title, lang))}</text>']
    for s, (name, _values) in enumerate(chart.series):
        y = 24 + 18 * s
        parts.append(f'<rect x="0" y="{y}" width="12" height="12" fill="{_COLOURS[s]}"/>'
                     f'<text x="18" y="{y + 11}">{html.escape(label(_LABELS, name, lang))}</text>')
    for r, category in enumerate(chart.categories):
        y = top + r * (series * bar + gap)
        name = visible(category[1] if lang == "en" else category[0])
        name = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + bar * series / 2 + 4}" text-anchor="end">'
                     f'{html.escape(name)}</text>')
        for s, (_name, values) in enumerate(chart.series):
            w = round(width * values[r] / peak)
            parts.append(f'<rect x="{left}" y="{y + s * bar}" width="{w}" height="{bar - 2}" fill="{_COLOURS[s]}"/>'
                         f'<text x="{left + w + 4}" y="{y + s * bar + bar - 4}">{values[r]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_table(table: Table, lang: str) -> str:
    head = "".join(f"<th>{html.escape(label(_LABELS, c, lang))}</th>" for c in table.columns)
    body = []
    for row in table.rows[:HTML_ROWS]:
        cells = []
        for value in (_text(v, lang) for v in row):
            if isinstance(value, bool) or value is None:
                value = "" if value is None else ("✓" if value else "")
            if isinstance(value, int):
                cls = ' class="n late"' if value < 0 else ' class="n"'
                cells.append(f"<td{cls}>{value:,}</td>")
            else:
                cells.append(f"<td>{html.escape(visible(str(value)))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not table.rows:
        body.append(f'<tr><td colspan="{len(table.columns)}">{html.escape(label(REPORT_SECTIONS, "none", lang))}'
                    "</td></tr>")
    more = ""
    if len(table.rows) > HTML_ROWS:
        text = label(REPORT_SECTIONS, "more_rows", lang).format(n=f"{len(table.rows) - HTML_ROWS:,}")
        more = f'<p class="more">{html.escape(text)}</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def write_html(report: Report, lang: str) -> str:
    """The page: every table of the XLSX (long lists cut at HTML_ROWS) and every chart as SVG."""
    title = html.escape(_title(report, lang))
    parts = [f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
             f"<title>{title}</title><style>{_CSS}</style></head><body>", f"<h1>{title}</h1>",
             f'<p class="meta">{html.escape(label(REPORT_SECTIONS, "as_of", lang))}: {report.day.isoformat()} · '
             f'{html.escape(label(REPORT_SECTIONS, "generated", lang))}: {html.escape(report.generated)}</p>']
    for table in report.tables:
        parts.append(f'<section id="{table.section}"><h2>{html.escape(label(REPORT_SECTIONS, table.section, lang))}'
                     f" ({len(table.rows):,})</h2>")
        chart = report.charts.get(table.section)
        if chart is not None and chart.categories:
            parts.append(_svg_bars(chart, lang))
        parts.append(_html_table(table, lang))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)
