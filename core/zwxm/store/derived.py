"""The derived tables (project_status, project_deadlines, project_findings): refreshed from the
events inside each write, and rebuilt in full by `zwxm rebuild`. A part of `Store`."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import itertools
import multiprocessing
import operator
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlite_utils

from ..evaluation import DISTRICT_WIDE_FINDINGS, evaluate
from ..lifecycle import STAGE_ORDER, derive_stage
from ..model import InputError, Problem, Project
from ..plugins import Registry
from ..settings import number_setting
from .rows import _chunks, _marks, _project_from_rows, unreadable

DEADLINE_COLUMNS = ("project_code", "rule", "title", "title_en", "kind", "date", "article", "status", "provisional",
                    "done_on", "explanation", "explanation_en", "contract", "phase")
FINDING_COLUMNS = ("project_code", "rule", "severity", "article", "message", "message_en", "plugin", "contract", "phase")
Units = dict[tuple[str, str | None], dict[str, Project]]  # (district, owner unit) -> code -> project: Store.peers
_LISTED = {"project_deadlines": DEADLINE_COLUMNS, "project_findings": FINDING_COLUMNS}  # rows listed per project


class DerivedRows(NamedTuple):
    codes: list[str]
    status: list[tuple]
    deadlines: list[tuple]
    findings: list[tuple]


class DerivedTables:
    """`Store`'s refresh and rebuild of the derived tables; uses the store's db, registry, peers and _load."""

    db: sqlite_utils.Database
    registry: Registry
    path: Path

    if TYPE_CHECKING:  # provided by Store
        def transaction(self) -> contextlib.AbstractContextManager[None]: ...
        def _load(self, codes: list[str]) -> dict[str, tuple[Any, ...]]: ...
        def peers(self, projects: list[Project], units: Units | None = None
                  ) -> dict[str, list[Project]]: ...

    def _refresh_derived(self, projects: list[Project], evaluate_rules: bool = True) -> None:
        """Replace the status, deadline and finding rows of these projects (inside the caller's transaction).

        Without `evaluate_rules` only the stage is stored and evaluated_on stays NULL until `rebuild`.
        """
        self._write_derived(self._derived_rows(projects, evaluate_rules))

    def _derived_rows(self, projects: list[Project], evaluate_rules: bool = True,
                      units: Units | None = None) -> DerivedRows:
        """The status, deadline and finding rows of these projects: the evaluation, which needs no write lock.
        `units`: the peers already read (see `peers`)."""
        if not projects:
            return DerivedRows([], [], [], [])
        today = dt.date.today()
        status: list[tuple[Any, ...]] = []
        deadlines: list[tuple[Any, ...]] = []
        findings: list[tuple[Any, ...]] = []
        peers = self.peers(projects, units) if evaluate_rules else {}
        for project in projects:
            if not evaluate_rules:
                stage = derive_stage((e.type for e in project.events if e.date <= today), self.registry.event_types)
                status.append((project.code, stage, STAGE_ORDER[stage], None, None, None, None, None, None, 0, 0, 0, 0,
                               None))
                continue
            try:
                ev = evaluate(project, today, registry=self.registry, peers=peers.get(project.code, ()))
            except InputError as exc:  # e.g. its district plugin is no longer installed
                stage = derive_stage((e.type for e in project.events), self.registry.event_types)
                status.append((project.code, stage, STAGE_ORDER[stage], None, None, None, None, None, None, 0, 0, 1, 0,
                               today.isoformat()))
                findings.extend((project.code, "evaluation", "error", None, f"无法评估：{p}", f"cannot evaluate: {p}", "",
                                 None, None) for p in exc.problems)
                continue
            nd = ev.next_deadline
            status.append((project.code, ev.stage, STAGE_ORDER[ev.stage], int(ev.applicable),
                           nd.date.isoformat() if nd and nd.date else None, nd.rule if nd else None, nd.title if nd else None,
                           nd.title_en if nd else None, nd.article if nd else None, int(bool(nd and nd.provisional)),
                           int(ev.overdue), *_problem_counts(ev.findings), today.isoformat()))
            deadlines.extend((project.code, d.rule, d.title, d.title_en, d.kind, d.date.isoformat() if d.date else None,
                              d.article, d.status, int(d.provisional), d.done_on.isoformat() if d.done_on else None,
                              d.explanation, d.explanation_en, d.contract, d.phase) for d in ev.deadlines)
            findings.extend((project.code, f.rule, f.severity, f.article, f.message, f.message_en, f.plugin,
                             f.contract, f.phase)
                            for f in ev.findings)
        return DerivedRows([p.code for p in projects], status, deadlines, findings)

    def _write_derived(self, rows: DerivedRows) -> None:
        codes, status, deadlines, findings = rows
        conn = self.db.conn
        for chunk in _chunks(codes):
            marks = _marks(len(chunk))
            conn.execute(f"DELETE FROM project_deadlines WHERE project_code IN ({marks})", chunk)
            conn.execute(f"DELETE FROM project_findings WHERE project_code IN ({marks})", chunk)
        conn.executemany(f"INSERT OR REPLACE INTO project_status VALUES ({_marks(14)})", status)
        conn.executemany(f"INSERT INTO project_deadlines ({', '.join(DEADLINE_COLUMNS)}) "
                         f"VALUES ({_marks(len(DEADLINE_COLUMNS))})", deadlines)
        conn.executemany(f"INSERT INTO project_findings ({', '.join(FINDING_COLUMNS)}) "
                         f"VALUES ({_marks(len(FINDING_COLUMNS))})", findings)

    def rebuild(self, progress: Callable[[int], None] | None = None, workers: int | None = None) -> int:
        """Recompute every derived row from the events, one short transaction per chunk of projects.

        Each chunk is read, evaluated and compared with its stored rows without the write lock (by
        `workers` forked processes while this one writes, default `rebuild_workers()`), then only the
        rows that differ are written, in a short transaction. If another connection committed since
        the chunk was read, the chunk is read and evaluated again inside that transaction, so nothing
        stale is stored (issue 13 §10). Every committed chunk is complete; a broken row gets an error
        finding and the rebuild goes on.
        """
        # in code order, the order most rows were written in: a chunk's old rows lie together
        codes = [r[0] for r in self.db.execute("SELECT code FROM projects ORDER BY code")]
        chunks = list(_chunks(codes))
        if len(chunks) <= 1:
            workers = 0
        elif workers is None:
            workers = rebuild_workers()
        planned = self._planned_in_workers(chunks, workers) if workers else self._planned_here(chunks)
        for chunk, (version, changes) in zip(chunks, planned):
            with self.transaction():
                if self._data_version() != version:  # written meanwhile: evaluate again under the lock
                    changes = self._changes(self._rebuilt_rows(chunk))
                self._write_changes(changes)
            if progress:
                progress(len(chunk))
        return len(codes)

    def _data_version(self) -> int:
        """Changes when another connection commits (SQLite's PRAGMA data_version), not on our own commits."""
        return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    def _planned(self, codes: list[str], units: Units) -> Changes:
        """What a rebuild writes for these projects (`units`: the peers read so far)."""
        return self._changes(self._rebuilt_rows(codes, units))

    def _planned_here(self, chunks: list[list[str]]) -> Iterator[tuple[int, Changes]]:
        """`_planned` of each chunk, in order, in this process, with the data version it was read at."""
        units = PeerCache()
        for chunk in chunks:
            version = self._data_version()
            yield version, self._planned(chunk, units.at(version))

    def _planned_in_workers(self, chunks: list[list[str]], workers: int) -> Iterator[tuple[int, Changes]]:
        """`_planned` of each chunk, in order, computed by forked processes on their own read-only
        connections; the data version is this connection's when the chunk was handed out (before a
        worker read it). At most two chunks per worker are in flight (memory stays flat); a worker's
        exception is raised here, and leaving early (an error, Ctrl-C) terminates the workers."""
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_open_worker_store, initargs=(type(self), self.path, self.registry)
                          ) as pool:
            pending: collections.deque = collections.deque()
            for chunk in chunks:
                version = self._data_version()
                pending.append((version, pool.apply_async(_worker_rows, (chunk, version))))
                if len(pending) > 2 * workers:
                    version, result = pending.popleft()
                    yield version, result.get()
            while pending:
                version, result = pending.popleft()
                yield version, result.get()

    def _rebuilt_rows(self, codes: list[str], units: Units | None = None
                      ) -> DerivedRows:
        """The derived rows of these stored projects; one whose rows cannot be read gets an error finding."""
        stored = self._load(codes)
        projects, broken = [], []
        for code in codes:
            if code not in stored:  # deleted meanwhile
                continue
            try:
                projects.append(_project_from_rows(*stored[code]))
            except Exception as exc:  # a row edited behind our back must not stop the rebuild
                broken.append((code, exc))
        rows = self._derived_rows(projects, units=units)
        today = dt.date.today().isoformat()
        for code, error in broken:
            rows.codes.append(code)
            rows.status.append((code, "declare", 0, None, None, None, None, None, None, 0, 0, 1, 0, today))
            # the row reader names the field and the value (store.rows.unreadable)
            problems = error.problems if isinstance(error, InputError) else [unreadable(code, "", str(error))]
            for p in problems:
                where = p.field.removeprefix(code).strip()
                detail = f"：{where} = {p.value!r}" if p.value is not None else ""
                rows.findings.append((code, "storage", "error", None, p.message + detail,
                                      p.message_en + detail.replace("：", ": ", 1), "", None, None))
        return rows

    def _changes(self, rows: DerivedRows) -> Changes:
        """What writing `rows` changes in the stored rows. A rebuild finds most rows as they were, and
        most changes leave the indexed columns alone (the day of evaluation, a status, a text): such
        rows are updated in place, in the columns that differ, which leaves the indexes untouched; a
        project whose number of deadlines or findings changed has them replaced."""
        conn = self.db.conn
        status: dict[str, tuple] = {}
        stored: dict[str, list[tuple]] = {table: [] for table in _LISTED}
        status_columns: tuple[str, ...] = ()
        for chunk in _chunks(rows.codes):
            marks = _marks(len(chunk))
            cursor = conn.execute(f"SELECT * FROM project_status WHERE code IN ({marks})", chunk)
            status_columns = tuple(d[0] for d in cursor.description)
            status.update((row[0], row) for row in cursor)
            for table, columns in _LISTED.items():
                stored[table].extend(conn.execute(f"SELECT {', '.join(columns)}, id FROM {table} "
                                                  f"WHERE project_code IN ({marks}) ORDER BY project_code, id", chunk))
        changes = Changes(DerivedRows([], [], [], []), {})
        for row in rows.status:
            old = status.get(row[0])
            if old is None:
                changes.replaced.status.append(row)
            else:
                changes.update("project_status", status_columns, old, row, row[0])
        fresh = {"project_deadlines": rows.deadlines, "project_findings": rows.findings}
        if all(list(map(_first, stored[table])) == list(map(_first, fresh[table])) for table in _LISTED):
            # the same projects' rows in the same order (most rebuilds): every project keeps its
            # number of rows, and the stored and fresh rows pair up in one pass
            for table, columns in _LISTED.items():
                for old, row in zip(stored[table], fresh[table]):
                    changes.update(table, columns, old, row, old[-1])
            return changes
        stored_by = {table: _by_project(stored[table]) for table in _LISTED}
        fresh_by = {table: _by_project(fresh[table]) for table in _LISTED}
        for code in rows.codes:
            if any(len(stored_by[table].get(code, ())) != len(fresh_by[table].get(code, ())) for table in _LISTED):
                changes.replaced.codes.append(code)
                changes.replaced.deadlines.extend(fresh_by["project_deadlines"].get(code, ()))
                changes.replaced.findings.extend(fresh_by["project_findings"].get(code, ()))
                continue
            for table, columns in _LISTED.items():
                for old, row in zip(stored_by[table].get(code, ()), fresh_by[table].get(code, ())):
                    changes.update(table, columns, old, row, old[-1])
        return changes

    def _write_changes(self, changes: Changes) -> None:
        self._write_derived(changes.replaced)
        for (table, columns), values in changes.updates.items():
            key = "code" if table == "project_status" else "id"
            self.db.conn.executemany(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key} = ?",
                                     values)


