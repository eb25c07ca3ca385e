"""TUI speed and memory with 1,000 and 100,000 projects (10 events each): issue 9's targets.

    .venv/bin/python bench/bench_tui.py                 # both sizes
    .venv/bin/python bench/bench_tui.py --sizes 1000    # one size
    .venv/bin/python bench/bench_tui.py --sizes 1000000 # the 100,000 list copied ten times

Measures, for each size:
- first paint: a real `zwxm --db FILE` process in tmux, from spawn until the app writes the
  time of its first painted list (ZWXM_TUI_READY_FILE, written from a call_after_refresh callback);
- search keystroke: in-process (headless) app, from the key press to the call_after_refresh
  callback that follows the list's refresh (median and p95) — not Pilot round trips;
- open a project: from Enter on a row to the detail screen's call_after_refresh callback;
- sorting: each column ascending and descending, from the header click's message to the list's
  refresh; End and Home on each sort, from the action to the table's next refresh;
- deadlines view: from the key to its first paint (median of 3);
- resident memory: VmRSS / VmHWM of the real process after first paint and after a search and
  opening a project;
- side by side: a plain `LIKE '%平台%'` count over every project (the floor a keystroke is judged
  against), and each figure against its target (issue 16).
The databases are generated once (written through Store.save_projects, derived rows included) and
kept in the temp directory for the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zwxm.model import Event, Project
from zwxm.plugins import get_registry
from zwxm.store import ProjectQuery, Store
from zwxm_tui.app import READY_FILE_ENV

EVENTS = ("declared", "technical_review_passed", "approved", "procurement_started", "contract_signed",
          "contract_filed", "progress_reported", "progress_reported", "progress_reported", "construction_completed")
SUBJECTS = ("智慧城管综合指挥", "政务服务一网通办", "基层治理网格化", "城市运行管理", "智慧教育云", "校园安全监控",
            "全民健康信息", "公共卫生应急指挥", "社会救助信息", "不动产登记信息", "市场主体信用监管", "电子证照")
SYSTEMS = ("平台", "系统", "信息系统", "综合应用", "管理平台", "数据库")
BUREAUS = ("区城市管理和综合执法局", "区教育局", "区卫生健康局", "区公安分局", "区市场监督管理局", "区应急管理局",
           "区民政局", "区财政局", "区档案馆", "区司法局")
STREETS = ("东门", "南湖", "桂园", "黄贝", "翠竹", "笋岗", "清水河", "莲塘", "双龙湖", "龙溪", "回兴", "仙桃",
           "王家", "龙山", "龙塔", "双凤桥", "宝圣湖", "大竹林", "礼嘉", "悦来")
SUB_UNITS = ("街道办事处", "社区服务中心", "中学", "小学", "卫生服务中心", "派出所", "市场监管所", "司法所",
             "应急管理站", "财政所", "档案室", "综合执法队", "民政办", "文化站", "党群服务中心", "网格中心")
# ~330 construction units: each has a few hundred of the 100,000 projects (Store.evaluation loads a
# unit's other projects as peers, so one unit holding thousands would dominate opening a project)
UNITS = BUREAUS + tuple(street + sub for street in STREETS for sub in SUB_UNITS)
CODE_PREFIX = {"luohu": "LH", "wuxing": "WX", "yubei": "YB", "potou": "PT"}
SEARCHES = ("zhcg", "LH-2024-00", "区教育", "平台", "dmjd")  # pinyin initials, code prefix, unit, word, unit initials
NO_MATCH = "XX-1999"  # a search that matches nothing: the worst case of the page query
BATCH = 2_000
REPLICATE_ABOVE = 100_000  # larger databases are this one's rows copied (see replicated)


def generate(count: int, seed: int = 9) -> list[Project]:
    """`count` projects across the installed districts, 10 events each, ending in the last year."""
    rng = random.Random(seed)
    districts = sorted(get_registry().districts)
    today = dt.date.today()
    projects = []
    for n in range(count):
        district = districts[n % len(districts)]
        start = today - dt.timedelta(days=rng.randint(40, 900))
        day = start
        events = []
        for event_type in EVENTS[:rng.randint(1, len(EVENTS))]:
            day += dt.timedelta(days=rng.randint(1, 20))
            events.append(Event(event_type, min(day, today)))
        while len(events) < len(EVENTS):  # top up to 10 events with monthly reports
            events.append(Event("progress_reported", min(day, today), note=f"月报 {len(events)}"))
        projects.append(Project(
            code=f"{CODE_PREFIX.get(district, district[:2].upper())}-{start.year}-{n:06d}", district=district,
            name=f"{SUBJECTS[rng.randrange(len(SUBJECTS))]}{SYSTEMS[rng.randrange(len(SYSTEMS))]}",
            kind=rng.choice(("construction", "construction", "operation")), investment=rng.randint(30, 6000) * 10_000,
            funding=rng.choice(("department_budget", "government_investment")), owner_unit=rng.choice(UNITS),
            budget_year=start.year, events=events))
    return projects


def database(count: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"zwxm-bench-tui-v2-{count}.db"
    if path.exists():
        with Store(path) as store:
            if store.count_projects(ProjectQuery()) == count:
                return path
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if count > REPLICATE_ABOVE and count % REPLICATE_ABOVE == 0:
        return replicated(database(REPLICATE_ABOVE), path, count // REPLICATE_ABOVE)
    started = time.perf_counter()
    projects = generate(count)
    with Store(path) as store:
        for offset in range(0, count, BATCH):
            store.save_projects(projects[offset:offset + BATCH])
            print(f"  generated {offset + BATCH:,}/{count:,}", end="\r", file=sys.stderr)
    print(f"  database of {count:,} projects written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def replicated(source: Path, path: Path, times: int) -> Path:
    """The list of `source` `times` over (1,000,000 projects from 100,000 in ~3 minutes instead of
    hours): its projects, status and deadline rows copied under new codes (code-R1, ...); events
    and findings stay with the originals, so only the list and the deadlines view are measured."""
    started = time.perf_counter()
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        for table, key in (("projects", "code"), ("project_status", "code"), ("project_deadlines", "project_code")):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
            for n in range(1, times):
                values = ", ".join(f"{c} || '-R{n}'" if c == key else f"{c} || ' ' || lower({key}) || '-r{n}'" if c == "search"
                                   else c for c in columns)
                conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} "
                             f"WHERE {key} NOT LIKE '%-R%'")
        conn.execute("COMMIT")
    finally:
        conn.close()
    print(f"  {path.name} replicated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def zwxm_command() -> str:
    beside = Path(sys.executable).parent / "zwxm"
    return str(beside) if beside.exists() else shutil.which("zwxm") or "zwxm"


def proc_memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount, _unit = line.split()
            values[key[:-1]] = int(amount) / 1024
    return values["VmRSS"], values["VmHWM"]


def tmux(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """tmux on the benchmark's own server (a private socket), so no other session is disturbed."""
    return subprocess.run(["tmux", "-L", f"zwxm-bench-{os.getpid()}", *args], **kwargs)


