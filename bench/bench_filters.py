"""The project list's filter menus and pinyin search at 100,000 projects (issue 14).

    .venv/bin/python bench/bench_filters.py COPY_OF_A_BENCH_DB

Give it a file you may change: a database of schema version 2 (e.g. a copy of bench_tui.py's
`zwxm-bench-tui-v2-100000.db`) is upgraded to version 3 when opened, and the upgrade is timed.

Measures side by side, in one run, so a busy machine shifts both alike:
- the upgrade: refilling the search column with full pinyin, per 1,000 rows;
- `search_text` for one project with initials only (schema 2) and with full pinyin too (schema 3);
- per query, the list's count (`count_projects`, what the count line needed before) and the filter
  menus' counts within the other filters (`facets(q)`, now recomputed after every change, in the
  counting worker, off the UI thread);
- the first page of a search for `pingtai` (full pinyin) against `pt` (initials).
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from zwxm.store import ProjectQuery, Store
from zwxm.store.search import pinyin, search_text

QUERIES = {
    "no filter": ProjectQuery(),
    "district": ProjectQuery(district="yubei"),
    "district + stage": ProjectQuery(district="yubei", stage="contract"),
    "text 平台": ProjectQuery(text="平台"),
    "text pingtai": ProjectQuery(text="pingtai"),
}
RUNS = 5


def timed(call, runs: int = RUNS) -> float:
    """Median milliseconds of `call()`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def initials_only(code: str, name: str, owner_unit: str | None, user_unit: str | None) -> str:
    """Schema 2's search text, for the comparison."""
    units = [u for u in (owner_unit, user_unit) if u]
    parts = [code, name, *units, *(pinyin(unicodedata.normalize("NFKC", t))[1] for t in (name, *units))]
    return unicodedata.normalize("NFKC", " ".join(parts)).lower()


def main() -> None:
    path = Path(sys.argv[1])
    raw = sqlite3.connect(path)
    version = raw.execute("PRAGMA user_version").fetchone()[0]
    rows = raw.execute("SELECT code, name, owner_unit, user_unit FROM projects").fetchall()
    raw.close()
    started = time.perf_counter()
    store = Store(path)
    upgrade_s = time.perf_counter() - started
    print(f"{len(rows):,} projects; schema {version} -> 3: opening took {upgrade_s:.1f} s"
          + (f" ({upgrade_s / len(rows) * 1000 * 1000:.1f} ms per 1,000 rows)" if version < 3 else " (no upgrade)"))

    sample = rows[:20_000]
    pinyin.cache_clear()
    old = timed(lambda: [initials_only(*r) for r in sample], 1)
    pinyin.cache_clear()
    new = timed(lambda: [search_text(*r) for r in sample], 1)
    print(f"search_text for 20,000 projects: initials only {old:.0f} ms, with full pinyin {new:.0f} ms "
          f"(x{new / old:.2f})\n")

    print("| query | count_projects | facets(q) | ratio |")
    print("|---|---:|---:|---:|")
    for label, q in QUERIES.items():
        count_ms = timed(lambda: store.count_projects(q))
        facets_ms = timed(lambda: store.facets(q))
        print(f"| {label} | {count_ms:.0f} ms | {facets_ms:.0f} ms | x{facets_ms / count_ms:.1f} |")
    full = timed(lambda: store.query_projects(ProjectQuery(text="pingtai"), 0, 100))
    initials = timed(lambda: store.query_projects(ProjectQuery(text="pt"), 0, 100))
    print(f"\nfirst page of a search: `pingtai` {full:.0f} ms, `pt` {initials:.0f} ms")
    store.close()


if __name__ == "__main__":
    main()
