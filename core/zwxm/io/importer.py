"""Batch import: ledgers and declaration forms (CSV, TSV, JSON, JSON lines, XLSX, a staging table) into the store.

Each row is turned into plain project data by the header mapping, then validated by the same door
as everything else (`load_project` + `check_project`). Invalid rows go to the `import_rejects` table
and a rejects CSV with row, column, value and reason in Chinese and English; valid rows are saved
one transaction per batch, so a killed import leaves the database as before that batch and running
it again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import itertools
import json
import multiprocessing
import operator
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import attrs

from ..escape import csv_text
from ..files import check_output, written
from ..model import Change, Contract, Event, FundingSource, InputError, Phase, Problem, Project
from ..store import Store, pinyin, timestamp
from .contracts import ContractRecords, group_contract_rows
from .headers import HEADERS, NOT_AN_OBJECT, Column, map_headers, read_mapping, target_for
from .limits import DEFAULT_LIMITS, Limits
from .readers import FORMATS, Source, StagingTable, open_source
from .rows import Reject, RowReader, _cell_text

__all__ = ["FORMATS", "HEADERS", "ImportStopped", "ImportSummary", "Limits", "Reject", "Column", "import_file",
           "import_table", "open_source", "read_mapping"]

DEFAULT_BATCH = 500
# SQLite page cache while importing (negative: KiB): the default 2 MiB keeps re-reading the index pages
# of a growing file; 16 MiB cut the SQL time of a 100,000-project import by ~15%.
IMPORT_CACHE_SIZE = -16_384
PIPE_SIZE = 1 << 20  # bytes between the validating worker and the writer: ~6 batches of 500 projects

# --- The import --------------------------------------------------------------------------------


@attrs.define
class ImportSummary:
    import_id: int
    source: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    encoding: str | None = None
    rejects_path: Path | None = None

    def line(self, lang: str = "zh") -> str:
        if lang == "en":
            return (f"imported {self.source}: inserted {self.inserted}, updated {self.updated}, "
                    f"unchanged {self.unchanged}, rejected {self.rejected}")
        return (f"导入 {self.source}：新增 {self.inserted}，更新 {self.updated}，未变 {self.unchanged}，"
                f"拒绝 {self.rejected}")


class ImportStopped(Exception):
    """The import stopped part way (a full disk, a file that cannot be written): `summary` counts the
    batches committed before it, which stay; running the same import again continues where it stopped."""

    def __init__(self, summary: ImportSummary, problem: Problem):
        super().__init__(str(problem))
        self.summary = summary
        self.problem = problem


REJECT_HEADER = ("行 row", "项目编号 code", "列 column", "值 value", "原因", "reason")


Checked = tuple[int, str | None, Project | None, list[Reject]]  # row number, code, the project or the row's rejects


def run_import(store: Store, source: Source, *, mapping: dict[str, Column] | None = None,
               district: str | None = None, batch_size: int = DEFAULT_BATCH, derive: bool = True,
               rejects_path: Path | None = None, progress: Callable[[int], None] | None = None,
               on_start: Callable[[int], None] | None = None, parallel: bool | None = None,
               contracts: tuple[ContractRecords, str] | None = None, limits: Limits = DEFAULT_LIMITS,
               inputs: tuple[Path | str | None, ...] = ()) -> ImportSummary:
    """Validate every row and save the valid ones, one transaction per batch. See the module docstring.

    With `parallel` (by default: a file of more than one batch, on Linux with two or more CPUs) a
    forked process reads and validates the rows while this one writes; the results are the same.
    The rejects file is never one of `inputs` (nor the database) and never written through a link.
    """
    registry = store.registry
    if district is not None and district not in registry.districts:
        known = "、".join(sorted(registry.districts))
        raise InputError([Problem("district", district, f"未知地区（已安装：{known}）", f"unknown district (installed: {known})")])
    if rejects_path is not None:
        check_output(rejects_path, (*inputs, store.path), "rejects")
    if source.headers:  # a table: unknown headers stop the import before any row is read
        map_headers(source.headers, registry.event_types, mapping)
    names, seen, total = _first_pass(source, registry.event_types, mapping, limits)
    reader = RowReader(map_headers(names, registry.event_types, mapping), names, registry, district)
    reader.contract_rows, reader.contract_label = contracts or (source.contract_rows, source.contract_label)
    orphans = [Reject(number, code, reader.contract_label, code, "合同所属的项目不在本次导入的台账中",
                      "the contract's project is not in the ledger being imported")
               for code, records in reader.contract_rows.items() if code not in seen for number, _ in records]
    if "code" not in reader.field_column:
        raise InputError([Problem("code", None, "没有项目编号列（如“项目编号”或 code）：每个项目须有编号",
                                  "no project code column (such as 项目编号 or code): every project needs one")])
    duplicates = {code: rows for code, rows in seen.items() if len(rows) > 1}
    del seen
    if on_start:
        on_start(total)

    with store.transaction():
        import_id = store.db.execute("INSERT INTO imports (source, started_at) VALUES (?, ?)",
                                     [source.label, timestamp()]).lastrowid
    assert import_id is not None  # set by the INSERT
    summary = ImportSummary(import_id, source.label, rows=total, encoding=source.encoding)
    staging = source if isinstance(source, StagingTable) else None
    writer = _BatchWriter(store, summary, reader, duplicates, derive, staging, rejects_path, progress)
    cache_size = store.db.execute("PRAGMA cache_size").fetchone()[0]
    store.db.execute(f"PRAGMA cache_size = {IMPORT_CACHE_SIZE}")
    # The import allocates millions of short-lived objects; without this the garbage collector
    # re-scans every long-lived one (plugins, the pinyin tables loaded here) on each full collection.
    pinyin("")
    gc.freeze()
    if parallel is None:  # a second process pays off once there is more than one batch to overlap
        parallel = staging is None and total > batch_size and _can_fork()
    batches = (_checked_in_worker if parallel else _checked_here)(source, reader, batch_size)
    try:
        try:
            for batch in batches:
                writer.write(batch)
            if orphans:  # contract rows of no project in the ledger: each reported, none stored
                writer.write([(r.row, r.code, None, [r]) for r in orphans])
        except (sqlite3.OperationalError, OSError) as exc:  # a full disk, a file that cannot be written
            raise ImportStopped(summary, _stopped_problem(exc, store.path)) from exc
        writer.rejects_output.close()  # the rejects file takes its name only once complete
    finally:
        batches.close()  # stops the worker when the import stops early
        gc.unfreeze()
        with contextlib.suppress(sqlite3.Error):
            store.db.execute(f"PRAGMA cache_size = {cache_size}")
        with contextlib.suppress(OSError):
            writer.rejects_output.__exit__(*sys.exc_info())  # stopped: the partial rejects file is removed
    with store.transaction():
        store.db.execute("UPDATE imports SET finished_at = ? WHERE id = ?", [timestamp(), import_id])
    return summary


def _first_pass(source: Source, event_types: Any, mapping: dict[str, Column] | None,
                limits: Limits) -> tuple[list[str], dict[str, list[int]], int]:
    """Every header (JSON rows may differ), the rows of each code (to find codes seen more than once),
    and the row count: read once before anything is written."""
    headers: dict[str, None] = dict.fromkeys(source.headers)
    is_code: dict[str, bool] = {}
    seen: dict[str, list[int]] = {}
    total = 0
    for number, raw in source.rows():
        total += 1
        if total > limits.rows:
            raise limits.refuse("rows", "file", source.label)
        for key in raw:
            if key not in is_code:
                if len(is_code) >= limits.columns:
                    raise limits.refuse("columns", f"第 {number} 行 / row {number}", f"{len(raw)} 列 / keys")
                headers.setdefault(key)
                column = target_for(key, event_types, mapping) if key and key != NOT_AN_OBJECT else None
                is_code[key] = column is not None and column.target == "code"
        code = next((_cell_text(raw[k]) for k in raw if is_code[k]), None)
        if code is not None:
            seen.setdefault(code, []).append(number)
    if total == 0:
        raise InputError([Problem("file", source.label, "文件为空：没有数据行", "file is empty: no data rows")])
    return list(headers), seen, total


class _BatchWriter:
    """Writes the checked batches of one import: the valid projects, the rejects (table and file) and
    the counts, one transaction per batch."""

    def __init__(self, store: Store, summary: ImportSummary, reader: RowReader, duplicates: dict[str, list[int]],
                 derive: bool, staging: StagingTable | None, rejects_path: Path | None,
                 progress: Callable[[int], None] | None):
        self.store, self.summary, self.reader, self.duplicates = store, summary, reader, duplicates
        self.derive, self.staging, self.rejects_path, self.progress = derive, staging, rejects_path, progress
        self.rejects_output = contextlib.ExitStack()  # the rejects file, opened at the first reject
        self._csv: Any = None

    def write(self, batch: list[Checked]) -> None:
        store, summary = self.store, self.summary
        valid, valid_rows, rejects, rejected_rows = self._sorted_out(batch)
        # evaluated outside the write lock; the transaction only writes (operators are not held up)
        plan = store.plan_write(valid, self.derive) if valid else None
        with store.transaction():
            outcomes = store.write_plan(plan) if plan else []
            store.db.conn.executemany(
                "INSERT INTO import_rejects (import_id, row, code, \"column\", value, reason, reason_en) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(summary.import_id, r.row, r.code, r.column, _value_text(r.value), r.reason, r.reason_en)
                 for r in rejects])
            counts = {k: outcomes.count(k) for k in ("inserted", "updated", "unchanged")}
            store.db.execute("UPDATE imports SET inserted = inserted + ?, updated = updated + ?, "
                             "unchanged = unchanged + ?, rejected = rejected + ? WHERE id = ?",
                             [counts["inserted"], counts["updated"], counts["unchanged"], rejected_rows,
                              summary.import_id])
            if self.staging is not None and valid_rows:  # moved: the valid rows leave the staging table
                store.db.conn.executemany(f"DELETE FROM [{self.staging.table}] WHERE rowid = ?",
                                          [(n,) for n in valid_rows])
        # the import copies its own pages into the file, outside any transaction: otherwise the next
        # operator to commit would find a long write-ahead log and checkpoint it while the person waits
        store.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        summary.inserted += counts["inserted"]
        summary.updated += counts["updated"]
        summary.unchanged += counts["unchanged"]
        summary.rejected += rejected_rows
        if rejects and self.rejects_path is not None:
            self._write_rejects_file(rejects, self.rejects_path)
        if self.progress:
            self.progress(len(batch))

    def _sorted_out(self, batch: list[Checked]) -> tuple[list[Project], list[int], list[Reject], int]:
        """The valid projects and their row numbers, the rejects, and how many rows were rejected; a row
        whose code the input repeats is rejected whatever else it holds."""
        valid: list[Project] = []
        valid_rows: list[int] = []
        rejects: list[Reject] = []
        rejected_rows = 0
        for number, code, project, found in batch:
            if code in self.duplicates:
                others = "、".join(str(r) for r in self.duplicates[code] if r != number)
                found = [Reject(number, code, self.reader.field_column["code"], code,
                                f"项目编号在本文件中重复（另见第 {others} 行）",
                                f"project code repeated in this input (also row {others})")]
                project = None
            if project is None:
                rejects.extend(found)
                rejected_rows += 1
            else:
                valid.append(project)
                valid_rows.append(number)
        return valid, valid_rows, rejects, rejected_rows

    def _write_rejects_file(self, rejects: list[Reject], path: Path) -> None:
        if self._csv is None:
            temporary = self.rejects_output.enter_context(written(path, field="rejects"))
            rejects_file = self.rejects_output.enter_context(temporary.open("w", encoding="utf-8-sig", newline=""))
            self._csv = csv.writer(rejects_file)
            self._csv.writerow(REJECT_HEADER)
            self.summary.rejects_path = path
        self._csv.writerows((r.row, csv_text(r.code), csv_text(r.column), csv_text(_value_text(r.value)),
                             r.reason, r.reason_en) for r in rejects)


def _stopped_problem(exc: Exception, db: Path) -> Problem:
    from ..files import file_problem

    if isinstance(exc, OSError):
        return file_problem(exc)
    return Problem("db", str(db), f"数据库写入失败：磁盘已满或文件无法写入（{exc}）",
                   f"the database could not be written: the disk is full or the file cannot be written ({exc})")


def _checked_here(source: Source, reader: RowReader, batch_size: int) -> Generator[list[Checked], None, None]:
    """The rows of `source` validated, a batch at a time, in this process."""
    rows = source.rows()
    while batch := list(itertools.islice(rows, batch_size)):
        yield [(number, reader.code_of(raw), *reader.validate(number, raw)) for number, raw in batch]


def _can_fork() -> bool:
    """A forked worker inherits the loaded plugins at no cost; Linux only (fork is unsafe on macOS)."""
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


def _checked_in_worker(source: Source, reader: RowReader, batch_size: int) -> Generator[list[Checked], None, None]:
    """The same batches as _checked_here, validated by a forked process while this one writes.

    The pipe holds a few batches (PIPE_SIZE), so the worker runs at most that far ahead (memory stays flat).
    If this process dies, the worker's next send fails and it exits; if this process stops early,
    closing this generator ends the worker.
    """
    import fcntl  # Linux only, like fork here (see _can_fork)

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with contextlib.suppress(OSError):  # room for a few batches, so neither process waits on the other's turn
        fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    worker = context.Process(target=_validate_in_worker, args=(source, reader, batch_size, receiver, sender),
                             name="zwxm-import-validate", daemon=True)
    worker.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                worker.join()
                raise RuntimeError(f"导入的校验进程意外退出（退出码 {worker.exitcode}）/ the import's validating process "
                                   f"stopped unexpectedly (exit code {worker.exitcode})") from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield [(number, code, None if packed is None else _unpacked(packed), found)
                   for number, code, packed, found in message]
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


# Projects cross the pipe as tuples: pickle restores attrs instances through a Python __setstate__,
# which costs the writing process more than building them again.
_project_values = operator.attrgetter(*(f.name for f in attrs.fields(Project)))
_event_values = operator.attrgetter(*(f.name for f in attrs.fields(Event)))
_change_values = operator.attrgetter(*(f.name for f in attrs.fields(Change)))
_PART_TYPES = (Contract, Phase, FundingSource)  # the last fields of Project, in order
_part_values = [operator.attrgetter(*(f.name for f in attrs.fields(t))) for t in _PART_TYPES]


def _packed(project: Project) -> tuple[Any, ...]:
    *fields, events, changes, contracts, phases, sources = _project_values(project)
    parts = [[values(x) for x in items] for values, items in zip(_part_values, (contracts, phases, sources))]
    return *fields, [_event_values(e) for e in events], [_change_values(c) for c in changes], *parts


def _unpacked(values: tuple[Any, ...]) -> Project:
    *fields, events, changes, contracts, phases, sources = values
    parts = [[kind(*x) for x in items] for kind, items in zip(_PART_TYPES, (contracts, phases, sources))]
    # the fields in attrs order, as _packed wrote them (mypy cannot count a starred list)
    return Project(*fields, [Event(*e) for e in events], [Change(*c) for c in changes], *parts)  # type: ignore[call-arg]


def _validate_in_worker(source: Source, reader: RowReader, batch_size: int, receiver: Any, sender: Any) -> None:
    receiver.close()  # only the importing process reads: when it dies, our sends fail instead of blocking
    try:
        for batch in _checked_here(source, reader, batch_size):
            sender.send([(number, code, None if project is None else _packed(project), found)
                         for number, code, project, found in batch])
        sender.send(None)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the importing process is gone, or Ctrl-C reached both: it reports, not us
    except Exception as exc:  # a bug: hand it to the importing process to raise
        try:
            sender.send(exc)
        except Exception:  # not picklable
            sender.send(RuntimeError("".join(traceback.format_exception(exc))))
    finally:
        sender.close()


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def import_file(store: Store, path: str | Path, *, fmt: str | None = None, encoding: str | None = None,
                mapping_path: str | Path | None = None, rejects_path: str | Path | None = None,
                contracts_path: str | Path | None = None, **options: Any) -> ImportSummary:
    """Import one file; rejects go to `rejects_path` (default: <file stem>.rejects.csv beside the file).
    `contracts_path` is a separate file of contract rows (io/contracts.py) for the projects of this one."""
    path = Path(path)
    limits = options.get("limits", DEFAULT_LIMITS)
    mapping = read_mapping(mapping_path, store.registry.event_types) if mapping_path else None
    source = open_source(path, fmt, encoding, store.registry.event_types, limits)
    if contracts_path is not None:
        contract_source = open_source(Path(contracts_path), None, encoding, store.registry.event_types, limits)
        label = Path(contracts_path).name
        options["contracts"] = (group_contract_rows(contract_source.headers, contract_source.rows(), label), label)
    target = Path(rejects_path) if rejects_path else path.with_name(f"{path.stem}.rejects.csv")
    return run_import(store, source, mapping=mapping, rejects_path=target, inputs=(path, mapping_path, contracts_path),
                      **options)


def import_table(store: Store, table: str, *, mapping_path: str | Path | None = None,
                 rejects_path: str | Path | None = None, **options: Any) -> ImportSummary:
    """Validate and move the rows of a staging table; rejected rows stay in it to be fixed."""
    mapping = read_mapping(mapping_path, store.registry.event_types) if mapping_path else None
    target = Path(rejects_path) if rejects_path else Path(f"{table}.rejects.csv")
    return run_import(store, StagingTable(store, table), mapping=mapping, rejects_path=target, inputs=(mapping_path,),
                      **options)
