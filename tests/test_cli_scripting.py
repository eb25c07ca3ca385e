"""The command line as a script uses it: exports that evaluate and compare read, `-` for standard
input and output, --json answers, CSV round trips, the import naming its first rejects, and the
progress line with its remaining time. Real `zwxm` subprocesses on real files."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from zwxm.cli.common import RemainingTime
from zwxm.model import Event, Project
from zwxm.plugins import get_registry
from zwxm.store import ProjectQuery, Store

from .terminal import stderr_on_a_terminal
from .test_cli_operator import ROOT, SAMPLE, ZWXM, copy_of, run

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run("demo", "--count", "24", db=path).returncode == 0
    return path


def pipe(first: list[str], second: list[str], db: Path | None = None) -> subprocess.CompletedProcess:
    """`zwxm FIRST | zwxm SECOND`, as a shell runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    prefix = [ZWXM, *(["--db", str(db)] if db else [])]
    producer = subprocess.Popen([*prefix, *first], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    consumer = subprocess.run([ZWXM, *second], stdin=producer.stdout, capture_output=True, text=True, env=env,
                              timeout=300)
    producer.stdout.close()
    assert producer.wait(timeout=300) == 0, producer.stderr.read()
    return consumer


# --- What export writes, evaluate and compare read ------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_a_bad_as_of_is_named_as_every_date_option_names_it(command):
    result = run(command, str(SAMPLE), "--as-of", "2024-02-30")
    assert result.returncode == 2
    assert result.stderr.strip() == "as_of: '2024-02-30': 不存在的日期，应为 YYYY-MM-DD / impossible date, expected YYYY-MM-DD"


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_an_export_is_read_by_evaluate_and_compare(demo_db, tmp_path, fmt):
    one = tmp_path / f"one.{fmt}"
    several = tmp_path / f"several.{fmt}"
    assert run("export", "--code", "WX-DEMO-0003", str(one), db=demo_db).returncode == 0
    assert run("export", "--district", "吴兴区", str(several), db=demo_db).returncode == 0
    with Store(demo_db) as store:
        stored = json.loads(json.dumps(store.evaluation("WX-DEMO-0003").to_dict(), default=str))
    for args in ((str(one),), (str(several), "--code", "WX-DEMO-0003")):
        result = run("evaluate", *args, "--json")
        assert result.returncode == 0, result.stderr
        assert {k: v for k, v in json.loads(result.stdout).items() if k != "as_of"} == \
            {k: v for k, v in stored.items() if k != "as_of"}
        compared = run("compare", *args, "--json")
        assert compared.returncode == 0 and set(json.loads(compared.stdout)) == set(get_registry().districts)
    ambiguous = run("evaluate", str(several))
    assert ambiguous.returncode == 2 and "--code" in ambiguous.stderr and "WX-DEMO-0003" in ambiguous.stderr
    absent = run("evaluate", str(several), "--code", "LH-DEMO-0001")
    assert absent.returncode == 2 and "'LH-DEMO-0001'" in absent.stderr


# --- `-` for standard input and output ------------------------------------------------------


def test_export_to_stdout_feeds_evaluate_and_import_from_stdin(demo_db, tmp_path):
    evaluated = pipe(["export", "--format", "json", "-"], ["evaluate", "-", "--code", "YB-DEMO-0004", "--json"],
                     db=demo_db)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["project"] == "YB-DEMO-0004"
    sample = subprocess.run([ZWXM, "evaluate", "-", "--as-of", "2024-10-15", "--json"], input=SAMPLE.read_bytes(),
                            capture_output=True, timeout=120)
    assert sample.returncode == 0 and json.loads(sample.stdout)["stage"] == "contract"
    target = tmp_path / "copy.db"
    imported = pipe(["export", "--format", "csv", "-"], ["--db", str(target), "import", "-", "--format", "csv", "--json"],
                    db=demo_db)
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert (summary["rows"], summary["inserted"], summary["rejected"]) == (24, 24, 0)
    with Store(target) as store:
        assert store.count_projects(ProjectQuery()) == 24
    unreadable = subprocess.run([ZWXM, "evaluate", "-"], input=b"not = [toml", capture_output=True, timeout=120)
    assert unreadable.returncode == 2 and unreadable.stderr.decode().startswith("file: '-': TOML 格式错误")
    no_format = run("import", "-", db=target)
    assert no_format.returncode == 2 and "--format" in no_format.stderr


# --- Round trips ----------------------------------------------------------------------------


def tricky_project() -> Project:
    """Formula-like text, typed facts, a forced event with a payload, a change: what a CSV loses first."""
    return Project(code="LH-T-001", name="=1+1 罗湖区平台", district="luohu", kind="construction", investment=800_000,
                   funding="government_investment", category="smart_city", owner_unit="-区教育局", classified=False,
                   budget_year=2024, tags=["重点", "@二期"],
                   facts={"warranty_years": 2, "ex_ante_assessment": True, "note": "+86 电话", "ratio": 0.5},
                   events=[Event("declared", dt.date(2024, 1, 10), actor="张伟", note="=HYPERLINK(\"x\")"),
                           Event("approved", dt.date(2024, 5, 6), payload={"number": "罗发改〔2024〕1号", "pages": 3})])


@pytest.mark.parametrize("fmt", ["csv", "json", "toml", "xlsx"])
def test_import_of_an_export_changes_nothing(demo_db, tmp_path, fmt):
    db = copy_of(demo_db, tmp_path)
    with Store(db) as store:
        store.save_project(tricky_project())
    assert run("record", "LH-DEMO-0001", "contract_filed", "--date", "2030-01-01", "--force", db=db).returncode == 0
    exported = tmp_path / f"all.{fmt}"
    assert run("export", str(exported), db=db).returncode == 0
    again = run("import", str(exported), "--json", db=db, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["inserted"], summary["updated"], summary["unchanged"], summary["rejected"]) == (0, 0, 25, 0)
    fresh = tmp_path / "fresh.db"
    assert run("import", str(exported), db=fresh, cwd=tmp_path).returncode == 0
    with Store(db) as before, Store(fresh) as after:
        assert after.project("LH-T-001") == before.project("LH-T-001") == tricky_project()
        assert after.project("LH-DEMO-0001") == before.project("LH-DEMO-0001")


def test_a_csv_export_keeps_formula_like_text_out_of_a_spreadsheets_reach(tmp_path):
    db = tmp_path / "t.db"
    with Store(db) as store:
        store.save_project(tricky_project())
    assert run("export", str(tmp_path / "t.csv"), db=db).returncode == 0
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert ",'=1+1 罗湖区平台," in text and ",'-区教育局," in text
    assert ",=" not in text and ",-" not in text and ",+" not in text and ",@" not in text


# --- --json ---------------------------------------------------------------------------------


def test_every_scripting_command_answers_in_json(demo_db, tmp_path):
    db = copy_of(demo_db, tmp_path)
    answers = {
        "districts": run("districts", "--json"),
        "rules": run("rules", "渝北区", "--json"),
        "calendar": run("calendar", "2024", "9", "--json"),
        "scenarios": run("scenarios", "potou", "--json"),
        "rebuild": run("rebuild", "--json", db=db),
        "record": run("record", "YB-DEMO-0004", "合同备案", "--json", db=db),
    }
    data = {}
    for name, result in answers.items():
        assert result.returncode == 0, (name, result.stderr)
        data[name] = json.loads(result.stdout)
    assert {d["district"] for d in data["districts"]["districts"]} == set(get_registry().districts)
    assert data["rules"]["district"] == "yubei"
    days = {d["date"]: d for d in data["calendar"]["months"][0]["days"]}
    assert days["2024-09-29"]["kind"] == "adjusted_workday" and days["2024-09-29"]["workday"] is True
    assert days["2024-09-15"]["kind"] == "holiday" and days["2024-09-15"]["holiday"] == "中秋节"
    assert data["calendar"]["official"] is True
    assert data["scenarios"]["failed"] == 0 and data["scenarios"]["passed"] == len(data["scenarios"]["scenarios"]) > 0
    assert data["rebuild"] == {"rebuilt": 24}
    assert data["record"]["stage"] == "contract" and data["record"]["forced"] is False


def test_import_json_lists_every_reject_and_the_text_summary_names_the_first(tmp_path):
    rows = ["项目编号,项目名称,所属区,项目类别,总投资（万元）,建设单位"]
    rows += [f"YB-R-{n:03d},渝北区系统{n},渝北区,建设类,{'很多' if n % 2 else '120'},区档案馆" for n in range(1, 15)]
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("\n".join(rows) + "\n", encoding="utf-8")
    as_json = run("import", str(ledger), "--json", db=tmp_path / "a.db", cwd=tmp_path)
    assert as_json.returncode == 1
    summary = json.loads(as_json.stdout)
    assert (summary["inserted"], summary["rejected"], len(summary["rejects"])) == (7, 7, 7)
    first = summary["rejects"][0]
    assert (first["row"], first["code"], first["column"], first["value"]) == (2, "YB-R-001", "总投资（万元）", "很多")
    assert first["reason"] and first["reason_en"]
    text = run("import", str(ledger), db=tmp_path / "b.db", cwd=tmp_path)
    assert text.returncode == 1
    assert "被拒绝的行（前 5 条）" in text.stderr
    assert f"第 2 行 YB-R-001 “总投资（万元）” '很多'：{first['reason']}" in text.stderr
    assert "第 10 行" in text.stderr and "第 12 行" not in text.stderr  # the first five only; the file has all
    assert "ledger.rejects.csv" in text.stderr


# --- Progress -------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_remaining_time_follows_the_recent_rate_not_the_average_since_the_start():
    clock = Clock()
    estimate = RemainingTime(10_000, window=15.0, clock=clock)
    assert estimate.seconds() is None  # nothing measured yet: no guess
    for _ in range(10):  # fast at first: 500 items a second for 10 s
        clock.now += 1
        estimate.update(500)
    assert estimate.seconds() == pytest.approx(5_000 / 500)
    for _ in range(30):  # then 100 a second, as a growing file slows the writes
        clock.now += 1
        estimate.update(100)
    # 2,000 left at the recent 100 a second: 20 s (the average since the start, 200 a second, said 10 s)
    assert estimate.seconds() == pytest.approx(2_000 / 100)
    estimate.update(2_000)
    assert estimate.seconds() == 0


def test_the_remaining_time_of_an_import_that_keeps_slowing_down_counts_the_slowing():
    """Each item takes longer than the one before (1 ms at first, 4 ms at the end), as when every new
    project is compared with all the earlier ones of its unit. At 20% the honest answer is 67 s; the
    average since the start would say 31 s."""
    clock = Clock()
    total, batch, first, growth = 30_000, 500, 0.001, 1e-7
    estimate = RemainingTime(total, clock=clock)
    done = 0
    while done < total // 5:
        clock.now += batch * (first + growth * (done + batch / 2))
        done += batch
        estimate.update(batch)
    truth = first * (total - done) + growth * (total ** 2 - done ** 2) / 2
    average = (total - done) * clock.now / done
    assert truth == pytest.approx(67.2) and average == pytest.approx(31.2)
    assert estimate.seconds() == pytest.approx(truth, rel=0.05)


def test_the_remaining_time_waits_for_a_second_of_measurements():
    clock = Clock()
    estimate = RemainingTime(1_000, clock=clock)
    clock.now = 0.5
    estimate.update(100)
    assert estimate.seconds() is None
    clock.now = 1.0
    estimate.update(100)
    assert estimate.seconds() == pytest.approx(800 / 200)


def on_a_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Run zwxm with its standard error on a pseudo-terminal; returns the exit status and what it showed."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    status, _wall, shown = stderr_on_a_terminal([ZWXM, *args], cwd=cwd, env=env, timeout=300)
    return status, b"".join(chunk for _at, chunk in shown).decode("utf-8", "replace")


def test_long_commands_show_progress_with_the_remaining_time_on_a_terminal(tmp_path):
    rows = ["项目编号,项目名称,所属区,项目类别,总投资（万元）,建设单位"]
    rows += [f"YB-P-{n:05d},渝北区系统{n},渝北区,建设类,120,区档案馆" for n in range(3_000)]
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = str(tmp_path / "p.db")
    status, shown = on_a_terminal("--db", db, "import", "big.csv", "--batch-size", "200", cwd=tmp_path)
    assert status == 0
    assert "导入" in shown and "100% 3000/3000 · 剩余约 0 秒" in shown
    status, shown = on_a_terminal("--db", db, "--lang", "en", "export", "all.xlsx", cwd=tmp_path)
    assert status == 0 and "exporting 100% 3000/3000 · about 0 s left" in shown
    assert len(list(openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)["projects"].values)) == 3001
    status, shown = on_a_terminal("--db", db, "rebuild", cwd=tmp_path)
    assert status == 0 and "重算 100% 3000/3000" in shown
    status, shown = on_a_terminal("--db", str(tmp_path / "demo.db"), "demo", "--count", "250", cwd=tmp_path)
    assert status == 0 and "生成演示数据 100% 250/250" in shown
    piped = run("--db", db, "import", "big.csv", cwd=tmp_path)  # in a pipe: no progress line
    assert "%" not in piped.stderr and "剩余" not in piped.stderr
