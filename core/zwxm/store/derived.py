"""The derived tables (project_status, project_deadlines, project_findings): refreshed from the
events inside each write, and rebuilt in full by `zwxm rebuild`. A part of `Store`."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlite_utils

from ..evaluation import DISTRICT_WIDE_FINDINGS, evaluate
from ..lifecycle import STAGE_ORDER, derive_stage
from ..model import InputError, Project
from ..plugins import Registry
from .rows import _chunks, _marks, _project_from_rows


class DerivedRows(NamedTuple):
    codes: list[str]
    status: list[tuple]
    deadlines: list[tuple]
    findings: list[tuple]


class DerivedTables:
    """`Store`'s refresh and rebuild of the derived tables; uses the store's db, registry, peers and _load."""

    db: sqlite_utils.Database
    registry: Registry
    _fingerprints: Callable[[list[str]], dict[str, tuple]]

    if TYPE_CHECKING:  # provided by Store
        def transaction(self) -> contextlib.AbstractContextManager[None]: ...
        def _load(self, codes: list[str]) -> dict[str, tuple[Any, ...]]: ...
        def peers(self, projects: list[Project]) -> dict[str, list[Project]]: ...

    def _refresh_derived(self, projects: list[Project], evaluate_rules: bool = True) -> None:
        """Replace the status, deadline and finding rows of these projects (inside the caller's transaction).

        Without `evaluate_rules` only the stage is stored and evaluated_on stays NULL until `rebuild`.
        """
        self._write_derived(self._derived_rows(projects, evaluate_rules))

    def _derived_rows(self, projects: list[Project], evaluate_rules: bool = True) -> DerivedRows:
        """The status, deadline and finding rows of these projects: the evaluation, which needs no write lock."""
        if not projects:
            return DerivedRows([], [], [], [])
        today = dt.date.today()
        status: list[tuple[Any, ...]] = []
        deadlines: list[tuple[Any, ...]] = []
        findings: list[tuple[Any, ...]] = []
        peers = self.peers(projects) if evaluate_rules else {}
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
        conn.executemany("INSERT INTO project_deadlines (project_code, rule, title, title_en, kind, date, article, "
                         f"status, provisional, done_on, explanation, explanation_en, contract, phase) VALUES ({_marks(14)})",
                         deadlines)
        conn.executemany("INSERT INTO project_findings (project_code, rule, severity, article, message, message_en, "
                         f"plugin, contract, phase) VALUES ({_marks(9)})", findings)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every derived row from the events, one short transaction per chunk of projects."""
        codes = [r[0] for r in self.db.execute("SELECT code FROM projects ORDER BY code")]
        for chunk in _chunks(codes):
            seen = self._fingerprints(chunk)  # evaluated without the write lock, written in a short transaction
            rows, broken = self._rebuilt_rows(chunk)
            with self.transaction():
                if self._fingerprints(chunk) != seen:  # written meanwhile: evaluate again under the lock
                    rows, broken = self._rebuilt_rows(chunk)
                for code, exc in broken:
                    self._refresh_broken(code, exc)
                self._write_derived(rows)
            if progress:
                progress(len(chunk))
        return len(codes)

    def _rebuilt_rows(self, codes: list[str]) -> tuple[DerivedRows, list[tuple[str, Exception]]]:
        stored = self._load(codes)
        projects, broken = [], []
        for code in codes:
            if code not in stored:  # deleted meanwhile
                continue
            try:
                projects.append(_project_from_rows(*stored[code]))
            except Exception as exc:  # a row edited behind our back must not stop the rebuild
                broken.append((code, exc))
        return self._derived_rows(projects), broken

    def _refresh_broken(self, code: str, exc: Exception) -> None:
        conn = self.db.conn
        conn.execute("DELETE FROM project_deadlines WHERE project_code = ?", [code])
        conn.execute("DELETE FROM project_findings WHERE project_code = ?", [code])
        conn.execute("INSERT OR REPLACE INTO project_status (code, stage, stage_order, errors, evaluated_on) "
                     "VALUES (?, 'declare', 0, 1, ?)", [code, dt.date.today().isoformat()])
        conn.execute("INSERT INTO project_findings (project_code, rule, severity, message, message_en) "
                     "VALUES (?, 'storage', 'error', ?, ?)", [code, f"存储的数据无法读取：{exc}", f"stored data unreadable: {exc}"])


def _problem_counts(findings: list) -> tuple[int, int]:
    """(errors, warnings) of a project's own problems. The regulation's status (expired, draft) is
    shared by every project of the district: the list says it once, not on every row."""
    own = [f for f in findings if f.rule not in DISTRICT_WIDE_FINDINGS]
    return sum(f.severity == "error" for f in own), sum(f.severity == "warning" for f in own)
