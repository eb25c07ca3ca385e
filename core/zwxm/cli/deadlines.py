"""`zwxm due` and `zwxm report`: what is due for whom, and the monthly supervision report.

Both read the derived tables (`zwxm rebuild` keeps them fresh), never re-evaluate every project.
Exit status of `due`: 0 nothing overdue, 1 something overdue (for cron), 2 unusable input.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from ..files import written
from ..io.deadlines import DUE_FORMATS
from ..model import InputError, Problem
from ..store.due import DEFAULT_WITHIN
from .common import command_store, parse_day, say
from .output import fail


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write the whole file or nothing, as every output is (zwxm.files.written): a temporary file
    beside it, renamed over it; a target that is a symbolic link or a folder is refused (exit 2)."""
    try:
        with written(path, field="output") as temporary, open(temporary, "wb") as f:
            f.writelines([data] if isinstance(data, bytes) else data)
    except InputError as exc:
        fail(exc.problems)


@click.command("due")
@click.option("--within", type=click.IntRange(0, 250), default=DEFAULT_WITHIN, show_default=True,
              help="未来多少个工作日内到期 / due within this many working days")
@click.option("--as-of", "as_of", help="以该日为今天 YYYY-MM-DD / count as of this day")
@click.option("--district", help="只看该地区 / only this district")
@click.option("--unit", help="只看该建设单位（全名）/ only this construction unit (full name)")
@click.option("--department", help="只看该责任部门（包含此文字）/ only departments containing this text")
@click.option("--overdue-only", is_flag=True, help="只列逾期 / overdue deadlines only")
@click.option("--format", "fmt", type=click.Choice(DUE_FORMATS), default=None,
              help="输出格式（默认按 -o 扩展名，否则 table）/ output format (default: from -o's extension, else table)")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件 / output file")
@click.option("--remind", type=click.IntRange(0, 60), default=3, show_default=True,
              help="ics：提前多少个工作日提醒 / ics: remind this many working days before")
@click.pass_context
def due(ctx: click.Context, within: int, as_of: str | None, district: str | None, unit: str | None,
        department: str | None, overdue_only: bool, fmt: str | None, output: str | None, remind: int) -> None:
    """List deadlines overdue or due within N working days, by construction unit and department.

    Exit status 0: nothing overdue; 1: something overdue; 2: bad input."""
    from ..calendar import CalendarError
    from ..io.deadlines import csv_chunks, json_chunks, table_lines, write_xlsx
    from ..io.ics import read_previous, write_calendar
    from ..store.due import CANCELLED_LOOKBACK_DAYS, due_items, window_end

    lang = ctx.obj["lang"]
    today = parse_day(as_of, "as_of") if as_of else dt.date.today()
    path = Path(output) if output else None
    fmt = fmt or (path.suffix.lstrip(".").lower() if path and path.suffix else "table")
    if fmt not in DUE_FORMATS:
        fail([Problem("format", fmt, f"不支持的格式（可选 {'、'.join(DUE_FORMATS)}）",
                       f"unsupported format (one of {', '.join(DUE_FORMATS)})")])
    if fmt == "xlsx" and path is None:
        fail([Problem("output", None, "xlsx 需要用 -o 指定文件", "xlsx needs a file: give -o FILE")])
    previous = {}
    if fmt == "ics" and path is not None:
        try:
            previous = read_previous(path)
        except ValueError as exc:
            fail([exc])
    with command_store(ctx) as store:
        if district and district not in store.registry.districts:
            fail([Problem("district", district, f"未知地区（已安装：{'、'.join(sorted(store.registry.districts))}）",
                           "unknown district")])
        try:
            until = window_end(today, within)
        except CalendarError as exc:
            fail([Problem("as_of", today.isoformat(), f"超出日历范围：{exc}", f"outside the calendar: {exc}")])
        met_since = today - dt.timedelta(days=CANCELLED_LOOKBACK_DAYS) if fmt == "ics" else None
        items = due_items(store, today, until, overdue_only=overdue_only, district=district, unit=unit,
                          department=department, met_since=met_since, numbered=fmt == "ics")
    listed = [i for i in items if i.status != "met"]
    overdue = sum(i.status == "missed" for i in listed)
    try:
        if fmt == "ics":
            pieces = write_calendar(items, today, remind, previous)
            if path is None:
                sys.stdout.buffer.writelines(pieces)
            else:
                write_atomically(path, pieces)
        elif fmt == "xlsx":
            buffer = io.BytesIO()
            write_xlsx(listed, today, lang, buffer)
            assert path is not None  # xlsx without -o was refused above
            write_atomically(path, buffer.getvalue())
        else:
            chunks = {"table": lambda: (line + "\n" for line in table_lines(listed, today, until, lang)),
                      "json": lambda: json_chunks(listed, today, until, within),
                      "csv": lambda: csv_chunks(listed, today, lang)}[fmt]()
            if path is None:
                for chunk in chunks:
                    sys.stdout.write(chunk)
            else:  # CSV with a BOM, so that spreadsheet programs read it as UTF-8
                bom = ["\ufeff"] if fmt == "csv" else []
                write_atomically(path, (chunk.encode("utf-8") for chunk in itertools.chain(bom, chunks)))
    except BrokenPipeError:  # `zwxm due | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1 if overdue else 0)
    except OSError as exc:
        fail([Problem("output", str(path), f"无法写入：{exc.strerror or exc}", f"cannot write: {exc.strerror or exc}")])
    if path is not None:
        say(ctx, f"已写入 {path}：逾期 {overdue} 项，即将到期 {len(listed) - overdue} 项",
             f"wrote {path}: {overdue} overdue, {len(listed) - overdue} due soon", err=True)
    ctx.exit(1 if overdue else 0)


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@click.command("report")
@click.option("--month", required=True, help="月份 YYYY-MM / month")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="输出目录 / output folder")
@click.pass_context
def report(ctx: click.Context, month: str, out_dir: str) -> None:
    """Write the monthly supervision report (通报): an XLSX with charts and a self-contained HTML page."""
    from ..calendar import FIRST_YEAR, LAST_YEAR
    from ..io.monthly import build_report, write_html, write_xlsx

    match = MONTH.match(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not FIRST_YEAR <= int(match.group(1)) < LAST_YEAR:
        fail([Problem("month", month, f"月份无效，应为 YYYY-MM（{FIRST_YEAR}–{LAST_YEAR - 1} 年）",
                       f"invalid month, expected YYYY-MM ({FIRST_YEAR}–{LAST_YEAR - 1})")])
    year, number = int(match.group(1)), int(match.group(2))
    lang = ctx.obj["lang"]
    with command_store(ctx) as store:
        data = build_report(store, year, number)
    folder = Path(out_dir)
    stem = f"zwxm-report-{year:04d}-{number:02d}{'-en' if lang == 'en' else ''}"
    xlsx, html = folder / f"{stem}.xlsx", folder / f"{stem}.html"
    buffer = io.BytesIO()
    write_xlsx(data, lang, buffer)
    try:
        write_atomically(xlsx, buffer.getvalue())
        write_atomically(html, write_html(data, lang).encode("utf-8"))
    except OSError as exc:
        fail([Problem("output", str(folder), f"无法写入：{exc.strerror or exc}", f"cannot write: {exc.strerror or exc}")])
    say(ctx, f"已写入 {xlsx} 和 {html}", f"wrote {xlsx} and {html}")


COMMANDS = [due, report]
