"""A stored value another tool left unreadable (JSON cut short, a payload that is not JSON) stops
`zwxm export` in every format with one line naming the project, the field and the value — not a
decoder's message, not SQLite's "user-defined function raised exception" — and writes no file."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess

import pytest

from tests import ZWXM
from zwxm.model import Event, load_project
from zwxm.store import Store

BROKEN = {
    "tags": ("UPDATE projects SET tags = ? WHERE code = 'P-2'", "[1,"),
    "facts": ("UPDATE projects SET facts = ? WHERE code = 'P-2'", "{not json"),
    "events": ("UPDATE events SET payload = ? WHERE project_code = 'P-2' AND type = 'approved'", "{bad"),
}


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "zwxm.db"
    with Store(path) as store:
        for code in ("P-1", "P-2", "P-3"):
            project = load_project({"code": code, "name": "系统", "district": "luohu", "kind": "construction",
                                    "investment": "120万", "tags": ["甲"], "facts": {"feasibility_done": True}})
            project.events = [Event("declared", dt.date(2024, 3, 1)),
                              Event("approved", dt.date(2024, 5, 6), payload={"批文": "罗发改〔2024〕1号"})]
            store.save_project(project)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "toml"])
@pytest.mark.parametrize("field", list(BROKEN))
def test_an_unreadable_stored_value_is_named_and_nothing_is_written(register, tmp_path, fmt, field):
    sql, value = BROKEN[field]
    conn = sqlite3.connect(register)
    if field == "events":
        conn.executescript("DROP TRIGGER events_no_update;")  # as a tool holding the file could
    with conn:
        conn.execute(sql, [value])
    conn.close()
    out = tmp_path / f"out.{fmt}"
    result = subprocess.run([ZWXM, "--db", str(register), "export", str(out)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    *warnings, line = result.stderr.splitlines()  # a dropped trigger is also said (and restored)
    assert re.fullmatch(rf"P-2 {field}(\[1\])?: {re.escape(repr(value))}: 存储的数据无法读取（另见 zwxm verify） / "
                        r"stored data unreadable \(see zwxm verify\)", line), line
    assert len(warnings) == (field == "events")
    assert not out.exists() and list(tmp_path.glob("out*")) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "toml"])
def test_the_same_register_exports_when_nothing_is_broken(register, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = subprocess.run([ZWXM, "--db", str(register), "export", str(out)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
