"""`zwxm due`: real `zwxm` subprocesses on a real database built through the Store (issue 15).

The deadlines come from the districts' own rules: Yubei's contract filing (7 working days, 第12条)
after a contract signed on 2024-09-27 falls on 2024-10-12, a Saturday worked in exchange for the
National Day holiday (调休), and Wuxing's contract upload (5 working days, 第15条) on 2024-10-10.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests import ZWXM
from zwxm.model import Event, Project
from zwxm.rules import Role
from zwxm.store import Store
from zwxm.store.due import due_items, responsible_department, window_end

HOSTILE_NAME = '=HYPERLINK("http://x","点我")\x1b[2J平台'
YUBEI_DUE = dt.date(2024, 10, 12)  # 7 working days after 2024-09-27, across the National Day holiday
WUXING_DUE = dt.date(2024, 10, 10)


def project(code: str, district: str, unit: str, signed: dt.date, name: str = "测试平台") -> Project:
    return Project(code=code, district=district, name=name, kind="construction", investment=2_000_000,
                   funding="department_budget", owner_unit=unit, budget_year=signed.year,
                   events=[Event("declared", dt.date(2024, 3, 1)), Event("approved", dt.date(2024, 5, 1)),
                           Event("contract_signed", signed)])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("due") / "zwxm.db"
    with Store(path) as store:
        store.save_projects([
            project("YB-T-1", "yubei", "区教育局", dt.date(2024, 9, 27)),
            project("YB-T-2", "yubei", "区民政局", dt.date(2024, 9, 27), name=HOSTILE_NAME),
            project("WX-T-1", "wuxing", "区教育局", dt.date(2024, 9, 27)),
        ])
    return path


def zwxm(db: Path, *args: str, lang: str = "zh", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    return subprocess.run([ZWXM, "--db", str(db), "--lang", lang, "due", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=120, cwd=cwd)


def listed(db: Path, *args: str) -> list[dict]:
    result = zwxm(db, "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return [d | {"owner_unit": g["owner_unit"], "department": g["department"]}
            for g in json.loads(result.stdout)["groups"] for d in g["deadlines"]]


# --- the window, in working days of the legal calendar -------------------------------------------


def test_window_end_counts_working_days_across_holidays_and_adjusted_workdays():
    assert window_end(dt.date(2024, 9, 30), 5) == dt.date(2024, 10, 12)  # 10-01..07 off, Sat 10-12 worked
    assert window_end(dt.date(2024, 9, 30), 4) == dt.date(2024, 10, 11)
    assert window_end(dt.date(2025, 1, 27), 1) == dt.date(2025, 2, 5)  # Spring Festival 01-28..02-04
    assert window_end(dt.date(2025, 1, 25), 1) == dt.date(2025, 1, 26)  # Sunday 01-26 is a 调休 working day
    assert window_end(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 1)  # month end
    assert window_end(dt.date(2024, 2, 29), 1) == dt.date(2024, 3, 1)  # leap-year month end
    assert window_end(dt.date(2024, 12, 31), 0) == dt.date(2024, 12, 31)


@pytest.mark.parametrize(("within", "expected"), [(4, False), (5, True), (6, True)])
def test_a_deadline_on_the_last_working_day_of_the_window_is_listed(db, within, expected):
    # 2024-09-30 to 2024-10-12 is 12 calendar days but only 5 working days
    codes = {d["project_code"] for d in listed(db, "--as-of", "2024-09-30", "--within", str(within),
                                                "--district", "yubei")}
    assert ("YB-T-1" in codes) is expected


def test_status_and_exit_status_on_each_side_of_the_due_date(db):
    on_the_day = zwxm(db, "--as-of", YUBEI_DUE.isoformat(), "--within", "0", "--district", "yubei",
                      "--format", "json")
    assert on_the_day.returncode == 0, on_the_day.stderr  # due today is not overdue yet
    assert {d["status"] for g in json.loads(on_the_day.stdout)["groups"] for d in g["deadlines"]} == {"open"}
    day_after = zwxm(db, "--as-of", "2024-10-13", "--within", "0", "--district", "yubei", "--format", "json")
    assert day_after.returncode == 1  # cron: something is overdue
    rows = [d for g in json.loads(day_after.stdout)["groups"] for d in g["deadlines"]]
    assert {d["status"] for d in rows} == {"missed"} and len(rows) == 2
    before_any = zwxm(db, "--as-of", "2024-09-28", "--within", "1")
    assert before_any.returncode == 0 and "逾期 0 项" in before_any.stdout


def test_overdue_only_leaves_out_what_is_not_yet_due(db):
    rows = listed(db, "--as-of", "2024-10-11", "--within", "10", "--overdue-only")
    assert [(d["project_code"], d["date"]) for d in rows] == [("WX-T-1", WUXING_DUE.isoformat())]
    assert rows[0]["working_days"] == -1


# --- grouped by construction unit and responsible department, with article and explanation --------


def test_groups_name_the_unit_and_the_department_the_regulation_gives(db):
    result = zwxm(db, "--as-of", "2024-10-14", "--format", "json")
    groups = json.loads(result.stdout)["groups"]
    assert [(g["owner_unit"], g["department"]) for g in groups] == [
        ("区教育局", "区大数据发展局"), ("区教育局", "建设单位"), ("区民政局", "区大数据发展局")]
    yubei = groups[0]["deadlines"][0]
    assert (yubei["project_code"], yubei["date"], yubei["article"], yubei["working_days"]) == \
        ("YB-T-1", YUBEI_DUE.isoformat(), 12, -1)
    assert "7 个工作日" in yubei["explanation"] and yubei["explanation_en"]


def test_table_groups_with_article_and_explanation_in_both_languages(db):
    zh = zwxm(db, "--as-of", "2024-10-14").stdout
    assert "建设单位: 区教育局  ·  责任部门: 区大数据发展局" in zh
    assert "第12条" in zh and "7 个工作日内" in zh and "逾期1个工作日" in zh
    en = zwxm(db, "--as-of", "2024-10-14", lang="en").stdout
    assert "construction unit: 区教育局  ·  responsible department:" in en
    assert "1 workdays late" in en and "working days" in en


def test_responsible_department_prefers_a_government_department_over_the_project_parties():
    roles = [Role("x", "建设单位", "", (12, 15)), Role("x", "区大数据局", "", (12,)),
             Role("x", "使用单位（运行单位）", "", (20,))]
    assert responsible_department(roles, 12).department == "区大数据局"
    assert responsible_department(roles, 15).department == "建设单位"  # no department named: the party
    assert responsible_department(roles, 20).department == "使用单位（运行单位）"
    assert responsible_department(roles, 99) is None and responsible_department(roles, None) is None


@pytest.mark.parametrize(("option", "value", "codes"), [
    ("--district", "wuxing", {"WX-T-1"}), ("--unit", "区民政局", {"YB-T-2"}),
    ("--department", "大数据发展", {"YB-T-1", "YB-T-2"}), ("--department", "Big Data Development", {"YB-T-1", "YB-T-2"}),
    ("--unit", "区", set()),  # a unit is named in full
])
def test_filters(db, option, value, codes):
    assert {d["project_code"] for d in listed(db, "--as-of", "2024-10-14", option, value)} == codes


def test_the_query_reads_the_derived_tables_counted_as_of_the_day_asked(db):
    with Store(db) as store:
        items = due_items(store, dt.date(2024, 10, 11), dt.date(2024, 10, 11))
    assert [(i.project_code, i.status) for i in items] == [("WX-T-1", "missed")]
    assert items[0].department == "建设单位" and items[0].article == 15


# --- bad input: a clear message naming the field and the value, exit 2, nothing written ----------


@pytest.mark.parametrize(("args", "words"), [
    (("--as-of", "2024-13-01"), ("as_of", "2024-13-01")),
    (("--district", "nowhere"), ("district", "nowhere")),
    (("--format", "xlsx"), ("output", "-o")),
    (("--within", "-1"), ("--within", "-1")),
    (("-o", "out.pdf"), ("format", "pdf")),
    (("--as-of", "2100-12-30"), ("as_of", "2100-12-30")),  # the window would leave the legal calendar
])
def test_bad_input_is_named(db, tmp_path, args, words):
    result = zwxm(db, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and all(w in result.stderr for w in words), result.stderr
    assert not list(tmp_path.iterdir())


def test_an_output_that_cannot_be_written_is_named(db, tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    target = tmp_path / "a-file" / "due.json"  # its folder is a file
    result = zwxm(db, "--as-of", "2024-10-14", "-o", str(target))
    assert result.returncode == 2 and "output" in result.stderr and str(target) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_symbolic_link_as_the_output_is_refused_like_every_output(db, tmp_path):
    """`due -o` and `report -o` write as every output does (zwxm.files.written): a link is never replaced."""
    kept = tmp_path / "kept.json"
    kept.write_text("[]", encoding="utf-8")
    link = tmp_path / "due.json"
    link.symlink_to(kept)
    result = zwxm(db, "--as-of", "2024-10-14", "-o", str(link))
    assert result.returncode == 2 and "output" in result.stderr and "符号链接" in result.stderr
    assert "Traceback" not in result.stderr
    assert link.is_symlink() and kept.read_text(encoding="utf-8") == "[]"


def test_a_file_that_is_not_a_zwxm_calendar_is_not_overwritten(db, tmp_path):
    target = tmp_path / "notes.ics"
    target.write_text("my own notes\n", encoding="utf-8")
    result = zwxm(db, "--as-of", "2024-10-14", "-o", str(target))
    assert result.returncode == 2 and "notes.ics" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "my own notes\n"


# --- data never reaches a terminal or a spreadsheet unescaped -------------------------------------


def test_terminal_output_shows_control_characters_instead_of_sending_them(db):
    out = zwxm(db, "--as-of", "2024-10-14", "--unit", "区民政局").stdout
    assert "\x1b" not in out and "␛[2J平台" in out


def test_csv_and_xlsx_cells_never_become_formulas(db, tmp_path):
    zwxm(db, "--as-of", "2024-10-14", "-o", str(tmp_path / "due.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "due.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["建设单位", "责任部门", "项目编号", "项目名称"]
    names = [r[3] for r in rows[1:]]
    assert "'" + HOSTILE_NAME.replace("\x1b", "␛") in names
    result = zwxm(db, "--as-of", "2024-10-14", "-o", str(tmp_path / "due.xlsx"), lang="en")
    assert result.returncode == 1 and "wrote" in result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "due.xlsx").active
    assert [c.value for c in sheet[1]][:3] == ["construction unit", "responsible department", "project code"]
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    hostile = [c for c in cells if c.value.startswith("=")]
    assert len(hostile) == 1 and hostile[0].data_type == "s" and hostile[0].quotePrefix
