"""`Store`: every read and write of the TUI and the commands.

Events are append-only and hash-chained per project; the derived tables (status, deadlines,
findings) are rebuilt from them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from ..evaluation import Evaluation, check_project, evaluate, gate_refusals
from ..lifecycle import STAGES
from ..model import Change, Event, InputError, Problem, Project, check_vocabulary, converter
from ..plugins import Registry, get_registry
from ..rules import Refusal
from . import ledger
from .connection import _immediate, connect, resolve_db_path, timestamp
from .derived import DerivedRows, DerivedTables, PeerCache, Units
from .integrity import Integrity
from .ledger import default_actor, set_actor
from .query import (
    _FROM_PROJECTS,
    _FROM_STATUS,
    _LIST_COLUMNS,
    MATCHES_KEPT,
    ON_STATUS,
    SEARCH_WALK_BUDGET,
    TEXTS_KEPT,
    ProjectQuery,
    like_pattern,
)
from .rows import (
    CHUNK,
    EVENT_COLUMNS,
    PART_COLUMNS,
    PARTS,
    PROJECT_FIELDS,
    _by_date,
    _change_key,
    _chunks,
    _event_content,
    _event_row,
    _marks,
    _project_from_rows,
    insert_many,
    part_rows,
    project_row,
)
from .search import search_text, sort_key


class Refused(Exception):
    """An event refused by a gate; `refusals` hold each reason with its article."""

    def __init__(self, code: str, event_type: str, refusals: list[Refusal]):
        self.refusals = refusals
        reasons = "；".join(_cite(r) for r in refusals)
        reasons_en = "; ".join(_cite(r, en=True) for r in refusals)
        super().__init__(f"项目 {code} 不能记录“{event_type}”：{reasons} / project {code}: "
                         f"{event_type} refused: {reasons_en}")


def _stored_part_rows(rows: Iterable[dict[str, Any]], table: str) -> list[tuple[Any, ...]]:
    """Stored part rows as part_rows writes them, to tell whether a save changes them."""
    columns = ("project_code", "position", *PART_COLUMNS[table])
    return [tuple(r[c] for c in columns) for r in sorted(rows, key=lambda r: r["position"])]


def _cite(refusal: Refusal, en: bool = False) -> str:
    text = (refusal.message_en or refusal.message) if en else refusal.message
    if refusal.article is None:
        return text
    where = f"{refusal.district} " if refusal.district else ""
    return f"{text} ({where}article {refusal.article})" if en else f"{text}（{where}第{refusal.article}条）"



def _deadline_window(start: dt.date | None, end: dt.date, overdue: bool) -> tuple[str, list[Any]]:
    """The condition of `Store.deadlines`: open due deadlines in the window (or missed); the partial
    index project_deadlines_list_open_due covers it, in the list's order."""
    window = "d.date <= ?" if start is None else "d.date BETWEEN ? AND ?"
    params: list[Any] = [end.isoformat()] if start is None else [start.isoformat(), end.isoformat()]
    if overdue:
        window = f"({window} OR d.date < date('now', 'localtime'))"
    return f"d.kind = 'due' AND d.done_on IS NULL AND d.date IS NOT NULL AND {window}", params


@attrs.frozen
class WritePlan:
    """The rows a write of `projects` will store, and the stored state (`seen`) they were computed from."""

    projects: list[Project]
    derive: bool
    seen: dict[str, tuple]
    outcomes: list[str]
    project_rows: list[dict[str, Any]]
    event_rows: list[tuple[Any, ...]]
    change_rows: list[tuple[Any, ...]]
    parts: dict[str, dict[str, list[tuple[Any, ...]]]]  # code -> part table -> rows replacing the stored ones
    derived: DerivedRows


