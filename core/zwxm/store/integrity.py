"""Checking the register against its log of writes, and copying the file safely: `zwxm verify` and
`zwxm backup`. A part of `Store`.

`verify` replays the log (`writes`, see ledger.py) and compares the last logged content of every row
with the tables, checks the log's own hash chain and each project's event chain, and checks the
append-only triggers by their SQL. What it can and cannot prove is in docs/schema.md.
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import sqlite_utils

from ..files import written
from . import ledger
from .rows import event_hash
from .schema import foreign_triggers, trigger_problems

SHORT_DIGEST = 16  # hex digits of the head's hash shown to people (64 bits)


@attrs.frozen
class Tamper:
    """One thing found wrong: its kind, the thing it names, and why, in Chinese and English."""

    kind: str  # trigger | log | deleted | changed | added | chain | anchor
    where: str
    message: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message} / {self.message_en}"

    def to_dict(self) -> dict[str, str]:
        return attrs.asdict(self)


@attrs.frozen
class Head:
    """The register's head: how many writes its log holds and the hash of the last one."""

    writes: int
    hash: str

    @property
    def digest(self) -> str:
        return self.hash[:SHORT_DIGEST]

    def to_dict(self) -> dict[str, Any]:
        return {"writes": self.writes, "digest": self.digest, "hash": self.hash}


@attrs.frozen
class Verification:
    problems: list[Tamper]
    head: Head
    since: Head | None = None  # the anchor that today's register was proven to extend

    def to_dict(self) -> dict[str, Any]:
        return {"ok": not self.problems, "head": self.head.to_dict(),
                "since": self.since.to_dict() if self.since else None,
                "problems": [p.to_dict() for p in self.problems]}


_ANCHOR = re.compile(r"^(?:(\d+):)?([0-9a-f]{8,64})$")


def _name(table: str, key: str, content: dict[str, Any] | None) -> tuple[str, str, str]:
    """(where, Chinese, English) names of a row: 项目 P-1 / project P-1; 事件 #5（项目 P-1）/ event #5 (project P-1)."""
    covered = ledger.COVERED.get(table)
    values = json.loads(key)
    shown = values[0] if len(values) == 1 else key
    mark = "#" if isinstance(shown, int) else ""
    label, label_en = (covered.label, covered.label_en) if covered else (table, table)
    owner = (content or {}).get("project_code")
    zh = f"{label} {mark}{shown}" + (f"（项目 {owner}）" if owner else "")
    en = f"{label_en} {mark}{shown}" + (f" (project {owner})" if owner else "")
    return f"{table} {shown}", zh, en


def _written(seq: int, at: str, actor: str) -> tuple[str, str]:
    return f"写入 #{seq}，{at}，{actor}", f"write #{seq} at {at} by {actor}"


