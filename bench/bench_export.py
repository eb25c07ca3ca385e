"""Exporting 100,000 projects (1,000,000 events) beside the raw tools, in one run: issue 16's targets.

    .venv/bin/python bench/bench_export.py [--projects 100000] [--formats xlsx,csv]

The database is bench_tui's (made once, kept in the temp directory). Measured, each from spawn to exit:
- `zwxm --db DB export OUT.xlsx` beside openpyxl's write-only mode writing the same cells directly
  (the projects, events and changes sheets, their rows read from SQL beforehand, not timed);
  target: zwxm <= 2x;
- `zwxm --db DB export OUT.csv` beside `sqlite-utils query DB SQL --csv` writing the same rows (the
  project columns and each project's events and changes as JSON, built by SQLite);
  target: zwxm <= 1x.
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

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui import database, zwxm_command  # noqa: E402

from zwxm.store import PROJECT_FIELDS  # noqa: E402


def timed(command: list[str], stdout=subprocess.DEVNULL) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def direct_xlsx(db: Path, out: Path) -> float:
    """openpyxl write-only, the same three sheets and cells as zwxm's export; only the writing is timed."""
    import openpyxl

    conn = sqlite3.connect(db)
    fields = [f for f in PROJECT_FIELDS if f != "facts"]
    projects, fact_names = [], set()
    for row in conn.execute(f"SELECT {', '.join(fields)}, facts FROM projects ORDER BY code"):
        facts = json.loads(row[-1] or "{}")
        fact_names.update(facts)
        projects.append((row[:-1], facts))
    names = sorted(fact_names)
    project_rows = [[*(None if v == "[]" else v for v in values), *(facts.get(n) for n in names)]
                    for values, facts in projects]
    event_rows = conn.execute("SELECT project_code, type, date, actor, role, nullif(note, ''), "
                              "nullif(payload, '{}') FROM events ORDER BY project_code, seq").fetchall()
    change_rows = conn.execute("SELECT project_code, date, amount, nullif(reason, ''), major, nullif(note, '') "
                               "FROM changes ORDER BY project_code, id").fetchall()
    started = time.perf_counter()
    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in (("projects", [*fields, *(f"facts.{n}" for n in names)], project_rows),
                                ("events", ["project_code", "type", "date", "actor", "role", "note", "payload"],
                                 event_rows),
                                ("changes", ["project_code", "date", "amount", "reason", "major", "note"], change_rows)):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(out)
    return time.perf_counter() - started


CSV_SQL = """SELECT {fields},
  (SELECT json_group_array(json_object('type', e.type, 'date', e.date, 'actor', e.actor, 'role', e.role,
                                       'note', e.note, 'payload', json(e.payload)))
   FROM events e WHERE e.project_code = p.code) AS events,
  (SELECT json_group_array(json_object('date', c.date, 'amount', c.amount, 'reason', c.reason, 'major', c.major,
                                       'note', c.note))
   FROM changes c WHERE c.project_code = p.code) AS changes
FROM projects p ORDER BY p.code"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    args = parser.parse_args()
    db = database(args.projects)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {args.projects:,} projects")
    zwxm = zwxm_command()
    with tempfile.TemporaryDirectory(prefix="zwxm-bench-export-") as tmp:
        if "xlsx" in args.formats:
            ours = timed([zwxm, "--db", str(db), "export", str(Path(tmp) / "zwxm.xlsx")])
            raw = direct_xlsx(db, Path(tmp) / "direct.xlsx")
            print(f"XLSX: zwxm export {ours:.1f} s, openpyxl write-only {raw:.1f} s: {ours / raw:.2f}x (target <= 2x); "
                  f"{(Path(tmp) / 'zwxm.xlsx').stat().st_size / 1e6:.0f} MB")
        if "csv" in args.formats:
            ours = timed([zwxm, "--db", str(db), "export", str(Path(tmp) / "zwxm.csv")])
            fields = ", ".join(f"p.{f}" for f in PROJECT_FIELDS)
            with open(Path(tmp) / "raw.csv", "wb") as out:
                raw = timed([str(Path(sys.executable).parent / "sqlite-utils"), "query", str(db),
                             CSV_SQL.format(fields=fields), "--csv"], stdout=out)
            print(f"CSV: zwxm export {ours:.1f} s, sqlite-utils --csv {raw:.1f} s: {ours / raw:.2f}x (target <= 1x)")


if __name__ == "__main__":
    main()
