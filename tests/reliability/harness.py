"""The reliability runs shared by the tests (short) and bench/bench_reliability.py (long).

Everything here drives the real program: real SQLite files, `Store` in separate processes, and
the `zwxm` command as a subprocess. Workers run as `python -m tests.reliability.harness ROLE ...`
from the repository root; each writes one JSON line per acknowledged write, so the checker can
count afterwards that nothing acknowledged was lost.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from tests import ZWXM

ROOT = Path(__file__).resolve().parents[2]
DISTRICTS = ("luohu", "wuxing", "yubei", "potou")
# A history every district accepts (no gate guards these), ending in implementation, where
# operators record monthly progress reports (progress_reported) again and again.
HISTORY = (("declared", "2025-01-06"), ("procurement_started", "2025-04-01"), ("contract_signed", "2025-05-06"))
PROGRESS_DAY = dt.date(2025, 6, 25)


def env() -> dict[str, str]:
    """The environment of every subprocess: no database or language from the caller's shell."""
    clean = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), clean.get("PYTHONPATH")]))
    return clean


def zwxm(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real `zwxm` command."""
    return subprocess.run([ZWXM, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env(),
                          cwd=cwd, timeout=timeout)


def integrity(db: Path) -> str:
    """PRAGMA integrity_check through a plain sqlite3 connection (no zwxm code)."""
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- Projects and files --------------------------------------------------------------------


def ledger_rows(prefix: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Rows of a ledger as a bureau keeps it: Chinese headers, amounts in 万元, two event dates each."""
    rows = []
    for n in range(count):
        rows.append({"项目编号": f"{prefix}-{n:05d}", "项目名称": f"{prefix} 智慧政务平台（{n}期）",
                     "所属区": rng.choice(DISTRICTS), "项目类别": "新建", "总投资（万元）": rng.randint(10, 3000),
                     "建设单位": rng.choice(("区教育局", "区卫生健康局", "区公安分局", "区民政局")),
                     "申报日期": "2025-01-06", "采购日期": "2025-04-01"})
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, prefix: str, count: int) -> Path:
    """Projects with nested events, as `zwxm export` or a script would write them."""
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            f.write(json.dumps({"code": f"{prefix}-{n:05d}", "name": f"坡头区测试项目{n}", "district": DISTRICTS[n % 4],
                                "kind": "construction", "investment": 1_000_000 + n,
                                "events": [{"type": t, "date": d} for t, d in HISTORY[:2]]},
                               ensure_ascii=False) + "\n")
    return path


def seed_operator_projects(db: Path, count: int) -> list[str]:
    """Projects in implementation, across every district, for the operators to record on."""
    from zwxm.model import Event, Project
    from zwxm.store import Store

    projects = [Project(code=f"OP-{n:04d}", name=f"运维监管平台{n}", district=DISTRICTS[n % 4], kind="construction",
                        investment=1_000_000 + 10_000 * n, funding="department_budget", owner_unit="区政务服务数据管理局",
                        events=[Event(t, dt.date.fromisoformat(d)) for t, d in HISTORY]) for n in range(count)]
    with Store(db) as store:
        store.save_projects(projects)
    return [p.code for p in projects]


# --- Workers (separate processes) ----------------------------------------------------------


def _wait_until(start_at: float) -> None:
    """Start together: process start-up (imports, plugins) takes a second or so."""
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)


def operator(db: Path, seconds: float, name: str, log: Path, start_at: float, seed: int) -> None:
    """Record monthly progress reports on random projects, as an operator does, through Store.record_event."""
    from zwxm.model import Event
    from zwxm.store import Store

    rng = random.Random(seed)
    store = Store(db)
    codes = [row[0] for row in store.db.execute("SELECT code FROM projects WHERE code LIKE 'OP-%'")]
    _wait_until(start_at)
    end = time.monotonic() + seconds
    n = 0
    with log.open("w", encoding="utf-8") as out:
        while time.monotonic() < end:
            code, note = rng.choice(codes), f"{name}-{n:06d}"
            n += 1
            started = time.perf_counter()
            try:
                store.record_event(code, Event("progress_reported", PROGRESS_DAY, actor=name, note=note))
            except Exception as exc:  # counted by the checker: nothing may reach a caller
                out.write(json.dumps({"error": repr(exc), "code": code, "note": note}, ensure_ascii=False) + "\n")
            else:
                out.write(json.dumps({"code": code, "note": note, "wait": time.perf_counter() - started}) + "\n")
            out.flush()
    store.close()


