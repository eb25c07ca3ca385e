"""Three processes on one database file: two operators recording events through Store.record_event,
one importer loading ledger files through the real importer. Afterwards every acknowledged write
is in the file, the hash chains verify, and no "database is locked" reached any caller."""

from __future__ import annotations

from .harness import run_concurrency


def test_two_operators_and_an_importer_lose_nothing(tmp_path, slow):
    seconds = 60 if slow else 5
    result = run_concurrency(tmp_path, seconds)
    print(f"\nconcurrency {seconds} s: {result['operator_writes']} operator writes "
          f"({result['operator_writes_per_s']:.1f}/s), {result['imported_rows']} imported rows "
          f"({result['import_rows_per_s']:.1f}/s); operator wait p50 {result['operator_wait_p50_ms']:.1f} ms, "
          f"p99 {result['operator_wait_p99_ms']:.1f} ms, worst {result['operator_wait_max_ms']:.0f} ms; "
          f"slowest import file {result['import_file_max_s']:.2f} s")
    assert result["exit_codes"] == [0, 0, 0]
    assert result["errors"] == [] and result["locked_errors"] == []
    assert result["operator_writes"] > 0 and result["imports"] > 0, "the workers did not overlap"
    assert result["lost_operator_writes"] == [] and result["unacknowledged_but_stored"] == []
    assert result["lost_import_rows"] == [] and result["import_rows_with_wrong_events"] == []
    assert result["rejected_rows"] == 0
    assert result["verify"] == [] and result["integrity"] == "ok"
    assert result["derived_rows_missing"] == 0  # every project got its status row in the same transaction
