"""The zwxm_* SQL functions: through sqlite-utils (plugin entry point) and its CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from zwxm.store import sqlite_functions

SQLITE_UTILS = Path(sys.executable).parent / "sqlite-utils"


def plugin_registered() -> bool:
    sqlite_utils.plugins.ensure_plugins_loaded()
    return any(getattr(p, "__name__", "") == "zwxm.store.sqlite_functions"
               for p in sqlite_utils.plugins.pm.get_plugins())


@pytest.fixture
def db(tmp_path):
    database = sqlite_utils.Database(tmp_path / "zwxm.db")
    if not plugin_registered():  # project not pip-installed: register by hand
        sqlite_functions.register(database.conn)
    database["events"].insert_all([
        {"id": 1, "signed": "2024-09-25"},
        {"id": 2, "signed": "2025-01-24"},
        {"id": 3, "signed": None},
        {"id": 4, "signed": "not a date"},
    ], pk="id")
    yield database
    database.close()


def one(db, sql, params=()):
    return db.execute(sql, params).fetchone()[0]


def test_plugin_is_installed_by_entry_point():
    assert plugin_registered(), "pip install -e . registers zwxm.store.sqlite_functions for sqlite-utils"


def test_add_workdays(db):
    assert one(db, "select zwxm_add_workdays('2024-09-25', 5)") == "2024-10-08"
    assert one(db, "select zwxm_add_workdays('2024-09-27', 1)") == "2024-09-29"
    assert one(db, "select zwxm_add_workdays('2024-09-28', 0)") == "2024-09-28"
    assert one(db, "select zwxm_add_workdays('2024-09-25 10:30:00', 5)") == "2024-10-08"
    assert one(db, "select zwxm_add_workdays('2024-09-25', '5')") == "2024-10-08"
    rows = db.execute(
        "select id, zwxm_add_workdays(signed, 3) from events order by id").fetchall()
    # 2024-09-25 + 3: 26, 27, 29 (worked Sunday); 2025-01-24 + 3: 26 (worked Sunday), 27, 02-05
    assert rows == [(1, "2024-09-29"), (2, "2025-02-05"), (3, None), (4, None)]


def test_is_workday(db):
    assert one(db, "select zwxm_is_workday('2024-09-29')") == 1
    assert one(db, "select zwxm_is_workday('2024-10-01')") == 0
    assert one(db, "select zwxm_is_workday('2026-02-14')") == 1
    assert one(db, "select count(*) from events where zwxm_is_workday(signed)") == 2


def test_workdays_between(db):
    assert one(db, "select zwxm_workdays_between('2024-09-30', '2024-10-08')") == 1
    assert one(db, "select zwxm_workdays_between('2024-10-08', '2024-09-25')") == -5


@pytest.mark.parametrize("sql", [
    "select zwxm_add_workdays(NULL, 1)",
    "select zwxm_add_workdays('2024-09-25', NULL)",
    "select zwxm_add_workdays('garbage', 1)",
    "select zwxm_add_workdays('2024-02-30', 1)",
    "select zwxm_add_workdays('2024-09-25', -1)",
    "select zwxm_add_workdays('2024-09-25', 1.5)",
    "select zwxm_add_workdays('2024-09-25', 'x')",
    "select zwxm_add_workdays(20240925, 1)",
    "select zwxm_add_workdays(x'00ff', 1)",
    "select zwxm_add_workdays('2100-12-30', 10)",
    "select zwxm_add_workdays('2024-09-25', 99999999999)",
    "select zwxm_is_workday('1800-01-01')",
    "select zwxm_is_workday(NULL)",
    "select zwxm_is_workday('')",
    "select zwxm_workdays_between('2024-01-01', 'x')",
    "select zwxm_workdays_between(NULL, '2024-01-01')",
])
def test_bad_input_gives_null(db, sql):
    assert one(db, sql) is None


def test_functions_are_deterministic_usable_in_index(db):
    # SQLite only accepts deterministic functions in index expressions
    db.execute("create index idx_due on events(zwxm_add_workdays(signed, 3))")
    assert one(db, "select count(*) from events where zwxm_add_workdays(signed, 3) = '2024-09-29'") == 1


def test_register_on_plain_sqlite_connection():
    conn = sqlite3.connect(":memory:")
    sqlite_functions.register(conn)
    assert conn.execute("select zwxm_add_workdays('2019-09-27', 3)").fetchone()[0] == "2019-10-08"


def test_sqlite_utils_query_cli(db, tmp_path):
    out = subprocess.run(
        [str(SQLITE_UTILS), "query", str(tmp_path / "zwxm.db"),
         "select id, zwxm_add_workdays(signed, 5) as due, zwxm_is_workday(signed) as w "
         "from events order by id"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout) == [
        {"id": 1, "due": "2024-10-08", "w": 1},
        {"id": 2, "due": "2025-02-07", "w": 1},
        {"id": 3, "due": None, "w": None},
        {"id": 4, "due": None, "w": None},
    ]


def test_sqlite_utils_memory_cli():
    out = subprocess.run(
        [str(SQLITE_UTILS), "memory",
         "select zwxm_add_workdays('2024-09-25', 5) as a, zwxm_is_workday('2025-01-26') as b, "
         "zwxm_workdays_between('2025-01-24', '2025-02-05') as c"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout) == [{"a": "2024-10-08", "b": 1, "c": 3}]
