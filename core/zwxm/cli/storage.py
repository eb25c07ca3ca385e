"""`zwxm import | export | record | demo | rebuild | verify | backup`: the database from the command line.

Every command opens the database named by the global `--db` option (or ZWXM_DB, or the default in
the user data directory). Exit status: 0 done; 1 refused or partly done (an event refused by a
gate, rows rejected, a failed verification); 2 unusable input (bad option value, unreadable file,
unknown header, a database that is not ours or is newer than this program).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..model import InputError, Problem
from .output import echo, fail

DATE_HELP = "日期 YYYY-MM-DD / date"


_fail = fail  # one line per problem on stderr, in Chinese and English, bounded; then exit


@contextlib.contextmanager
def _store(ctx: click.Context) -> Iterator[Any]:
    """The Store of the global --db path; bad files, plugin conflicts, a full disk or an unwritable
    file become one line naming the file, not a traceback."""
    from ..files import file_problem
    from ..plugins import RegistryError
    from ..store import SchemaError, Store, open_failure, resolve_db_path

    path = resolve_db_path(ctx.obj.get("db") if ctx.obj else None)
    try:
        store = Store(path)
    except (SchemaError, RegistryError) as exc:
        _fail([exc])
    except (OSError, sqlite3.Error) as exc:
        _fail([open_failure(path, exc)])
    try:
        yield store
    except sqlite3.Error as exc:
        _fail([open_failure(path, exc)])
    except OSError as exc:
        _fail([file_problem(exc)])
    finally:
        with contextlib.suppress(sqlite3.Error):
            store.close()


def _say(ctx: click.Context, zh: str, en: str, err: bool = False) -> None:
    echo(en if ctx.obj and ctx.obj.get("lang") == "en" else zh, err=err)


def _day(value: str, field: str) -> dt.date:
    from ..errors import ValueProblem
    from ..model import parse_date

    try:
        return parse_date(value)
    except ValueProblem as exc:
        _fail([Problem(field, value, f"{exc.message}，应为 YYYY-MM-DD", f"{exc.message_en}, expected YYYY-MM-DD")])


def _progress(label: str, length: int) -> Any:
    """A progress bar on a terminal (stderr), nothing in a pipe or a log."""
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--from-table", "table", help="从数据库中的暂存表导入 / import from a staging table in the database")
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "json", "jsonl", "toml", "xlsx"]),
              help="文件格式（默认按扩展名）/ format (default: from the extension)")
@click.option("--encoding", help="文本编码（默认自动识别 UTF-8/GBK）/ text encoding (default: detect UTF-8/GBK)")
@click.option("--mapping", type=click.Path(dir_okay=False), help="列名映射文件 / header mapping file (TOML or JSON)")
@click.option("--district", help="未给出地区的行所属地区 / district for rows without one")
@click.option("--rejects", type=click.Path(dir_okay=False), help="拒绝行文件（CSV）/ rejects file (CSV)")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="每个事务的行数 / rows per transaction")
@click.option("--defer-derived", is_flag=True,
              help="暂不计算期限与问题，之后运行 zwxm rebuild / skip evaluation now, run `zwxm rebuild` later")
@click.option("--limit", "limits", multiple=True, metavar="NAME=N",
              help="放宽导入上限（可多次；见 docs/reliability.md）/ raise an import limit (repeatable): "
                   "size, document, rows, columns, cell, depth")
@click.pass_context
def import_(ctx: click.Context, file: str | None, table: str | None, fmt: str | None, encoding: str | None,
            mapping: str | None, district: str | None, rejects: str | None, batch_size: int,
            defer_derived: bool, limits: tuple[str, ...]) -> None:
    """Import projects from FILE (CSV, TSV, JSON, JSON lines, TOML, XLSX) or from a staging table."""
    from ..io.importer import ImportStopped, import_file, import_table
    from ..io.limits import DEFAULT_LIMITS

    if (file is None) == (table is None):
        _fail([Problem("file", None, "请给出文件或 --from-table 二者之一", "give either FILE or --from-table")])
    try:
        bounds = DEFAULT_LIMITS.raised(limits)
    except InputError as exc:
        _fail(exc.problems)
    with _store(ctx) as store:
        bar = None

        def start(total: int) -> None:
            nonlocal bar
            bar = _progress("导入 / importing", total).__enter__()

        options = dict(mapping_path=mapping, rejects_path=rejects, district=district, batch_size=batch_size,
                       derive=not defer_derived, on_start=start, progress=lambda n: bar.update(n) if bar else None,
                       limits=bounds)
        try:
            if table is not None:
                summary = import_table(store, table, **options)
            else:
                summary = import_file(store, file, fmt=fmt, encoding=encoding, **options)
        except InputError as exc:
            _fail(exc.problems)
        except ImportStopped as exc:  # part done: say what is in, and that running it again continues
            if bar is not None:
                bar.__exit__(None, None, None)
                bar = None
            done = exc.summary
            _say(ctx, f"导入中断，已保存的批次保留：{done.line('zh')}；修复后再次运行同一命令即可继续",
                 f"import stopped, the batches saved stay: {done.line('en')}; fix it and run the same command "
                 f"again to continue", err=True)
            _fail([exc.problem], status=1)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    if summary.encoding not in (None, "utf-8"):
        _say(ctx, f"注意：文件按 {summary.encoding} 编码读取", f"note: file read as {summary.encoding}", err=True)
    _say(ctx, summary.line("zh"), summary.line("en"))
    if summary.rejects_path is not None:
        _say(ctx, f"被拒绝的行及原因见 {summary.rejects_path}（以及数据库表 import_rejects，import_id={summary.import_id}）",
             f"rejected rows with reasons: {summary.rejects_path} (and table import_rejects, import_id="
             f"{summary.import_id})", err=True)
    if defer_derived:
        _say(ctx, "期限与问题尚未计算：请运行 zwxm rebuild", "deadlines and findings not computed yet: run `zwxm rebuild`",
             err=True)
    sys.exit(1 if summary.rejected else 0)


@click.command("export")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--code", "codes", multiple=True, help="项目编号（可多次）/ project code (repeatable)")
@click.option("--district")
@click.option("--stage")
@click.option("--kind")
@click.option("--year", type=int)
@click.option("--text", default="", help="按编号、名称、单位、拼音首字母筛选 / filter text")
@click.option("--overdue", is_flag=True, help="只导出逾期项目 / overdue projects only")
@click.option("--format", "fmt", type=click.Choice(["toml", "json", "xlsx"]), help="默认按扩展名 / default: extension")
@click.pass_context
def export(ctx: click.Context, output: str, codes: tuple[str, ...], district: str | None, stage: str | None,
           kind: str | None, year: int | None, text: str, overdue: bool, fmt: str | None) -> None:
    """Export one project (--code) or every project matching a filter to TOML, JSON or XLSX."""
    from ..io.export import export_projects
    from ..store import ProjectQuery

    with _store(ctx) as store:
        if codes:
            missing = [c for c in codes if store.project(c) is None]
            if missing:
                _fail([Problem("code", c, "未知项目编号", "unknown project code") for c in missing])
            selected = list(codes)
        else:
            try:
                query = ProjectQuery(text=text, district=district, stage=stage, kind=kind, year=year,
                                     overdue_only=overdue)
                selected = [r["code"] for r in store.query_projects(query, 0, store.count_projects(query))]
            except ValueError as exc:
                _fail([exc])
        altered: list[str] = []
        try:
            count = export_projects(store.iter_projects(selected), output, fmt, altered)
        except InputError as exc:
            _fail(exc.problems)
        except ValueError as exc:
            _fail([exc])
    if altered:
        shown = "、".join(altered[:5]) + (" …" if len(altered) > 5 else "")
        _say(ctx, f"注意：{len(altered)} 个单元格含 XLSX 无法保存的控制字符，已替换为可见符号（{shown}）；"
                  "JSON/TOML 导出保留原样",
             f"note: {len(altered)} cells held control characters XLSX cannot store, replaced by visible symbols "
             f"({shown}); JSON/TOML exports keep them", err=True)
    _say(ctx, f"已导出 {count} 个项目到 {output}", f"exported {count} projects to {output}")


@click.command("record")
@click.argument("code")
@click.argument("event_type")
@click.option("--date", "date_", required=True, help=DATE_HELP)
@click.option("--note", default="", help="备注 / note")
@click.option("--actor", help="经办人或部门 / who did it")
@click.option("--supersedes", type=int, help="更正的事件编号 / id of the event this corrects")
@click.option("--force", is_flag=True, help="不符合规定也记录（记为问题）/ record even if refused, as a finding")
@click.pass_context
def record(ctx: click.Context, code: str, event_type: str, date_: str, note: str, actor: str | None,
           supersedes: int | None, force: bool) -> None:
    """Append one event to a project, through the same gates as the TUI."""
    from ..model import Event
    from ..store import Refused

    day = _day(date_, "date")
    with _store(ctx) as store:
        try:
            refusals = store.record_event(code, Event(event_type, day, actor=actor, note=note), force=force,
                                          supersedes=supersedes)
        except Refused as exc:
            echo(exc, err=True)
            _say(ctx, "如确需记录，请加 --force（将记为问题）", "to record it anyway use --force (it becomes a finding)",
                 err=True)
            sys.exit(1)
        except InputError as exc:
            _fail(exc.problems)
        except LookupError:
            _fail([Problem("code", code, "未知项目编号", "unknown project code")])
        for refusal in refusals:
            article = f"（第{refusal.article}条）" if refusal.article else ""
            echo(f"已强制记录，记为问题 / forced, recorded as a finding: {refusal.message}{article}", err=True)
        stage = store.evaluation(code).stage
    _say(ctx, f"已记录 {code} {event_type} {day}，当前阶段：{stage}", f"recorded {code} {event_type} {day}; stage: {stage}")


@click.command("rebuild")
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Recompute every project's stage, deadlines and findings from its events."""
    from ..store import ProjectQuery

    with _store(ctx) as store:
        total = store.count_projects(ProjectQuery())
        with _progress("重算 / rebuilding", total) as bar:
            count = store.rebuild(progress=bar.update)
    _say(ctx, f"已重算 {count} 个项目", f"rebuilt {count} projects")


