"""The `zwxm` command. With no sub-command it opens the TUI on the default database."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from .common import DISTRICT, READ_ONLY_ENV, ListsValues

# Modules that contribute sub-commands; each exposes COMMANDS, a list of click commands.
COMMAND_MODULES = ("zwxm.cli.calendar", "zwxm.cli.storage", "zwxm.cli.deadlines", "zwxm.cli.serve",
                   "zwxm.cli.scaffold")


def fail(problems: list[Any]) -> NoReturn:
    """Print one line per problem (field, value, reason) on stderr and exit with status 2."""
    from .output import fail as report

    report([str(p) for p in problems])


def echo(text: object, err: bool = False) -> None:
    """One line of output through the one escaping path (cli/output.py, loaded when first needed)."""
    from .output import echo as safe_echo

    safe_echo(text, err)


def _date(value: str | None, field: str) -> dt.date | None:
    """A date option, None when not given; a bad one is named as every command names it, exit 2."""
    from .common import parse_day

    return None if value is None else parse_day(value, field)


def _registry():
    """The installed plugins; each one left out is named on stderr (the others work)."""
    from ..plugins import RegistryError, get_registry

    try:
        registry = get_registry()
    except RegistryError as exc:
        echo(str(exc), err=True)
        sys.exit(2)
    for problem in registry.problems:
        echo(f"! {problem}", err=True)
    return registry


def _load(path: str, code: str | None):
    """One project from a project file, or from a file of several (what `zwxm export` writes) by
    its --code; `-` reads standard input."""
    import attrs

    from ..io.projectfile import read_data_file
    from ..model import InputError, Problem, load_project
    from .common import STDIO, stdin_file

    source = stdin_file() if path == STDIO else path
    try:
        data = read_data_file(source)
        # an export: its projects (and who wrote them, `recorded`, which evaluation leaves aside)
        export = isinstance(data.get("projects"), list) and set(data) <= {"projects", "recorded"}
        items = data["projects"] if export else [data]
        codes = [item.get("code") if isinstance(item, dict) else None for item in items]
        if code is not None:
            if code not in codes:
                raise InputError([Problem("code", code, f"文件中没有这个项目（有：{_some(codes)}）",
                                          f"no such project in the file (it has: {_some(codes)})")])
            item = items[codes.index(code)]
        elif len(items) == 1:
            item = items[0]
        else:
            raise InputError([Problem("code", None, f"文件中有 {len(items)} 个项目：请用 --code 指定其一（{_some(codes)}）",
                                      f"the file holds {len(items)} projects: choose one with --code ({_some(codes)})")])
        return load_project(item)
    except InputError as exc:  # standard input is named as the reader typed it
        fail([attrs.evolve(p, value=STDIO) if path == STDIO and p.value == str(source) else p for p in exc.problems])


def _some(codes: list[Any], shown: int = 5) -> str:
    named = [str(c) for c in codes[:shown]]
    return ", ".join(named) + (f" … ({len(codes)})" if len(codes) > shown else "")


def _dump(data: Any) -> None:
    from .common import dump_json

    dump_json(data)


class _Commands(click.Group):
    """Sub-commands of COMMAND_MODULES are imported when first asked for, so that `zwxm` alone
    (the TUI) starts without loading what only the other commands need."""

    _loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for name in COMMAND_MODULES:
                for command in importlib.import_module(name).COMMANDS:
                    self.add_command(command)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and not self._loaded:
            self._load()
            command = super().get_command(ctx, name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C stops the command with status 130, naming the plugin rule that was running if any
        (see docs/plugins.md: a KeyboardInterrupt raised in a rule is taken as the operator's Ctrl-C)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            where = f": {exc}" if str(exc) else ""
            click.echo(f"已中断，进行中的写入已撤销（此前已提交的保留）/ interrupted, the write in progress was rolled back (earlier commits are kept){where}", err=True)
            sys.exit(130)


@click.group(cls=_Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zwxm")
@click.option("--db", "db_path", envvar="ZWXM_DB", type=click.Path(dir_okay=False), help="数据库文件（默认：ZWXM_DB，否则用户数据目录下的 zwxm.db）/ database file (default: ZWXM_DB, "
                   "else zwxm.db in the user data directory)")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="ZWXM_LANG", default=None,
              help="界面语言（默认中文；TUI 记住上次的选择）/ language (default Chinese; the TUI remembers your choice)")
@click.option("--calendar-file", "calendar_files", multiple=True, type=click.Path(dir_okay=False),
              help="节假日覆盖文件（可多次）/ holiday override TOML (repeatable); see docs/calendar.md")
@click.option("--actor", envvar="ZWXM_ACTOR", help="以谁的名义写入（默认：操作系统用户）；记入每次写入 / who writes "
                                                 "(default: the OS user); recorded with every write")
@click.option("--read-only", "read_only", is_flag=True, envvar=READ_ONLY_ENV,
              help="只读打开数据库：只能查看，不能写入 / open the database read-only: look, never write")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, lang: str, calendar_files: tuple[str, ...], actor: str | None,
        read_only: bool) -> None:
    """政务项目 zwxm: where each government IT project stands, what is due, and what is out of line."""
    if calendar_files:  # the calendar reads ZWXM_CALENDAR when it is first built, in this process and in children
        existing = os.environ.get("ZWXM_CALENDAR")
        os.environ["ZWXM_CALENDAR"] = os.pathsep.join([*filter(None, [existing]), *calendar_files])
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path
    ctx.obj["lang"] = lang or "zh"
    ctx.obj["lang_choice"] = lang  # None when not given: the TUI then uses its saved setting
    ctx.obj["actor"] = actor
    ctx.obj["read_only"] = read_only
    if ctx.invoked_subcommand is None:
        launch_ui(db_path, lang, actor=actor, read_only=read_only)  # lang None: the UI's saved setting


def launch_ui(db_path: str | None, lang: str | None, *, actor: str | None = None, read_only: bool = False) -> None:
    """Open the user interface registered in the `zwxm.ui` entry point group (the TUI registers `tui`);
    the core never imports a UI itself."""
    found = {entry.name: entry for entry in importlib.metadata.entry_points(group="zwxm.ui")}
    if not found:
        click.echo("未安装用户界面（入口组 zwxm.ui）：请使用子命令，见 zwxm --help / "
                   "no user interface is installed (entry point group zwxm.ui): use the sub-commands, see zwxm --help",
                   err=True)
        sys.exit(2)
    # A script would have the UI wait for keys forever; a Textual host (textual-serve, behind `zwxm serve
    # --tui`) drives the app through pipes and says so with TEXTUAL_DRIVER.
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not os.environ.get("TEXTUAL_DRIVER"):
        click.echo("不带子命令的 zwxm 打开界面，需要在终端中运行；脚本请用子命令（见 zwxm --help）/ plain `zwxm` opens "
                   "the user interface and needs a terminal; scripts use the sub-commands (see zwxm --help)", err=True)
        sys.exit(2)
    entry = found.get("tui") or found[min(found)]
    options = {"actor": actor, "read_only": read_only} if actor or read_only else {}  # a UI without them still runs
    entry.load()(db_path=db_path, lang=lang, **options)


CODE_HELP = "文件含多个项目时（如 zwxm export 的输出）选其一 / the project to use from a file of several (as `zwxm export` writes)"


@cli.command(cls=ListsValues)
@click.argument("project_file", type=click.Path(allow_dash=True))
@click.option("--code", help=CODE_HELP)
@click.option("--as-of", "as_of", help="评估日期 YYYY-MM-DD（默认今天）/ evaluation date (default today)")
@click.option("--district", type=DISTRICT, help="按另一地区评估 / evaluate under another district")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（公开契约，见 docs/evaluation.md）/ JSON output")
@click.pass_context
def evaluate(ctx: click.Context, project_file: str, code: str | None, as_of: str | None, district: str | None,
             as_json: bool) -> None:
    """Evaluate one project file (TOML or JSON; `-` reads standard input).

    评估一个项目文件（TOML 或 JSON；`-` 表示标准输入）。"""
    from ..evaluation import evaluate as run_evaluation
    from ..io.report import render_evaluation
    from ..model import InputError

    day = _date(as_of, "as_of")
    project = _load(project_file, code)
    registry = _registry()
    try:
        result = run_evaluation(project, day, district, registry)
    except InputError as exc:
        fail(exc.problems)
    if as_json:
        _dump(result.to_dict())
    else:
        click.echo(render_evaluation(result, ctx.obj["lang"], registry))


@cli.command()
@click.argument("project_file", type=click.Path(allow_dash=True))
@click.option("--code", help=CODE_HELP)
@click.option("--as-of", "as_of", help="评估日期 YYYY-MM-DD（默认今天）/ evaluation date (default today)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON，按地区分列 / JSON output, one evaluation per district")
@click.pass_context
def compare(ctx: click.Context, project_file: str, code: str | None, as_of: str | None, as_json: bool) -> None:
    """Evaluate one project under every installed district, side by side (`-` reads standard input).

    同一项目按每个已安装地区的规定分别评估、对照。"""
    from ..compare import compare_project, render_comparison
    from ..model import InputError

    day = _date(as_of, "as_of")
    project = _load(project_file, code)
    registry = _registry()
    try:
        results = compare_project(project, day, registry)
    except InputError as exc:
        fail(exc.problems)
    if as_json:
        _dump({code: r.to_dict() for code, r in results.items()})
    else:
        click.echo(render_comparison(results, ctx.obj["lang"], registry))


@cli.command()
@click.option("--as-of", "as_of", help="按此日期判断规定是否有效 YYYY-MM-DD（默认今天）/ regulation status as of this date")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@click.pass_context
def districts(ctx: click.Context, as_of: str | None, as_json: bool) -> None:
    """List the installed district plugins with their regulation status.

    列出已安装的地区插件及其规定的效力状态。"""
    from ..vocab import REGULATION_STATUSES, label

    day = _date(as_of, "as_of") or dt.date.today()
    registry = _registry()
    rows = []
    for code, d in sorted(registry.districts.items()):
        reg = d.regulation
        rows.append({"district": code, "name": d.name, "name_en": d.name_en, "plugin": registry.district_plugin[code],
                     "title": reg.title, "number": reg.number, "status": reg.status_on(day),
                     "effective_from": reg.effective_from.isoformat() if reg.effective_from else None,
                     "effective_until": reg.effective_until.isoformat() if reg.effective_until else None,
                     "rules": len(registry.rules_for(code))})
    if as_json:
        _dump({"districts": rows, "problems": [str(p) for p in registry.problems]})
        return
    lang = ctx.obj["lang"]
    for r in rows:
        name = r["name_en"] if lang == "en" else r["name"]
        count = f"{r['rules']} rules" if lang == "en" else f"{r['rules']} 条规则"
        echo(f"{name}（{r['district']}）  《{r['title']}》 {r['number']}  "
                   f"[{label(REGULATION_STATUSES, r['status'], lang)}]  {count}  ({r['plugin']})")


@cli.command(cls=ListsValues)
@click.argument("district", type=DISTRICT)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@click.pass_context
def rules(ctx: click.Context, district: str, as_json: bool) -> None:
    """List every rule of a district with its article, and the articles no rule covers.

    列出一个地区的每条规则及其依据条款，以及没有规则覆盖的条款。"""
    from ..vocab import REGULATION_STATUSES, RULE_KINDS, article_text, label, pick

    registry = _registry()
    coverage = registry.coverage(district)
    regulation = registry.districts[district].regulation
    status = regulation.status_on(dt.date.today())
    articles = []
    for number, covered in coverage.items():
        if isinstance(covered, list):
            articles.append({"article": number, "rules": [{"key": r.key, "kind": r.kind, "title": r.title,
                                                           "title_en": r.title_en} for r in covered]})
        else:
            articles.append({"article": number, "rules": [], "not_automatable": covered or None})
    counted = [a for a in articles if a["rules"] or a.get("not_automatable")]
    summary = {"articles": len(articles), "covered": sum(1 for a in articles if a["rules"]),
               "explained": sum(1 for a in articles if a.get("not_automatable")),
               "coverage": round(len(counted) / len(articles), 3) if articles else 0.0}
    if as_json:
        _dump({"district": district, "regulation": {"title": regulation.title, "number": regulation.number,
                                                    "status": status}, "articles": articles, "summary": summary})
        return
    lang = ctx.obj["lang"]
    en = lang == "en"
    echo(f"《{regulation.title}》 {regulation.number} [{label(REGULATION_STATUSES, status, lang)}]")
    for a in articles:
        if a["rules"]:
            names = "; ".join(f"[{label(RULE_KINDS, r['kind'], lang)}] {pick(lang, r['title'], r['title_en'])}"
                              for r in a["rules"])
            echo(f"{article_text(a['article'], lang)}  {names}")
        else:
            reason = a.get("not_automatable") or ("NOT COVERED" if en else "未覆盖")
            echo(f"{article_text(a['article'], lang)}  — {pick(lang, *reason.split(' / ', 1))}")
    if en:
        click.echo(f"coverage: {summary['covered']} covered + {summary['explained']} explained "
                   f"/ {summary['articles']} articles = {summary['coverage']:.0%}")
    else:
        click.echo(f"覆盖率：{summary['covered']} 条有规则 + {summary['explained']} 条已说明 / 共 {summary['articles']} 条"
                   f" = {summary['coverage']:.0%}")


@cli.command(cls=ListsValues)
@click.argument("district", type=DISTRICT, required=False)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：每个场景文件及结果 / JSON output: each scenario and its result")
@click.pass_context
def scenarios(ctx: click.Context, district: str | None, as_json: bool) -> None:
    """Run the scenario files of every installed district (or one) and report each result.

    运行每个（或指定）地区插件自带的场景测试文件并报告结果。"""
    from ..model import InputError
    from ..testing.scenarios import ScenarioFailure, load_scenario, run_scenario, scenario_files

    registry = _registry()
    results: list[dict[str, Any]] = []
    for code, path in scenario_files(registry):
        if district and code != district:
            continue
        try:
            run_scenario(load_scenario(path), registry)
            results.append({"district": code, "file": str(path), "passed": True, "message": None})
        except (ScenarioFailure, InputError) as exc:
            results.append({"district": code, "file": str(path), "passed": False, "message": str(exc)})
    passed = sum(r["passed"] for r in results)
    failed = len(results) - passed
    if as_json:
        _dump({"passed": passed, "failed": failed, "scenarios": results})
    else:
        for r in results:
            if not r["passed"]:
                click.echo(f"{'FAIL' if ctx.obj['lang'] == 'en' else '失败'} {r['district']}/{Path(r['file']).name}: "
                           f"{r['message']}")
        click.echo(f"{passed} passed, {failed} failed" if ctx.obj["lang"] == "en" else f"{passed} 个通过，{failed} 个失败")
    sys.exit(1 if failed else 0)


def main() -> None:
    from ..settings import setting_problems
    from .output import fail

    if problems := setting_problems():  # named before any command runs, not a traceback or a default
        fail(problems)
    cli(prog_name="zwxm")
