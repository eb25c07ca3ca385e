"""`export_stored` (CSV and XLSX written from the stored rows, issue 16) writes what `export_projects`
writes from the same projects loaded as Projects: the same CSV bytes, the same XLSX cells, the same
cells named as altered; and `zwxm export` uses it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.test_export import projects as formula_projects
from zwxm.io.export import export_projects, export_stored
from zwxm.model import Change, Event, load_project
from zwxm.store import Store

HOSTILE = "=cmd|' /C calc'!A0,\"引号\" "
CONTROL = "响铃\x07退格\x08转义\x1b[31m红\x1b[0m换行\n回车\r制表\t删除\x7f C1\x85 分隔\u2028 空\x00字"


def varied_projects() -> list:
    """Projects with every part and hostile text in every kind of cell, and numbers near the limits."""
    return [
        *formula_projects(),
        load_project({
            "code": "HOST-1", "name": CONTROL, "district": "yubei", "kind": "construction",
            "investment": 999_999_999_999_999, "category": "services", "funding": "own_funds",
            "owner_unit": "\r回车开头", "user_unit": "\t制表开头", "contractor": "@SUM(A1)", "supervisor": "+1",
            "designer": "-1", "tester": HOSTILE, "budget_year": 2026, "classified": True,
            "tags": ["=标签", "\x1b]0;title\x07", "引号\"与\\反斜杠", "😀"],
            "facts": {"=公式": "+值", "big": 2 ** 62, "neg": -(2 ** 62), "ratio": 0.1, "tiny": 1e-7, "exp": 1.5e300,
                      "nested": {"z": [1, "二", None, True], "a": {"=": "\x1b"}}, "empty_list": [], "empty": {},
                      "none": None, "no": False, "中文键": "值\t值", "ctl": "\x00\x1f"},
            "events": [
                {"type": "declared", "date": "2025-03-01", "actor": HOSTILE, "role": "-角色", "note": CONTROL,
                 "payload": {"doc": "=1+1", "z": [2, 1], "a": {"y": "\x1b", "b": 1.25}, "n": None,
                             "quote": "\"", "big": 2 ** 63 - 1}},
                {"type": "preliminary_review_passed", "date": "2025-02-01", "actor": "", "role": None, "note": "",
                 "payload": {"contract": "HT-9"}},
                {"type": "contract_signed", "date": "2025-02-01", "contract": "HT-9", "note": "同日，较晚记录"},
            ],
            "changes": [{"date": "2025-09-01", "amount": "-1200万", "reason": "=削减", "major": True, "note": CONTROL},
                        {"date": "2025-05-01", "amount": 12_345, "content_amount": 99_999, "reason": "",
                         "note": "-"}],
            "contracts": [{"id": "HT-9", "kind": "construction", "vendor": None, "amount": None, "note": "@备注"},
                          {"id": "=HT", "kind": "supervision", "vendor": CONTROL, "amount": 1}],
            "phases": [{"id": "P1", "name": "", "year": None, "note": "\t"}, {"id": "+P2", "name": CONTROL}],
        }),
        load_project({"code": "BARE", "name": "只有必填", "district": "yubei", "kind": "operation", "investment": 0}),
    ]


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[Path, list[str]]:
    """A database of the varied projects, one event superseded by a correction, changes added later;
    and the codes to export: not in code order, one twice, one unknown."""
    path = tmp_path_factory.mktemp("stored") / "varied.db"
    with Store(path) as store:
        store.save_projects(varied_projects())
        first = store.events("HOST-1")[0]["id"]
        store.record_event("HOST-1", Event("declared", dt.date(2025, 1, 15), "更正", note="更正后的申报"), force=True,
                           supersedes=first)
        store.add_change("BARE", Change(dt.date(2025, 4, 1), -5, "=原因", False, "\x1b"))
    return path, ["HOST-1", "=CMD", "NO-SUCH-CODE", "YB-E-001", "BARE", "=CMD"]


def both_ways(path: Path, codes: list[str], suffix: str, tmp_path: Path) -> tuple[Path, Path, list, list]:
    """(the export from Projects, the export from rows, altered cells of each); both export as many
    projects, and the progress counts every one of them."""
    from_projects, from_rows = tmp_path / f"projects.{suffix}", tmp_path / f"rows.{suffix}"
    altered_projects: list[str] = []
    altered_rows: list[str] = []
    progress: list[int] = []
    with Store(path) as store:
        count = export_projects(store.iter_projects(codes), from_projects, altered=altered_projects,
                                recorded=store.recorded(codes) if suffix == "xlsx" else None)
        assert export_stored(store, codes, from_rows, progress=progress.append, altered=altered_rows) == count
    assert sum(progress) == count
    return from_projects, from_rows, altered_projects, altered_rows


def test_csv_from_rows_is_the_csv_from_projects_byte_for_byte(stored, tmp_path):
    path, codes = stored
    from_projects, from_rows, _, _ = both_ways(path, codes, "csv", tmp_path)
    assert from_rows.read_bytes() == from_projects.read_bytes()
    assert from_rows.read_bytes().startswith("\ufeffcode,name,".encode())
    rows = list(csv.DictReader(io.StringIO(from_rows.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r["code"] for r in rows] == ["HOST-1", "'=CMD", "YB-E-001", "BARE", "'=CMD"]
    host = rows[0]
    assert (host["tester"], host["supervisor"], host["user_unit"]) == ("'" + HOSTILE, "'+1", "'\t制表开头")
    assert host["name"] == CONTROL and host["classified"] == "true" and host["investment"] == "999999999999999"
    assert "更正后的申报" in host["events"] and CONTROL not in host["events"]  # the superseded event is left out
    assert host["events"].index("2025-01-15") < host["events"].index("2025-02-01")  # in date order
    assert '"big": 4611686018427387904' in host["facts"] and '"ratio": 0.1' in host["facts"]
    assert rows[3]["changes"] == ('[{"amount": -5, "content_amount": 5, "date": "2025-04-01", "major": false, '
                                  '"note": "\\u001b", "reason": "=原因"}]')
    assert rows[3]["events"] == rows[3]["tags"] == rows[3]["contracts"] == ""


def cells(path: Path) -> dict[str, list[list[tuple]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [[(c.value, c.data_type, c.quotePrefix) for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


def test_xlsx_from_rows_holds_the_cells_of_the_xlsx_from_projects(stored, tmp_path):
    path, codes = stored
    from_projects, from_rows, altered_projects, altered_rows = both_ways(path, codes, "xlsx", tmp_path)
    expected, found = cells(from_projects), cells(from_rows)
    assert list(found) == ["projects", "events", "changes", "contracts", "phases", "recorded"]
    assert found == expected
    assert altered_rows == altered_projects and "HOST-1 name" in altered_rows and "BARE changes.note" in altered_rows
    formulas = [c for rows in found.values() for row in rows for c in row if c[1] == "f"]
    assert formulas == []
    quoted = {c[0] for rows in found.values() for row in rows for c in row if c[2]}
    assert {HOSTILE, "@SUM(A1)", "+1", "-1", "=HT", "+P2", "=原因", "=削减", "+值", "=CMD", "\t制表开头"} <= quoted
    header = [c[0] for c in found["projects"][0]]
    assert header[-4:] == ["facts.tiny", "facts.中文键", "funding.central", "funding.district"]
    assert header[header.index("tags") + 1] == "facts.=公式"


def test_many_projects_keep_their_order_across_chunks(tmp_path):
    """More projects than one query reads (store.rows.CHUNK), asked for in reverse code order."""
    path = tmp_path / "many.db"
    many = [load_project({"code": f"M-{i:04d}", "name": f"项目{i}", "district": "yubei", "kind": "operation",
                          "investment": i, "facts": {f"f{i % 3}": i},
                          "events": [{"type": "declared", "date": f"2025-01-{1 + i % 28:02d}"}]})
            for i in range(1203)]
    with Store(path) as store:
        store.save_projects(many, derive=False)
    codes = [p.code for p in reversed(many)]
    csv_projects, csv_rows, _, _ = both_ways(path, codes, "csv", tmp_path)
    assert csv_rows.read_bytes() == csv_projects.read_bytes()
    assert csv_rows.read_text(encoding="utf-8-sig").splitlines()[1].startswith("M-1202,")
    xlsx_projects, xlsx_rows, _, _ = both_ways(path, codes, "xlsx", tmp_path)
    assert cells(xlsx_rows) == cells(xlsx_projects)


def zwxm(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZWXM_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "zwxm", "--db", str(db), *args], capture_output=True, text=True,
                          env=env, check=False)


@pytest.mark.parametrize("read_only", [False, True])
def test_cli_export_writes_the_csv_from_projects(stored, tmp_path, read_only):
    path, _ = stored
    with Store(path) as store:
        codes = [code for (code,) in store.db.execute("SELECT code FROM projects ORDER BY code")]
        export_projects(store.iter_projects(codes), tmp_path / "expected.csv")
    result = zwxm(path, *(["--read-only"] if read_only else []), "export", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()


@pytest.mark.parametrize("query", [{}, {"sort": "name", "descending": True}, {"sort": "stage"}, {"kind": "operation"},
                                   {"text": "项目"}, {"sort": "owner_unit"}, {"text": "no match at all"}])
def test_the_codes_an_export_reads_are_the_lists(stored, query):
    from zwxm.store import ProjectQuery

    path, _ = stored
    q = ProjectQuery(**query)
    with Store(path) as store:
        listed = [r["code"] for r in store.query_projects(q, 0, store.count_projects(q))]
        assert store.project_codes(q) == listed


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "json"])
def test_an_export_reads_one_state_of_the_database(tmp_path, suffix):
    """A write by another connection while the export runs (after its first chunk) is not in the file:
    every chunk is read in one read transaction."""
    path = tmp_path / "snapshot.db"
    many = [load_project({"code": f"S-{i:04d}", "name": "项目", "district": "yubei", "kind": "operation",
                          "investment": 1}) for i in range(1001)]
    with Store(path) as store:
        store.save_projects(many, derive=False)
    written: list[int] = []

    def meanwhile(n: int) -> None:
        if not written:
            with Store(path) as other:
                other.add_change("S-1000", Change(dt.date(2025, 1, 2), 7, "其间写入", False, ""))
        written.append(n)

    with Store(path) as store:
        export_stored(store, [p.code for p in many], tmp_path / f"out.{suffix}", progress=meanwhile)
        assert store.db.execute("SELECT count(*) FROM changes").fetchone()[0] == 1  # the write did land
    if suffix == "xlsx":
        assert cells(tmp_path / "out.xlsx")["changes"] == [cells(tmp_path / "out.xlsx")["changes"][0]]
    else:
        assert "其间写入" not in (tmp_path / f"out.{suffix}").read_text(encoding="utf-8-sig")
