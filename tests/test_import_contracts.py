"""Importing contracts (a workbook sheet or a separate file) and the Yubei 附件1 funding columns (issue 18)."""

from __future__ import annotations

import csv
import subprocess
import sys

import openpyxl
import pytest

from zwxm.io.importer import import_file
from zwxm.store import Store

LEDGER = [["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）", "资金来源", "分类", "建设单位"],
          ["LH-C-1", "罗湖区多合同平台", "罗湖", "建设类", 300, "部门预算", "software", "区政务服务数据管理局"],
          ["LH-C-2", "罗湖区单合同平台", "罗湖", "建设类", 120, "部门预算", "software", "区政务服务数据管理局"]]
CONTRACTS = [["项目编号", "合同编号", "合同类型", "供应商", "合同金额（万元）", "签订日期", "备案日期"],
             ["LH-C-1", "HT-1", "承建", "甲科技公司", 250, "2025-03-03", "2025-03-14"],
             ["LH-C-1", "HT-2", "监理", "乙监理公司", "8万", "2025-03-04", None],
             ["LH-C-2", "HT-9", "第三方测评", "丙测评中心", 12, "2025年4月2日", "2025-04-01"]]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "z.db") as s:
        yield s


def _xlsx(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _check_contracts(store):
    project = store.project("LH-C-1")
    assert [(c.id, c.kind, c.vendor, c.amount) for c in project.contracts] == [
        ("HT-1", "construction", "甲科技公司", 2_500_000), ("HT-2", "supervision", "乙监理公司", 80_000)]
    assert [(e.type, e.date.isoformat(), e.contract) for e in project.events] == [
        ("contract_signed", "2025-03-03", "HT-1"), ("contract_signed", "2025-03-04", "HT-2"),
        ("contract_filed", "2025-03-14", "HT-1")]
    deadlines = {d.contract: d.status for d in store.evaluation("LH-C-1").deadlines if d.rule == "contract_filing"}
    assert deadlines == {"HT-1": "missed", "HT-2": "missed"}
    # the filing dated before its signing is no filing of HT-9: a finding names it
    single = store.evaluation("LH-C-2")
    assert [(d.contract, d.done_on) for d in single.deadlines if d.rule == "contract_filing"] == [("HT-9", None)]
    assert [f.contract for f in single.findings if f.rule == "contract_filing"] == ["HT-9"]


def test_a_contracts_sheet_in_the_workbook(store, tmp_path):
    path = _xlsx(tmp_path / "ledger.xlsx", {"项目": LEDGER, "合同": CONTRACTS})
    summary = import_file(store, path)
    assert (summary.inserted, summary.rejected) == (2, 0), summary
    _check_contracts(store)
    assert import_file(store, path).unchanged == 2  # importing again changes nothing


def test_a_separate_contracts_file_through_the_cli(tmp_path):
    ledger = _csv(tmp_path / "ledger.csv", LEDGER)
    contracts = _csv(tmp_path / "contracts.csv", CONTRACTS)
    db = tmp_path / "z.db"
    result = subprocess.run([sys.executable, "-m", "zwxm", "--db", str(db), "import", str(ledger), "--contracts",
                             str(contracts)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "新增 2" in result.stdout
    with Store(db) as store:
        _check_contracts(store)


def test_contract_rows_with_bad_values_or_no_project_are_rejected_by_name(store, tmp_path):
    rows = [*CONTRACTS[:2], ["LH-C-1", "HT-2", "餐饮", "乙", "约八万", "2025-03-04", None],
            ["LH-NONE", "HT-7", "监理", "丁", 5, "2025-03-04", None]]
    path = _xlsx(tmp_path / "ledger.xlsx", {"项目": LEDGER, "合同": rows})
    summary = import_file(store, path)
    assert (summary.inserted, summary.rejected) == (1, 2)
    rejects = store.db.execute("SELECT row, code, \"column\", value FROM import_rejects ORDER BY row, \"column\"").fetchall()
    assert (2, "LH-C-1", "合同金额（万元）（工作表“合同” 第3行）", "约八万") in rejects
    assert any(code == "LH-C-1" and column.startswith("合同类型") and value == "餐饮" for _, code, column, value in rejects)
    assert (4, "LH-NONE", "工作表“合同”", "LH-NONE") in rejects
    assert store.project("LH-C-1") is None  # nothing half-written


def test_an_unknown_contract_header_stops_before_any_row(store, tmp_path):
    path = _csv(tmp_path / "contracts.csv", [["项目编号", "合同编号", "付款方式"], ["LH-C-1", "HT-1", "分期"]])
    ledger = _csv(tmp_path / "ledger.csv", LEDGER)
    with pytest.raises(Exception, match="付款方式"):
        import_file(store, ledger, contracts_path=path)
    assert store.db.execute("SELECT count(*) FROM projects").fetchone()[0] == 0


FORM = [["项目编号", "项目名称", "项目类别", "合计（万元）", "中央财政资金", "市财政资金", "区财政资金", "自有资金"],
        ["YB-F-1", "渝北区混合资金平台", "建设类", 580, 80, 0, 480, 20],
        ["YB-F-2", "渝北区合计不符平台", "建设类", 580, 80, 100, 480, 20]]


def test_funding_columns_become_sources_and_a_wrong_total_is_rejected_naming_columns_and_values(store, tmp_path):
    summary = import_file(store, _csv(tmp_path / "form.csv", FORM), district="yubei")
    assert (summary.inserted, summary.rejected) == (1, 1)
    project = store.project("YB-F-1")
    assert [(f.source, f.amount) for f in project.funding_sources] == [
        ("central", 800_000), ("district", 4_800_000), ("own", 200_000)]
    column, value, reason = store.db.execute("SELECT \"column\", value, reason FROM import_rejects").fetchone()
    assert column == "合计（万元） / 中央财政资金、市财政资金、区财政资金、自有资金"
    assert value == "580 ≠ 中央财政资金 80 + 市财政资金 100 + 区财政资金 480 + 自有资金 20"
    assert "5800000" in reason and "6800000" in reason
    assert store.project("YB-F-2") is None
