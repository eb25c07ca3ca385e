"""`zwxm backup` of a database in use, while an operator writes to it: each copy is consistent
(integrity_check ok), holds at least every write acknowledged before the backup started, and,
restored in place of the database, passes `zwxm verify`."""

from __future__ import annotations

from .harness import run_backups


def test_backup_while_a_writer_runs_is_consistent(tmp_path, slow):
    seconds, copies = (30, 10) if slow else (8, 3)
    result = run_backups(tmp_path, seconds, copies)
    print(f"\nbackup: {copies} copies while {result['writer_writes']} events were written; "
          f"backup times {[round(c['seconds'], 2) for c in result['copies']]} s")
    assert result["writer_errors"] == [] and result["verify_live"] == 0
    for copy in result["copies"]:
        assert copy["exit"] == 0, copy["stderr"]
        assert copy["writer_running"], "the backup must overlap the writer"
        assert copy["integrity"] == "ok" and copy["verify"] == 0, copy
        assert copy["events_in_copy"] >= copy["acked_before"], copy
    counts = [c["events_in_copy"] for c in result["copies"]]
    assert counts == sorted(counts) and counts[-1] > counts[0]  # later copies hold more: they are live copies
