"""Checking the events' hash chains and copying the file safely: `zwxm verify` and `zwxm backup`.
A part of `Store`."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import sqlite_utils

from ..files import written
from .rows import event_hash


class Integrity:
    """`Store`'s verification of the event hash chains and its consistent backup."""

    db: sqlite_utils.Database
    path: Path

    def verify(self) -> list[str]:
        """One message per event whose hash chain does not verify, naming project and event id."""
        messages = []
        cursor = self.db.execute("SELECT id, project_code, seq, type, date, actor, role, note, payload, supersedes, "
                                 "recorded_at, hash FROM events ORDER BY project_code, seq")
        names = [d[0] for d in cursor.description]
        code, prev, expected_seq = None, "", 1
        for values in cursor:
            row = dict(zip(names, values))
            if row["project_code"] != code:
                code, prev, expected_seq = row["project_code"], "", 1
            if row["seq"] != expected_seq:
                messages.append(f"项目 {code} 事件 #{row['id']}：序号 {row['seq']} 前缺少事件（应为 {expected_seq}），"
                                f"可能被删除 / project {code} event #{row['id']}: seq {row['seq']}, expected "
                                f"{expected_seq}: an earlier event is missing (deleted?)")
            elif event_hash(prev, row) != row["hash"]:
                messages.append(f"项目 {code} 事件 #{row['id']}（第 {row['seq']} 条，{row['type']} {row['date']}）"
                                f"哈希不符：记录后被改动 / project {code} event #{row['id']} (seq {row['seq']}, "
                                f"{row['type']} {row['date']}): hash mismatch, changed after it was recorded")
            prev, expected_seq = row["hash"], row["seq"] + 1
        return messages

    def backup(self, target: str | Path) -> Path:
        """A consistent copy through SQLite's backup API, safe while others write; never overwrites."""
        target = Path(target)
        with written(target, (self.path,), "target", replace=False) as temporary:  # whole, or not at all
            copy = sqlite3.connect(str(temporary))
            try:
                self.db.conn.backup(copy)
            except sqlite3.Error as exc:  # the target's disk is full: name the target, not this database
                raise OSError(errno.ENOSPC if "full" in str(exc) else errno.EIO, str(exc), str(target)) from exc
            finally:
                copy.close()
        return target
