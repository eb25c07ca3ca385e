"""`zwxm due` and `zwxm report` at 1,000 and 100,000 projects, side by side in one run (issue 15).

    .venv/bin/python bench/bench_due.py                  # both sizes
    .venv/bin/python bench/bench_due.py --sizes 1000     # one size

The databases are bench_tui.py's (10 events per project, ~330 construction units, four districts,
derived rows written by Store.save_projects), kept in the temp directory between runs. Every
figure is a real `zwxm` process (start-up included): wall-clock median of --repeat runs, the
CPU time of that run (user + system, which a busy machine does not inflate) and its peak memory.
Beside them, `zwxm --version` (start-up alone) and re-evaluating a sample of projects, extrapolated
to the whole database: what `due` would cost if it evaluated instead of reading the derived tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_tui import database, zwxm_command  # noqa: E402

from zwxm.evaluation import evaluate  # noqa: E402
from zwxm.store import Store  # noqa: E402

SAMPLE = 2_000  # projects re-evaluated for the extrapolated comparison


def run(args: list[str], repeat: int) -> tuple[float, float, float, str]:
    """(median wall s, CPU s of the median run, peak RSS MB, last line of stderr) of `zwxm ARGS`."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen([zwxm_command(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL)
        stderr = process.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(process.pid, 0)  # this process's own CPU time and peak memory
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stderr.close()
        if process.returncode not in (0, 1):
            raise SystemExit(f"zwxm {' '.join(args)} failed: {stderr}")
        runs.append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                     (stderr.strip().splitlines() or [""])[-1]))
    runs.sort()
    return runs[len(runs) // 2]


def reevaluation_seconds(path: Path, count: int) -> float:
    """Seconds to evaluate every project again, extrapolated from a sample of SAMPLE (in-process)."""
    with Store(path) as store:
        codes = [r[0] for r in store.db.execute("SELECT code FROM projects ORDER BY code LIMIT ?", [SAMPLE])]
        projects = list(store.iter_projects(codes))
        peers = store.peers(projects)
        started = time.perf_counter()
        for project in projects:
            evaluate(project, dt.date.today(), registry=store.registry, peers=peers.get(project.code, ()))
        return (time.perf_counter() - started) * count / len(projects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.platform()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    out = Path(tempfile.mkdtemp(prefix="zwxm-bench-due-"))
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    for count in options.sizes:
        path = database(count)
        with Store(path) as store:
            deadlines = store.db.execute("SELECT count(*) FROM project_deadlines").fetchone()[0]
            unit = store.db.execute("SELECT p.owner_unit FROM project_deadlines d JOIN projects p ON p.code = "
                                    "d.project_code WHERE d.kind = 'due' AND d.done_on IS NULL GROUP BY 1 "
                                    "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        db = ["--db", str(path)]
        cases = [
            ("start-up (zwxm --version)", ["--version"], options.repeat),
            ("due (table, every unit)", [*db, "due"], options.repeat),
            ("due --overdue-only", [*db, "due", "--overdue-only"], options.repeat),
            ("due --format json", [*db, "due", "--format", "json"], options.repeat),
            ("due --format csv", [*db, "due", "--format", "csv"], options.repeat),
            ("due -o due.xlsx", [*db, "due", "-o", str(out / f"due-{count}.xlsx")], 1),
            (f"due --unit (busiest: {unit})", [*db, "due", "--unit", unit], options.repeat),
            ("due --unit -o unit.ics", [*db, "due", "--unit", unit, "-o", str(out / f"unit-{count}.ics")],
             options.repeat),
            ("due -o all.ics (every deadline)", [*db, "due", "-o", str(out / f"all-{count}.ics")], 1),
            ("due -o all.ics again (re-run)", [*db, "due", "-o", str(out / f"all-{count}.ics")], 1),
            (f"report --month {month}", [*db, "report", "--month", month, "-o", str(out)], 1),
        ]
        print(f"\n{count:,} projects, {deadlines:,} deadline rows ({path})")
        print(f"{'case':<44} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  output")
        for name, args, repeat in cases:
            wall, cpu, rss, said = run(args, repeat)
            print(f"{name:<44} {wall:8.2f} {cpu:8.2f} {rss:8.0f}  {said[:60]}")
        estimate = reevaluation_seconds(path, count)
        print(f"{'re-evaluating every project (extrapolated)':<44} {estimate:8.1f} {'':>8} {'':>8}  "
              f"from {min(SAMPLE, count):,} projects in-process")


if __name__ == "__main__":
    main()
