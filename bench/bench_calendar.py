"""Benchmark: "date + N working days" on 1,000,000 (date, N) pairs (issue 3).

Side by side in one run, same pairs:
  * zwxm      LegalCalendar.add_workdays(d, n)             (precomputed index: list lookups)
  * holidays  China(...).get_nth_working_day(d, n)         (day-by-day loop)
  * chinese_calendar.find_workday(...)                     (day-by-day loop)

Semantics. For n >= 1 all three mean "the n-th working day after d" once adapted:
  holidays.get_nth_working_day(d, n) == add_workdays(d, n)
  chinese_calendar.find_workday(n - 1, d + 1 day) == add_workdays(d, n)
  (find_workday(k, x) first moves to the first working day >= x, then k more.)
For n = 0 both libraries return the first working day >= d, while add_workdays(d, 0) returns d
(a zero-length period, trigger day not counted); the bench compares those pairs with
next_workday(d) and reports how many of them differ from add_workdays(d, 0) by design.

Pairs: dates uniform in 2005-01-01..2026-09-30 and N uniform in 0..60, seed 20240925. The last
date is chosen so that date + 60 working days stays inside 2026, the last year both reference
datasets cover officially (chinese_calendar raises for 2027; the holidays package's 2027 is a
prediction we deliberately do not follow).

Run:  .venv/bin/python bench/bench_calendar.py [--pairs 1000000] [--cc-pairs 100000]
holidays runs on all pairs (~2 minutes for a million). chinese_calendar.find_workday costs ~1.5 ms
a call (each is_workday call rescans its tables for the supported year range), ~25 minutes for a
million, so by default it runs on the first 100,000 pairs and its total is EXTRAPOLATED (labelled);
--cc-pairs 0 runs it on all pairs.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

import chinese_calendar
import holidays

from zwxm.calendar import LegalCalendar

FIRST = datetime.date(2005, 1, 1)
LAST = datetime.date(2026, 9, 30)
ONE = datetime.timedelta(days=1)


def make_pairs(count: int, seed: int = 20240925) -> list[tuple[datetime.date, int]]:
    rng = random.Random(seed)
    base, span = FIRST.toordinal(), LAST.toordinal() - FIRST.toordinal()
    return [(datetime.date.fromordinal(base + rng.randint(0, span)), rng.randint(0, 60))
            for _ in range(count)]


def timed(label: str, fn, pairs):
    t0 = time.perf_counter()
    out = fn(pairs)
    dt = time.perf_counter() - t0
    print(f"  {label:<42} {dt:9.3f} s  {dt / len(pairs) * 1e6:8.3f} µs/pair", flush=True)
    return out, dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--cc-pairs", type=int, default=100_000,
                    help="chinese_calendar on the first N pairs only (0 = all pairs)")
    args = ap.parse_args()

    pairs = make_pairs(args.pairs)
    slow = pairs[: args.cc_pairs] if args.cc_pairs else pairs
    print(f"{len(pairs):,} pairs, dates {FIRST}..{LAST}, N 0..60, seed 20240925; "
          f"holidays on all, chinese_calendar on the first {len(slow):,}")

    t0 = time.perf_counter()
    cal = LegalCalendar()
    print(f"  zwxm LegalCalendar() build (index 1990..2100): {time.perf_counter() - t0:.3f} s")
    cn = holidays.China(years=range(2005, 2027))
    for d, n in pairs[:1000]:  # warm both libraries' caches
        cn.get_nth_working_day(d, n)
        chinese_calendar.find_workday(n, d)

    add = cal.add_workdays
    ours, t_ours = timed("zwxm add_workdays", lambda ps: [add(d, n) for d, n in ps], pairs)
    nth = cn.get_nth_working_day
    ref_h, t_h = timed("holidays get_nth_working_day", lambda ps: [nth(d, n) for d, n in ps], pairs)
    fw = chinese_calendar.find_workday
    ref_c, t_c = timed("chinese_calendar find_workday",
                       lambda ps: [fw(n - 1, d + ONE) if n else fw(0, d) for d, n in ps], slow)

    # Compare on every measured pair.
    mism_h, mism_c, zero_rest = [], [], 0
    for i, (d, n) in enumerate(pairs):
        expected = ours[i] if n else cal.next_workday(d)
        if n == 0 and expected != ours[i]:
            zero_rest += 1
        if ref_h[i] != expected:
            mism_h.append((d, n, ours[i], ref_h[i]))
        if i < len(ref_c) and ref_c[i] != expected:
            mism_c.append((d, n, ours[i], ref_c[i]))
    print(f"  n=0 pairs on a rest day (add_workdays returns d, libraries the next workday; "
          f"compared with next_workday): {zero_rest:,}")
    for name, mism, count in (("holidays", mism_h, len(pairs)), ("chinese_calendar", mism_c, len(slow))):
        if not mism:
            print(f"  {name}: identical answers on all {count:,} pairs")
            continue
        days = sorted({str(x) for d, n, a, b in mism for x in (a, b) if a != b})
        print(f"  {name}: {len(mism):,} of {count:,} pairs differ; e.g. (date, N, zwxm, {name}) "
              f"{[(str(d), n, str(a), str(b)) for d, n, a, b in mism[:2]]}")
        print(f"    every mismatch spans 2005-12-31: "
              f"{all(d < datetime.date(2005, 12, 31) <= max(a, b) for d, n, a, b in mism)}; "
              f"differing answers include {days[:6]}")

    scale = len(pairs) / len(slow)
    label = "" if scale == 1 else (f" (EXTRAPOLATED: {t_c * scale:.0f} s for {len(pairs):,} "
                                   f"from {t_c:.1f} s on {len(slow):,} pairs)")
    print(f"holidays / zwxm:          {t_h / t_ours:8.1f}x")
    print(f"chinese_calendar / zwxm:  {t_c * scale / t_ours:8.1f}x{label}")
    assert not mism_h, "zwxm and holidays disagree"


if __name__ == "__main__":
    main()
