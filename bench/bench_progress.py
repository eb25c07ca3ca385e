"""Benchmark: is the remaining time that `zwxm import` and `zwxm export` show honest?

Runs `zwxm import` of N projects (the generator of bench_import.py) and then `zwxm export` of them
(CSV and XLSX), each with its standard error on a pseudo-terminal, and timestamps every progress
line. At 10%, 18%, 25%, 50% and 75% it sets the remaining time the line promised beside the time
that actually remained, and beside what the average rate since the progress line appeared (the
usual progress-bar estimate, click's included) would have promised at the same moment.

Run:  .venv/bin/python bench/bench_progress.py [--projects 100000] [--events-per-project 10] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parents[1]))  # tests.terminal
from bench_import import generate  # noqa: E402

from tests.terminal import stderr_on_a_terminal  # noqa: E402

ZWXM = str(Path(sys.executable).parent / "zwxm")
LINE = re.compile(r"(\d+)% (\d+)/(\d+) · (?:剩余约 (?:(\d+) 分 )?(\d+) 秒|正在估算)")
MARKS = (10, 18, 25, 50, 75)


def on_a_terminal(args: list[str], cwd: Path) -> tuple[float, list[tuple[float, int, int, float | None]]]:
    """Run zwxm with stderr on a pseudo-terminal: (wall time, [(time, done, total, promised seconds)])."""
    status, wall, shown = stderr_on_a_terminal([ZWXM, *args], cwd=cwd)
    seen, buffer = [], ""
    for now, chunk in shown:
        buffer += chunk.decode("utf-8", "replace")
        *lines, buffer = re.split(r"[\r\n]", buffer)
        for line in lines:
            match = LINE.search(line)
            if match:
                promised = None if match.group(5) is None else int(match.group(4) or 0) * 60 + int(match.group(5))
                seen.append((now, int(match.group(2)), int(match.group(3)), promised))
    if status not in (0, 1):
        raise SystemExit(f"zwxm {' '.join(args)} failed with status {status}")
    return wall, seen


def report(name: str, wall: float, seen: list) -> None:
    print(f"\n{name}: {wall:.1f} s, {len(seen)} progress lines")
    print("  at     elapsed   promised   actually left   average-since-start would say")
    for mark in MARKS:
        line = next((s for s in seen if s[2] and s[1] * 100 >= mark * s[2]), None)
        if line is None:
            continue
        at, done, total, promised = line
        actual = wall - at
        began = seen[0][0]  # the first line appears when the work begins (0%)
        average = (total - done) * (at - began) / done if done else float("nan")
        shown = "estimating" if promised is None else f"{promised:7.0f} s"
        print(f"  {mark:3d}%  {at:7.1f} s  {shown:>9}  {actual:10.1f} s  {average:14.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--events-per-project", type=int, default=10)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zwxm-bench-progress-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "projects.jsonl"
    generate(source, args.projects, args.events_per_project, ["luohu", "potou", "wuxing", "yubei"])
    db = workdir / "progress.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"{dt.date.today()} {platform.node()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"{args.projects:,} projects × {args.events_per_project} events")
    report("import", *on_a_terminal(["--db", str(db), "import", source.name], workdir))
    for fmt in ("csv", "xlsx"):
        report(f"export {fmt}", *on_a_terminal(["--db", str(db), "export", f"all.{fmt}"], workdir))


if __name__ == "__main__":
    main()