class Integrity:
    """`Store`'s verification of the register and its consistent backup."""

    db: sqlite_utils.Database
    path: Path

    def verify(self) -> list[str]:
        """One message per problem found (see `verify_register`)."""
        return [str(p) for p in self.verify_register().problems]

    def head(self) -> Head:
        return Head(*ledger.head(self.db))

    def verify_register(self, since: str | None = None) -> Verification:
        """Every problem of the file: triggers, the log's chain, rows that differ from their last logged
        write, each project's event chain; with `since` (a head's digest, optionally "N:digest"), whether
        today's register extends the one that had that head."""
        problems = self._trigger_tampering()
        log_problems, anchor = self._log_tampering(since)
        problems += log_problems
        for table in ledger.COVERED:
            problems += self._row_tampering(table)
        problems += self._event_chain_tampering()
        return Verification(problems, self.head(), anchor)

    def _trigger_tampering(self) -> list[Tamper]:
        found = []
        for name, sql in trigger_problems(self.db).items():
            if sql is None:
                found.append(Tamper("trigger", name, f"触发器 {name} 缺失：该表可被随意改删",
                                    f"trigger {name} is missing: the table can be changed or deleted at will"))
            else:
                found.append(Tamper("trigger", name, f"触发器 {name} 被改动：{sql}",
                                    f"trigger {name} was altered: {sql}"))
        for name, sql in foreign_triggers(self.db).items():
            found.append(Tamper("trigger", name, f"登记表上有非 zwxm 创建的触发器 {name}：{sql}",
                                f"a trigger zwxm did not create is on the register: {name}: {sql}"))
        return found

    def _log_tampering(self, since: str | None) -> tuple[list[Tamper], Head | None]:
        """The log's own chain: every write numbered 1, 2, 3 ... and hashed over the one before."""
        found: list[Tamper] = []
        wanted = _ANCHOR.match(since.strip().lower()) if since else None
        if since and wanted is None:
            found.append(Tamper("anchor", since, f"无法识别的记录头 {since!r}：应为 zwxm verify 显示的摘要",
                                f"not a head digest: {since!r} (give the digest `zwxm verify` printed)"))
        anchor: Head | None = None
        prev, expected = "", 1
        cursor = self.db.execute("SELECT seq, at, actor, table_name, key, op, content, hash FROM writes ORDER BY seq")
        for seq, at, actor, table, key, op, content, stored in cursor:
            if seq != expected:
                found.append(Tamper("log", f"writes {expected}", f"写入日志缺少第 {expected}–{seq - 1} 条：被删除",
                                    f"writes #{expected}–#{seq - 1} are missing from the log: deleted"))
            elif ledger.write_hash(prev, seq, at, actor, table, key, op, content) != stored:
                found.append(Tamper("log", f"writes {seq}", f"写入 #{seq}（{at}，{actor}）哈希不符：日志被改动或重排",
                                    f"write #{seq} ({at}, {actor}): hash mismatch, the log was altered or reordered"))
            if op == "repair":
                name = json.loads(key)[-1]
                was = json.loads(content or "{}").get("found")
                state, state_en = ("缺失", "missing") if was is None else (f"被改为 {was}", f"altered to {was}")
                when, when_en = _written(seq, at, actor)
                found.append(Tamper("trigger", name, f"触发器 {name} 曾{state}，打开文件时已恢复（{when}）：其间的改动只有"
                                                      f"与日志比对才能发现", f"trigger {name} was {state_en}; restored on "
                                                      f"opening ({when_en}): changes meanwhile show only against the log"))
            if wanted and stored.startswith(wanted.group(2)) and (wanted.group(1) is None or int(wanted.group(1)) == seq):
                anchor = Head(seq, stored)
            prev, expected = stored, seq + 1
        if wanted and anchor is None:
            found.append(Tamper("anchor", str(since), f"日志中没有摘要为 {since} 的写入：该记录头之前的内容被改写（或摘要有误）",
                                f"no write in the log has digest {since}: the register was rewritten at or before "
                                f"that head (or the digest is mistyped)"))
        if found and anchor is not None:
            anchor = None  # a broken chain proves nothing about what came before
        return found, anchor

    def _row_tampering(self, table: str) -> list[Tamper]:
        """Rows that differ from the last write the log holds for them: deleted, changed or added outside zwxm.

        The log's last state and the table, each sorted by key in SQLite, merged here: bounded memory,
        no index or temporary table needed (so it runs read-only too)."""
        logged = self.db.conn.execute(
            "SELECT key, op, content, seq, at, actor FROM (SELECT key, op, content, seq, at, actor, row_number() "
            "OVER (PARTITION BY key ORDER BY seq DESC) AS n FROM writes WHERE table_name = ?) WHERE n = 1 "
            "ORDER BY key", [table])
        current = self.db.conn.execute(f"SELECT {ledger.key_sql(table)} AS key, {ledger.content_sql(table)} "
                                       f"FROM main.{table} ORDER BY key")
        found = []
        last, now = next(logged, None), next(current, None)
        while last is not None or now is not None:
            if now is None or (last is not None and last[0] < now[0]):  # logged, not in the table
                assert last is not None  # the loop runs while one of the two is left
                if last[1] != "delete":
                    found.append(self._deleted(table, last))
                last = next(logged, None)
            elif last is None or now[0] < last[0]:  # in the table, never logged
                found.append(self._added(table, now))
                now = next(current, None)
            else:
                if last[1] == "delete":
                    found.append(self._added(table, now))
                elif last[2] != now[1]:
                    found.append(self._changed(table, last, now))
                last, now = next(logged, None), next(current, None)
        return found

    @staticmethod
    def _added(table: str, now: tuple) -> Tamper:
        where, zh, en = _name(table, now[0], json.loads(now[1]))
        return Tamper("added", where, f"{zh} 不是经由 zwxm 写入的（日志中没有）", f"{en} was not written through zwxm "
                                                                            f"(not in the log)")

    @staticmethod
    def _deleted(table: str, last: tuple) -> Tamper:
        key, _, content, seq, at, actor = last
        where, zh, en = _name(table, key, json.loads(content) if content else None)
        when, when_en = _written(seq, at, actor)
        return Tamper("deleted", where, f"{zh} 在 zwxm 之外被删除（最后记录：{when}）",
                      f"{en} was deleted outside zwxm (last logged: {when_en})")

    @staticmethod
    def _changed(table: str, last: tuple, now: tuple) -> Tamper:
        key, _, content, seq, at, actor = last
        logged_row, now_row = json.loads(content), json.loads(now[1])
        where, zh, en = _name(table, key, now_row)
        when, when_en = _written(seq, at, actor)
        fields = sorted(k for k in {*logged_row, *now_row} if logged_row.get(k) != now_row.get(k))
        diff = "; ".join(f"{k}: {logged_row.get(k)!r} → {now_row.get(k)!r}" for k in fields)
        return Tamper("changed", where, f"{zh} 在 zwxm 之外被改动：{diff}（最后记录：{when}）",
                      f"{en} was changed outside zwxm: {diff} (last logged: {when_en})")

    def _event_chain_tampering(self) -> list[Tamper]:
        """Each project's own event chain (schema version 1): a gap in seq, or a row that no longer hashes."""
        found = []
        cursor = self.db.execute("SELECT id, project_code, seq, type, date, actor, role, note, payload, supersedes, "
                                 "recorded_at, hash FROM events ORDER BY project_code, seq")
        names = [d[0] for d in cursor.description]
        code, prev, expected_seq = None, "", 1
        for values in cursor:
            row = dict(zip(names, values))
            if row["project_code"] != code:
                code, prev, expected_seq = row["project_code"], "", 1
            where = f"events {row['id']}"
            if row["seq"] != expected_seq:
                found.append(Tamper("chain", where, f"项目 {code} 事件 #{row['id']}：序号 {row['seq']} 前缺少事件（应为 "
                                    f"{expected_seq}），可能被删除", f"project {code} event #{row['id']}: seq {row['seq']}, "
                                    f"expected {expected_seq}: an earlier event is missing (deleted?)"))
            elif event_hash(prev, row) != row["hash"]:
                found.append(Tamper("chain", where, f"项目 {code} 事件 #{row['id']}（第 {row['seq']} 条，{row['type']} "
                                    f"{row['date']}）哈希不符：记录后被改动", f"project {code} event #{row['id']} (seq "
                                    f"{row['seq']}, {row['type']} {row['date']}): hash mismatch, changed after it was "
                                    f"recorded"))
            prev, expected_seq = row["hash"], row["seq"] + 1
        return found

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
