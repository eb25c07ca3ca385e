"""The project list filter (`ProjectQuery`), its sort columns and the SQL it builds."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs

from ..lifecycle import STAGE_ORDER

SEARCH_WALK_BUDGET = 0.02  # seconds a text search may walk the sort index before it scans instead
MATCHES_KEPT = 5_000  # a text matching at most this many projects has their rowids kept (Store.text_matches)
TEXTS_KEPT = 64  # texts whose matches are kept at once: those typed in one session, the latest

SORTS: dict[str, str] = {
    "code": "p.code", "name": "p.name_sort", "district": "p.district", "owner_unit": "p.owner_unit",
    "kind": "p.kind", "stage": "s.stage_order", "investment": "p.investment", "next_deadline": "s.next_deadline",
}
NULLS_LAST = ("owner_unit", "next_deadline")  # projects without one come last in either direction
ON_STATUS = ("stage", "next_deadline")  # sort columns of project_status: its rows lead the join (see query_projects)

# Each sort has an index that yields its order with the code as the tie-break, so a page is an
# index walk whatever the column (schema.LIST_INDEXES).


@attrs.frozen
class ProjectQuery:
    """A filter of the project list. `text` matches code, name, units and pinyin initials."""

    text: str = ""
    district: str | None = None
    stage: str | None = None
    kind: str | None = None
    year: int | None = None
    overdue_only: bool = False
    sort: str = attrs.field(default="code")
    descending: bool = False

    @sort.validator
    def _known_sort(self, _attribute: Any, value: str) -> None:
        if value not in SORTS:
            raise ValueError(f"sort: {value!r}: 未知的排序列（可选：{'、'.join(SORTS)}）/ unknown sort column "
                             f"(one of {', '.join(SORTS)})")

    def order_by(self, reverse: bool = False, scan: bool = False) -> str:
        """The ORDER BY terms of the list; `reverse` gives the exact reverse order (to read a page near
        the end backwards), `scan` keeps SQLite off the sort index (see Store.query_projects)."""
        column, plus = SORTS[self.sort], "+" if scan else ""
        tie = "s.code" if self.sort in ON_STATUS else "p.code"
        direction = "DESC" if self.descending != reverse else "ASC"
        terms = [f"{plus}{column} IS NULL {'DESC' if reverse else 'ASC'}"] if self.sort in NULLS_LAST else []
        terms.append(f"{plus}{column} {direction}")
        return ", ".join(terms if column == tie else [*terms, f"{tie} {direction}"])

    @property
    def needle(self) -> str:
        """The text as the search column holds it (NFKC, lower case): what the LIKE looks for."""
        return unicodedata.normalize("NFKC", self.text).strip().lower()

    def where(self, narrow: bool = False, among: Sequence[int] | None = None) -> tuple[str, list[Any]]:
        """The WHERE clause; `narrow` matches the text on the narrow (search, code) index first, which
        suits a text that few projects hold; `among` (rowids of projects, a superset of the text's
        matches) lets SQLite test the text on those rows only (see Store.query_projects)."""
        clauses: list[str] = []
        params: list[Any] = []
        text = self.needle
        if text:
            like = "search LIKE ? ESCAPE '\\'"
            if among is not None:
                clauses.append("p.rowid IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(list(among)))
            clauses.append(f"p.code IN (SELECT code FROM projects WHERE {like})" if narrow else f"p.{like}")
            params.append(like_pattern(text))
        if self.stage is not None:
            if self.stage not in STAGE_ORDER:
                raise ValueError(f"stage: {self.stage!r}: 未知阶段 / unknown stage")
            clauses.append("s.stage_order = ?")
            params.append(STAGE_ORDER[self.stage])
        for column, value in (("p.district", self.district), ("p.kind", self.kind), ("p.budget_year", self.year)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.overdue_only:
            clauses.append(f"{_OVERDUE} = 1")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def like_pattern(needle: str) -> str:
    """`%needle%` with LIKE's wildcards in the text taken literally (ESCAPE '\\')."""
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The earliest open due deadline is the stored next_deadline, so "overdue" is one comparison with
# today, made by SQLite at query time: the list never goes stale between rebuilds.
_OVERDUE = "coalesce(s.next_deadline < date('now', 'localtime'), 0)"
_LIST_COLUMNS = f"""p.code, p.name, p.district, p.owner_unit, p.user_unit, p.kind, coalesce(s.stage, 'declare') AS stage,
       p.investment, p.budget_year, s.next_deadline, s.next_deadline_title, s.next_deadline_title_en,
       s.next_deadline_article, coalesce(s.next_deadline_provisional, 0) AS next_deadline_provisional,
       {_OVERDUE} AS overdue, coalesce(s.errors, 0) AS errors, coalesce(s.warnings, 0) AS warnings,
       s.evaluated_on"""
_FROM_PROJECTS = "FROM projects p LEFT JOIN project_status s ON s.code = p.code"
_FROM_STATUS = "FROM project_status s JOIN projects p ON p.code = s.code"  # when every project has its status row
