"""The long reliability runs behind docs/reliability.md (issue 10), with the machine they ran on.

  concurrency  two operator processes (Store.record_event) and one importer process (import_file)
               on one database file for --seconds (default 60)
  crash        kill -9 a real `zwxm import` at --kills random points (default 20) of its writing phase
  backup       `zwxm backup` --copies times (default 10) while an operator process writes
  badfiles     the bad inputs of issue 13 §4/§5 (zip bombs, a million columns, /dev/zero, a 200,000-row
               ledger ...) through `zwxm`: exit status and peak memory of each
  operators    two operator processes record events for --seconds while one `zwxm import` of a
               --projects-row ledger (default 100,000, evaluated as it goes) runs (issue 13 §10);
               with --baseline CORE_DIR the same run first with that core (e.g. main's `core`
               exported by `git archive`), side by side

The same code runs, shorter, in tests/reliability (fast by default, `--slow` for these lengths).
Fuzzing runs only as tests: `.venv/bin/pytest tests/reliability --slow -q`.

Run:  .venv/bin/python bench/bench_reliability.py [--runs concurrency,crash,backup,operators] [--seconds 60]
      [--kills 20] [--copies 10] [--projects 100000] [--baseline CORE_DIR] [--workdir DIR] [--json results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability.harness import (  # noqa: E402
    run_backups,
    run_bad_files,
    run_concurrency,
    run_crashes,
    run_operators_during_import,
)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {os.cpu_count()} CPUs ({cpu}); "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; {platform.platform()}")


def concurrency(workdir: Path, seconds: float) -> dict:
    r = run_concurrency(workdir / "concurrency", seconds)
    lost = len(r["lost_operator_writes"]) + len(r["lost_import_rows"])
    print(f"concurrency {seconds:.0f} s: operators {r['operator_writes']} events ({r['operator_writes_per_s']:.1f}/s), "
          f"importer {r['imports']} files / {r['imported_rows']} rows ({r['import_rows_per_s']:.1f} rows/s); "
          f"total {(r['operator_writes'] + r['imported_rows']) / seconds:.1f} writes/s")
    print(f"  operator wait p50 {r['operator_wait_p50_ms']:.1f} ms, p99 {r['operator_wait_p99_ms']:.1f} ms, "
          f"worst {r['operator_wait_max_ms']:.0f} ms; slowest import file {r['import_file_max_s']:.2f} s")
    print(f"  lost {lost}, errors {len(r['errors'])} (locked {len(r['locked_errors'])}), verify problems "
          f"{len(r['verify'])}, integrity {r['integrity']}")
    return r


def crash(workdir: Path, kills: int) -> dict:
    r = run_crashes(workdir / "crash", kills=kills, rows=2000, batch_size=100)
    bad = [x["round"] for x in r["rounds"] if x["integrity"] != "ok" or x["verify_after_kill"] or x["partial_batches"]
           or x["batches_not_a_prefix"] or x["wrong_event_counts"] or not x["import_counter_matches"]
           or x["rerun_exit"] or x["rerun_expected_summary"] not in x["rerun_summary"]
           or x["projects_after_rerun"] != x["expected_projects"] or x["verify_after_rerun"]]
    print(f"crash: {kills} kills of a 2000-row import (batches of 100; writing from {r['writing_starts_s']:.2f} s "
          f"to {r['full_import_s']:.2f} s); rounds failing a check: {bad or 'none'}")
    print("  rows in at each kill: " + ", ".join(str(x["rows_in_after_kill"]) for x in r["rounds"]))
    return r


def backup(workdir: Path, copies: int) -> dict:
    r = run_backups(workdir / "backup", seconds=30, copies=copies)
    ok = sum(1 for c in r["copies"] if c["exit"] == 0 and c["integrity"] == "ok" and c["verify"] == 0
             and c["events_in_copy"] >= c["acked_before"])
    times = [c["seconds"] for c in r["copies"]]
    print(f"backup: {ok}/{copies} copies consistent and verified while {r['writer_writes']} events were written; "
          f"`zwxm backup` {min(times):.2f}–{max(times):.2f} s (process start included); writer errors "
          f"{len(r['writer_errors'])}")
    return r


def badfiles(workdir: Path, rows: int) -> list:
    results = run_bad_files(workdir / "badfiles", csv_rows=rows)
    for r in results:
        print(f"{r['input']}: exit {r['exit']}, peak {r['peak_mb']} MB, {r['seconds']} s, {r['stderr_lines']} lines"
              f"{', TRACEBACK' if r['traceback'] else ''}: {r['said']}", flush=True)
    return results


def operators(workdir: Path, projects: int, seconds: float, baseline: Path | None) -> dict:
    results = {}
    if baseline is not None:  # the same run in a child process whose `zwxm` is the baseline core
        out = workdir / "baseline.json"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(baseline), os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, __file__, "--runs", "operators", "--projects", str(projects), "--seconds",
                        str(seconds), "--workdir", str(workdir / "baseline"), "--json", str(out)], env=env, check=True)
        results["baseline"] = json.loads(out.read_text(encoding="utf-8"))["operators"]["this"]
    import zwxm

    r = run_operators_during_import(workdir / "operators", projects, seconds)
    print(f"operators during a {projects}-project import ({Path(zwxm.__file__).parent}): {r['operator_writes']} "
          f"writes in {seconds:.0f} s; wait p50 {r['operator_wait_p50_ms']:.1f} ms, p99 {r['operator_wait_p99_ms']:.0f} "
          f"ms, worst {r['operator_wait_max_ms']:.0f} ms; {r['imported_projects']} projects imported "
          f"({'finished' if r['import_finished'] else 'stopped'}); lost {len(r['lost_operator_writes'])}, errors "
          f"{len(r['errors'])}, partial batch {r['partial_batch']}, verify problems {len(r['verify'])}, integrity "
          f"{r['integrity']}")
    results["this"] = r
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="concurrency,crash,backup")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the large ledger of the badfiles run")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--baseline", type=Path, help="a core directory to measure the operators run against first")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="write every count and figure here")
    args = parser.parse_args()
    print(machine())
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zwxm-reliability-"))
    results = {"machine": machine()}
    started = time.monotonic()
    for run in args.runs.split(","):
        if run == "concurrency":
            results[run] = concurrency(workdir, args.seconds)
        elif run == "crash":
            results[run] = crash(workdir, args.kills)
        elif run == "backup":
            results[run] = backup(workdir, args.copies)
        elif run == "badfiles":
            results[run] = badfiles(workdir, args.rows)
        elif run == "operators":
            results[run] = operators(workdir, args.projects, args.seconds, args.baseline)
        else:
            parser.error(f"--runs: unknown run {run!r} (concurrency, crash, backup, badfiles, operators)")
    print(f"total {time.monotonic() - started:.0f} s; files in {workdir}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