def importer(db: Path, seconds: float, workdir: Path, log: Path, start_at: float, seed: int, rows: int,
             batch_size: int) -> None:
    """Import ledger files one after another through the real importer until the time is up."""
    from zwxm.io.importer import import_file
    from zwxm.store import Store

    rng = random.Random(seed)
    store = Store(db)
    _wait_until(start_at)
    end = time.monotonic() + seconds
    number = 0
    with log.open("w", encoding="utf-8") as out:
        while time.monotonic() < end:
            prefix = f"IM{number:04d}"
            path = write_csv(workdir / f"{prefix}.csv", ledger_rows(prefix, rows, rng))
            number += 1
            started = time.perf_counter()
            try:
                summary = import_file(store, path, batch_size=batch_size, rejects_path=workdir / f"{prefix}.rejects.csv")
            except Exception as exc:
                out.write(json.dumps({"error": repr(exc), "prefix": prefix}, ensure_ascii=False) + "\n")
            else:
                out.write(json.dumps({"prefix": prefix, "rows": rows, "inserted": summary.inserted,
                                      "rejected": summary.rejected, "wait": time.perf_counter() - started}) + "\n")
            out.flush()
    store.close()


# --- Concurrency: two operators and an importer on one file --------------------------------


def run_concurrency(workdir: Path, seconds: float, projects: int = 200, import_rows: int = 100,
                    batch_size: int = 50) -> dict[str, Any]:
    """Three processes on one database for `seconds`; returns the counts and figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "concurrency.db"
    seed_operator_projects(db, projects)
    start_at = time.time() + 3.0
    python = [sys.executable, "-m", "tests.reliability.harness"]
    common = ["--db", str(db), "--seconds", str(seconds), "--start-at", str(start_at)]
    workers = [
        subprocess.Popen([*python, "operator", *common, "--name", name, "--log", str(workdir / f"{name}.jsonl"),
                          "--seed", str(seed)], cwd=ROOT, env=env())
        for seed, name in enumerate(("operator-a", "operator-b"))
    ]
    imports = workdir / "imports"
    imports.mkdir(exist_ok=True)
    workers.append(subprocess.Popen([*python, "importer", *common, "--workdir", str(imports), "--log",
                                     str(workdir / "importer.jsonl"), "--rows", str(import_rows), "--batch-size",
                                     str(batch_size), "--seed", "7"], cwd=ROOT, env=env()))
    codes = [w.wait(timeout=seconds + 120) for w in workers]
    return check_concurrency(db, workdir, seconds) | {"exit_codes": codes}


def check_concurrency(db: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    """Count what was acknowledged against what the file holds."""
    from zwxm.store import Store

    operator_log = read_log(workdir / "operator-a.jsonl") + read_log(workdir / "operator-b.jsonl")
    import_log = read_log(workdir / "importer.jsonl")
    errors = [r["error"] for r in operator_log + import_log if "error" in r]
    acked_notes = {r["note"] for r in operator_log if "error" not in r}
    acked_imports = [r for r in import_log if "error" not in r]
    with Store(db) as store:
        stored_notes = {row[0] for row in store.db.execute("SELECT note FROM events WHERE type = 'progress_reported'")}
        stored_codes = {row[0]: row[1] for row in store.db.execute(
            "SELECT p.code, count(e.id) FROM projects p LEFT JOIN events e ON e.project_code = p.code "
            "WHERE p.code LIKE 'IM%' GROUP BY p.code")}
        verify = store.verify()
        status_rows = store.db.execute("SELECT count(*) FROM project_status").fetchone()[0]
        project_rows = store.db.execute("SELECT count(*) FROM projects").fetchone()[0]
    expected_codes = {f"{r['prefix']}-{n:05d}" for r in acked_imports for n in range(r["rows"])}
    operator_waits = [r["wait"] for r in operator_log if "wait" in r]
    import_waits = [r["wait"] for r in acked_imports]
    imported_rows = sum(r["inserted"] for r in acked_imports)
    return {
        "seconds": seconds,
        "errors": errors,
        "locked_errors": [e for e in errors if "locked" in e or "busy" in e.lower()],
        "operator_writes": len(acked_notes),
        "lost_operator_writes": sorted(acked_notes - stored_notes),
        "unacknowledged_but_stored": sorted(stored_notes - acked_notes),
        "imports": len(acked_imports),
        "imported_rows": imported_rows,
        "rejected_rows": sum(r["rejected"] for r in acked_imports),
        "lost_import_rows": sorted(expected_codes - set(stored_codes)),
        "import_rows_with_wrong_events": sorted(c for c in expected_codes & set(stored_codes) if stored_codes[c] != 2),
        "verify": verify,
        "integrity": integrity(db),
        "derived_rows_missing": project_rows - status_rows,
        "operator_writes_per_s": len(acked_notes) / seconds,
        "import_rows_per_s": imported_rows / seconds,
        "operator_wait_p50_ms": 1000 * statistics.median(operator_waits) if operator_waits else 0.0,
        "operator_wait_p99_ms": 1000 * percentile(operator_waits, 0.99),
        "operator_wait_max_ms": 1000 * max(operator_waits, default=0.0),
        "import_file_max_s": max(import_waits, default=0.0),
    }


# --- Operators during one big import (issue 13 §10) ----------------------------------------


def run_operators_during_import(workdir: Path, projects: int, seconds: float, batch_size: int = 500,
                                operators: int = 2) -> dict[str, Any]:
    """`operators` processes record events for `seconds` while one `zwxm import` of a `projects`-row ledger
    (evaluated as it goes, not deferred) runs; then the import is stopped if it has not finished. Returns
    the operators' waits and what must hold: nothing acknowledged lost, every batch all or nothing, verify clean."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "big-import.db"
    seed_operator_projects(db, 200)
    ledger = write_csv(workdir / "big.csv", ledger_rows("BIG", projects, random.Random(11)))
    start_at = time.time() + 3.0
    python = [sys.executable, "-m", "tests.reliability.harness"]
    common = ["--db", str(db), "--seconds", str(seconds), "--start-at", str(start_at)]
    names = [f"operator-{chr(97 + n)}" for n in range(operators)]
    workers = [subprocess.Popen([*python, "operator", *common, "--name", name, "--log", str(workdir / f"{name}.jsonl"),
                                 "--seed", str(seed)], cwd=ROOT, env=env()) for seed, name in enumerate(names)]
    _wait_until(start_at)
    started = time.monotonic()
    importing = subprocess.Popen([ZWXM, "--db", str(db), "import", ledger.name, "--batch-size", str(batch_size),
                                  "--rejects", "big.rejects.csv"], cwd=workdir, env=env(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    codes = [w.wait(timeout=seconds + 120) for w in workers]
    finished = importing.poll() is not None
    if not finished:  # stopped as Ctrl-C would: the batch being written is rolled back
        os.killpg(importing.pid, signal.SIGKILL)
    importing.communicate(timeout=60)
    import_seconds = time.monotonic() - started
    operator_log = [r for name in names for r in read_log(workdir / f"{name}.jsonl")]
    acked = {r["note"] for r in operator_log if "error" not in r}
    waits = [r["wait"] for r in operator_log if "wait" in r]
    from zwxm.store import Store

    with Store(db) as store:
        stored = {row[0] for row in store.db.execute("SELECT note FROM events WHERE type = 'progress_reported'")}
        imported = store.db.execute("SELECT count(*) FROM projects WHERE code LIKE 'BIG-%'").fetchone()[0]
        events = store.db.execute("SELECT count(*) FROM events WHERE project_code LIKE 'BIG-%'").fetchone()[0]
        verify = store.verify()
        status_missing = store.db.execute("SELECT count(*) FROM projects p LEFT JOIN project_status s "
                                          "ON s.code = p.code WHERE s.code IS NULL").fetchone()[0]
    return {
        "projects": projects, "seconds": seconds, "batch_size": batch_size, "exit_codes": codes,
        "import_finished": finished, "import_exit": importing.returncode, "import_seconds": import_seconds,
        "imported_projects": imported, "imported_events": events,
        "partial_batch": imported % batch_size != 0 and imported != projects,
        "operator_writes": len(acked), "errors": [r["error"] for r in operator_log if "error" in r],
        "lost_operator_writes": sorted(acked - stored),
        "operator_wait_p50_ms": 1000 * statistics.median(waits) if waits else 0.0,
        "operator_wait_p99_ms": 1000 * percentile(waits, 0.99),
        "operator_wait_max_ms": 1000 * max(waits, default=0.0),
        "verify": verify, "integrity": integrity(db), "derived_rows_missing": status_missing,
    }


# --- Crash: kill -9 a real `zwxm import` --------------------------------------------------


def _import_command(db: Path, name: str, batch_size: int) -> list[str]:
    return [ZWXM, "--db", str(db), "import", name, "--batch-size", str(batch_size)]


def time_full_import(workdir: Path, rows: int, batch_size: int) -> tuple[float, float]:
    """(seconds until the import starts writing, seconds until its last batch is committed) for such
    a file here. Kill points are drawn between the two: before the first write there is nothing to
    damage, and after the last commit only the interpreter's teardown is left."""
    workdir.mkdir(parents=True, exist_ok=True)
    write_jsonl(workdir / "calibrate.jsonl", "CAL", rows)
    db = workdir / "calibrate.db"
    started = time.monotonic()
    # stderr into a file, not a pipe nobody reads while polling: a long one would block the import forever
    err = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(_import_command(db, "calibrate.jsonl", batch_size), cwd=workdir, env=env(),
                               stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, text=True)
    writing = finished = None
    while process.poll() is None:
        if finished is None and db.exists():
            try:
                conn = sqlite3.connect(db, timeout=0.1)
                if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'imports'").fetchone()[0]:
                    row = conn.execute("SELECT count(*), max(finished_at) FROM imports").fetchone()
                    if row[0] and writing is None:
                        writing = time.monotonic() - started
                    if row[1] is not None:  # the last batch is committed: what follows is teardown
                        finished = time.monotonic() - started
                conn.close()
            except sqlite3.Error:
                pass
        time.sleep(0.005)
    total = finished if finished is not None else time.monotonic() - started
    with err:
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(err.read())
    return (writing if writing is not None else 0.0), total


def crash_round(db: Path, workdir: Path, number: int, rows: int, batch_size: int, kill_after: float | None,
                before: int, kill_at_rows: int = 1) -> dict[str, Any]:
    """Import a new file, kill -9 it after `kill_after` s (None: as soon as `kill_at_rows` of its rows,
    but not all, are committed), check the file, import again, check again.

    `before` is how many projects the database held before this round."""
    prefix = f"CR{number:03d}"
    name = f"{prefix}.jsonl"
    write_jsonl(workdir / name, prefix, rows)
    command = _import_command(db, name, batch_size)
    process = subprocess.Popen(command, cwd=workdir, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    if kill_after is None:  # kill as soon as some, not all, batches are committed
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < 120:
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
                committed = conn.execute("SELECT count(*) FROM projects WHERE code LIKE ?", [f"{prefix}-%"]).fetchone()[0]
                conn.close()
            except sqlite3.Error:
                committed = 0
            if kill_at_rows <= committed < rows:
                break
            time.sleep(0.002)
        kill_after = time.monotonic() - started
    else:
        time.sleep(kill_after)
    finished_first = process.poll() is not None
    if not finished_first:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    result: dict[str, Any] = {"round": number, "kill_after_s": round(kill_after, 3), "finished_before_kill": finished_first,
                              "integrity": integrity(db)}
    verify = zwxm("--db", str(db), "verify")
    result["verify_after_kill"] = verify.returncode
    conn = sqlite3.connect(db)
    try:
        present = {r[0]: r[1] for r in conn.execute(
            "SELECT p.code, (SELECT count(*) FROM events e WHERE e.project_code = p.code) FROM projects p "
            "WHERE p.code LIKE ?", [f"{prefix}-%"])}
        counted = conn.execute("SELECT coalesce(sum(inserted), 0) FROM imports WHERE source = ?", [name]).fetchone()[0]
    finally:
        conn.close()
    batches = [[f"{prefix}-{n:05d}" for n in range(start, min(start + batch_size, rows))]
               for start in range(0, rows, batch_size)]
    whole = [sum(code in present for code in batch) for batch in batches]
    result["rows_in_after_kill"] = len(present)
    result["partial_batches"] = [i for i, n in enumerate(whole) if n not in (0, len(batches[i]))]
    result["batches_not_a_prefix"] = any(whole[i] == 0 and whole[i + 1] > 0 for i in range(len(whole) - 1))
    result["wrong_event_counts"] = sorted(code for code, n in present.items() if n != 2)
    result["import_counter_matches"] = counted == len(present)
    rerun = subprocess.run(command, cwd=workdir, env=env(), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=600)
    result["rerun_exit"] = rerun.returncode
    result["rerun_summary"] = rerun.stdout.strip().splitlines()[-1] if rerun.stdout.strip() else rerun.stderr[-300:]
    result["rerun_expected_summary"] = f"新增 {rows - len(present)}，更新 0，未变 {len(present)}，拒绝 0"
    conn = sqlite3.connect(db)
    try:
        result["projects_after_rerun"] = conn.execute("SELECT count(*) FROM projects").fetchone()[0]
        result["events_after_rerun"] = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()
    result["expected_projects"] = before + rows
    result["expected_events"] = 2 * (before + rows)
    result["verify_after_rerun"] = zwxm("--db", str(db), "verify").returncode
    result["integrity_after_rerun"] = integrity(db)
    return result


def run_crashes(workdir: Path, kills: int, rows: int, batch_size: int, seed: int = 20241001,
                by_progress: bool = False) -> dict[str, Any]:
    """`kills` rounds on one database. Kill points are uniform over the writing phase of such an
    import in time, the first one as soon as part of the file is committed; with `by_progress`
    (the fast CI version, immune to a busy machine's timing) each is a random number of committed
    rows instead."""
    workdir.mkdir(parents=True, exist_ok=True)
    writing, full = time_full_import(workdir, rows, batch_size)
    rng = random.Random(seed)
    db = workdir / "crash.db"
    rounds = []
    for number in range(kills):
        if by_progress or number == 0:
            kill_after, kill_at_rows = None, (rng.randrange(1, rows) if by_progress else 1)
        else:
            kill_after, kill_at_rows = rng.uniform(writing, full), 1
        rounds.append(crash_round(db, workdir, number, rows, batch_size, kill_after, before=number * rows,
                                  kill_at_rows=kill_at_rows))
    return {"writing_starts_s": writing, "full_import_s": full, "rows": rows, "batch_size": batch_size, "rounds": rounds}


# --- Backup while a writer runs ------------------------------------------------------------


def run_backups(workdir: Path, seconds: float, copies: int, projects: int = 100) -> dict[str, Any]:
    """One operator writes for `seconds`; meanwhile `zwxm backup` copies the file `copies` times."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "live.db"
    seed_operator_projects(db, projects)
    log = workdir / "writer.jsonl"
    start_at = time.time() + 2.0
    writer = subprocess.Popen([sys.executable, "-m", "tests.reliability.harness", "operator", "--db", str(db),
                               "--seconds", str(seconds), "--start-at", str(start_at), "--name", "writer",
                               "--log", str(log), "--seed", "3"], cwd=ROOT, env=env())
    made = []
    gap = 0.6 * seconds / copies  # copies start within the first 60% of the writer's run (slow machines too)
    for number in range(copies):  # copies spread over the writer's run, checked once it is done
        _wait_until(start_at + gap * (number + 1))
        acked_before = len([r for r in read_log(log) if "wait" in r])
        writer_running = writer.poll() is None
        target = workdir / f"backup-{number}.db"
        started = time.monotonic()
        result = zwxm("--db", str(db), "backup", str(target))
        made.append((number, target, result, time.monotonic() - started, writer_running, acked_before))
    writer.wait(timeout=seconds + 60)
    results = []
    for number, target, result, took, writer_running, acked_before in made:
        restored = workdir / f"restored-{number}.db"  # restoring = putting the copy in place of the file
        if target.exists():
            restored.write_bytes(target.read_bytes())
            conn = sqlite3.connect(restored)
            events = conn.execute("SELECT count(*) FROM events WHERE type = 'progress_reported'").fetchone()[0]
            conn.close()
        results.append({"copy": number, "exit": result.returncode, "stderr": result.stderr[-300:], "seconds": took,
                        "writer_running": writer_running, "acked_before": acked_before,
                        "events_in_copy": events if target.exists() else -1,
                        "integrity": integrity(restored) if target.exists() else "missing",
                        "verify": zwxm("--db", str(restored), "verify").returncode if target.exists() else -1})
    final = read_log(log)
    return {"copies": results, "writer_errors": [r["error"] for r in final if "error" in r],
            "writer_writes": len([r for r in final if "wait" in r]), "verify_live": zwxm("--db", str(db), "verify").returncode}


# --- Worker entry point --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.harness")
    parser.add_argument("role", choices=("operator", "importer"))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--start-at", type=float, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="operator")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args(argv)
    if args.role == "operator":
        operator(args.db, args.seconds, args.name, args.log, args.start_at, args.seed)
    else:
        importer(args.db, args.seconds, args.workdir, args.log, args.start_at, args.seed, args.rows, args.batch_size)


if __name__ == "__main__":
    main()


# --- Bad files: memory, a full disk, read-only places ------------------------------------------


def zwxm_measured(*args: str, cwd: Path | None = None, file_size: int | None = None, address_space: int | None = None,
                  timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
    """The real `zwxm`, and the most memory it held (MB, ru_maxrss from wait4). `file_size` caps
    what it may write (RLIMIT_FSIZE: a full disk without root); `address_space` caps its memory."""
    import resource

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit a write fails (EFBIG), it does not kill
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    import threading

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([ZWXM, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env(), cwd=cwd,
                                   preexec_fn=limit, text=True)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # wait4, not wait: it reports this child's peak memory
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(process.args, process.returncode, out.read(), err.read())
    return result, usage.ru_maxrss / 1024


def mount_tmpfs(folder: Path, size: str) -> bool:
    """Mount a tmpfs of `size` at `folder` (root only); False where this cannot be done."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


# --- Bad files that claim much: built here for the tests (short) and the bench (long) -----------

HEADER = ["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）"]


def workbook(path: Path, rows: int = 3) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"X-{n}", f"项目{n}", "罗湖", "新建", 120])
    book.save(path)
    return path


SHEET_HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def replace_zip_entry(path: Path, name: str, data: bytes | None = None, repeated: tuple[bytes, int] | None = None) -> None:
    """Rewrite one entry of a zip (a workbook): `data`, or a sheet of `repeated` = (chunk, times) between
    the sheet's XML head and tail, compressed as it is written (a real zip bomb)."""
    with zipfile.ZipFile(path) as old:
        entries = [(info, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info, content in entries:
            if info.filename != name:
                new.writestr(info, content)
            elif data is not None:
                new.writestr(name, data)
            else:
                chunk, times = repeated
                with new.open(name, "w", force_zip64=True) as f:
                    f.write(SHEET_HEAD)
                    for _ in range(times):
                        f.write(chunk)
                    f.write(b"</sheetData></worksheet>")


def run_bad_files(workdir: Path, bomb_mib: int = 4096, csv_rows: int = 200_000) -> list[dict[str, Any]]:
    """The inputs of issue 13 §4 and §5 through the real `zwxm`: exit status, peak memory, time, first line."""
    workdir.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, list[str]]] = []
    dimension = workbook(workdir / "dimension.xlsx")
    with zipfile.ZipFile(dimension) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    replace_zip_entry(dimension, "xl/worksheets/sheet1.xml", sheet.replace('ref="A1:E4"', 'ref="A1:XFD1048576"').encode())
    cases.append((f"XLSX of {dimension.stat().st_size:,} bytes declaring A1:XFD1048576", ["import", dimension.name]))
    bomb = workbook(workdir / "bomb.xlsx", rows=0)
    replace_zip_entry(bomb, "xl/worksheets/sheet1.xml", repeated=(b" " * (1 << 20), bomb_mib))
    cases.append((f"XLSX of {bomb.stat().st_size / 1e6:.1f} MB inflating to {bomb_mib / 1024:.1f} GiB", ["import", bomb.name]))
    (workdir / "wide.csv").write_text(",".join(f"未知列{i}" for i in range(1_000_000)) + "\n1\n", encoding="utf-8")
    cases.append(("CSV header of 1,000,000 columns", ["import", "wide.csv"]))
    (workdir / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    cases.append(("JSON nested 5,000 deep", ["import", "deep.json"]))
    (workdir / "int.json").write_text('{"code": "N", "investment": ' + "9" * 5000 + "}", encoding="utf-8")
    cases.append(("JSON integer of 5,000 digits", ["evaluate", "int.json"]))
    cases.append(("evaluate /dev/zero", ["evaluate", "/dev/zero"]))
    write_csv(workdir / "long.csv", [{"项目编号": "L-1", "项目名称": "长" * 200_000, "所属区": "罗湖", "项目类别": "新建",
                                      "总投资（万元）": 120}])
    cases.append(("CSV cell of 200,000 characters", ["import", "long.csv"]))
    write_csv(workdir / "ledger.csv", ledger_rows("BIG", csv_rows, random.Random(5)))
    cases.append((f"CSV ledger of {csv_rows:,} rows ({(workdir / 'ledger.csv').stat().st_size / 1e6:.0f} MB)",
                   ["import", "ledger.csv"]))
    results = []
    for number, (label, args) in enumerate(cases):
        started = time.monotonic()
        result, peak = zwxm_measured("--db", f"bad{number}.db", *args, cwd=workdir, timeout=3600)
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        results.append({"input": label, "exit": result.returncode, "peak_mb": round(peak), "seconds":
                        round(time.monotonic() - started, 1), "stderr_lines": len(result.stderr.splitlines()),
                        "traceback": "Traceback" in result.stderr, "said": lines[-1][:160] if lines else ""})
    return results
