"""`zwxm report --month`: the XLSX opens with every sheet and chart, the HTML page is self-contained
and is looked at as a person would, rendered by headless Chromium (issue 15)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.test_due import HOSTILE_NAME, ZWXM, project
from zwxm.model import Change, Event
from zwxm.store import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHEETS_ZH = ["按地区汇总", "按建设单位汇总", "逾期清单", "下月到期", "未解决问题（按严重程度和条款）", "待审批变更"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "zwxm.db"
    changed = project("WX-T-9", "wuxing", "区教育局", dt.date(2024, 6, 3))  # upload due 06-11 (端午 06-10)
    changed.changes.append(Change(dt.date(2024, 9, 20), 1_500_000, reason="扩容"))
    with Store(path) as store:
        store.save_projects([
            project("YB-T-1", "yubei", "区教育局", dt.date(2024, 9, 27)),  # filing due 2024-10-12
            project("YB-T-2", "yubei", HOSTILE_NAME, dt.date(2024, 10, 21)),  # due 2024-10-30
            project("WX-T-1", "wuxing", "区民政局", dt.date(2024, 9, 27), name=HOSTILE_NAME),  # due 2024-10-10
            project("YB-T-3", "yubei", "区民政局", dt.date(2024, 11, 1)),  # due 2024-11-12: next month
            changed,
        ])
        store.record_event("YB-T-1", Event("contract_filed", dt.date(2024, 11, 5)))
    return path


def run(db: Path, out: Path, *args: str, lang: str = "zh") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    return subprocess.run([ZWXM, "--db", str(db), "--lang", lang, "report", "-o", str(out), *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=120)


def test_the_xlsx_has_every_sheet_and_chart(db, tmp_path):
    result = run(db, tmp_path, "--month", "2024-10")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(tmp_path / "zwxm-report-2024-10.xlsx")
    assert book.sheetnames == SHEETS_ZH
    charts = {ws.title: len(ws._charts) for ws in book.worksheets}
    assert charts == {"按地区汇总": 1, "按建设单位汇总": 1, "逾期清单": 0, "下月到期": 0,
                      "未解决问题（按严重程度和条款）": 1, "待审批变更": 0}
    assert all(c.tagname == "barChart" for ws in book.worksheets for c in ws._charts)


def test_overdue_is_counted_back_from_the_month_end(db, tmp_path):
    """October 2024: YB-T-1 (due 10-12, filed only on 11-05) and WX-T-1 (due 10-10) were overdue
    on 11-01; YB-T-2 (due 10-30) too; YB-T-3 (due 11-12) is due next month."""
    run(db, tmp_path, "--month", "2024-10")
    book = openpyxl.load_workbook(tmp_path / "zwxm-report-2024-10.xlsx")
    overdue = [[c.value for c in row] for row in book["逾期清单"].iter_rows(min_row=4)]
    assert sorted((r[2], r[6]) for r in overdue) == [("WX-T-1", "2024-10-10"), ("WX-T-9", "2024-06-11"),
                                                    ("YB-T-1", "2024-10-12"), ("YB-T-2", "2024-10-30")]
    assert {r[7] for r in overdue if r[2].startswith("YB")} == {"第12条"}
    coming = [[c.value for c in row] for row in book["下月到期"].iter_rows(min_row=4)]
    assert [(r[2], r[6]) for r in coming] == [("YB-T-3", "2024-11-12")]
    # a month later YB-T-1 was filed (11-05) and is no longer overdue
    run(db, tmp_path, "--month", "2024-11")
    later = openpyxl.load_workbook(tmp_path / "zwxm-report-2024-11.xlsx")
    assert "YB-T-1" not in {row[2].value for row in later["逾期清单"].iter_rows(min_row=4)}


def test_changes_that_need_an_approval_are_listed(db, tmp_path):
    run(db, tmp_path, "--month", "2024-10")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(
        tmp_path / "zwxm-report-2024-10.xlsx")["待审批变更"].iter_rows(min_row=4)]
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [("WX-T-9", "2024-09-20", 1_500_000, "重新报批")]


def test_spreadsheet_cells_never_become_formulas(db, tmp_path):
    run(db, tmp_path, "--month", "2024-10")
    book = openpyxl.load_workbook(tmp_path / "zwxm-report-2024-10.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if c.value.startswith("=")]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert not any("\x1b" in c.value for c in cells)


def test_english_report(db, tmp_path):
    result = run(db, tmp_path, "--month", "2024-10", lang="en")
    assert result.returncode == 0 and "wrote" in result.stdout
    book = openpyxl.load_workbook(tmp_path / "zwxm-report-2024-10-en.xlsx")
    assert book.sheetnames[0] == "By district" and book["By district"]["A3"].value == "district"
    page = (tmp_path / "zwxm-report-2024-10-en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Overdue deadlines" in page and "Yubei District" in page


@pytest.mark.parametrize("month", ["2024-13", "2024-1", "24-10", "abc", "2024-00", "0000-01", "9999-12"])
def test_a_bad_month_is_named(db, tmp_path, month):
    result = run(db, tmp_path / "out", "--month", month)
    assert result.returncode == 2 and "month" in result.stderr and month in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_the_page_is_self_contained_and_escapes_data(db, tmp_path):
    run(db, tmp_path, "--month", "2024-10")
    page = (tmp_path / "zwxm-report-2024-10.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", page)  # nothing fetched from a network
    assert "<script" not in page and page.count("<svg") == 3
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;点我&quot;)␛[2J平台" in page
    assert "\x1b" not in page and '"点我")' not in page


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (see .ci/run)")
def test_headless_chromium_renders_the_page(db, tmp_path):
    """The screenshot stays in pytest's tmp dir (tmp_path/report.png) for a person to look at."""
    run(db, tmp_path, "--month", "2024-10")
    shot = tmp_path / "report.png"
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             f"--screenshot={shot}", "--window-size=1280,1600",
                             (tmp_path / "zwxm-report-2024-10.html").as_uri()],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert shot.exists(), result.stderr[-2000:]
    assert png_size(shot) == (1280, 1600)
    assert shot.stat().st_size > 30_000  # a blank or failed page is a few kilobytes


@pytest.mark.parametrize(("count", "note"), [(299, False), (300, False), (301, True)])
def test_long_lists_are_cut_in_the_page_not_in_the_workbook(count, note):
    from zwxm.io.monthly import HTML_ROWS, Report, Table, write_html

    assert HTML_ROWS == 300
    rows = [(f"P-{n:04d}", n) for n in range(count)]
    page = write_html(Report(2024, 10, dt.date(2024, 11, 1), "now", [Table("overdue", ("project_code", "count"),
                                                                          rows)], {}), "zh")
    assert page.count("<tr><td>P-") == min(count, 300)
    assert ("另有 1 行见 XLSX" in page) is note