@click.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check every event's hash chain; name each project and event changed behind the program's back."""
    with _store(ctx) as store:
        problems = store.verify()
        events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    for message in problems:
        echo(message, err=True)
    if problems:
        _say(ctx, f"校验失败：{len(problems)} 条事件有问题", f"verification failed: {len(problems)} events", err=True)
        sys.exit(1)
    _say(ctx, f"校验通过：{events} 条事件完好", f"verified: {events} events intact")


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@click.pass_context
def backup(ctx: click.Context, target: str | None) -> None:
    """Copy the database consistently while others may be using it (default: a dated file beside it)."""
    from ..files import file_problem

    with _store(ctx) as store:
        if target is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            target = str(store.path.with_name(f"{store.path.stem}-backup-{stamp}.db"))
        try:
            written = store.backup(target)
        except InputError as exc:
            _fail(exc.problems)
        except OSError as exc:
            _fail([file_problem(exc, "target", target)])
    _say(ctx, f"已备份到 {written}", f"backed up to {written}")


@click.command("demo")
@click.option("--count", default=300, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=2024, show_default=True, type=int)
@click.option("--replace", is_flag=True, help="先删除已有的演示数据库文件 / delete an existing file first")
@click.pass_context
def demo(ctx: click.Context, count: int, seed: int, replace: bool) -> None:
    """Create a realistic demo database; in a terminal, open the TUI on it afterwards."""
    from ..io.demo import create_demo, is_demo
    from ..store import default_db_path, resolve_db_path

    # Without --db or ZWXM_DB the demo lives in its own file beside the default database, never in it.
    explicit = (ctx.obj.get("db") if ctx.obj else None) or os.environ.get("ZWXM_DB")
    path = resolve_db_path(explicit) if explicit else default_db_path().with_name("demo.db")
    ctx.obj["db"] = str(path)
    if path.exists():
        with _store(ctx) as store:
            demo_file = is_demo(store)
        if not demo_file:  # never delete or mix into real data
            _fail([Problem("db", str(path), "这不是演示数据库，不会改动：请用 --db 指定新文件",
                           "not a demo database, leaving it alone: name a new file with --db")])
        if not replace:  # the demo is already there: open it again
            _say(ctx, f"演示数据库已存在：{path}（--replace 重新生成）", f"demo database exists: {path} (--replace to recreate)")
            _open_tui(ctx, path)
            return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    with _store(ctx) as store:
        created = create_demo(store, count=count, seed=seed)
    _say(ctx, f"已创建演示数据库 {path}：{created} 个项目", f"demo database {path}: {created} projects")
    _open_tui(ctx, path)


def _open_tui(ctx: click.Context, path: Path) -> None:
    """Open the TUI when a person is at a terminal; from a script, creating the file is all."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from . import launch_ui

        launch_ui(str(path), ctx.obj.get("lang_choice") if ctx.obj else None)


COMMANDS = [import_, export, record, demo, rebuild, verify, backup]
