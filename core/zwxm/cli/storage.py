"""`zwxm import | export | record | demo | rebuild | verify | backup`: the database from the command line.

Every command opens the database named by the global `--db` option (or ZWXM_DB, or the default in
the user data directory). Exit status: 0 done; 1 refused or partly done (an event refused by a
gate, rows rejected, a failed verification); 2 unusable input (bad option value, unreadable file,
unknown header, a database that is not ours or is newer than this program).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click

from ..io.export import EXPORT_FORMATS
from ..model import InputError, Problem
from .common import (
    DISTRICT,
    EVENT_TYPE,
    KIND,
    STAGE,
    STDIO,
    ListsValues,
    Progress,
    command_store,
    dump_json,
    lang_of,
    parse_day,
    say,
    stdin_file,
)
from .output import echo, fail

VERIFY_LINES = 100  # problems printed as text; --json lists every one


FIRST_REJECTS = 5  # named in the import's closing lines; --json lists them all


@click.command("import", cls=ListsValues)
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from-table", "table", help="从数据库中的暂存表导入 / import from a staging table in the database")
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "json", "jsonl", "toml", "xlsx"]),
              help="文件格式（默认按扩展名；从标准输入 - 读取时必填）/ format (default: from the extension; "
                   "required when FILE is -)")
@click.option("--encoding", help="文本编码（默认自动识别 UTF-8/GBK）/ text encoding (default: detect UTF-8/GBK)")
@click.option("--mapping", type=click.Path(dir_okay=False), help="列名映射文件 / header mapping file (TOML or JSON)")
@click.option("--contracts", type=click.Path(dir_okay=False),
              help="合同文件：每行一份合同（项目编号、合同编号、合同类型、供应商、合同金额、签订日期、备案日期）"
                   " / a file of contracts, one a row")
@click.option("--district", type=DISTRICT, help="未给出地区的行所属地区 / district for rows without one")
@click.option("--rejects", type=click.Path(dir_okay=False),
              help="拒绝行文件（CSV，默认在导入文件旁）/ rejects file (CSV, default: beside FILE)")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="每个事务的行数 / rows per transaction")
@click.option("--defer-derived", is_flag=True,
              help="暂不计算期限与问题，之后运行 zwxm rebuild / skip evaluation now, run `zwxm rebuild` later")
@click.option("--limit", "limits", multiple=True, metavar="NAME=N",
              help="放宽导入上限（可多次；见 docs/reliability.md）/ raise an import limit (repeatable): "
                   "size, document, rows, columns, cell, depth")
@click.option("--json", "as_json", is_flag=True,
              help="输出 JSON：汇总及每个被拒绝的行 / JSON output: the summary and every rejected row")
@click.pass_context
def import_(ctx: click.Context, file: str | None, table: str | None, fmt: str | None, encoding: str | None,
            mapping: str | None, contracts: str | None, district: str | None, rejects: str | None, batch_size: int,
            defer_derived: bool, limits: tuple[str, ...], as_json: bool) -> None:
    """Import projects from FILE (CSV, TSV, JSON, JSON lines, TOML, XLSX; `-` reads standard input)
    or from a staging table.

    导入项目：文件（CSV、TSV、JSON、JSON lines、TOML、XLSX；`-` 表示标准输入）或数据库暂存表。"""
    from ..io.importer import ImportStopped, import_file, import_table
    from ..io.limits import DEFAULT_LIMITS

    if (file is None) == (table is None):
        fail([Problem("file", None, "请给出文件或 --from-table 二者之一", "give either FILE or --from-table")])
    if contracts is not None and table is not None:
        fail([Problem("contracts", contracts, "--contracts 只用于文件导入", "--contracts goes with a FILE")])
    try:
        bounds = DEFAULT_LIMITS.raised(limits)
    except InputError as exc:
        fail(exc.problems)
    from_stdin = file == STDIO
    if from_stdin:
        if fmt is None:
            fail([Problem("format", None, "从标准输入导入时请用 --format 指定格式", "give --format when FILE is -")])
        file = str(stdin_file(f".{fmt}"))
        rejects = rejects or "stdin.rejects.csv"
    with command_store(ctx, ("导入", "import")) as store:
        progress = None

        def start(total: int) -> None:
            nonlocal progress
            progress = Progress(("导入", "importing"), total, lang_of(ctx))

        options: dict[str, Any] = dict(mapping_path=mapping, rejects_path=rejects, district=district, batch_size=batch_size,
                       derive=not defer_derived, on_start=start,
                       progress=lambda n: progress.update(n) if progress else None, limits=bounds)
        try:
            if table is not None:
                summary = import_table(store, table, **options)
            else:
                assert file is not None  # one of FILE and --from-table, checked above
                summary = import_file(store, file, fmt=fmt, encoding=encoding, contracts_path=contracts, **options)
        except InputError as exc:
            fail(exc.problems)
        except ImportStopped as exc:  # part done: say what is in, and that running it again continues
            if progress is not None:
                progress.close()
                progress = None
            _import_stopped(ctx, exc)
        finally:
            if progress is not None:
                progress.close()
        limit = "" if as_json else f" LIMIT {FIRST_REJECTS}"
        rejected = [dict(zip(("row", "code", "column", "value", "reason", "reason_en"), row)) for row in store.db.execute(
            f'SELECT row, code, "column", value, reason, reason_en FROM import_rejects WHERE import_id = ? ORDER BY id{limit}',
            [summary.import_id])]
    if as_json:
        dump_json({"import_id": summary.import_id, "source": STDIO if from_stdin else summary.source, "rows": summary.rows,
                   "inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged,
                   "rejected": summary.rejected, "encoding": summary.encoding, "deferred": defer_derived,
                   "rejects_file": str(summary.rejects_path) if summary.rejects_path else None, "rejects": rejected})
        sys.exit(1 if summary.rejected else 0)
    if from_stdin:
        summary.source = "standard input" if lang_of(ctx) == "en" else "标准输入"
    _say_imported(ctx, summary, rejected, defer_derived)
    sys.exit(1 if summary.rejected else 0)


def _import_stopped(ctx: click.Context, exc: Any) -> NoReturn:
    """An import stopped part way (ImportStopped): what is in, and that running it again continues."""
    done = exc.summary
    say(ctx, f"导入中断，已保存的批次保留：{done.line('zh')}；修复后再次运行同一命令即可继续",
         f"import stopped, the batches saved stay: {done.line('en')}; fix it and run the same command "
         f"again to continue", err=True)
    fail([exc.problem], status=1)


def _say_imported(ctx: click.Context, summary: Any, rejected: list[dict[str, Any]], defer_derived: bool) -> None:
    """The summary of a finished import for people: counts, the first rejected rows, where the rest are."""
    if summary.encoding not in (None, "utf-8"):
        say(ctx, f"注意：文件按 {summary.encoding} 编码读取", f"note: file read as {summary.encoding}", err=True)
    say(ctx, summary.line("zh"), summary.line("en"))
    if rejected:
        say(ctx, f"被拒绝的行（前 {len(rejected)} 条）：", f"rejected rows (the first {len(rejected)}):", err=True)
        for r in rejected:
            code = f" {r['code']}" if r["code"] else ""
            value = "" if r["value"] is None else f" {r['value']!r}"
            say(ctx, f"  第 {r['row']} 行{code} “{r['column']}”{value}：{r['reason']}",
                 f"  row {r['row']}{code} {r['column']!r}{value}: {r['reason_en']}", err=True)
    if summary.rejects_path is not None:
        say(ctx, f"全部被拒绝的行及原因见 {summary.rejects_path}（以及数据库表 import_rejects，import_id={summary.import_id}）",
             f"every rejected row with its reasons: {summary.rejects_path} (and table import_rejects, import_id="
             f"{summary.import_id})", err=True)
    if defer_derived:
        say(ctx, "期限与问题尚未计算：请运行 zwxm rebuild", "deadlines and findings not computed yet: run `zwxm rebuild`",
             err=True)


@click.command("export", cls=ListsValues)
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--code", "codes", multiple=True, help="项目编号（可多次）/ project code (repeatable)")
@click.option("--district", type=DISTRICT, help="只导出该地区 / only this district")
@click.option("--stage", type=STAGE, help="只导出该阶段 / only this stage")
@click.option("--kind", type=KIND, help="只导出该类型 / only this kind")
@click.option("--year", type=int, help="只导出该预算年度 / only this budget year")
@click.option("--text", default="", help="按编号、名称、单位、拼音筛选 / filter by code, name, unit or pinyin")
@click.option("--overdue", is_flag=True, help="只导出逾期项目 / overdue projects only")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="格式（默认按扩展名；输出到标准输出 - 时必填）/ format (default: from the extension; required "
                   "for -, standard output)")
@click.pass_context
def export(ctx: click.Context, output: str, codes: tuple[str, ...], district: str | None, stage: str | None,
           kind: str | None, year: int | None, text: str, overdue: bool, fmt: str | None) -> None:
    """Export one project (--code) or every project matching a filter to TOML, JSON, CSV or XLSX
    (OUTPUT `-` writes standard output); `zwxm import` reads each back unchanged.

    导出项目（--code 或筛选条件）为 TOML、JSON、CSV 或 XLSX；OUTPUT 为 `-` 时写到标准输出。"""
    from ..io.export import export_stored
    from ..store import ProjectQuery

    if output == STDIO and fmt is None:
        fail([Problem("format", None, "输出到标准输出时请用 --format 指定格式", "give --format when OUTPUT is -")])
    with command_store(ctx) as store:
        if codes:
            missing = [c for c in codes if store.project(c) is None]
            if missing:
                fail([Problem("code", c, "未知项目编号", "unknown project code") for c in missing])
            selected = list(codes)
        else:
            query = ProjectQuery(text=text, district=district, stage=stage, kind=kind, year=year, overdue_only=overdue)
            selected = store.project_codes(query)
        target = Path(tempfile.mkstemp(prefix="zwxm-export-")[1]) if output == STDIO else Path(output)
        altered: list[str] = []
        try:
            with Progress(("导出", "exporting"), len(selected), lang_of(ctx)) as progress:
                count = export_stored(store, selected, target, fmt, progress.update, altered)
            if output == STDIO:
                with target.open("rb") as f:
                    shutil.copyfileobj(f, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        except InputError as exc:
            fail(exc.problems)
        except ValueError as exc:
            fail([exc])
        finally:
            if output == STDIO:
                target.unlink(missing_ok=True)
    if altered:
        shown = "、".join(altered[:5]) + (" …" if len(altered) > 5 else "")
        say(ctx, f"注意：{len(altered)} 个单元格含 XLSX 无法保存的控制字符，已替换为可见符号（{shown}）；"
                  "JSON/TOML 导出保留原样",
             f"note: {len(altered)} cells held control characters XLSX cannot store, replaced by visible symbols "
             f"({shown}); JSON/TOML exports keep them", err=True)
    say(ctx, f"已导出 {count} 个项目到 {_where(output)}", f"exported {count} projects to {_where(output, 'en')}",
         err=output == STDIO)


def _where(output: str, lang: str = "zh") -> str:
    return ("standard output" if lang == "en" else "标准输出") if output == STDIO else output


@click.command("record", cls=ListsValues)
@click.argument("code")
@click.argument("event_type", type=EVENT_TYPE)
@click.option("--date", "date_", help="事件日期 YYYY-MM-DD（默认今天；晚于今天须 --force）/ date (default today; "
                                      "a later one needs --force)")
@click.option("--note", default="", help="备注 / note")
@click.option("--actor", help="经办人或部门 / who did it")
@click.option("--supersedes", type=int, help="更正的事件编号 / id of the event this corrects")
@click.option("--force", is_flag=True, help="不符合规定也记录（记为问题）/ record even if refused, as a finding")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：记录结果、阶段、被强制越过的规定 / JSON output")
@click.option("--contract", help="事件所属合同编号（签订、备案、验收）/ the contract the event belongs to")
@click.option("--phase", help="事件所属分期（验收）/ the phase the event belongs to")
@click.pass_context
def record(ctx: click.Context, code: str, event_type: str, date_: str | None, note: str, actor: str | None,
           supersedes: int | None, force: bool, as_json: bool, contract: str | None, phase: str | None) -> None:
    """Append one event to a project, through the same checks as the TUI.

    给项目记录一个事件（与 TUI 相同的检查；EVENT_TYPE 可用键或中英文名称，如 合同备案）。"""
    from ..lifecycle import STAGES
    from ..model import Event
    from ..store import Refused
    from ..vocab import label, pick

    day = parse_day(date_, "date") if date_ is not None else dt.date.today()
    lang = lang_of(ctx)
    with command_store(ctx, ("记录事件", "record an event")) as store:
        names = store.registry.event_types[event_type]
        name = pick(lang, names.label, names.label_en)
        try:
            refusals = store.record_event(code, Event(event_type, day, actor=actor, note=note, contract=contract,
                                                      phase=phase), force=force, supersedes=supersedes)
        except Refused as exc:
            say(ctx, f"项目 {code} 不能记录“{name}”（{day}）：", f"project {code}: “{name}” ({day}) refused:", err=True)
            for refusal in exc.refusals:
                echo(f"  {_refusal_text(refusal, lang)}", err=True)
            say(ctx, "如确需记录，请加 --force（将记为问题）", "to record it anyway use --force (it becomes a finding)",
                 err=True)
            sys.exit(1)
        except InputError as exc:
            fail(exc.problems)
        except LookupError:
            fail([Problem("code", code, "未知项目编号", "unknown project code")])
        stage = store.evaluation(code).stage
    if as_json:
        dump_json({"code": code, "event": event_type, "date": day.isoformat(), "stage": stage, "forced": bool(refusals),
                   "refusals": [{"rule": r.rule, "article": r.article, "district": r.district, "message": r.message,
                                 "message_en": r.message_en} for r in refusals]})
        return
    for refusal in refusals:
        say(ctx, f"已强制记录，记为问题：{_refusal_text(refusal, lang)}",
             f"forced, recorded as a finding: {_refusal_text(refusal, lang)}", err=True)
    say(ctx, f"已记录 {code} {name} {day}，当前阶段：{label(STAGES, stage, 'zh')}",
         f"recorded {code} {name} {day}; stage: {label(STAGES, stage, 'en')}")


def _refusal_text(refusal: Any, lang: str) -> str:
    from ..vocab import article_text, pick

    text = pick(lang, refusal.message, refusal.message_en)
    if refusal.article is None:
        return text
    return f"{text} ({article_text(refusal.article, lang)})" if lang == "en" else f"{text}（{article_text(refusal.article)}）"


@click.command("rebuild")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：重算的项目数 / JSON output: projects rebuilt")
@click.pass_context
def rebuild(ctx: click.Context, as_json: bool) -> None:
    """Recompute every project's stage, deadlines and findings from its events.

    按事件重新计算每个项目的阶段、期限和问题。"""
    from ..store import ProjectQuery

    with command_store(ctx, ("重算派生表", "rebuild the derived tables")) as store:
        total = store.count_projects(ProjectQuery())
        with Progress(("重算", "rebuilding"), total, lang_of(ctx)) as progress:
            count = store.rebuild(progress=progress.update)
    if as_json:
        dump_json({"rebuilt": count})
        return
    say(ctx, f"已重算 {count} 个项目", f"rebuilt {count} projects")


@click.command("verify")
@click.option("--since", metavar="DIGEST", help="证明当前登记册延续了具有该记录头的登记册 / prove the register extends "
                                              "the one whose head had this digest")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部问题和记录头 / every problem and the head as JSON")
@click.pass_context
def verify(ctx: click.Context, since: str | None, as_json: bool) -> None:
    """Check the register against its log of writes: name every row deleted, changed or added outside
    zwxm, every break in the log, every missing or altered trigger; print the head to keep elsewhere."""
    with command_store(ctx) as store:
        result = store.verify_register(since)
        events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    head = result.head
    if as_json:
        dump_json(result.to_dict())
        sys.exit(1 if result.problems else 0)
    shown = result.problems[:VERIFY_LINES]
    for problem in shown:
        echo(str(problem), err=True)
    if len(result.problems) > len(shown):
        rest = len(result.problems) - len(shown)
        say(ctx, f"……另有 {rest} 个问题（--json 列出全部）", f"... and {rest} more (--json lists every one)", err=True)
    say(ctx, f"记录头：{head.digest}（{head.writes} 次写入）", f"head: {head.digest} ({head.writes} writes)")
    if result.problems:
        say(ctx, f"校验失败：{len(result.problems)} 个问题", f"verification failed: {len(result.problems)} problems",
             err=True)
        sys.exit(1)
    if result.since is not None:
        say(ctx, f"当前登记册延续了记录头 {result.since.digest}（第 {result.since.writes} 次写入）的登记册，此后又有 "
                  f"{head.writes - result.since.writes} 次写入", f"the register extends the one whose head was "
                  f"{result.since.digest} (write {result.since.writes}); {head.writes - result.since.writes} writes since")
    say(ctx, f"校验通过：{head.writes} 次写入与各表一致，{events} 条事件完好",
         f"verified: {head.writes} writes match the tables, {events} events intact")


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@click.pass_context
def backup(ctx: click.Context, target: str | None) -> None:
    """Copy the database consistently while others may be using it (default: a dated file beside it)."""
    from ..files import file_problem

    with command_store(ctx) as store:
        if target is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            target = str(store.path.with_name(f"{store.path.stem}-backup-{stamp}.db"))
        try:
            written = store.backup(target)
        except InputError as exc:
            fail(exc.problems)
        except OSError as exc:
            fail([file_problem(exc, "target", target)])
    say(ctx, f"已备份到 {written}", f"backed up to {written}")


@click.command("demo")
@click.option("--count", default=300, show_default=True, type=click.IntRange(1, 100_000),
              help="演示项目个数 / number of demo projects")
@click.option("--seed", default=2024, show_default=True, type=int,
              help="随机种子：同一种子得到同样的演示数据 / random seed: the same seed gives the same demo")
@click.option("--replace", is_flag=True, help="先删除已有的演示数据库文件 / delete an existing demo file first")
@click.option("--remove", is_flag=True, help="删除演示数据库文件，不打开 / delete the demo file and stop")
@click.pass_context
def demo(ctx: click.Context, count: int, seed: int, replace: bool, remove: bool) -> None:
    """Create (or reopen) the demo database in its own file and open the TUI on it in a terminal.

    演示数据库是单独的文件（默认为您的数据库旁的 demo.db），从不写入您自己的数据库；
    演示项目编号为 XX-DEMO-nnnn，带“演示”标签。不带子命令的 zwxm 仍打开您自己的数据库。"""
    from ..io.demo import create_demo, demo_path_for, is_demo
    from ..store import default_db_path, resolve_db_path

    if ctx.obj and ctx.obj.get("read_only"):
        fail([Problem("--read-only", None, "只读模式：不能创建演示数据库", "read-only mode: cannot create a demo database")])
    # Without --db or ZWXM_DB the demo lives in its own file beside the default database, never in it.
    explicit = (ctx.obj.get("db") if ctx.obj else None) or os.environ.get("ZWXM_DB")
    path = resolve_db_path(explicit) if explicit else demo_path_for(default_db_path())
    ctx.obj["db"] = str(path)
    if path.exists():
        with command_store(ctx) as store:
            demo_file = is_demo(store)
        if not demo_file:  # never delete or mix into real data
            fail([Problem("db", str(path), "这不是演示数据库（或其中有非演示项目），不会改动：请用 --db 指定新文件",
                           "not a demo database (or it holds projects that are not demo ones), leaving it alone: "
                           "name a new file with --db")])
        if remove:
            _unlink_database(path)
            say(ctx, f"已删除演示数据库 {path}", f"removed the demo database {path}")
            return
        if not replace:  # the demo is already there: open it again
            say(ctx, f"演示数据库已存在：{path}（--replace 重新生成，--remove 删除）",
                 f"demo database exists: {path} (--replace to recreate, --remove to delete)")
            _where_data(ctx, path)
            _open_tui(ctx, path)
            return
        _unlink_database(path)
    elif remove:
        say(ctx, f"没有演示数据库：{path}", f"no demo database at {path}")
        return
    with command_store(ctx) as store, Progress(("生成演示数据", "creating the demo"), count, lang_of(ctx)) as progress:
        created = create_demo(store, count=count, seed=seed, progress=progress.update)
    say(ctx, f"已创建演示数据库 {path}：{created} 个项目", f"demo database {path}: {created} projects")
    _where_data(ctx, path)
    _open_tui(ctx, path)


def _unlink_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _where_data(ctx: click.Context, demo_path: Path) -> None:
    """Which file the demo is and which one plain `zwxm` opens, so no one mistakes one for the other."""
    from ..store import resolve_db_path

    own = resolve_db_path(None)
    if own != demo_path:
        say(ctx, f"您自己的数据库（不带子命令的 zwxm 打开它）：{own}",
             f"your own database (plain `zwxm` opens it): {own}")


def _open_tui(ctx: click.Context, path: Path) -> None:
    """Open the TUI when a person is at a terminal; from a script, creating the file is all."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from . import launch_ui

        launch_ui(str(path), ctx.obj.get("lang_choice") if ctx.obj else None)


COMMANDS = [import_, export, record, demo, rebuild, verify, backup]
