"""The `zwxm` command. With no sub-command it opens the TUI on the default database."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__

# Modules that contribute sub-commands; each exposes COMMANDS, a list of click commands.
COMMAND_MODULES = ("zwxm.cli.calendar", "zwxm.cli.storage")


def fail(problems: list[Any]) -> None:
    """Print one line per problem (field, value, reason) on stderr and exit with status 2."""
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(2)


def _date(value: str | None, field: str) -> dt.date | None:
    from ..model import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        click.echo(f"{field}: {value!r}: 日期无效，应为 YYYY-MM-DD / invalid date, expected YYYY-MM-DD", err=True)
        sys.exit(2)


def _registry():
    from ..plugins import RegistryError, get_registry

    try:
        return get_registry()
    except RegistryError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _load(path: str):
    from ..model import InputError, load_project
    from ..io.projectfile import read_data_file

    try:
        return load_project(read_data_file(path))
    except InputError as exc:
        fail(exc.problems)


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


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


@click.group(cls=_Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zwxm")
@click.option("--db", "db_path", envvar="ZWXM_DB", type=click.Path(dir_okay=False), help="数据库文件 / database file")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="ZWXM_LANG", default=None,
              help="界面语言（默认中文；TUI 记住上次的选择）/ language (default Chinese; the TUI remembers your choice)")
@click.option("--calendar-file", "calendar_files", multiple=True, type=click.Path(dir_okay=False),
              help="节假日覆盖文件（可多次）/ holiday override TOML (repeatable); see docs/calendar.md")
@click.option("--actor", envvar="ZWXM_ACTOR", help="以谁的名义写入（默认：操作系统用户）；记入每次写入 / who writes "
                                                 "(default: the OS user); recorded with every write")
@click.option("--read-only", "read_only", is_flag=True, help="只读打开数据库：只能查看，不能写入 / open the database "
                                                              "read-only: look, never write")
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
    entry = found.get("tui") or found[min(found)]
    options = {"actor": actor, "read_only": read_only} if actor or read_only else {}  # a UI without them still runs
    entry.load()(db_path=db_path, lang=lang, **options)


@cli.command()
@click.argument("project_file", type=click.Path())
@click.option("--as-of", "as_of", help="评估日期 YYYY-MM-DD（默认今天）/ evaluation date")
@click.option("--district", help="按另一地区评估 / evaluate under another district")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（公开契约，见 docs/evaluation.md）")
@click.pass_context
def evaluate(ctx: click.Context, project_file: str, as_of: str | None, district: str | None, as_json: bool) -> None:
    """Evaluate one project file (TOML or JSON)."""
    from ..evaluation import evaluate as run_evaluation
    from ..model import InputError
    from ..io.report import render_evaluation

    day = _date(as_of, "as_of")
    project = _load(project_file)
    registry = _registry()
    try:
        result = run_evaluation(project, day, district, registry)
    except InputError as exc:
        fail(exc.problems)
    if as_json:
        _dump(result.to_dict())
    else:
        click.echo(render_evaluation(result, ctx.obj["lang"]))


@cli.command()
@click.argument("project_file", type=click.Path())
@click.option("--as-of", "as_of", help="评估日期 YYYY-MM-DD / evaluation date")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def compare(ctx: click.Context, project_file: str, as_of: str | None, as_json: bool) -> None:
    """Evaluate one project under every installed district, side by side."""
    from ..compare import compare_project, render_comparison
    from ..model import InputError

    day = _date(as_of, "as_of")
    project = _load(project_file)
    try:
        results = compare_project(project, day, _registry())
    except InputError as exc:
        fail(exc.problems)
    if as_json:
        _dump({code: r.to_dict() for code, r in results.items()})
    else:
        click.echo(render_comparison(results, ctx.obj["lang"]))


@cli.command()
@click.option("--as-of", "as_of", help="状态日期 / status as of")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def districts(ctx: click.Context, as_of: str | None, as_json: bool) -> None:
    """List the installed district plugins with their regulation status."""
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
        click.echo(f"{r['district']:<10} {name}  《{r['title']}》 {r['number']}  "
                   f"[{label(REGULATION_STATUSES, r['status'], lang)}]  {r['rules']} rules  ({r['plugin']})")
    for problem in registry.problems:
        click.echo(f"! {problem}", err=True)


@cli.command()
@click.argument("district")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def rules(ctx: click.Context, district: str, as_json: bool) -> None:
    """List every rule of a district with its article, and the articles no rule covers."""
    from ..model import Problem
    from ..vocab import REGULATION_STATUSES, label

    registry = _registry()
    if district not in registry.districts:
        fail([Problem("district", district, f"未知地区（已安装：{'、'.join(sorted(registry.districts))}）",
                      "unknown district")])
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
    en = ctx.obj["lang"] == "en"
    click.echo(f"《{regulation.title}》 {regulation.number} [{label(REGULATION_STATUSES, status, ctx.obj['lang'])}]")
    for a in articles:
        if a["rules"]:
            names = "; ".join(f"{r['key']} ({r['kind']}) {r['title_en'] if en and r['title_en'] else r['title']}" for r in a["rules"])
            click.echo(f"第{a['article']}条  {names}")
        else:
            reason = a.get("not_automatable") or ("NOT COVERED" if en else "未覆盖")
            click.echo(f"第{a['article']}条  — {reason}")
    click.echo(f"{'coverage' if en else '覆盖率'}: {summary['covered']} covered + {summary['explained']} explained "
               f"/ {summary['articles']} articles = {summary['coverage']:.0%}")


@cli.command()
@click.argument("district", required=False)
def scenarios(district: str | None) -> None:
    """Run the scenario files of every installed district (or one) and report each result."""
    from ..model import InputError
    from ..testing.scenarios import ScenarioFailure, load_scenario, run_scenario, scenario_files

    registry = _registry()
    passed = failed = 0
    for code, path in scenario_files(registry):
        if district and code != district:
            continue
        try:
            run_scenario(load_scenario(path), registry)
            passed += 1
        except (ScenarioFailure, InputError) as exc:
            failed += 1
            click.echo(f"FAIL {code}/{path.name}: {exc}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def main() -> None:
    cli(prog_name="zwxm")
