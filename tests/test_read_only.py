"""`zwxm --read-only` (issue 13 §9): the file is opened with SQLite's mode=ro and query_only; commands
that write refuse with a clear message; nothing in the file changes."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests import ZWXM
from zwxm.model import load_project
from zwxm.store import SchemaError, Store

DATA = Path(__file__).parent / "data"


def zwxm(db: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG", "ZWXM_READ_ONLY")} | environment
    return subprocess.run([ZWXM, "--db", str(db), "--lang", "en", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=300, cwd=db.parent)


def digest(path: Path) -> str:
    """The file and its write-ahead log (SQLite may create an empty one while reading: that changes nothing)."""
    wal = Path(f"{path}-wal")
    return hashlib.sha256(path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).hexdigest()


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "zwxm.db"
    with Store(path) as store:
        store.save_project(load_project({"code": "RO-1", "name": "只读示例", "district": "luohu", "kind": "construction",
                                         "investment": "120万", "events": [{"type": "declared", "date": "2025-01-02"}]}))
    (tmp_path / "p.json").write_text('[{"code": "RO-2", "name": "新", "district": "luohu", "kind": "construction", '
                                     '"investment": "10万"}]', encoding="utf-8")
    return path


@pytest.mark.parametrize(("args", "what"), [
    (("import", "p.json"), "cannot import"),
    (("record", "RO-1", "progress_reported", "--date", "2025-06-01", "--force"), "cannot record an event"),
    (("rebuild",), "cannot rebuild the derived tables"),
    (("demo", "--count", "5"), "cannot create a demo database"),
])
def test_writing_commands_refuse_and_leave_the_file_alone(db, args, what):
    before = digest(db)
    result = zwxm(db, "--read-only", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("--read-only: 只读模式：") and f"read-only mode: {what}" in result.stderr
    assert digest(db) == before


def test_zwxm_read_only_in_the_environment_is_the_flag(db):
    """ZWXM_READ_ONLY=1 (what `zwxm serve --tui` sets for each visitor's TUI) is `--read-only`; 0 is not;
    a value that is no yes or no is named."""
    before = digest(db)
    refused = zwxm(db, "rebuild", ZWXM_READ_ONLY="1")
    assert refused.returncode == 2 and refused.stderr.startswith("--read-only: 只读模式：")
    assert digest(db) == before
    assert zwxm(db, "rebuild", ZWXM_READ_ONLY="0").returncode == 0
    unclear = zwxm(db, "verify", ZWXM_READ_ONLY="maybe")
    assert unclear.returncode == 2 and "--read-only" in unclear.stderr and "'maybe'" in unclear.stderr
    assert "Traceback" not in unclear.stderr


def test_reading_commands_work_read_only(db, tmp_path):
    before = digest(db)
    verified = zwxm(db, "--read-only", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "head: " in verified.stdout
    exported = zwxm(db, "--read-only", "export", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr
    assert "RO-1" in (tmp_path / "out.json").read_text(encoding="utf-8")
    assert zwxm(db, "--read-only", "backup", str(tmp_path / "copy.db")).returncode == 0
    assert digest(db) == before


def test_a_read_only_store_cannot_write_even_by_mistake(db):
    with Store(db, read_only=True) as store:
        assert store.project("RO-1").name == "只读示例"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.save_project(load_project({"code": "RO-3", "name": "x", "district": "luohu",
                                             "kind": "construction", "investment": 1}))


def test_read_only_never_creates_or_upgrades_a_file(tmp_path):
    missing = tmp_path / "none.db"
    with pytest.raises(SchemaError, match="does not exist"):
        Store(missing, read_only=True)
    assert not missing.exists()
    old = tmp_path / "v2.db"
    conn = sqlite3.connect(old)
    conn.executescript((DATA / "schema_v2.sql").read_text(encoding="utf-8"))
    conn.close()
    result = zwxm(old, "--read-only", "verify")
    assert result.returncode == 2 and "open it once without --read-only" in result.stderr
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 2
