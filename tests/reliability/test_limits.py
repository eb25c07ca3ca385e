"""Bad files through the real `zwxm`: never a traceback, one clear line naming the file, field or
value, exit status 2 (1 where part was done and said so), nothing half-written, bounded memory and
bounded messages; outputs never follow a link nor overwrite an input; a foreign database is refused.

Issue 13 §4, §5 and §7. Memory is the child's peak resident size (wait4's ru_maxrss).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import attrs
import openpyxl
import pytest

from zwxm.io.limits import DEFAULT_LIMITS, Limits
from zwxm.model import InputError
from zwxm.store import ProjectQuery, Store

from .harness import (
    HEADER,
    integrity,
    ledger_rows,
    mount_tmpfs,
    remount_read_only,
    replace_zip_entry,
    unmount,
    workbook,
    write_csv,
    zwxm,
    zwxm_measured,
)

MEMORY_MB = 500  # issue 13 §5: any input, whatever it claims


def clean(result, status: int) -> list[str]:
    """The result exited with `status`, without a traceback, in a bounded number of lines."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 25 and len(result.stderr) < 20_000, result.stderr[:3000]
    return lines


def ledger(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave behind."""
    return sorted(p.name for p in folder.rglob("*.part"))


# --- §4 bad input: one clear line, exit 2 ----------------------------------------------------------


def test_a_cell_over_131072_characters_is_read_and_one_over_the_limit_refused(tmp_path):
    long = "长" * 200_000  # the csv module's own limit was 131,072: a traceback
    ledger(tmp_path / "long.csv", [["L-1", long, "罗湖", "新建", 120]])
    result = zwxm("--db", "l.db", "import", "long.csv", cwd=tmp_path)
    clean(result, 0)
    with Store(tmp_path / "l.db") as store:
        assert store.project("L-1").name == long
    too_long = "x" * (DEFAULT_LIMITS.cell + 1)
    ledger(tmp_path / "huge.csv", [["L-2", too_long, "罗湖", "新建", 120]])
    lines = clean(zwxm("--db", "l.db", "import", "huge.csv", cwd=tmp_path), 2)
    assert len(lines) == 1 and "row 2" in lines[0] and f"cell={DEFAULT_LIMITS.cell}" in lines[0] and "huge.csv" in lines[0]
    raised = zwxm("--db", "l.db", "import", "huge.csv", "--limit", f"cell={DEFAULT_LIMITS.cell + 1}", cwd=tmp_path)
    clean(raised, 0)


@pytest.mark.parametrize(("name", "at", "over", "make"), [
    ("cell", 50, 51, lambda n, folder: ledger(folder / "f.csv", [["B-1", "名" * n, "罗湖", "新建", 1]])),
    ("rows", 4, 5, lambda n, folder: ledger(folder / "f.csv", [[f"B-{i}", "名", "罗湖", "新建", 1] for i in range(n)])),
    ("columns", 7, 8, lambda n, folder: ledger(folder / "f.csv", [["B-1", "名", "罗湖", "新建", 1] + [""] * (n - 5)],
                                               HEADER + [f"facts.c{i}" for i in range(n - 5)])),
    ("depth", 6, 7, lambda n, folder: _write(folder / "f.json", json.dumps(
        [{"code": "B-1", "name": "名", "district": "luohu", "kind": "construction", "investment": 1,
          "facts": {"deep": _nested(n - 3)}}]))),
    ("size", 0, 1, None),
    ("document", 0, 1, None),
])
def test_each_limit_on_both_sides_and_on_it(tmp_path, name, at, over, make):
    """On the limit: imported; one past it: refused naming the limit, nothing written."""
    if make is None:  # byte limits: the file's own size is the boundary
        path = (make_json if name == "document" else ledger)(tmp_path / ("f.json" if name == "document" else "f.csv"),
                                                             [["B-1", "名", "罗湖", "新建", 1]])
        at = path.stat().st_size
    else:
        path = make(at, tmp_path)
    clean(zwxm("--db", "b.db", "import", path.name, "--limit", f"{name}={at}", cwd=tmp_path), 0)
    lines = clean(zwxm("--db", "b.db", "import", path.name, "--limit", f"{name}={at - 1}", cwd=tmp_path), 2)
    assert len(lines) == 1 and f"{name}=" in lines[0] and f"--limit {name}=" in lines[0], lines
    if make is not None:
        path = make(over, tmp_path)
        lines = clean(zwxm("--db", "b2.db", "import", path.name, "--limit", f"{name}={at}", cwd=tmp_path), 2)
        assert f"{name}={at}" in lines[0]
        assert not (tmp_path / "b2.db").exists() or Store(tmp_path / "b2.db").count_projects(ProjectQuery()) == 0


def _nested(depth: int) -> object:
    value: object = "底"
    for _ in range(depth):
        value = [value]
    return value


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def make_json(path: Path, rows: list[list[object]]) -> Path:
    return _write(path, json.dumps([{"code": r[0], "name": r[1], "district": "luohu", "kind": "construction",
                                     "investment": r[4]} for r in rows], ensure_ascii=False))


def test_a_bad_limit_setting_is_named(tmp_path):
    for setting in ("rows", "rows=0", "rows=-1", "bogus=5", "cell=1T"):
        lines = clean(zwxm("--db", "x.db", "import", "x.csv", "--limit", setting, cwd=tmp_path), 2)
        assert lines == [lines[0]] and repr(setting) in lines[0]
    assert Limits().raised(["size=2G", "cell=64k", "rows=10"]) == Limits(size=2 << 30, cell=64 << 10, rows=10)


DEEP_JSON = "[" * 5000 + "]" * 5000
DEEP_TOML = "a = " + "[" * 5000 + "]" * 5000 + "\n"
BIG_INTEGER = '{"code": "N-1", "investment": ' + "9" * 5000 + "}"


@pytest.mark.parametrize(("name", "text", "said"), [
    ("deep.json", DEEP_JSON, "depth="), ("deep.toml", DEEP_TOML, "depth="),
    ("deep.json", '{"projects": [{"code": "D", "facts": {"x": ' + "[" * 5000 + "]" * 5000 + "}}]}", "depth="),
    ("int.json", BIG_INTEGER, "4300"), ("int.toml", "code = 'N'\ninvestment = " + "9" * 5000 + "\n", "4300"),
])
def test_deep_nesting_and_huge_integers_are_refused_in_one_line(tmp_path, name, text, said):
    (tmp_path / name).write_text(text, encoding="utf-8")
    for args in (("evaluate", name), ("--db", "n.db", "import", name)):
        lines = clean(zwxm(*args, cwd=tmp_path), 2)
        assert len(lines) == 1 and name in lines[0] and said in lines[0], lines


def test_json_lines_past_the_nesting_or_digit_limit_are_rejected_rows(tmp_path):
    good = {"code": "J-1", "name": "正常", "district": "luohu", "kind": "construction", "investment": 1}
    (tmp_path / "rows.jsonl").write_text("\n".join([json.dumps(good), DEEP_JSON, BIG_INTEGER,
                                                    json.dumps({**good, "code": "J-2", "facts": {"x": _nested(40)}})]),
                                         encoding="utf-8")
    result = zwxm("--db", "j.db", "import", "rows.jsonl", cwd=tmp_path)
    clean(result, 1)
    assert "新增 1" in result.stdout and "拒绝 3" in result.stdout
    rejects = (tmp_path / "rows.rejects.csv").read_text(encoding="utf-8-sig")
    assert "nested too deep" in rejects and "4300" in rejects and "nested deeper than 32" in rejects


def test_evaluate_dev_zero_and_other_endless_files(tmp_path):
    lines = clean(zwxm("evaluate", "/dev/zero", timeout=120), 2)
    assert len(lines) == 1 and "/dev/zero" in lines[0] and "document=" in lines[0]
    lines = clean(zwxm("--db", str(tmp_path / "z.db"), "import", "/dev/zero", "--format", "csv"), 2)
    assert len(lines) == 1 and "/dev/zero" in lines[0]


def test_a_header_of_a_million_columns_gets_one_line(tmp_path):
    (tmp_path / "wide.csv").write_text(",".join(f"未知列{i}" for i in range(1_000_000)) + "\n1\n", encoding="utf-8")
    result, peak = zwxm_measured("--db", "w.db", "import", "wide.csv", cwd=tmp_path)
    lines = clean(result, 2)
    assert len(lines) == 1 and "1000000" in lines[0] and "columns=" in lines[0]
    assert peak < MEMORY_MB


def test_many_problems_are_bounded_with_a_count_of_the_rest(tmp_path):
    ledger(tmp_path / "unknown.csv", [["U-1", "名", "罗湖", "新建", 1] + [""] * 500], HEADER + [f"未知列{i}" for i in range(500)])
    lines = clean(zwxm("--db", "u.db", "import", "unknown.csv", cwd=tmp_path), 2)
    assert len(lines) == 21 and "未知列0" in lines[0] and "480" in lines[-1] and "more" in lines[-1]


# --- §4 a full disk, read-only places, unwritable outputs -------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a 3 MB file system (a tmpfs, as root), or None where none can be mounted."""
    folder = tmp_path / "small"
    if not mount_tmpfs(folder, "3m"):
        yield None
        return
    try:
        yield folder
    finally:
        unmount(folder)


def _big_ledger(folder: Path, rows: int) -> Path:
    import random

    return write_csv(folder / "big.csv", ledger_rows("FULL", rows, random.Random(1)))


@pytest.mark.parametrize("how", ["tmpfs", "file size limit"])
def test_a_full_disk_during_an_import_keeps_what_was_committed_and_says_so(tmp_path, small_disk, how):
    source = _big_ledger(tmp_path, 6000)
    if how == "tmpfs":
        if small_disk is None:
            pytest.skip("mounting a tmpfs needs root")
        folder, limit = small_disk, None
    else:
        folder, limit = tmp_path / "limited", 1_500_000
        folder.mkdir()
    db = folder / "full.db"
    result, _ = zwxm_measured("--db", str(db), "import", str(source), "--batch-size", "200",
                              "--rejects", str(folder / "r.csv"), file_size=limit)
    lines = clean(result, 1)  # partly done, and said so
    assert "新增" in result.stderr and "再次运行" in result.stderr, result.stderr
    assert any(("磁盘已满" in line or "file too large" in line or "disk is full" in line) and str(folder) in line
               for line in lines), lines
    assert integrity(db) == "ok" and zwxm("--db", str(db), "verify").returncode == 0
    with sqlite3.connect(db) as conn:
        counts = [n for (n,) in conn.execute("SELECT count(*) FROM events GROUP BY project_code")]
        stored = conn.execute("SELECT count(*) FROM projects").fetchone()[0]
    assert 0 < stored < 6000 and stored % 200 == 0 and set(counts) == {2}  # whole batches, whole projects
    assert leftovers(folder) == [] and not (folder / "r.csv").exists()


@pytest.mark.parametrize("command", ["export", "backup"])
def test_a_full_disk_during_an_export_or_backup_leaves_nothing(tmp_path, small_disk, command):
    db = tmp_path / "src.db"
    clean(zwxm("--db", str(db), "import", str(_big_ledger(tmp_path, 3000))), 0)
    folder, limit = small_disk, None
    if folder is None:
        folder, limit = tmp_path / "limited", 200_000
        folder.mkdir()
    else:  # fill the small disk but for 100 KB
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        (folder / "filler").write_bytes(b"\0" * max(0, free - 100_000))
    target = folder / ("out.json" if command == "export" else "copy.db")
    result, _ = zwxm_measured("--db", str(db), command, str(target), file_size=limit)
    lines = clean(result, 2)
    assert len(lines) == 1 and str(target) in lines[0], lines
    assert not target.exists() and leftovers(folder) == []


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder holding a zwxm database that can no longer be written: a read-only tmpfs (root, who
    ignores file modes) or modes 0o555/0o444."""
    folder = tmp_path / "ro"
    mounted = mount_tmpfs(folder, "5m")
    db = folder / "zwxm.db"
    clean(zwxm("--db", str(db), "import", str(_big_ledger(tmp_path, 20))), 0)
    if mounted:
        remount_read_only(folder)
    elif os.geteuid() == 0:
        pytest.skip("as root, only a read-only mount makes a file read-only")
    else:
        db.chmod(0o444)
        folder.chmod(0o555)
    try:
        yield folder
    finally:
        if mounted:
            unmount(folder)
        else:
            folder.chmod(0o755)


def test_read_only_database_file_and_folder(read_only_folder, tmp_path):
    db = read_only_folder / "zwxm.db"
    before = digest(db)
    lines = clean(zwxm("--db", str(db), "record", "FULL-00001", "progress_reported", "--date", "2025-06-25"), 2)
    assert len(lines) == 1 and str(db) in lines[0] and "只读" in lines[0] and "read-only" in lines[0], lines
    lines = clean(zwxm("--db", str(read_only_folder / "new.db"), "import", str(_big_ledger(tmp_path, 5))), 2)
    assert len(lines) == 1 and str(read_only_folder) in lines[0] and "not writable" in lines[0], lines
    for command in ("export", "backup"):
        target = read_only_folder / f"out-{command}.json"
        lines = clean(zwxm("--db", str(tmp_path / "other.db"), command, str(target)), 2)
        assert len(lines) == 1 and str(target) in lines[0], lines
    assert digest(db) == before and not (read_only_folder / "new.db").exists()


@pytest.mark.parametrize("command", ["export", "backup"])
def test_an_unwritable_output_path_gets_one_line(tmp_path, command):
    clean(zwxm("--db", str(tmp_path / "a.db"), "import", str(_big_ledger(tmp_path, 3))), 0)
    (tmp_path / "plain").write_text("a file, not a folder", encoding="utf-8")
    for target in (tmp_path / "plain" / "out.json", tmp_path / "plain" / "deeper" / "out.json",
                   Path("/proc/zwxm-out.json")):
        lines = clean(zwxm("--db", str(tmp_path / "a.db"), command, str(target)), 2)
        assert len(lines) == 1 and str(target) in lines[0], lines
    folder = zwxm("--db", str(tmp_path / "a.db"), command, str(tmp_path))  # click's own usage error
    assert folder.returncode == 2 and str(tmp_path) in folder.stderr and "Traceback" not in folder.stderr
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "a file, not a folder"


# --- §5 bounded memory whatever the file claims ---------------------------------------------------------


def test_a_workbook_declaring_a1_xfd1048576_imports_in_bounded_memory(tmp_path):
    path = workbook(tmp_path / "dimension.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:E4"' in sheet
    replace_zip_entry(path, "xl/worksheets/sheet1.xml", sheet.replace('ref="A1:E4"', 'ref="A1:XFD1048576"').encode())
    assert path.stat().st_size < 8_000
    result, peak = zwxm_measured("--db", "d.db", "import", path.name, cwd=tmp_path, address_space=3 << 30, timeout=300)
    clean(result, 0)
    assert "新增 3" in result.stdout and peak < MEMORY_MB, peak


def test_a_zip_bomb_workbook_is_refused_before_it_is_inflated(tmp_path, slow):
    """A sheet inflating to ~4 GiB (--slow) or just past the 1 GiB sheet limit: refused by its declared size."""
    path = workbook(tmp_path / "bomb.xlsx", rows=0)
    mib = 4096 if slow else 1025
    replace_zip_entry(path, "xl/worksheets/sheet1.xml", repeated=(b" " * (1 << 20), mib))
    with zipfile.ZipFile(path) as archive:
        declared = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert declared > mib << 20 and path.stat().st_size < 6 << 20, (declared, path.stat().st_size)
    result, peak = zwxm_measured("--db", "z.db", "import", path.name, cwd=tmp_path, address_space=3 << 30)
    lines = clean(result, 2)
    assert len(lines) == 1 and "size=" in lines[0] and str(declared) in lines[0] and peak < MEMORY_MB, (lines, peak)


def test_shared_strings_past_the_document_limit_are_refused(tmp_path):
    path = workbook(tmp_path / "strings.xlsx")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    target = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "docProps/app.xml"
    replace_zip_entry(path, target, repeated=(b" " * (1 << 20), 65))  # 65 MiB > document=64 MiB
    lines = clean(zwxm("--db", "s.db", "import", path.name, cwd=tmp_path), 2)
    assert "document=" in lines[0] and target in lines[0]


def test_workbook_rows_and_columns_are_capped_while_streaming(tmp_path):
    path = workbook(tmp_path / "rows.xlsx", rows=5)
    clean(zwxm("--db", "r.db", "import", path.name, "--limit", "rows=5", cwd=tmp_path), 0)
    lines = clean(zwxm("--db", "r2.db", "import", path.name, "--limit", "rows=4", cwd=tmp_path), 2)
    assert "rows=4" in lines[0]
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=16384, value="远处的单元格")
    book.save(path)
    lines = clean(zwxm("--db", "r3.db", "import", path.name, cwd=tmp_path), 2)
    assert "columns=" in lines[0] and "16384" in lines[0]


def test_a_large_ledger_streams_in_bounded_memory(tmp_path, slow):
    """CSV and JSON lines of many rows: memory stays flat (the rows are streamed, not held)."""
    rows = 200_000 if slow else 5_000
    source = _big_ledger(tmp_path, rows)
    result, peak = zwxm_measured("--db", "m.db", "import", str(source), cwd=tmp_path, timeout=1800)
    clean(result, 0)
    assert f"新增 {rows}" in result.stdout and peak < MEMORY_MB, peak
    print(f"\n{rows} CSV rows: peak {peak:.0f} MB")


# --- §7 files: no links followed, no input overwritten, no foreign database --------------------------


@pytest.fixture
def with_rejects(tmp_path) -> Path:
    """A ledger with one valid and one invalid row (so there are rejects to write)."""
    return ledger(tmp_path / "in.csv", [["R-1", "正常", "罗湖", "新建", 120], ["R-2", "坏金额", "罗湖", "新建", "很多"]])


def test_the_default_rejects_file_never_follows_a_link(tmp_path, with_rejects):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    (tmp_path / "in.rejects.csv").symlink_to(outside)
    lines = clean(zwxm("--db", "r.db", "import", "in.csv", cwd=tmp_path), 2)
    assert len(lines) == 1 and "in.rejects.csv" in lines[0] and "symbolic link" in lines[0]
    assert outside.read_text(encoding="utf-8") == "precious"
    assert (tmp_path / "in.rejects.csv").is_symlink()
    with Store(tmp_path / "r.db") as store:
        assert store.count_projects(ProjectQuery()) == 0  # refused before anything was written


def test_rejects_never_overwrite_an_input_or_the_database(tmp_path, with_rejects):
    os.link(with_rejects, tmp_path / "hard.csv")
    before = digest(with_rejects)
    (tmp_path / "map.toml").write_text('[columns]\n"项目编号" = "code"\n', encoding="utf-8")
    for rejects in ("in.csv", "./in.csv", str(with_rejects), "hard.csv", "map.toml", "r.db"):
        lines = clean(zwxm("--db", "r.db", "import", "in.csv", "--mapping", "map.toml", "--rejects", rejects,
                           cwd=tmp_path), 2)
        assert len(lines) == 1 and "rejects" in lines[0] and "never written over" in lines[0], (rejects, lines)
    assert digest(with_rejects) == before
    done = zwxm("--db", "r.db", "import", "in.csv", "--rejects", "out/rejects.csv", cwd=tmp_path)
    clean(done, 1)
    assert "很多" in (tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8-sig")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["export", "backup"])
def test_outputs_never_follow_a_link(tmp_path, with_rejects, command):
    clean(zwxm("--db", "o.db", "import", "in.csv", cwd=tmp_path), 1)
    outside = tmp_path / "outside.json"
    outside.write_text("precious", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(outside)
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    for target in ("link.json", "dangling.json"):
        lines = clean(zwxm("--db", "o.db", command, target, cwd=tmp_path), 2)
        assert len(lines) == 1 and target in lines[0], lines
    assert outside.read_text(encoding="utf-8") == "precious" and not (tmp_path / "nowhere.json").exists()
    clean(zwxm("--db", "o.db", command, "plain.json", cwd=tmp_path), 0)
    assert (tmp_path / "plain.json").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_export_overwrites_its_own_file_but_never_the_database(tmp_path, with_rejects):
    clean(zwxm("--db", "e.db", "import", "in.csv", cwd=tmp_path), 1)
    clean(zwxm("--db", "e.db", "export", "out.json", cwd=tmp_path), 0)
    clean(zwxm("--db", "e.db", "export", "out.json", cwd=tmp_path), 0)  # an export replaces its earlier self
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["projects"][0]["code"] == "R-1"
    lines = clean(zwxm("--db", "e.db", "backup", "e.db", cwd=tmp_path), 2)
    assert "e.db" in lines[0] and integrity(tmp_path / "e.db") == "ok"


@pytest.mark.parametrize("tables", [["customers"], ["projects"], ["import_projects", "orders"]])
def test_a_foreign_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path, tables):
    db = tmp_path / "theirs.db"
    with sqlite3.connect(db) as conn:
        for table in tables:
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
            conn.execute(f"INSERT INTO {table} (name) VALUES ('theirs')")
    conn.close()
    before = digest(db)
    for args in (("verify",), ("import", str(_big_ledger(tmp_path, 2))), ("export", "x.json"),
                 ("record", "A", "declared", "--date", "2025-01-06"), ("backup", "copy.db")):
        lines = clean(zwxm("--db", str(db), *args, cwd=tmp_path), 2)
        assert len(lines) == 1 and str(db) in lines[0] and "not a zwxm database" in lines[0], lines
    assert digest(db) == before and sorted(p.name for p in tmp_path.glob("theirs.db*")) == ["theirs.db"]


def test_a_new_file_holding_only_staging_tables_is_taken(tmp_path):
    db = tmp_path / "new.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE import_projects (项目编号 TEXT, 项目名称 TEXT, 所属区 TEXT, 项目类别 TEXT, 总投资 TEXT)")
        conn.execute("INSERT INTO import_projects VALUES ('S-1', '暂存', '罗湖', '新建', '120万')")
    conn.close()
    clean(zwxm("--db", str(db), "import", "--from-table", "import_projects", "--rejects", str(tmp_path / "r.csv")), 0)
    with Store(db) as store:
        assert store.project("S-1").investment == 1_200_000


def test_limits_are_one_documented_table():
    """docs/reliability.md lists every limit with its default, from this one class."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text(encoding="utf-8")
    for field in attrs.fields(Limits):
        assert f"`{field.name}`" in text and f"{getattr(DEFAULT_LIMITS, field.name):,}" in text, field.name
    with pytest.raises(InputError):
        Limits().raised(["depth=x"])
