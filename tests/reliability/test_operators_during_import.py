"""Operators writing while one big import runs (issue 13 §10): the import evaluates outside the write
lock and keeps its transactions short, and still loses nothing and writes every batch whole.

The waits are measured (not asserted: a shared machine's timings are not a test) by
`bench/bench_reliability.py --runs operators`, with the figures in docs/reliability.md."""

from __future__ import annotations

from .harness import run_operators_during_import


def test_operators_lose_nothing_while_a_big_import_runs(tmp_path, slow):
    result = run_operators_during_import(tmp_path, projects=100_000 if slow else 3_000, seconds=60 if slow else 8)
    print(f"\noperators during a {result['projects']}-project import: {result['operator_writes']} writes, wait p50 "
          f"{result['operator_wait_p50_ms']:.1f} ms, p99 {result['operator_wait_p99_ms']:.1f} ms, worst "
          f"{result['operator_wait_max_ms']:.0f} ms; {result['imported_projects']} projects in")
    assert result["exit_codes"] == [0, 0] and result["errors"] == []
    assert result["operator_writes"] > 0 and result["imported_projects"] > 0, "the import and the operators did not overlap"
    assert result["lost_operator_writes"] == []
    assert not result["partial_batch"] and result["imported_events"] == 2 * result["imported_projects"]
    assert result["verify"] == [] and result["integrity"] == "ok" and result["derived_rows_missing"] == 0
