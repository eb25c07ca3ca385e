"""The per-row steps of an import that the review split (issue 16 review), here beside an earlier
revision, in one process: mapping a row (io/rows.py RowReader.data) and checking a project's parts
(model.py _parts_problems, run by load_project for every row).

    .venv/bin/python bench/bench_row_reader.py --against 784ed7c   # before the splits

An import calls both once per row, so the splits must not make a 100,000-row import measurably
slower. The revision's files are loaded beside the working tree's from `git show`, both run on the
same input (a bench_import.py-style row of ten columns; a project with two events), interleaved,
and the best of --repeat timings of each is printed with their ratio. The two must give the same
answers, or the script stops.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

from zwxm import model
from zwxm.io import rows
from zwxm.io.headers import map_headers
from zwxm.plugins import get_registry

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）", "建设单位", "使用单位", "承建单位", "监理单位", "预算年度"]
ROW = ["YB-1", "渝北区系统", "渝北区", "建设类", "120", "区档案馆", "区档案馆", "某某科技有限公司", "某某监理公司", "2024"]


def module_at(revision: str, module: str):
    """core/zwxm/<module>.py as it was at `revision`, imported beside the working tree's."""
    relative = module.replace(".", "/")
    source = subprocess.run(["git", "show", f"{revision}:core/zwxm/{relative}.py"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="zwxm-bench-rows-")) / "then.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"zwxm.{module}_then", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", required=True, help="the git revision to compare with")
    parser.add_argument("--number", type=int, default=20_000, help="rows per timing")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    registry = get_registry()
    columns = map_headers(HEADERS, registry.event_types, None)
    raw = dict(zip(HEADERS, ROW))
    now = rows.RowReader(columns, HEADERS, registry, None)
    then = module_at(args.against, "io.rows").RowReader(columns, HEADERS, registry, None)
    project = model.Project(code="YB-1", name="渝北区系统", district="yubei", kind="construction", investment=1_200_000,
                            events=[model.Event("declared", dt.date(2024, 1, 2)), model.Event("approved", dt.date(2024, 3, 4))])
    parts_then = module_at(args.against, "model")._parts_problems
    if now.data(raw) != then.data(raw) or model._parts_problems(project) != parts_then(project):
        raise SystemExit("the two revisions answer differently")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} {platform.node()} {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    for name, before, after in (("RowReader.data", lambda: then.data(raw), lambda: now.data(raw)),
                                ("_parts_problems", lambda: parts_then(project),
                                 lambda: model._parts_problems(project))):
        timings: dict[str, list[float]] = {"then": [], "now": []}
        for _ in range(args.repeat):  # interleaved, so that a busier moment falls on both
            timings["then"].append(timeit.timeit(before, number=args.number) / args.number)
            timings["now"].append(timeit.timeit(after, number=args.number) / args.number)
        best = {key: min(values) * 1e6 for key, values in timings.items()}
        print(f"{name}, best of {args.repeat} × {args.number:,} rows: {args.against} {best['then']:.2f} µs, "
              f"working tree {best['now']:.2f} µs a row; ratio {best['now'] / best['then']:.3f}, at 100,000 rows "
              f"{(best['now'] - best['then']) * 100_000 / 1e6:+.3f} s")


if __name__ == "__main__":
    main()