def first_paint(path: Path, runs: int = 3) -> dict[str, float]:
    """Spawn the real app in tmux; time until its first painted list; then its memory."""
    times, cpu, rss, peak = [], [], 0.0, 0.0
    tmux("new-session", "-d", "-s", "keeper", "sleep 3600", check=True)  # keeps the server up between runs
    try:
        for run in range(runs):
            ready = Path(tempfile.mkdtemp()) / "ready"
            session = f"run{run}"
            started = time.time()
            tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "45",
                 f"exec env {READY_FILE_ENV}={ready} {zwxm_command()} --db {path}", check=True)
            try:
                deadline = time.monotonic() + 30
                while not ready.exists() or not ready.read_text().strip():
                    if time.monotonic() > deadline:
                        raise RuntimeError("the app did not paint within 30 s")
                    time.sleep(0.005)
                wall, cpu_used = (float(v) for v in ready.read_text().split())
                times.append(wall - started)
                cpu.append(cpu_used)
                pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}", capture_output=True,
                               text=True).stdout.split()[0])
                if run == runs - 1:  # memory: after first paint, then after a search and opening a project
                    time.sleep(0.5)
                    rss, _ = proc_memory(pid)
                    for key in ("slash", *"zhcg", "Enter", "Enter"):
                        tmux("send-keys", "-t", session, key, check=True)
                        time.sleep(0.3)
                    time.sleep(1.5)
                    _, peak = proc_memory(pid)
            finally:
                tmux("kill-session", "-t", session, capture_output=True)
    finally:
        tmux("kill-server", capture_output=True)
    return {"first_paint_s": statistics.median(times), "first_paint_cpu_s": statistics.median(cpu),
            "rss_mb": rss, "peak_rss_mb": peak}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def latencies(path: Path) -> dict[str, float]:
    """Search keystrokes and project opening, from the action to the call_after_refresh callback."""
    from zwxm_tui.app import create_app
    from zwxm_tui.widgets import LazyTable

    app = create_app(path, "zh")
    painted: dict[str, float] = {}
    painted_cpu: dict[str, float] = {}

    def probe(what: str) -> None:
        painted[what] = time.perf_counter()
        painted_cpu[what] = time.thread_time()  # the UI thread's own CPU time

    app.painted_hook = probe
    search, opening, no_match, search_cpu, opening_cpu = [], [], [], [], []
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        for text in SEARCHES:
            for key in text:
                painted.pop("list", None)
                started, started_cpu = time.perf_counter(), time.thread_time()
                await pilot.press(key)
                while "list" not in painted:
                    await asyncio.sleep(0.001)
                search.append(painted["list"] - started)
                search_cpu.append(painted_cpu["list"] - started_cpu)
            await pilot.press(*["backspace"] * len(text))
        for key in NO_MATCH:
            painted.pop("list", None)
            started = time.perf_counter()
            await pilot.press(key)
            while "list" not in painted:
                await asyncio.sleep(0.001)
            no_match.append(painted["list"] - started)
        await pilot.press(*["backspace"] * len(NO_MATCH))
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.press("enter")  # back to the table
        table = app.screen.query_one(LazyTable)
        table.focus()
        for _ in range(20):
            painted.pop("detail", None)
            started, started_cpu = time.perf_counter(), time.thread_time()
            await pilot.press("enter")
            while "detail" not in painted:
                await asyncio.sleep(0.001)
            opening.append(painted["detail"] - started)
            opening_cpu.append(painted_cpu["detail"] - started_cpu)
            await pilot.press("escape", "down", "down", "down")
            await pilot.pause(0.2)  # the list recounts after a detail closes (a worker): let it finish
            await app.workers.wait_for_complete()
        worst = await sorting_and_deadlines(app, pilot, painted, painted_cpu, table)
    return {**worst, "search_median_ms": statistics.median(search) * 1000, "search_p95_ms": percentile(search, 0.95) * 1000,
            "no_match_max_ms": max(no_match) * 1000,
            "search_cpu_median_ms": statistics.median(search_cpu) * 1000,
            "search_cpu_p95_ms": percentile(search_cpu, 0.95) * 1000,
            "open_cpu_median_ms": statistics.median(opening_cpu) * 1000,
            "open_median_ms": statistics.median(opening) * 1000, "open_p95_ms": percentile(opening, 0.95) * 1000}


