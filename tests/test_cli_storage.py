"""The storage commands as a person or a script runs them: real `zwxm` subprocesses on real files."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ZWXM
from zwxm.plugins import get_registry
from zwxm.store import SCHEMA_VERSION, ProjectQuery, Store

DATA = Path(__file__).parent / "data"


def zwxm(db: Path, *args: str, lang: str = "zh") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    return subprocess.run([ZWXM, "--db", str(db), "--lang", lang, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=300)


def assert_clean(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "zwxm.db"


def test_demo_from_a_script_only_creates_the_database(db):
    result = zwxm(db, "demo", "--count", "60", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "60" in result.stdout
    with Store(db) as store:
        facets = store.facets()
        assert {d for d, _ in facets["district"]} == set(get_registry().districts)
        assert len(facets["stage"]) >= 6
        assert store.count_projects(ProjectQuery(overdue_only=True)) > 0
        assert store.verify() == []
        # histories respect the gates: no event was recorded against a refusal
        forced = store.db.execute("SELECT count(*) FROM events WHERE payload LIKE '%forced%'").fetchone()[0]
        assert forced == 0
    again = zwxm(db, "demo")  # the README's run command works again: the existing demo is reused
    assert again.returncode == 0 and "--replace" in again.stdout
    with Store(db) as store:
        assert store.count_projects(ProjectQuery()) == 60
    replaced = zwxm(db, "demo", "--count", "8", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    with Store(db) as store:
        assert store.count_projects(ProjectQuery()) == 8


def test_demo_never_replaces_real_data(db):
    assert zwxm(db, "import", str(DATA / "ledger_gbk.csv")).returncode == 0
    for args in (("demo",), ("demo", "--replace")):
        refused = zwxm(db, *args)
        assert refused.returncode == 2 and "not a demo database" in refused.stderr
    with Store(db) as store:
        assert store.project("YB-G-001") is not None


def test_import_summary_rejects_and_exit_status(db, tmp_path):
    shutil.copy(DATA / "duplicate_code.csv", tmp_path / "ledger.csv")
    result = zwxm(db, "import", str(tmp_path / "ledger.csv"))
    assert result.returncode == 1
    assert "新增 1，更新 0，未变 0，拒绝 2" in result.stdout
    assert str(tmp_path / "ledger.rejects.csv") in result.stderr
    assert (tmp_path / "ledger.rejects.csv").exists()
    english = zwxm(db, "import", str(DATA / "yubei_form.csv"), "--district", "yubei", lang="en")
    assert english.returncode == 0 and "inserted 3, updated 0, unchanged 0, rejected 0" in english.stdout


def test_unusable_input_exits_2_naming_field_and_value(db):
    header = zwxm(db, "import", str(DATA / "unknown_header.csv"))
    assert header.returncode == 2 and "负责人签字" in header.stderr and "unknown column header" in header.stderr
    empty = zwxm(db, "import", str(DATA / "empty.csv"))
    assert empty.returncode == 2 and "file is empty" in empty.stderr
    district = zwxm(db, "import", str(DATA / "yubei_form.csv"), "--district", "nowhere")
    assert district.returncode == 2 and "'nowhere'" in district.stderr
    for result in (header, empty, district):
        assert_clean(result)


def test_defer_derived_then_rebuild(db):
    result = zwxm(db, "import", str(DATA / "ledger_gbk.csv"), "--defer-derived")
    assert result.returncode == 0 and "zwxm rebuild" in result.stderr and "gbk" in result.stderr
    with Store(db) as store:
        assert {r["evaluated_on"] for r in store.query_projects(ProjectQuery())} == {None}
    rebuilt = zwxm(db, "rebuild")
    assert rebuilt.returncode == 0 and "2" in rebuilt.stdout
    with Store(db) as store:
        assert {r["evaluated_on"] for r in store.query_projects(ProjectQuery())} == {dt.date.today().isoformat()}


def gate_for(district: str, event_type: str):
    return next(r for r in get_registry().rules_for(district, "gate") if event_type in r.events)


def test_record_refused_with_article_then_forced(db):
    assert zwxm(db, "import", str(DATA / "yubei_form.csv"), "--district", "yubei").returncode == 0
    gate = gate_for("yubei", "procurement_started")  # 采购 before approval
    refused = zwxm(db, "record", "YB-2025-001", "procurement_started", "--date", "2025-04-01")
    assert refused.returncode == 1
    assert f"第{gate.article}条" in refused.stderr and "--force" in refused.stderr
    assert_clean(refused)
    with Store(db) as store:
        assert store.events("YB-2025-001") == []
    forced = zwxm(db, "record", "YB-2025-001", "procurement_started", "--date", "2025-04-01", "--force")
    assert forced.returncode == 0 and "记为问题" in forced.stderr
    with Store(db) as store:
        assert any(f.rule == gate.key for f in store.evaluation("YB-2025-001").findings)
    fine = zwxm(db, "record", "YB-2025-002", "declared", "--date", "2025-01-10", "--note", "按时申报")
    assert fine.returncode == 0, fine.stderr


def test_record_bad_input_exits_2(db):
    assert zwxm(db, "import", str(DATA / "yubei_form.csv"), "--district", "yubei").returncode == 0
    cases = [(("NOPE", "declared", "--date", "2025-01-01"), "'NOPE'"),
             (("YB-2025-001", "declared", "--date", "2025-02-30"), "'2025-02-30'"),
             (("YB-2025-001", "invented", "--date", "2025-01-01"), "'invented'")]
    for args, named in cases:
        result = zwxm(db, "record", *args)
        assert result.returncode == 2 and named in result.stderr, result.stderr
        assert_clean(result)


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell (Debian package sqlite3) is missing")
def test_verify_names_a_tampered_event_and_backup_copies(db, tmp_path):
    assert zwxm(db, "import", str(DATA / "ledger_gbk.csv")).returncode == 0
    clean = zwxm(db, "verify")
    assert clean.returncode == 0 and "2" in clean.stdout
    backup = zwxm(db, "backup", str(tmp_path / "copy.db"))
    assert backup.returncode == 0 and (tmp_path / "copy.db").exists()
    assert zwxm(db, "backup", str(tmp_path / "copy.db")).returncode == 2
    tamper = subprocess.run(["sqlite3", str(db), "DROP TRIGGER events_no_update; "
                             "UPDATE events SET date = '2024-09-20' WHERE project_code = 'YB-G-001'; "
                             "SELECT id FROM events WHERE project_code = 'YB-G-001';"], capture_output=True, text=True)
    event_id = tamper.stdout.strip()
    broken = zwxm(db, "verify")
    assert broken.returncode == 1
    assert "YB-G-001" in broken.stderr and f"#{event_id}" in broken.stderr
    assert zwxm(tmp_path / "copy.db", "verify").returncode == 0  # the backup predates the tampering


def test_export_one_project_and_a_filter(db, tmp_path):
    assert zwxm(db, "import", str(DATA / "yubei_form.csv"), "--district", "yubei").returncode == 0
    one = zwxm(db, "export", str(tmp_path / "one.json"), "--code", "YB-2025-002")
    assert one.returncode == 0, one.stderr
    data = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert [p["code"] for p in data["projects"]] == ["YB-2025-002"]
    ops = zwxm(db, "export", str(tmp_path / "ops.xlsx"), "--kind", "operation")
    assert ops.returncode == 0 and "2" in ops.stdout
    back = zwxm(tmp_path / "other.db", "import", str(tmp_path / "ops.xlsx"))
    assert back.returncode == 0 and "新增 2" in back.stdout
    missing = zwxm(db, "export", str(tmp_path / "x.toml"), "--code", "NOPE")
    assert missing.returncode == 2 and "'NOPE'" in missing.stderr


def test_sqlite_utils_staging_workflow(db, tmp_path):
    sqlite_utils_cli = Path(sys.executable).parent / "sqlite-utils"
    subprocess.run([str(sqlite_utils_cli), "insert", str(db), "import_projects", str(DATA / "missing_code.csv"),
                    "--csv"], check=True)
    result = zwxm(db, "import", "--from-table", "import_projects", "--rejects", str(tmp_path / "r.csv"))
    assert result.returncode == 1 and "新增 1" in result.stdout and "拒绝 1" in result.stdout
    neither = zwxm(db, "import")
    assert neither.returncode == 2 and "--from-table" in neither.stderr


def test_newer_or_foreign_database_is_refused_without_traceback(db, tmp_path):
    Store(db).close()
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    newer = zwxm(db, "verify")
    assert newer.returncode == 2 and "upgrade zwxm" in newer.stderr and str(db) in newer.stderr
    text = tmp_path / "notes.db"
    text.write_text("not a database at all " * 100)
    foreign = zwxm(text, "rebuild")
    assert foreign.returncode == 2 and "not an SQLite database" in foreign.stderr
    for result in (newer, foreign):
        assert_clean(result)


def test_db_path_from_environment(tmp_path):
    env = {**os.environ, "ZWXM_DB": str(tmp_path / "env.db")}
    result = subprocess.run([ZWXM, "import", str(DATA / "ledger_gbk.csv")], capture_output=True, text=True,
                            env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env.db").exists()


def test_demo_without_a_path_uses_its_own_file_beside_the_default_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ZWXM_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path)
    result = subprocess.run([ZWXM, "demo", "--count", "5"], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "zwxm" / "demo.db").exists() and not (tmp_path / "zwxm" / "zwxm.db").exists()
