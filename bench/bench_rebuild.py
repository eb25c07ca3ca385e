"""`zwxm rebuild` beside the pure evaluation of the same projects, in one run: issue 16's target.

    .venv/bin/python bench/bench_rebuild.py [--projects 100000] [--workers N]

The database is bench_tui's (10 events a project, ~330 construction units, four districts; made
once and kept in the temp directory), copied so the benchmark never changes it. Measured:
- evaluation: every stored project loaded into memory first (not timed), then each evaluated in
  this process as of today with the peers the store gives it, exactly as a rebuild evaluates it;
- rebuild: the real `zwxm --db COPY rebuild` command, from spawn to exit (reading, evaluating,
  writing the derived rows), with its CPU time and that of the processes it forks
  (RUSAGE_CHILDREN counts the command and its own children once they are waited for); twice:
  first with every derived row made different beforehand (not timed: a rebuild after a rules
  change, every row is rewritten), then again over the rows it wrote (a rebuild that finds them
  as they are: only what depends on the date would change).
Target: rebuild <= 2x the evaluation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui import database, zwxm_command  # noqa: E402

from zwxm.evaluation import evaluate  # noqa: E402
from zwxm.store import Store  # noqa: E402


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else ():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def pure_evaluation(path: Path) -> dict[str, float]:
    with Store(path) as store:
        codes = [r[0] for r in store.db.execute("SELECT code FROM projects ORDER BY code")]
        projects = list(store.iter_projects(codes))
        peers = store.peers(projects)
        registry = store.registry
    today = dt.date.today()
    evaluate(projects[0], today, registry=registry)  # the calendar is built once per process
    started, cpu = time.perf_counter(), time.process_time()
    for project in projects:
        evaluate(project, today, registry=registry, peers=peers.get(project.code, ()))
    return {"projects": len(projects), "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def spoil(path: Path) -> None:
    """Make every derived row differ from what a rebuild computes (untimed), as after a rules change."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE project_status SET evaluated_on = '2000-01-01', warnings = warnings + 1")
        conn.execute("UPDATE project_deadlines SET explanation = explanation || '.'")
        conn.execute("UPDATE project_findings SET message = message || '.'")
    conn.close()


def rebuild(path: Path, workers: int | None) -> dict[str, float]:
    env = dict(os.environ)
    if workers is not None:
        env["ZWXM_REBUILD_WORKERS"] = str(workers)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([zwxm_command(), "--db", str(path), "rebuild"], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": time.perf_counter() - started,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="forked evaluators (default: zwxm's own choice)")
    args = parser.parse_args()
    made = Path(tempfile.gettempdir()) / f"zwxm-bench-tui-v2-{args.projects}.db"
    source = made if made.exists() else database(args.projects)  # the shared file is only ever copied
    with tempfile.TemporaryDirectory(prefix="zwxm-bench-rebuild-") as tmp:
        copy = Path(tmp) / "rebuild.db"
        shutil.copyfile(source, copy)
        print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, {cpu_model()}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}, "
              f"SQLite {sqlite3.sqlite_version}")
        pure = pure_evaluation(copy)  # opening the copy brings it to this code's schema first
        spoil(copy)
        first = rebuild(copy, args.workers)
        again = rebuild(copy, args.workers)
    rate = pure["projects"] / pure["seconds"]
    print(f"evaluation: {pure['projects']:,} projects in {pure['seconds']:.1f} s ({rate:,.0f}/s, CPU {pure['cpu']:.1f} s)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, rebuilt in (("every row differs", first), ("again (rows as they are)", again)):
        print(f"zwxm rebuild, {name}: {rebuilt['seconds']:.1f} s (CPU {rebuilt['cpu']:.1f} s, all its processes): "
              f"{rebuilt['seconds'] / pure['seconds']:.2f}x wall (target <= 2x), {rebuilt['cpu'] / pure['cpu']:.2f}x CPU")


if __name__ == "__main__":
    main()