class Changes(NamedTuple):
    """What a rebuild writes for a chunk: rows replaced (deleted and inserted), and rows updated in
    place, grouped by (table, the columns that differ) -> [(*their new values, the row's key)]."""

    replaced: DerivedRows
    updates: dict[tuple[str, tuple[str, ...]], list[tuple]]

    def update(self, table: str, columns: tuple[str, ...], old: tuple, new: tuple, key: Any) -> None:
        """Note the columns in which a stored row (`old`, maybe with its id after them) differs from the new one."""
        if old[:len(new)] == new:  # most rows: one comparison in C
            return
        differ = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        if differ:
            self.updates.setdefault((table, tuple(columns[i] for i in differ)), []).append(
                (*(new[i] for i in differ), key))


def can_fork() -> bool:
    """A forked worker inherits the loaded plugins at no cost; Linux only (fork is unsafe on macOS)."""
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


def rebuild_workers() -> int:
    """Forked processes that read and evaluate ahead of a rebuild's writer: ZWXM_REBUILD_WORKERS
    (0 = none; zwxm.settings) where fork is safe and there is a second CPU. A bad setting is refused
    (InputError naming it), not silently replaced."""
    workers, problem = number_setting("ZWXM_REBUILD_WORKERS")
    if problem:
        raise InputError([Problem(*problem)])
    return int(workers) if can_fork() else 0