class Store(DerivedTables, Integrity):
    """The projects database: every read and write of the TUI and the commands goes through here."""

    def __init__(self, path: str | Path | None = None, registry: Registry | None = None, *, actor: str | None = None,
                 read_only: bool = False):
        """`actor` names who writes (default: ZWXM_ACTOR, else the OS user); `read_only` opens the file as
        it is, for people who only look. `repaired` holds the append-only triggers found missing or altered
        (name -> the SQL found, None if missing), restored on opening and logged for `verify`."""
        self.path = resolve_db_path(path)
        self.actor = default_actor(actor)
        self.read_only = read_only
        self.repaired: dict[str, str | None] = {}
        self.db = connect(self.path, read_only=read_only, actor=self.actor, on_repair=self.repaired.update)
        self.registry = registry or get_registry()
        self._matches: dict[str, tuple[int, ...]] = {}  # text -> rowids of its matches (text_matches)
        self._matches_stamp: tuple[int, int] | None = None
        # Peers loaded per (district, owner unit), code -> project: an import of a unit's projects in
        # batches would otherwise load the whole unit again for every batch (quadratic). Kept current by
        # this store's own writes (_note_peers); dropped when another connection writes (PRAGMA
        # data_version) or a transaction of this one fails.
        self._peers = PeerCache()

    def close(self) -> None:
        self.db.close()

    def set_actor(self, actor: str | None) -> None:
        """Name who makes this store's writes from now on (default: ZWXM_ACTOR, else the OS user)."""
        self.actor = default_actor(actor)
        if not self.read_only:
            set_actor(self.db, self.actor)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); nested calls become savepoints."""
        try:
            with _immediate(self.db):
                yield
        except BaseException:
            self._peers.by_unit.clear()  # it may hold rows this transaction did not store in the end
            raise

    # reading ----------------------------------------------------------------------------------
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _rows_within(self, sql: str, params: list[Any], seconds: float) -> list[dict[str, Any]] | None:
        """The query's rows, or None when it runs longer than `seconds` (SQLite interrupts it)."""
        if seconds <= 0:
            return None
        deadline = time.perf_counter() + seconds
        self.db.conn.set_progress_handler(lambda: time.perf_counter() > deadline, 20_000)
        try:
            return self._rows(sql, params)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            self.db.conn.set_progress_handler(None, 0)

    def _load(self, codes: list[str]) -> dict[str, tuple[dict, list[dict], list[dict], dict[str, list[dict]]]]:
        """Stored rows of these projects: code -> (project row, event rows, change rows, part table -> rows)."""
        found: dict[str, tuple[dict, list[dict], list[dict], dict[str, list[dict]]]] = {}
        for chunk in _chunks(codes):
            marks = _marks(len(chunk))
            for row in self._rows(f"SELECT * FROM projects WHERE code IN ({marks})", chunk):
                found[row["code"]] = (row, [], [], {})
            for row in self._rows(f"SELECT * FROM events WHERE project_code IN ({marks}) ORDER BY project_code, seq",
                                  chunk):
                found[row["project_code"]][1].append(row)
            for row in self._rows(f"SELECT * FROM changes WHERE project_code IN ({marks}) ORDER BY id", chunk):
                found[row["project_code"]][2].append(row)
            for table in PARTS:
                for row in self._rows(f"SELECT * FROM {table} WHERE project_code IN ({marks})", chunk):
                    found[row["project_code"]][3].setdefault(table, []).append(row)
        return found

    def project(self, code: str) -> Project | None:
        """The stored project with its effective events in date order and its changes, or None."""
        stored = self._load([code]).get(code)
        return _project_from_rows(*stored) if stored else None

    def iter_projects(self, codes: list[str]) -> Iterator[Project]:
        """The stored projects of these codes, in that order, loaded a chunk at a time."""
        for chunk in _chunks(codes):
            stored = self._load(chunk)
            yield from (_project_from_rows(*stored[code]) for code in chunk if code in stored)

    def events(self, code: str) -> list[dict[str, Any]]:
        """Every stored event row of a project in recording order, superseded ones included."""
        rows = self._rows("SELECT * FROM events WHERE project_code = ? ORDER BY seq", [code])
        # which later event of the project corrects each one, found among its own rows: a subquery
        # per event over all events (supersedes has no index) took ~1 s at 1,000,000 events
        corrected_by: dict[int, int] = {}
        for row in rows:
            if row["supersedes"] is not None:
                corrected_by[row["supersedes"]] = min(row["id"], corrected_by.get(row["supersedes"], row["id"]))
        for row in rows:
            row["payload"] = json.loads(row["payload"] or "{}")
            row["superseded_by"] = corrected_by.get(row["id"])
        return rows

    def recorded(self, codes: list[str]) -> list[dict[str, Any]]:
        """Who last wrote each of these projects, and who recorded each of their events and changes, and when."""
        found: list[dict[str, Any]] = []
        for chunk in _chunks(codes):
            marks = _marks(len(chunk))
            found += self._rows(
                f"SELECT code AS project_code, 'project' AS row, updated_at AS written_at, updated_by AS written_by "
                f"FROM projects WHERE code IN ({marks}) UNION ALL SELECT project_code, 'event #' || id || ' ' || type "
                f"|| ' ' || date, recorded_at, recorded_by FROM events WHERE project_code IN ({marks}) UNION ALL "
                f"SELECT project_code, 'change #' || id || ' ' || date, recorded_at, recorded_by FROM changes "
                f"WHERE project_code IN ({marks}) ORDER BY 1, 3", chunk * 3)
        return found

    def _require(self, code: str) -> Project:
        project = self.project(code)
        if project is None:
            raise LookupError(f"未知项目编号 {code!r} / unknown project code {code!r}")
        return project

    def evaluation(self, code: str, as_of: dt.date | None = None) -> Evaluation:
        project = self._require(code)
        return evaluate(project, as_of, registry=self.registry, peers=self.peers([project]).get(code, ()))

    def peers(self, projects: list[Project], units: Units | None = None) -> dict[str, list[Project]]:
        """For each project, the other projects of its owner unit and district (their facts, without
        events), for rules that look across projects such as splitting to evade a threshold; only
        for districts with such a rule (`Registry.needs_peers`). The projects of each unit read are
        kept in `units` (a rebuild's own, which it drops when another connection commits), else in
        the store's cache (see __init__). A peer whose row cannot be read is left out (its own
        evaluation says so)."""
        wanted = {(p.district, p.owner_unit) for p in projects if p.owner_unit and self.registry.needs_peers(p.district)}
        cache = self._peers.at(self._data_version()) if units is None else units
        missing = wanted - cache.keys()
        for district in sorted({d for d, _ in missing}):
            names = sorted(u for d, u in missing if d == district)
            cache.update({(district, unit): {} for unit in names})
            for chunk in _chunks(names, CHUNK - 1):
                # "+district": a unit's few hundred rows through the owner_unit index, not the district's
                # tens of thousands through the district one (SQLite's choice without statistics: ~20 ms)
                sql = f"SELECT * FROM projects WHERE +district = ? AND owner_unit IN ({_marks(len(chunk))})"
                for row in self._rows(sql, [district, *chunk]):
                    with contextlib.suppress(Exception):  # a row edited behind our back
                        cache[row["district"], row["owner_unit"]][row["code"]] = _project_from_rows(row, [], [])
        return {p.code: [q for q in cache[p.district, p.owner_unit].values() if q.code != p.code]
                for p in projects if (p.district, p.owner_unit) in wanted}

    def _note_peers(self, project_rows: list[dict[str, Any]]) -> None:
        """Keep the loaded peers current with project rows this store writes (see __init__)."""
        cache = self._peers.by_unit
        if not cache:
            return
        for row in project_rows:
            for loaded in cache.values():
                loaded.pop(row["code"], None)
            unit = cache.get((row["district"], row["owner_unit"]))
            if unit is not None:
                unit[row["code"]] = _project_from_rows(row, [], [])

    def query_projects(self, q: ProjectQuery, offset: int = 0, limit: int = 50,
                       total: int | None = None) -> list[dict[str, Any]]:
        """One page of the project list: SQL only, on indexed columns of projects and project_status.

        Given the `total` of the query, a page in the second half is read from the other end in the
        reverse order, so End costs what Home does (an OFFSET walks every row it skips)."""
        where, params = q.where()
        reverse = total is not None and 2 * offset + limit > total
        if reverse:
            assert total is not None
            limit = min(limit, total - offset)
            if limit <= 0:
                return []
            offset = total - offset - limit
        # Sorting by a status column can walk that column's index only when project_status leads the
        # join, which leaves out a project without a status row: used when there is none.
        source = _FROM_STATUS if q.sort in ON_STATUS and self._status_complete() else _FROM_PROJECTS
        page = [*params, limit, offset]
        rows = None
        if q.needle:
            # A text filter is a LIKE over rows. Walking the sort index stops as soon as a page is
            # found: fast when matches are many, slow (~200 ms at 100k) when there are none. Finding
            # the matches on the narrow (search, code) index, then reading and sorting only those
            # ("+column" keeps SQLite off the sort index), costs ~20 ms plus ~1 ms per 1,000 matches.
            # So walk first on a short budget, and match first when it runs out (matches are few);
            # when the matches of a shorter text are known (the previous keystroke), only they are tested.
            among = self.text_matches(q.needle, scan=False)
            if among is None:
                rows = self._rows_within(f"SELECT {_LIST_COLUMNS} {source}{where} ORDER BY {q.order_by(reverse)} "
                                         "LIMIT ? OFFSET ?", page, SEARCH_WALK_BUDGET)
                if rows is None:
                    among = self.text_matches(q.needle)
            if rows is None:
                narrow, params = q.where(narrow=among is None, among=among)
                rows = self._rows(f"SELECT {_LIST_COLUMNS} {source}{narrow} ORDER BY {q.order_by(reverse, scan=True)} "
                                  "LIMIT ? OFFSET ?", [*params, limit, offset])
        else:
            rows = self._rows(f"SELECT {_LIST_COLUMNS} {source}{where} ORDER BY {q.order_by(reverse)} LIMIT ? OFFSET ?",
                              page)
        if reverse:
            rows.reverse()
        for row in rows:
            for name in ("overdue", "next_deadline_provisional"):
                row[name] = bool(row[name])
        return rows

    def project_codes(self, q: ProjectQuery) -> list[str]:
        """The codes of every project of the list `q`, in its order (an export reads only the codes
        first: the list's columns of 100,000 projects took ~0.8 s)."""
        where, params = q.where()
        return [code for (code,) in self.db.execute(f"SELECT p.code {_FROM_PROJECTS}{where} ORDER BY {q.order_by()}",
                                                    params)]

    def _status_complete(self) -> bool:
        """Whether every project has its project_status row (every write stores one). Foreign keys keep
        a status row from outliving its project, so equal counts say so (~1 ms: SQLite counts a table
        from its smallest index)."""
        return bool(self.db.execute("SELECT (SELECT count(*) FROM projects) = (SELECT count(*) FROM project_status)"
                                    ).fetchone()[0])

    def text_matches(self, needle: str, scan: bool = True) -> tuple[int, ...] | None:
        """Rowids of the projects whose search text holds `needle` (ProjectQuery.needle) when they are
        at most MATCHES_KEPT, else None. Kept per text until the file changes (PRAGMA data_version
        tells another connection's commits; total_changes this one's), so typing on narrows the
        matches of the previous keystroke (a text holding a kept one matches only among its rows)
        instead of scanning every project again; without a kept one, a scan of the narrow
        (search, code) index, or None when `scan` is false."""
        self._forget_matches_if_changed()
        if needle in self._matches:
            return self._matches[needle]
        kept = [rowids for text, rowids in self._matches.items() if text in needle]
        if kept:
            among = min(kept, key=len)
            found = [r[0] for r in self.db.execute(
                "SELECT rowid FROM projects WHERE rowid IN (SELECT value FROM json_each(?)) AND search LIKE ? "
                "ESCAPE '\\'", [json.dumps(among), like_pattern(needle)])]
        elif scan:
            found = [r[0] for r in self.db.execute("SELECT rowid FROM projects WHERE search LIKE ? ESCAPE '\\' "
                                                   "LIMIT ?", [like_pattern(needle), MATCHES_KEPT + 1])]
        else:
            return None
        if len(found) > MATCHES_KEPT:
            return None
        if len(self._matches) >= TEXTS_KEPT:
            del self._matches[next(iter(self._matches))]
        self._matches[needle] = matches = tuple(found)
        return matches

    def assume_matches(self, needle: str, rowids: tuple[int, ...]) -> None:
        """Take `text_matches` of another connection (the UI's) for this one's counts: the counts then
        agree with the page it showed."""
        self._forget_matches_if_changed()  # stamps the kept matches with this connection's state
        self._matches[needle] = rowids

    def _forget_matches_if_changed(self) -> None:
        stamp = (self._data_version(), self.db.conn.total_changes)
        if stamp != self._matches_stamp:
            self._matches.clear()
            self._matches_stamp = stamp

    def _where(self, q: ProjectQuery) -> tuple[str, list[Any]]:
        """q.where(), testing the text only among the matches kept for it when there are some."""
        return q.where(among=self.text_matches(q.needle, scan=False) if q.needle else None)

    def count_projects(self, q: ProjectQuery) -> int:
        where, params = self._where(q)
        # without a condition on the status the join adds no row and takes none away: counting the
        # projects alone lets SQLite count an index (~1 ms at 100,000 projects instead of ~100 ms)
        source = "projects p LEFT JOIN project_status s ON s.code = p.code" if "s." in where else "projects p"
        return self.db.execute(f"SELECT count(*) FROM {source}{where}", params).fetchone()[0]

    def facets(self, q: ProjectQuery | None = None) -> dict[str, list[tuple[str, int]]]:
        """Counts per district, stage (lifecycle order), kind and budget year, for the filter menus.

        Each menu counts the projects the query `q` would show with that menu's own choice left
        out (faceted search): with 坡头区 chosen, the stage menu counts 坡头区's projects only, and
        the district menu still offers every district."""
        q = q or ProjectQuery()
        chosen = {"district": q.district, "stage": q.stage, "kind": q.kind, "year": q.year}
        # one scan under the other conditions (text, overdue), grouped by all four menus; each menu
        # then adds up the groups that match the other menus' choices
        where, params = self._where(attrs.evolve(q, district=None, stage=None, kind=None, year=None))
        groups = self.db.execute(
            "SELECT p.district, coalesce(s.stage, 'declare'), p.kind, p.budget_year, count(*) FROM projects p "
            f"LEFT JOIN project_status s ON s.code = p.code{where} GROUP BY 1, 2, 3, 4", params).fetchall()
        counts: dict[str, dict[str, int]] = {facet: {} for facet in chosen}
        for *values, n in groups:
            row = dict(zip(chosen, values))
            for facet in chosen:
                if row[facet] is not None and all(chosen[other] in (None, row[other]) for other in chosen if other != facet):
                    counts[facet][str(row[facet])] = counts[facet].get(str(row[facet]), 0) + n
        return {
            "district": sorted(counts["district"].items()),
            "stage": [(stage, counts["stage"][stage]) for stage in STAGES if stage in counts["stage"]],
            "kind": sorted(counts["kind"].items()),
            "year": sorted(counts["year"].items(), key=lambda item: int(item[0])),
        }

    def deadlines(self, start: dt.date | None, end: dt.date, overdue: bool = True, offset: int = 0,
                  limit: int = -1) -> list[dict[str, Any]]:
        """Open due deadlines dated in [start, end], plus (if `overdue`) every missed one, by date; a page
        of them from `offset` (`limit` -1: all). One walk of an index: `deadline_counts` sizes the list."""
        where, params = _deadline_window(start, end, overdue)
        rows = self._rows(
            "SELECT d.project_code, p.name AS project_name, p.district, d.rule, d.title, d.title_en, d.date, "
            "d.article, CASE WHEN d.date < date('now', 'localtime') THEN 'missed' ELSE 'open' END AS status, "
            f"d.provisional FROM project_deadlines d JOIN projects p ON p.code = d.project_code WHERE {where} "
            "ORDER BY d.date, d.project_code LIMIT ? OFFSET ?", [*params, limit, offset])
        for row in rows:
            row["provisional"] = bool(row["provisional"])
        return rows

    def deadline_counts(self, start: dt.date | None, end: dt.date, overdue: bool = True,
                        within: float | None = None) -> list[tuple[str, bool, int]] | None:
        """(date, missed, how many) of the deadlines `deadlines` lists, by date: what a view needs to
        lay them out and chart them without reading them all. With `within` seconds, None when that
        is not enough (~30 ms at 145,000 deadlines, ~0.5 s at ten times as many)."""
        where, params = _deadline_window(start, end, overdue)
        sql = ("SELECT d.date, d.date < date('now', 'localtime') AS missed, count(*) AS n FROM project_deadlines d "
               f"WHERE {where} GROUP BY d.date ORDER BY d.date")
        rows = self._rows(sql, params) if within is None else self._rows_within(sql, params, within)
        return None if rows is None else [(r["date"], bool(r["missed"]), r["n"]) for r in rows]

    # writing ----------------------------------------------------------------------------------
    def save_project(self, project: Project) -> str:
        """Upsert by code, append events and changes not yet stored: "inserted", "updated" or "unchanged"."""
        return self.save_projects([project])[0]

    def save_projects(self, projects: list[Project], derive: bool = True) -> list[str]:
        """Save a batch in one transaction (see save_project). `derive=False` leaves the evaluation to rebuild."""
        problems = []
        for project in projects:
            found = check_vocabulary(project) + check_project(project, self.registry)
            if len(projects) > 1:  # name the project of each problem in a batch
                found = [attrs.evolve(p, field=f"{project.code}.{p.field}") for p in found]
            problems.extend(found)
        if problems:
            raise InputError(problems)
        plan = self.plan_write(projects, derive)
        with self.transaction():
            return self.write_plan(plan)

    def write_validated(self, projects: list[Project], derive: bool = True) -> list[str]:
        """save_projects without the checks, inside the caller's transaction: for importers that validated."""
        return self._apply(self._plan(projects, derive))

    def plan_write(self, projects: list[Project], derive: bool = True) -> WritePlan:
        """Everything a write of these validated projects will store, the evaluation included, computed
        without the write lock; `write_plan` stores it in a short transaction (issue 13 §10)."""
        seen = self._fingerprints([p.code for p in projects])
        return attrs.evolve(self._plan(projects, derive), seen=seen)

    def write_plan(self, plan: WritePlan) -> list[str]:
        """Store a plan inside the caller's transaction; when one of its projects was written since it was
        made, the plan is made again here, under the lock, so no write is lost or overwritten."""
        if self._fingerprints([p.code for p in plan.projects]) != plan.seen:
            plan = self._plan(plan.projects, plan.derive)
        return self._apply(plan)

    def _fingerprints(self, codes: list[str]) -> dict[str, tuple]:
        """What a plan depends on, per stored project: its row, its last event, its last change and its parts."""
        found: dict[str, tuple] = {}
        parts = "".join(f", (SELECT group_concat({ledger.content_sql(t, 't')}, char(10)) FROM {t} t "
                        f"WHERE t.project_code = p.code)" for t in PARTS)
        for chunk in _chunks(codes):
            for row in self.db.execute(
                    "SELECT p.*, (SELECT max(seq) FROM events e WHERE e.project_code = p.code), "
                    f"(SELECT max(id) FROM changes c WHERE c.project_code = p.code){parts} FROM projects p "
                    f"WHERE p.code IN ({_marks(len(chunk))})", chunk):
                found[row[0]] = row
        return found

    def _plan(self, projects: list[Project], derive: bool) -> WritePlan:
        now = timestamp()
        stored = self._load([p.code for p in projects])
        outcomes: list[str] = []
        project_rows: list[dict[str, Any]] = []
        event_rows: list[tuple[Any, ...]] = []
        change_rows: list[tuple[Any, ...]] = []
        parts: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        to_derive: list[Project] = []
        for project in projects:
            row = project_row(project)
            old = stored.get(project.code)
            # parts listed replace the stored ones; a project listing none keeps those stored
            new_parts = {name: rows for name, rows in part_rows(project.code, project).items()
                         if rows and (old is None or rows != _stored_part_rows(old[3].get(name, ()), name))}
            old_events = old[1] if old else []
            # an event is the same event when type, date, note and payload are; one whose actor or role
            # differs is a correction: a new event superseding the stored one
            superseded = {e["supersedes"] for e in old_events}
            known = {(e["type"], e["date"], e["note"] or "", e["payload"]): (e["actor"], e["role"], e["id"])
                     for e in old_events if e["id"] not in superseded}
            seq = old_events[-1]["seq"] if old_events else 0
            prev = old_events[-1]["hash"] if old_events else ""
            new_events, kept = [], []
            for event in sorted(project.events, key=_by_date):
                content = _event_content(event)
                key = (content[0], content[1], content[4], content[5])
                corrects = None
                if key in known:
                    actor, role, corrects = known[key]
                    if (actor, role) == (content[2], content[3]) or corrects is None:
                        continue
                known[key] = (content[2], content[3], None)
                kept.append(event)
                seq += 1
                new_event = _event_row(prev, project.code, seq, content, corrects, now)
                prev = new_event[-1]
                new_events.append((*new_event, self.actor))
            known_changes = {(c["date"], c["amount"], c["reason"], c["major"], c["note"], c["content_amount"])
                             for c in (old[2] if old else [])}
            new_changes = [c for c in project.changes if _change_key(c) not in known_changes]
            same_row = old is not None and all(old[0][k] == v for k, v in row.items())
            if old is None:
                outcomes.append("inserted")
            elif same_row and not new_events and not new_changes and not new_parts:
                outcomes.append("unchanged")
                continue
            else:
                outcomes.append("updated")
            if not same_row:
                row.update(search=search_text(project.code, project.name, project.owner_unit, project.user_unit),
                           name_sort=sort_key(project.name), created_at=old[0]["created_at"] if old else now,
                           updated_at=now, updated_by=self.actor)
                project_rows.append(row)
            event_rows.extend(new_events)
            change_rows.extend((project.code, *_change_key(c), now, self.actor) for c in new_changes)
            if new_parts:
                parts[project.code] = new_parts
            if old is None:
                same = len(kept) == len(project.events) and len(new_changes) == len(project.changes)
                merged = project if same else attrs.evolve(project, events=kept, changes=new_changes)
            else:
                new_rows = [dict(zip(EVENT_COLUMNS, e)) for e in new_events]
                merged = attrs.evolve(_project_from_rows(old[0], old[1] + new_rows, old[2], old[3]),
                                      **{k: getattr(project, k) for k in PROJECT_FIELDS},
                                      **{k: getattr(project, k) for k in PARTS if getattr(project, k)})
                merged.changes = merged.changes + new_changes
            to_derive.append(merged)
        return WritePlan(projects, derive, {}, outcomes, project_rows, event_rows, change_rows, parts,
                         self._derived_rows(to_derive, evaluate_rules=derive))

    def _apply(self, plan: WritePlan) -> list[str]:
        self._insert_rows(plan.project_rows, plan.event_rows, plan.change_rows)
        self._replace_parts(plan.parts)
        self._write_derived(plan.derived)
        return plan.outcomes

    def _insert_rows(self, project_rows: list[dict[str, Any]], event_rows: list[tuple[Any, ...]],
                     change_rows: list[tuple[Any, ...]]) -> None:
        """Insert rows; event rows are EVENT_COLUMNS + recorded_by, change rows end with recorded_at, recorded_by."""
        conn = self.db.conn
        if project_rows:
            columns = list(project_rows[0])
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("code", "created_at"))
            insert_many(conn, f"INSERT INTO projects ({', '.join(columns)})", [tuple(r.values()) for r in project_rows],
                        f" ON CONFLICT (code) DO UPDATE SET {updates}")
            self._note_peers(project_rows)
        insert_many(conn, f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, recorded_by)", event_rows)
        insert_many(conn, "INSERT INTO changes (project_code, date, amount, reason, major, note, content_amount, "
                          "recorded_at, recorded_by)", change_rows)

    def _replace_parts(self, parts: dict[str, dict[str, list[tuple[Any, ...]]]]) -> None:
        """Replace the listed part tables of these projects (code -> table -> rows)."""
        conn = self.db.conn
        for code, tables in parts.items():
            for table, rows in tables.items():
                conn.execute(f"DELETE FROM {table} WHERE project_code = ?", [code])
                columns = ("project_code", "position", *PART_COLUMNS[table])
                insert_many(conn, f"INSERT INTO {table} ({', '.join(columns)})", rows)

    def record_event(self, code: str, event: Event, force: bool = False, supersedes: int | None = None) -> list[Refusal]:
        """Append one event through the gates; refused and not forced -> Refused, forced -> stored with its refusals.

        `supersedes` names the id of an earlier event of the same project that this one corrects.
        """
        with self.transaction():
            project = self._require(code)
            alone = attrs.evolve(project, events=[event])  # the event's contract and phase must be the project's
            problems = check_project(alone, self.registry) + [p for p in check_vocabulary(alone)
                                                              if p.field.startswith("events[")]
            owner_district = event.type.split(":", 1)[0] if ":" in event.type else project.district
            if not problems and owner_district != project.district:  # another district's own event type
                names = self.registry.event_types[event.type]
                problems = [Problem("event_type", names.label, f"是{self.registry.districts[owner_district].name}的事件类型，"
                                    f"不适用于{self.registry.districts[project.district].name}的项目",
                                    f"{names.label_en!r} is an event type of another district")]
            if problems:
                raise InputError(problems)
            if supersedes is not None:
                owner = self.db.execute("SELECT project_code FROM events WHERE id = ?", [supersedes]).fetchone()
                if owner is None or owner[0] != code:
                    raise InputError([Problem("supersedes", supersedes, f"项目 {code} 没有这条事件",
                                              f"project {code} has no such event")])
            prior = [e for e in project.events if e.date <= event.date]
            refusals = gate_refusals(project, event, self.registry, prior, today=dt.date.today())
            if refusals and not force:
                raise Refused(code, event.type, refusals)
            if refusals:
                # no nulls: every export format (TOML has none) gives back the same payload
                reasons = [{k: v for k, v in r.items() if v is not None} for r in converter.unstructure(refusals)]
                payload = {**event.payload, "forced": True, "refusals": reasons}
                event = attrs.evolve(event, payload=payload)
            last = self.db.execute("SELECT seq, hash FROM events WHERE project_code = ? ORDER BY seq DESC LIMIT 1",
                                   [code]).fetchone()
            row = _event_row(last[1] if last else "", code, (last[0] if last else 0) + 1, _event_content(event),
                             supersedes, timestamp())
            self._insert_rows([], [(*row, self.actor)], [])
            self._refresh_derived([self._require(code)])
        return refusals

    def add_change(self, code: str, change: Change) -> None:
        with self.transaction():
            self._require(code)
            self._insert_rows([], [], [(code, *_change_key(change), timestamp(), self.actor)])
            self._refresh_derived([self._require(code)])

    # derived rows -----------------------------------------------------------------------------
