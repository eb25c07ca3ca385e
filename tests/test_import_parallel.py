"""The import's validating worker process: same results as validating in-process, and it never outlives the import."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from zwxm.io.importer import import_file
from zwxm.store import Store


def _mixed_jsonl(path: Path) -> None:
    """Valid rows, bad rows of several kinds, a duplicated code and a line that is no JSON."""
    lines = []
    for n in range(60):
        row = {"code": f"P-{n:03d}", "name": f"渝北区数据共享交换平台{n}", "district": "yubei", "kind": "construction",
               "investment": f"{100 + n}万", "owner_unit": "区大数据发展局",
               "events": [{"type": "declared", "date": "2025-01-06"},
                          {"type": "preliminary_review_passed", "date": "2025/2/3", "note": "初审", "actor": "张三"},
                          {"type": "expert_review_passed", "date": "2025-03-03", "payload": {"experts": 5}}]}
        if n % 7 == 3:
            row["events"][1]["date"] = "2025-02-30"  # impossible date
        if n % 11 == 5:
            row["investment"] = "约一百万"  # unreadable money (words alone are read since issue 18)
        if n % 13 == 8:
            row["events"].append({"type": "invented_event", "date": "2025-04-01"})
        if n == 20:
            row["code"] = "P-010"  # a duplicate of row 11's code
        lines.append(json.dumps(row, ensure_ascii=False))
    lines.insert(30, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _contents(db: Path, rejects: Path) -> tuple:
    """Everything an import decides, without the times it ran at (and the hashes, which cover those times)."""
    with Store(db) as store:
        assert store.verify() == []
        tables = {
            "projects": "SELECT code, name, district, kind, investment, owner_unit, search, name_sort FROM projects",
            "events": "SELECT project_code, seq, type, date, actor, role, note, payload FROM events",
            "status": "SELECT code, stage FROM project_status",
            "rejects": "SELECT row, code, \"column\", value, reason, reason_en FROM import_rejects",
            "imports": "SELECT inserted, updated, unchanged, rejected FROM imports",
        }
        found = {name: store.db.execute(f"{sql} ORDER BY 1, 2").fetchall() for name, sql in tables.items()}
    return found, rejects.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("runs", [1, 2])
def test_worker_and_in_process_validation_store_the_same(tmp_path, runs):
    source = tmp_path / "rows.jsonl"
    _mixed_jsonl(source)
    results = []
    for parallel in (True, False):
        db, rejects = tmp_path / f"{parallel}.db", tmp_path / f"{parallel}.rejects.csv"
        with Store(db) as store:
            for _ in range(runs):  # the second run finds everything stored: all unchanged
                summary = import_file(store, source, batch_size=7, derive=False, rejects_path=rejects,
                                      parallel=parallel)
        results.append((summary.inserted, summary.unchanged, summary.rejected, _contents(db, rejects)))
    assert results[0] == results[1]
    inserted, unchanged, rejected, (tables, _) = results[0]
    assert inserted + unchanged == len(tables["projects"]) and rejected > 5
    assert {r[2] for r in tables["rejects"]} >= {"events[1].date", "investment", "events[3].type", "code"}


def test_an_import_that_stops_early_ends_its_worker_and_keeps_whole_batches(tmp_path):
    source = tmp_path / "rows.jsonl"
    _mixed_jsonl(source)
    written = []

    def stop_after_two_batches(rows: int) -> None:
        written.append(rows)
        if len(written) == 2:
            raise KeyboardInterrupt  # what Ctrl-C raises in the writing process

    with Store(tmp_path / "zwxm.db") as store:
        with pytest.raises(KeyboardInterrupt):
            import_file(store, source, batch_size=10, derive=False, rejects_path=tmp_path / "rejects.csv",
                        parallel=True, progress=stop_after_two_batches)
        assert multiprocessing.active_children() == []
        inserted, rejected, finished = store.db.execute(
            "SELECT inserted, rejected, finished_at FROM imports").fetchone()
        assert inserted + rejected == 20 and finished is None
        assert store.db.execute("SELECT count(*) FROM projects").fetchone()[0] == inserted