class PeerCache:
    """Peers read, by (district, owner unit): read once, and forgotten as soon as another connection
    has committed (the data version given differs) — the store's own, and a rebuild's keyed by the
    version its writer handed each chunk out at."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.by_unit: Units = {}

    def at(self, version: int) -> Units:
        """The peers read at this data version (none when it changed)."""
        if version != self.version:
            self.by_unit, self.version = {}, version
        return self.by_unit


_worker_store: Any = None
_worker_units = PeerCache()


def _open_worker_store(store_type: type, path: Path, registry: Registry) -> None:
    """A rebuild worker's own read-only connection. The objects inherited from the writer are frozen
    out of the collector (its scans cost, and the writer's connection must never be closed here);
    Ctrl-C is the writer's to handle: it ends the workers."""
    global _worker_store
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    _worker_store = store_type(path, registry=registry, read_only=True)


def _worker_rows(codes: list[str], version: int) -> Changes:
    return _worker_store._planned(codes, _worker_units.at(version))


def _by_project(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[tuple]]:
    """Rows (project code first) grouped by project, each project's in their order."""
    grouped: dict[str, list[tuple]] = {}
    for code, group in itertools.groupby(rows, _first):
        grouped.setdefault(code, []).extend(group)
    return grouped


_first = operator.itemgetter(0)


def _problem_counts(findings: list) -> tuple[int, int]:
    """(errors, warnings) of a project's own problems. The regulation's status (expired, draft) is
    shared by every project of the district: the list says it once, not on every row."""
    own = [f for f in findings if f.rule not in DISTRICT_WIDE_FINDINGS]
    return sum(f.severity == "error" for f in own), sum(f.severity == "warning" for f in own)
