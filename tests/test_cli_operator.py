"""The command line as an operator meets it: labels instead of keys, choices by key or label with
their values in --help, future dates refused in every district, and a demo that stays in its own
file. Real `zwxm` subprocesses on real files."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from tests import ZWXM
from zwxm.lifecycle import STAGES
from zwxm.plugins import get_registry
from zwxm.store import ProjectQuery, Store
from zwxm.vocab import DEADLINE_STATUSES, FUNDINGS, KINDS, REGULATION_STATUSES, RULE_KINDS, SEVERITIES

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "docs" / "examples" / "project.toml"
TODAY = dt.date.today()


def run(*args: str, db: Path | None = None, lang: str | None = None, env: dict | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    command = [ZWXM, *(["--db", str(db)] if db else []), *(["--lang", lang] if lang else []), *args]
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            env={**base, **(env or {})}, cwd=cwd, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """A small demo: its first four projects are the fixed examples (one per district)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run("demo", "--count", "12", db=path).returncode == 0
    return path


def copy_of(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    assert run("backup", str(target), db=db).returncode == 0
    return target


# --- Help and choices -------------------------------------------------------------------------


def test_every_option_of_every_command_has_help_text():
    from zwxm.cli import cli

    ctx = click.Context(cli)
    commands = {"zwxm": cli, **{name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}}
    missing = [f"{name} {param.opts[0]}" for name, command in commands.items() for param in command.params
               if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
               and param.name not in ("help", "version")]
    assert missing == []
    assert all(command.help for command in commands.values())


def test_help_lists_the_values_of_each_vocabulary():
    record = run("record", "--help")
    assert record.returncode == 0
    text = " ".join(record.stdout.split())  # help wraps long labels
    for key, event_type in get_registry().event_types.items():
        assert key in text and event_type.label in text and event_type.label_en in text
    export = " ".join(run("export", "--help").stdout.split())
    for key, (zh, _en) in {**STAGES, **KINDS}.items():
        assert key in export and zh in export
    assert "罗湖区" in export and "Wuxing District" in export


def test_record_takes_the_key_or_either_label_and_answers_in_labels(demo_db, tmp_path):
    db = copy_of(demo_db, tmp_path)
    chinese = run("record", "LH-DEMO-0001", "合同备案", db=db)
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.strip() == f"已记录 LH-DEMO-0001 合同备案 {TODAY}，当前阶段：合同"
    english = run("record", "PT-DEMO-0002", "Contract Filed", db=db, lang="en")
    assert english.returncode == 0, english.stderr
    assert english.stdout.strip() == f"recorded PT-DEMO-0002 contract filed {TODAY}; stage: contract"
    key = run("record", "WX-DEMO-0003", "contract_filed", "--json", db=db)
    assert key.returncode == 0 and '"event": "contract_filed"' in key.stdout
    unknown = run("record", "YB-DEMO-0004", "合同备", db=db)
    assert unknown.returncode == 2
    assert "'合同备'" in unknown.stderr and "合同备案" in unknown.stderr and "contract_filed" in unknown.stderr
    with Store(db) as store:
        assert [e.type for e in store.project("LH-DEMO-0001").events][-1] == "contract_filed"
        assert store.project("YB-DEMO-0004").events[-1].type != "contract_filed"


def test_record_refuses_an_event_type_of_another_district(demo_db, tmp_path):
    db = copy_of(demo_db, tmp_path)
    refused = run("record", "LH-DEMO-0001", "监理单位介入", db=db)  # Wuxing's own event type, on a Luohu project
    assert refused.returncode == 2
    assert "'监理单位介入': 是吴兴区的事件类型，不适用于罗湖区的项目" in refused.stderr
    with Store(db) as store:
        assert "wuxing:supervisor_engaged" not in [e.type for e in store.project("LH-DEMO-0001").events]
    own = run("record", "WX-DEMO-0003", "监理单位介入", db=db)
    assert own.returncode == 0, own.stderr


def test_export_filters_take_labels(demo_db, tmp_path):
    by_label = run("export", "--stage", "合同", "--district", "罗湖区", "--kind", "建设类", str(tmp_path / "a.json"),
                   db=demo_db)
    by_key = run("export", "--stage", "contract", "--district", "luohu", "--kind", "construction",
                 str(tmp_path / "b.json"), db=demo_db)
    assert by_label.returncode == by_key.returncode == 0
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == (tmp_path / "b.json").read_text(encoding="utf-8")
    assert '"LH-DEMO-0001"' in (tmp_path / "a.json").read_text(encoding="utf-8")
    bad = run("export", "--stage", "签约", str(tmp_path / "c.json"), db=demo_db)
    assert bad.returncode == 2 and "'签约'" in bad.stderr and "合同" in bad.stderr
    assert not (tmp_path / "c.json").exists()


# --- No key, no boolean ---------------------------------------------------------------------


def _keys() -> set[str]:
    """Internal keys that must not reach an operator in Chinese output (those with an underscore
    cannot be mistaken for English words in a bilingual plugin text)."""
    keys = set(get_registry().event_types) | set(FUNDINGS) | set(DEADLINE_STATUSES) | set(REGULATION_STATUSES)
    keys |= set(SEVERITIES) | set(RULE_KINDS)
    return {k for k in keys if "_" in k or ":" in k}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_output_shows_labels_never_keys_or_booleans(demo_db, tmp_path, lang):
    db = copy_of(demo_db, tmp_path)
    outputs = {
        "evaluate": run("evaluate", str(SAMPLE), "--as-of", "2024-10-15", lang=lang),
        "compare": run("compare", str(SAMPLE), "--as-of", "2024-10-15", lang=lang),
        "rules": run("rules", "wuxing", lang=lang),
        "districts": run("districts", lang=lang),
        "record": run("record", "LH-DEMO-0001", "contract_filed", db=db, lang=lang),
        "forced": run("record", "LH-DEMO-0005", "shutdown", "--date", str(TODAY + dt.timedelta(days=3)), "--force",
                      db=db, lang=lang),
    }
    keys = _keys()
    for name, result in outputs.items():
        assert result.returncode == 0, (name, result.stderr)
        text = result.stdout + result.stderr
        assert not re.search(r"\b(True|False|None)\b", text), (name, text)
        found = [k for k in keys if re.search(rf"(?<![\w:]){re.escape(k)}(?![\w:])", text)]
        assert found == [], (name, found)
        if lang == "zh":  # stage, kind and district names in Chinese
            assert not re.search(r"阶段[:：] ?[a-z]", text), (name, text)
    assert "阶段: 合同" in outputs["evaluate"].stdout if lang == "zh" else "Stage: contract" in outputs["evaluate"].stdout
    assert ("罗湖区" if lang == "zh" else "Luohu District") in outputs["evaluate"].stdout


# --- Future dates ---------------------------------------------------------------------------


def test_a_future_event_is_refused_in_every_district_unless_forced(demo_db, tmp_path):
    db = copy_of(demo_db, tmp_path)
    tomorrow = TODAY + dt.timedelta(days=1)
    with Store(db) as store:
        firsts = {store.project(code).district: code for code in ("LH-DEMO-0001", "PT-DEMO-0002", "WX-DEMO-0003",
                                                                   "YB-DEMO-0004")}
    assert set(firsts) == set(get_registry().districts)
    for district, code in firsts.items():
        today = run("record", code, "progress_reported", "--date", TODAY.isoformat(), "--json", db=db)
        assert today.returncode == 0, (district, today.stderr)  # today itself is not in the future
        for day in (tomorrow, dt.date(2030, 1, 1)):
            refused = run("record", code, "progress_reported", "--date", day.isoformat(), db=db)
            assert refused.returncode == 1, (district, refused.stdout)
            assert f"日期 {day} 晚于今天（{TODAY}）" in refused.stderr and "--force" in refused.stderr
        forced = run("record", code, "progress_reported", "--date", "2030-01-01", "--force", "--json", db=db)
        assert forced.returncode == 0 and '"forced": true' in forced.stdout and '"future_date"' in forced.stdout
        with Store(db) as store:
            dates = [e.date for e in store.project(code).events if e.type == "progress_reported"]
        assert TODAY in dates and dt.date(2030, 1, 1) in dates and tomorrow not in dates


# --- The demo and the operator's database ---------------------------------------------------


def test_the_demo_has_its_own_file_marked_projects_and_one_command_removes_it(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    data = tmp_path / "data" / "zwxm"
    created = run("demo", "--count", "6", env=env)
    assert created.returncode == 0, created.stderr
    assert str(data / "demo.db") in created.stdout and str(data / "zwxm.db") in created.stdout
    assert (data / "demo.db").exists() and not (data / "zwxm.db").exists()
    with Store(data / "demo.db") as store:
        rows = store.query_projects(ProjectQuery(), 0, 10)
        assert all(re.fullmatch(r"[A-Z]{2}-DEMO-\d{4}", r["code"]) for r in rows) and len(rows) == 6
        assert all(store.project(r["code"]).tags == ["演示"] for r in rows)
    # the operator's own file beside it: plain `zwxm` opens it, `zwxm demo --remove` never touches it
    assert run("import", str(ROOT / "tests" / "data" / "yubei_form.csv"), "--district", "yubei",
               db=data / "zwxm.db", cwd=ROOT).returncode == 0
    removed = run("demo", "--remove", env=env)
    assert removed.returncode == 0 and not (data / "demo.db").exists()
    refused = run("demo", "--remove", db=data / "zwxm.db")
    assert refused.returncode == 2 and "不是演示数据库" in refused.stderr
    with Store(data / "zwxm.db") as store:
        assert store.count_projects(ProjectQuery()) > 0


def test_a_demo_file_with_real_projects_added_is_not_replaced(demo_db, tmp_path):
    db = copy_of(demo_db, tmp_path)
    assert run("import", str(ROOT / "tests" / "data" / "yubei_form.csv"), "--district", "yubei", db=db,
               cwd=ROOT).returncode == 0
    for args in (("demo", "--replace"), ("demo", "--remove")):
        refused = run(*args, db=db)
        assert refused.returncode == 2 and "不是演示数据库" in refused.stderr
    assert db.exists()


def test_the_readmes_examples_name_projects_of_the_demo_and_work_on_it(tmp_path):
    """Every `zwxm` line of the README, block by block as a reader pastes them, in a fresh home with the
    README's demo, from a folder holding the repository's docs/examples."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = set(re.findall(r"\b[A-Z]{2}-DEMO-\d{4}\b", readme))
    assert codes, "the README names demo projects"
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    shutil.copytree(ROOT / "docs" / "examples", work / "docs" / "examples")
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG", "XDG_DATA_HOME")}
    env.update(HOME=str(home), PATH=f"{Path(ZWXM).parent}{os.pathsep}{env['PATH']}")
    assert subprocess.run([ZWXM, "demo"], env=env, cwd=work, capture_output=True, timeout=300).returncode == 0
    with Store(home / ".local" / "share" / "zwxm" / "demo.db") as store:
        assert all(store.project(code) is not None for code in codes)
    # the set-up itself; a file of the reader's own; servers that run until stopped
    skipped = ("python3 -m venv", "../other/", "zwxm serve")
    blocks = [block for block in re.findall(r"```sh\n(.*?)```", readme, re.S) if "zwxm " in block]
    ran = 0
    for block in blocks:
        block_env = dict(env)
        for line in block.splitlines():
            command = re.split(r"(?:^|\s+)#", line)[0].strip()
            if not command or any(s in line for s in skipped) or command in ("zwxm", "zwxm --lang en"):
                continue
            if command.startswith("export "):  # for the rest of the block, as in the reader's shell
                name, value = command.removeprefix("export ").split("=", 1)
                block_env[name] = value.replace("~", str(home), 1)
                continue
            result = subprocess.run(["bash", "-o", "pipefail", "-c", command], env=block_env, cwd=work,
                                    capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
            allowed = (0, 1) if command.startswith("zwxm due") else (0,)  # due: 1 when anything is overdue
            assert result.returncode in allowed, (command, result.stderr)
            assert "Traceback" not in result.stderr
            ran += 1
    assert ran >= 20


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_due_list_says_yes_no_and_articles_in_the_chosen_language(demo_db, tmp_path, lang):
    import csv

    result = run("due", "-o", str(tmp_path / "due.csv"), db=demo_db, lang=lang)
    assert result.returncode in (0, 1), result.stderr  # 1: something is overdue
    rows = list(csv.reader((tmp_path / "due.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) > 1
    provisional = {row[10] for row in rows[1:]}
    articles = {row[9] for row in rows[1:] if row[9]}
    if lang == "zh":
        assert provisional <= {"是", "否"} and all(re.fullmatch(r"第\d+条", a) for a in articles)
    else:
        assert provisional <= {"yes", "no"} and all(re.fullmatch(r"art\. \d+", a) for a in articles)
