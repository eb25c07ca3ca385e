"""kill -9 a real `zwxm import` at random points. After each kill the file is intact, the hash
chains verify, every batch is fully in or fully out (and the committed batches are the first
ones), and running the same import again ends with exactly the expected rows."""

from __future__ import annotations

from .harness import run_crashes


def test_killed_imports_leave_whole_batches_and_a_rerun_completes(tmp_path, slow):
    kills, rows = (20, 2000) if slow else (3, 1000)
    result = run_crashes(tmp_path, kills=kills, rows=rows, batch_size=100, by_progress=not slow)
    mid = [r for r in result["rounds"] if not r["finished_before_kill"]]
    print(f"\ncrash: {kills} kills of a {rows}-row import (writes from {result['writing_starts_s']:.1f} s to {result['full_import_s']:.1f} s); "
          f"rows in at the kill: {[r['rows_in_after_kill'] for r in result['rounds']]}")
    assert len(mid) >= max(1, kills * 2 // 3), "most kills must land while the import runs"
    assert any(0 < r["rows_in_after_kill"] < rows for r in result["rounds"]), "no kill landed between batches"
    for r in result["rounds"]:
        assert r["integrity"] == "ok" and r["verify_after_kill"] == 0, r
        assert r["partial_batches"] == [] and not r["batches_not_a_prefix"], r
        assert r["wrong_event_counts"] == [] and r["import_counter_matches"], r
        assert r["rerun_exit"] == 0 and r["rerun_expected_summary"] in r["rerun_summary"], r
        assert (r["projects_after_rerun"], r["events_after_rerun"]) == (r["expected_projects"], r["expected_events"]), r
        assert r["verify_after_rerun"] == 0 and r["integrity_after_rerun"] == "ok", r
