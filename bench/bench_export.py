"""Exporting 100,000 projects (1,000,000 events) beside the raw tools, in one run: issue 16's targets.

    .venv/bin/python bench/bench_export.py [--projects 100000] [--formats xlsx,csv]

The database is bench_tui's (made once, kept in the temp directory), copied to a temporary folder
first, as `zwxm export` opens it for writing. Measured, each from spawn to exit, wall and CPU time:
- `zwxm --db DB export OUT.xlsx` beside openpyxl's write-only mode writing the same cells directly
  (every sheet zwxm writes: projects with their fact and funding columns, events, changes, contracts,
  phases and recorded; the rows read from SQL beforehand, not timed); target: zwxm <= 2x;
- `zwxm --db DB export OUT.csv` beside `sqlite-utils query DB SQL --csv` writing the same rows (the
  project columns, and each project's live events in date order, changes, contracts, phases and
  funding sources as JSON, built by SQLite's JSON functions); target: zwxm <= 1x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

from zwxm.store import PROJECT_FIELDS  # noqa: E402
from zwxm.vocab import FUNDING_SOURCES  # noqa: E402


def timed(command: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """(wall, CPU) seconds of a command, from spawn to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


LIVE = "e.id NOT IN (SELECT supersedes FROM events WHERE supersedes IS NOT NULL)"


def xlsx_sheets(conn: sqlite3.Connection) -> list[tuple[str, list[str], list]]:
    """Every sheet of zwxm's XLSX export as (title, header, rows), read from SQL."""
    fields = [f for f in PROJECT_FIELDS if f != "facts"]
    projects, fact_names = [], set()
    for row in conn.execute(f"SELECT {', '.join(fields)}, facts FROM projects ORDER BY code"):
        facts = json.loads(row[-1])
        fact_names.update(facts)
        projects.append((row[:-1], facts))
    funding: dict[str, dict[str, int]] = {}
    for code, source, amount in conn.execute("SELECT project_code, source, amount FROM funding_sources"):
        funding.setdefault(code, {})[source] = amount
    names = sorted(fact_names)
    sources = [s for s in FUNDING_SOURCES if any(s in f for f in funding.values())]
    classified, tags = fields.index("classified"), fields.index("tags")
    project_rows = [[*(bool(v) if i == classified else (None if i == tags and v == "[]" else v)
                       for i, v in enumerate(values)), *(facts.get(n) for n in names),
                     *(funding.get(values[0], {}).get(s) for s in sources)] for values, facts in projects]
    events = conn.execute(
        "SELECT project_code, type, date, nullif(actor, ''), nullif(role, ''), nullif(note, ''), "
        "nullif(json_remove(payload, '$.contract', '$.phase'), '{}'), payload ->> 'contract', payload ->> 'phase' "
        f"FROM events e WHERE {LIVE} ORDER BY project_code, date, seq").fetchall()
    changes = conn.execute("SELECT project_code, date, amount, coalesce(content_amount, abs(amount)), nullif(reason, ''), "
                           "major = 1, nullif(note, '') FROM changes ORDER BY project_code, date, id").fetchall()
    contracts = conn.execute("SELECT project_code, id, kind, vendor, amount, phase, nullif(note, '') FROM contracts "
                             "ORDER BY project_code, position").fetchall()
    phases = conn.execute("SELECT project_code, id, nullif(name, ''), year, nullif(note, '') FROM phases "
                          "ORDER BY project_code, position").fetchall()
    recorded = conn.execute(
        "SELECT code, 'project', updated_at, updated_by FROM projects UNION ALL SELECT project_code, 'event #' || id "
        "|| ' ' || type || ' ' || date, recorded_at, recorded_by FROM events UNION ALL SELECT project_code, 'change #' "
        "|| id || ' ' || date, recorded_at, recorded_by FROM changes ORDER BY 1, 3").fetchall()
    return [("projects", [*fields, *(f"facts.{n}" for n in names), *(f"funding.{s}" for s in sources)], project_rows),
            ("events", ["project_code", "type", "date", "actor", "role", "note", "payload", "contract", "phase"], events),
            ("changes", ["project_code", "date", "amount", "content_amount", "reason", "major", "note"], changes),
            ("contracts", ["project_code", "id", "kind", "vendor", "amount", "phase", "note"], contracts),
            ("phases", ["project_code", "id", "name", "year", "note"], phases),
            ("recorded", ["project_code", "row", "written_at", "written_by"], recorded)]