async def sorting_and_deadlines(app, pilot, painted: dict, painted_cpu: dict, table) -> dict[str, float]:
    """Each sort column ascending and descending (from the request to the list's refresh), End and
    Home on each once the count has arrived, then the deadlines view's first paint (median of 3).
    Each as (wall, UI thread CPU) in seconds, the worst of each kind."""
    from zwxm_tui.screens.projects import SORTS as COLUMNS

    async def until(what: str) -> None:
        while what not in painted:
            await asyncio.sleep(0.001)

    async def timed(what: str, action) -> tuple[float, float]:
        painted.pop(what, None)
        started, started_cpu = time.perf_counter(), time.thread_time()
        await action()
        await until(what)
        return painted[what] - started, painted_cpu[what] - started_cpu

    async def refresh_after(action) -> None:
        action()
        table.call_after_refresh(lambda: (painted.__setitem__("refresh", time.perf_counter()),
                                          painted_cpu.__setitem__("refresh", time.thread_time())))

    async def sort(key: str, descending: bool) -> None:
        app.screen.set_query(sort=key, descending=descending)  # what a click on the header does

    sorts, ends, homes = {}, {}, {}
    for key in COLUMNS:
        for descending in (False, True):
            name = f"{key}{' desc' if descending else ''}"
            sorts[name] = await timed("list", lambda key=key, descending=descending: sort(key, descending))
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            await pilot.pause()
            ends[name] = await timed("refresh", lambda: refresh_after(lambda: table.action_jump(-1)))
            homes[name] = await timed("refresh", lambda: refresh_after(lambda: table.action_jump(0)))
    deadlines = []
    for _ in range(3):
        deadlines.append(await timed("deadlines", lambda: pilot.press("d")))
        await pilot.press("escape")
        await pilot.pause(0.3)
    print({k: (round(w * 1000), round(c * 1000)) for k, (w, c) in sorts.items()}, file=sys.stderr)
    worst = {}
    for kind, found in (("sort", sorts), ("end", ends), ("home", homes)):
        worst[f"{kind}_max_ms"] = max(w for w, _ in found.values()) * 1000
        worst[f"{kind}_cpu_max_ms"] = max(c for _, c in found.values()) * 1000
    worst["sort_worst"] = max(sorts, key=lambda k: sorts[k][0])
    worst["deadlines_first_paint_ms"] = statistics.median(w for w, _ in deadlines) * 1000
    worst["deadlines_first_paint_cpu_ms"] = statistics.median(c for _, c in deadlines) * 1000
    return worst


