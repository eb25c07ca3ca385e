"""Batch import on real files and real SQLite: formats, headers, encodings, mapping, staging table, batches."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from zwxm.io.importer import import_file, import_table
from zwxm.model import InputError
from zwxm.store import ProjectQuery, Store

DATA = Path(__file__).parent / "data"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "zwxm.db") as s:
        yield s


def dump(store: Store) -> list[tuple]:
    """Everything a re-run must leave alone (timestamps included)."""
    rows = []
    for table in ("projects", "events", "changes"):
        rows += [(table, *r) for r in store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


def test_yubei_declaration_form_maps_every_field(store, tmp_path):
    summary = import_file(store, DATA / "yubei_form.csv", district="yubei")
    assert (summary.inserted, summary.rejected) == (3, 0)
    health = store.project("YB-2025-001")
    assert health.owner_unit == "区卫生健康委员会"
    assert health.kind == "construction" and health.category == "engineering"
    assert health.investment == 5_800_000  # 合计（万元） 580
    # the 资金预算 columns are the project's funding sources (issue 18); zero columns are left out
    assert [(f.source, f.amount) for f in health.funding_sources] == [("city", 1_000_000), ("district", 4_800_000)]
    assert health.facts["contact"] == "王敏" and health.facts["period"] == "2025年3月 至 2025年12月"
    cloud = store.project("YB-2025-003")
    assert cloud.kind == "operation" and cloud.category == "services" and cloud.investment == 12_000_000
    assert store.project("YB-2025-002").investment == 865_000  # 86.5万 exactly


def test_running_the_same_import_again_changes_nothing(store):
    import_file(store, DATA / "yubei_form.csv", district="yubei")
    before = dump(store)
    again = import_file(store, DATA / "yubei_form.csv", district="yubei")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert dump(store) == before


def test_gbk_ledger_is_detected_not_mangled(store, tmp_path):
    summary = import_file(store, DATA / "ledger_gbk.csv")
    assert summary.encoding == "gbk" and summary.inserted == 2
    city = store.project("YB-G-001")
    assert city.name == "渝北区城市运行管理平台" and city.owner_unit == "区城市管理局"
    assert city.district == "yubei" and city.funding == "government_investment"
    assert city.investment == 20_000_000  # "2,000" in a 万元 column
    assert city.facts["remarks"] == "市级试点"
    assert [(e.type, e.date) for e in city.events] == [("contract_signed", dt.date(2024, 9, 25))]
    assert store.project("YB-G-002").investment == 1_200_000  # full-width "１２０万"


def test_a_gbk_file_read_as_utf8_by_force_is_reported(store):
    with pytest.raises(InputError, match="utf-8"):
        import_file(store, DATA / "ledger_gbk.csv", encoding="utf-8")


def test_mapping_file_names_other_headers(store, tmp_path):
    ledger = tmp_path / "ledger.tsv"
    ledger.write_text("工程编号\t工程名称\t承办科室\t批复金额\t验收时间\t内部备注\n"
                      "YB-X-1\t渝北区电子证照共享系统\t区行政服务中心\t3,500,000\t2024-12-20\t不导入\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\n"工程编号" = "code"\n"工程名称" = "name"\n"承办科室" = "owner_unit"\n'
                       '"批复金额" = { field = "investment", unit = "元" }\n'
                       '"验收时间" = "event:final_acceptance_passed"\n"内部备注" = "ignore"\n', encoding="utf-8")
    with pytest.raises(InputError, match="工程编号"):
        import_file(store, ledger, district="yubei")
    summary = import_file(store, ledger, mapping_path=mapping, district="yubei")
    assert summary.rejected == 1  # no kind column: named as the field a header would fill
    assert store._rows("SELECT \"column\", reason FROM import_rejects") == [
        {"column": "项目类别（kind）", "reason": "缺少必填字段"}]
    mapping.write_text(mapping.read_text(encoding="utf-8") + '"类型" = "kind"\n', encoding="utf-8")
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("\t内部备注\n", "\t内部备注\t类型\n")
                      .replace("\t不导入\n", "\t不导入\t运维类\n"), encoding="utf-8")
    summary = import_file(store, ledger, mapping_path=mapping, district="yubei")
    assert summary.inserted == 1
    project = store.project("YB-X-1")
    assert project.investment == 3_500_000 and project.owner_unit == "区行政服务中心"
    assert [e.type for e in project.events] == ["final_acceptance_passed"]


def test_a_wrong_mapping_file_names_its_entry(store, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\n"工程编号" = "kode"\n"金额" = { field = "investment", unit = "美元" }\n',
                       encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_file(store, DATA / "yubei_form.csv", mapping_path=mapping)
    assert [(p.field, p.value) for p in info.value.problems] == [("columns.工程编号", "kode"),
                                                                ("columns.金额.unit", "美元")]


def test_xlsx_form_with_title_rows_and_a_two_row_header(store, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["渝北区政务信息化项目需求申报表"])
    sheet.append(["填报单位（盖章）：区民政局"])
    sheet.append(["项目编号", "申报单位", "项目名称", "项目类别", "采购类别", "资金预算", None, None, None, None, "备注"])
    sheet.append([None, None, None, None, None, "合计（万元）", "中央财政资金", "市财政资金", "区财政资金", "自有资金", None])
    sheet.append([20250007, "区民政局", "渝北区养老服务监管平台", "建设类", "工程类", 120.5, 0, 0, 120.5, 0, "市级试点"])
    path = tmp_path / "form.xlsx"
    book.save(path)
    summary = import_file(store, path, district="yubei")
    assert (summary.inserted, summary.rejected) == (1, 0), summary
    project = store.project("20250007")
    assert project.investment == 1_205_000 and [(f.source, f.amount) for f in project.funding_sources] == [
        ("district", 1_205_000)]
    assert project.facts["remarks"] == "市级试点" and project.category == "engineering"


def test_json_lines_with_nested_events_and_bad_lines(store, tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = [{"code": "J-1", "name": "渝北区数据共享交换平台", "district": "yubei", "kind": "construction",
             "investment": "300万", "events": [{"type": "declared", "date": "2025-01-06"}]},
            "not an object",
            {"code": "J-2", "name": "坏事件", "district": "yubei", "kind": "construction", "investment": 1,
             "events": [{"type": "invented_event", "date": "2025-01-06"}]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    summary = import_file(store, path)
    assert (summary.inserted, summary.rejected) == (1, 3)
    reasons = store._rows("SELECT row, \"column\", value, reason_en FROM import_rejects ORDER BY row")
    assert [(r["row"], r["column"]) for r in reasons] == [(2, "(行 / row)"), (3, "events[0].type"), (4, "(行 / row)")]
    assert reasons[1]["value"] == "invented_event" and "unknown event type" in reasons[1]["reason_en"]


def test_staging_table_loaded_with_sqlite_utils_is_validated_and_moved(tmp_path):
    db = tmp_path / "zwxm.db"
    shutil.copy(DATA / "missing_code.csv", tmp_path / "rows.csv")
    sqlite_utils_cli = VENV_BIN / "sqlite-utils"
    subprocess.run([str(sqlite_utils_cli), "insert", str(db), "import_projects", str(tmp_path / "rows.csv"), "--csv"],
                   check=True)
    with Store(db) as store:
        summary = import_table(store, "import_projects", rejects_path=tmp_path / "rejects.csv")
        assert (summary.inserted, summary.rejected) == (1, 1)
        assert store.project("YB-M-001").investment == 1_200_000
        left = store._rows("SELECT * FROM import_projects")
        assert len(left) == 1 and left[0]["项目名称"] == "渝北区智慧停车诱导系统"  # the rejected row stays to be fixed
        store.db.execute("UPDATE import_projects SET 项目编号 = 'YB-M-002'")
        again = import_table(store, "import_projects", rejects_path=tmp_path / "rejects.csv")
        assert (again.inserted, again.rejected) == (1, 0)
        assert store.db.execute("SELECT count(*) FROM import_projects").fetchone()[0] == 0


def test_unknown_staging_table_is_named(store):
    with pytest.raises(InputError, match="no such table"):
        import_table(store, "import_nothing")


def _big_jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            f.write(json.dumps({"code": f"K-{n:05d}", "name": f"渝北区测试项目{n}", "district": "yubei",
                                "kind": "construction", "investment": 1_000_000 + n,
                                "events": [{"type": "declared", "date": "2025-01-06"},
                                           {"type": "preliminary_review_passed", "date": "2025-02-03"}]},
                               ensure_ascii=False) + "\n")


def test_a_killed_import_keeps_whole_batches_only_and_a_rerun_completes(tmp_path):
    db, rows = tmp_path / "zwxm.db", tmp_path / "rows.jsonl"
    _big_jsonl(rows, 4000)
    Store(db).close()
    command = [str(VENV_BIN / "zwxm"), "--db", str(db), "import", str(rows), "--batch-size", "100"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    watcher = sqlite3.connect(db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = watcher.execute("SELECT coalesce(max(inserted), 0) FROM imports").fetchone()[0]
        if done >= 300:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    inserted, finished = watcher.execute("SELECT inserted, finished_at FROM imports").fetchone()
    count = watcher.execute("SELECT count(*) FROM projects").fetchone()[0]
    events = watcher.execute("SELECT count(*) FROM events").fetchone()[0]
    watcher.close()
    assert finished is None and 300 <= count < 4000, "the import was not killed half-way"
    assert count == inserted and count % 100 == 0 and events == 2 * count

    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"新增 {4000 - count}，更新 0，未变 {count}，拒绝 0" in rerun.stdout
    with Store(db) as store:
        assert store.count_projects(ProjectQuery()) == 4000 and store.verify() == []