def direct_xlsx(db: Path, out: Path) -> tuple[float, float]:
    """openpyxl write-only writing the cells of every sheet; only the writing is timed (wall, CPU)."""
    import openpyxl

    with sqlite3.connect(db) as conn:
        sheets = xlsx_sheets(conn)
    started, cpu = time.perf_counter(), time.process_time()
    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(out)
    return time.perf_counter() - started, time.process_time() - cpu


def _array(item: str, table: str, order: str, where: str = "") -> str:
    return (f"(SELECT nullif(json_group_array(json(item)), '[]') FROM (SELECT {item} AS item FROM {table} e "
            f"WHERE e.project_code = p.code{where} ORDER BY {order}))")


CSV_SQL = f"""SELECT {', '.join(f'p.{f}' for f in PROJECT_FIELDS if f not in ('classified', 'tags', 'facts'))},
  CASE WHEN p.classified THEN 'true' ELSE 'false' END AS classified, nullif(p.tags, '[]') AS tags,
  nullif(p.facts, '{{}}') AS facts,
  {_array("json_object('actor', e.actor, 'contract', e.payload ->> 'contract', 'date', e.date, 'note', e.note, "
          "'payload', json_remove(e.payload, '$.contract', '$.phase'), 'phase', e.payload ->> 'phase', 'role', e.role, "
          "'type', e.type)", "events", "e.date, e.seq", f" AND {LIVE}")} AS events,
  {_array("json_object('amount', e.amount, 'content_amount', coalesce(e.content_amount, abs(e.amount)), 'date', "
          "e.date, 'major', json(CASE WHEN e.major THEN 'true' ELSE 'false' END), 'note', e.note, 'reason', e.reason)",
          "changes", "e.date, e.id")} AS changes,
  {_array("json_object('amount', e.amount, 'id', e.id, 'kind', e.kind, 'note', e.note, 'phase', e.phase, "
          "'vendor', e.vendor)", "contracts", "e.position")} AS contracts,
  {_array("json_object('id', e.id, 'name', e.name, 'note', e.note, 'year', e.year)", "phases", "e.position")} AS phases,
  {_array("json_object('amount', e.amount, 'source', e.source)", "funding_sources", "e.position")} AS funding_sources
FROM projects p ORDER BY p.code"""


def ratio(label: str, ours: tuple[float, float], raw: tuple[float, float], raw_label: str, target: str) -> None:
    print(f"{label}: zwxm export {ours[0]:.1f} s (CPU {ours[1]:.1f} s), {raw_label} {raw[0]:.1f} s (CPU {raw[1]:.1f} s):"
          f" {ours[0] / raw[0]:.2f}x wall, {ours[1] / raw[1]:.2f}x CPU (target {target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    args = parser.parse_args()
    shared = database(args.projects)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.2f}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{args.projects:,} projects")
    zwxm = zwxm_command()
    with tempfile.TemporaryDirectory(prefix="zwxm-bench-export-") as tmp:
        db = Path(tmp) / "bench.db"
        shutil.copyfile(shared, db)  # never the shared file: zwxm opens its database for writing
        if "csv" in args.formats:
            ours = timed([zwxm, "--db", str(db), "export", str(Path(tmp) / "zwxm.csv")])
            with open(Path(tmp) / "raw.csv", "wb") as out:
                raw = timed([str(Path(sys.executable).parent / "sqlite-utils"), "query", str(db), CSV_SQL, "--csv"],
                            stdout=out)
            ratio("CSV", ours, raw, "sqlite-utils query --csv", "<= 1x")
            print(f"  sizes: zwxm {(Path(tmp) / 'zwxm.csv').stat().st_size / 1e6:.0f} MB, "
                  f"sqlite-utils {(Path(tmp) / 'raw.csv').stat().st_size / 1e6:.0f} MB")
        if "xlsx" in args.formats:
            ours = timed([zwxm, "--db", str(db), "export", str(Path(tmp) / "zwxm.xlsx")])
            raw = direct_xlsx(db, Path(tmp) / "direct.xlsx")
            ratio("XLSX", ours, raw, "openpyxl write-only", "<= 2x")
            print(f"  sizes: zwxm {(Path(tmp) / 'zwxm.xlsx').stat().st_size / 1e6:.0f} MB, "
                  f"openpyxl {(Path(tmp) / 'direct.xlsx').stat().st_size / 1e6:.0f} MB")
        print(f"{dt.datetime.now(dt.UTC):%H:%M} UTC, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