def like_scan(path: Path, runs: int = 5) -> float:
    """The floor a keystroke is judged against: SQLite counting a plain `LIKE '%平台%'` over every
    project's search text (the issue's reference; median of `runs`)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            conn.execute("SELECT count(*) FROM projects WHERE search LIKE '%平台%'").fetchone()
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    return statistics.median(times)


TARGETS = (("first paint", "first_paint_s", 1.0, "s"), ("search p95", "search_p95_ms", 50, "ms"),
           ("open p95", "open_p95_ms", 150, "ms"), ("sort", "sort_max_ms", 150, "ms"), ("End", "end_max_ms", 150, "ms"),
           ("Home", "home_max_ms", 150, "ms"), ("deadlines view", "deadlines_first_paint_ms", 300, "ms"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    args = parser.parse_args()
    rows = []
    for count in args.sizes:
        path = database(count)
        with Store(path) as store:
            events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
        result = {"projects": count, "events": events, **first_paint(path), **asyncio.run(latencies(path)),
                  "like_scan_ms": like_scan(path) * 1000}
        rows.append(result)
        print(result, file=sys.stderr)
    print("Wall-clock figures; in brackets the CPU time of the app (first paint: the process; search and "
          "open: the UI thread), which a machine busy with other work does not inflate.\n")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print("| projects | events | first paint | search median / p95 | no-match search (max) | open median / p95 "
          "| RSS after paint / peak | sort (worst) | End / Home (worst) | deadlines view |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['projects']:,} | {r['events']:,} | {r['first_paint_s']:.2f} s ({r['first_paint_cpu_s']:.2f} s) | "
              f"{r['search_median_ms']:.0f} / {r['search_p95_ms']:.0f} ms "
              f"({r['search_cpu_median_ms']:.0f} / {r['search_cpu_p95_ms']:.0f} ms) | {r['no_match_max_ms']:.0f} ms | "
              f"{r['open_median_ms']:.0f} / {r['open_p95_ms']:.0f} ms ({r['open_cpu_median_ms']:.0f} ms) | "
              f"{r['rss_mb']:.0f} / {r['peak_rss_mb']:.0f} MB | {r['sort_max_ms']:.0f} ms ({r['sort_cpu_max_ms']:.0f} ms, "
              f"{r['sort_worst']}) | {r['end_max_ms']:.0f} / {r['home_max_ms']:.0f} ms ({r['end_cpu_max_ms']:.0f} / "
              f"{r['home_cpu_max_ms']:.0f} ms) | {r['deadlines_first_paint_ms']:.0f} ms "
              f"({r['deadlines_first_paint_cpu_ms']:.0f} ms) |")
    print()
    for r in rows:
        verdicts = ", ".join(f"{name} {r[key]:.{2 if unit == 's' else 0}f} {unit} {'<' if r[key] < limit else '≥'} {limit} "
                             f"{'met' if r[key] < limit else 'NOT met'}" for name, key, limit, unit in TARGETS)
        print(f"{r['projects']:,}: {verdicts}; search p95 = {r['search_p95_ms'] / r['like_scan_ms']:.1f}× a plain "
              f"LIKE '%平台%' count over all projects ({r['like_scan_ms']:.0f} ms, same run)")


if __name__ == "__main__":
    main()
