"""Benchmark: import 100,000 projects with 1,000,000 events (issue 4), side by side in one run.

Modes, each in its own fresh subprocess on its own new database file, same input file:
  raw        sqlite-utils `insert_all` of the same project rows and event rows, no validation
             (same connection settings as ours: WAL, synchronous=NORMAL; sqlite-utils' own chunking)
  validated  `zwxm import --defer-derived`: every row through load_project + check_project, upsert
             by code, event dedup, hash chain, pinyin search column, one transaction per batch
  single     the same as validated, all in one process (no validating worker): what the second core buys
  derived    `zwxm import`: the same plus each project evaluated (stage, deadlines, findings rows)
  rebuild    `zwxm rebuild` on the `validated` database: the deferred evaluation as its own step

Input: JSON lines, one project per line with its events nested (10 per project), spread over the
installed districts, generated with a fixed seed. Peak memory is each subprocess's own maximum
resident set size (resource.getrusage RUSAGE_SELF), so modes do not mask each other, plus that of the
validating process an import forks (RUSAGE_CHILDREN: both peaks added, an upper bound); CPU time is
likewise the sum of both processes.

Run:  .venv/bin/python bench/bench_import.py [--projects 100000] [--events-per-project 10]
      [--modes raw,validated,single,derived,rebuild] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVENT_PATH = ("declared", "preliminary_review_passed", "expert_review_passed", "approved", "procurement_started",
              "contract_signed", "contract_filed", "progress_reported", "progress_reported", "progress_reported",
              "construction_completed", "preliminary_acceptance_passed")
UNITS = ("区教育局", "区卫生健康局", "区公安分局", "区民政局", "区应急管理局", "区城市管理局", "区市场监督管理局")
SUBJECTS = ("智慧城管平台", "政务服务系统", "教育云平台", "应急指挥系统", "数据共享交换平台", "视频共享平台")


def generate(path: Path, projects: int, events_per_project: int, districts: list[str]) -> None:
    rng = random.Random(20241125)
    start = dt.date(2022, 1, 3)
    with path.open("w", encoding="utf-8") as f:
        for n in range(projects):
            district = districts[n % len(districts)]
            day = start + dt.timedelta(days=rng.randint(0, 900))
            events = []
            for index in range(events_per_project):
                day += dt.timedelta(days=rng.randint(1, 40))
                kind = EVENT_PATH[min(index, len(EVENT_PATH) - 1)]
                events.append({"type": kind, "date": day.isoformat(),
                               "note": f"{day:%Y年%m月}进度" if kind == "progress_reported" else ""})
            row = {"code": f"B-{n:06d}", "name": f"{rng.choice(SUBJECTS)}{n}", "district": district,
                   "kind": "construction", "investment": f"{rng.randint(20, 5000)}万", "owner_unit": rng.choice(UNITS),
                   "funding": "department_budget", "budget_year": day.year, "events": events}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def run_raw(source: Path, db_path: Path) -> dict:
    """The baseline: rows straight into sqlite-utils, no validation at all."""
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    projects, events = db["projects"], db["events"]
    project_rows, event_rows = [], []

    def flush() -> None:
        projects.insert_all(project_rows, pk="code")
        events.insert_all(event_rows)
        project_rows.clear()
        event_rows.clear()

    with source.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for seq, event in enumerate(row.pop("events"), start=1):
                event_rows.append({"project_code": row["code"], "seq": seq, **event})
            project_rows.append(row)
            if len(project_rows) >= 5000:
                flush()
    flush()
    return {"projects": db["projects"].count, "events": db["events"].count}


def run_zwxm(source: Path, db_path: Path, derive: bool, parallel: bool | None = None) -> dict:
    from zwxm.io.importer import import_file
    from zwxm.store import Store

    with Store(db_path) as store:
        summary = import_file(store, source, derive=derive, rejects_path=db_path.with_suffix(".rejects.csv"),
                              parallel=parallel)
        events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    return {"projects": summary.inserted, "rejected": summary.rejected, "events": events}


def run_rebuild(db_path: Path) -> dict:
    from zwxm.store import Store

    with Store(db_path) as store:
        return {"projects": store.rebuild()}


def child(mode: str, source: Path, db_path: Path) -> None:
    """One measurement in this process; prints one JSON line."""
    began = time.perf_counter()
    if mode == "raw":
        result = run_raw(source, db_path)
    elif mode == "rebuild":
        result = run_rebuild(db_path)
    else:
        result = run_zwxm(source, db_path, derive=mode == "derived", parallel=False if mode == "single" else None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import's validating process, if it forked one
    result.update(mode=mode, seconds=round(time.perf_counter() - began, 2),
                  cpu_seconds=round(usage.ru_utime + usage.ru_stime + worker.ru_utime + worker.ru_stime, 2),
                  peak_rss_mb=round((usage.ru_maxrss + worker.ru_maxrss) / 1024, 1))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--events-per-project", type=int, default=10)
    parser.add_argument("--modes", default="raw,validated,single,derived,rebuild")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SOURCE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, source, db = args.child
        child(mode, Path(source), Path(db))
        return

    from zwxm.plugins import get_registry

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zwxm-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "projects.jsonl"
    districts = sorted(get_registry().districts)
    generate(source, args.projects, args.events_per_project, districts)
    print(f"# {dt.datetime.now():%Y-%m-%d %H:%M} · {platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} CPUs · Python {platform.python_version()} · SQLite "
          f"{__import__('sqlite3').sqlite_version}")
    print(f"# input {source} ({source.stat().st_size / 1e6:.0f} MB): {args.projects} projects x "
          f"{args.events_per_project} events, districts {', '.join(districts)}")
    results = {}
    for mode in args.modes.split(","):
        db = workdir / ("validated.db" if mode in ("validated", "rebuild") else f"{mode}.db")
        if mode != "rebuild":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        out = subprocess.run([sys.executable, __file__, "--child", mode, str(source), str(db)],
                             capture_output=True, text=True, check=True)
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(results[mode], ensure_ascii=False), flush=True)
    if "raw" in results:  # judged by the wall-clock ratio; the CPU ratio is what a shared machine does not inflate
        base, base_cpu = results["raw"]["seconds"], results["raw"]["cpu_seconds"]
        for mode, r in results.items():
            print(f"{mode:<10} {r['seconds']:>8.1f} s  {r['seconds'] / base:>5.2f}x raw  CPU {r['cpu_seconds']:>8.1f} s  "
                  f"{r['cpu_seconds'] / base_cpu:>5.2f}x raw CPU  peak RSS {r['peak_rss_mb']:>7.1f} MB")


if __name__ == "__main__":
    main()
