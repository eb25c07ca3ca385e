"""The cost of mapping one import row (RowReader.data) here beside an earlier revision, in one process.

    .venv/bin/python bench/bench_row_reader.py --against 784ed7c   # the revision before the split

A review refactor split RowReader.data into named steps (issue 16 review); an import calls it once per
row, so the split must not make a 100,000-row import measurably slower. The revision's
core/zwxm/io/rows.py is loaded beside the working tree's from `git show`, both map the same rows
(a bench_import.py-style row of ten columns), and the best of --repeat timings of each is printed
with their ratio. The two must give the same data, or the script stops.
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

from zwxm.io import rows
from zwxm.io.headers import map_headers
from zwxm.plugins import get_registry

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）", "建设单位", "使用单位", "承建单位", "监理单位", "预算年度"]
ROW = ["YB-1", "渝北区系统", "渝北区", "建设类", "120", "区档案馆", "区档案馆", "某某科技有限公司", "某某监理公司", "2024"]


def rows_module_at(revision: str):
    """core/zwxm/io/rows.py as it was at `revision`, imported as a sibling of zwxm.io.rows."""
    source = subprocess.run(["git", "show", f"{revision}:core/zwxm/io/rows.py"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="zwxm-bench-rows-")) / "rows_then.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("zwxm.io.rows_then", path)
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
    then = rows_module_at(args.against).RowReader(columns, HEADERS, registry, None)
    if now.data(raw) != then.data(raw):
        raise SystemExit(f"the two revisions map the row differently:\n{now.data(raw)}\n{then.data(raw)}")
    timings: dict[str, list[float]] = {"then": [], "now": []}
    for _ in range(args.repeat):  # interleaved, so that a busier moment falls on both
        for name, reader in (("then", then), ("now", now)):
            timings[name].append(timeit.timeit(lambda r=reader: r.data(raw), number=args.number) / args.number)
    best = {name: min(values) * 1e6 for name, values in timings.items()}
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} {platform.node()} {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    print(f"RowReader.data, best of {args.repeat} × {args.number:,} rows:")
    print(f"  {args.against}: {best['then']:.2f} µs a row")
    print(f"  working tree: {best['now']:.2f} µs a row")
    print(f"  ratio now / then: {best['now'] / best['then']:.3f}; at 100,000 rows: "
          f"{(best['now'] - best['then']) * 100_000 / 1e6:+.3f} s")


if __name__ == "__main__":
    main()
