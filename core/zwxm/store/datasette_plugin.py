"""Datasette plugin (entry point group `datasette`): the zwxm SQL functions in every Datasette that
opens a database, plus what `zwxm serve` gives Datasette: Chinese column labels, canned queries
and a read-only lock on every connection.

    select zwxm_workdays_between(date, date('now', 'localtime')) from project_deadlines

The functions are the sqlite-utils plugin's (`zwxm.sqlite_functions.register`), registered through
Datasette's own `prepare_connection` hook, so `datasette zwxm.db` has them too. Started by
`zwxm serve`, the plugin configuration `{"read_only": ["<database>"]}` also sets `PRAGMA query_only`
on every connection Datasette opens to that database, its write connection included.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from ..lifecycle import STAGES
from .sqlite_functions import register
from ..vocab import COLUMNS, DEADLINE_KINDS, DEADLINE_STATUSES, SEVERITIES, label

PLUGIN = "zwxm"


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    register(conn)
    if database in (datasette.plugin_config(PLUGIN) or {}).get("read_only", ()):
        conn.execute("PRAGMA query_only = 1")  # Datasette's own internal database stays writable


def _case(column: str, vocabulary: dict[str, tuple[str, str]], lang: str) -> str:
    """SQL that shows a key column as its label (labels are literals: no function in the schema)."""
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    whens = " ".join(f"WHEN {quoted(key)} THEN {quoted(label(vocabulary, key, lang))}" for key in vocabulary)
    return f"CASE {column} {whens} ELSE {column} END"


def _as(expression: str, key: str, lang: str) -> str:
    return f'{expression} AS "{label(COLUMNS, key, lang)}"'


def canned_queries(districts: dict[str, tuple[str, str]], lang: str = "zh") -> dict[str, dict[str, str]]:
    """Overdue now, due this week, projects by stage: columns named in `lang`, days in working days."""
    today = "date('now', 'localtime')"
    deadline_columns = ", ".join([
        _as("d.project_code", "project_code", lang), _as("p.name", "project_name", lang),
        _as("p.owner_unit", "owner_unit", lang), _as("d.title", "title", lang), _as("d.date", "due_date", lang),
        _as("'第' || d.article || '条'", "article", lang),
        _as(f"zwxm_workdays_between({today}, d.date)", "working_days", lang),
        _as("d.explanation", "explanation", lang)])
    open_due = ("FROM project_deadlines d JOIN projects p ON p.code = d.project_code "
                "WHERE d.kind = 'due' AND d.done_on IS NULL AND d.date IS NOT NULL")
    en = lang == "en"
    return {
        "overdue_now": {
            "title": "Overdue now" if en else "当前逾期",
            "description": ("Open legal deadlines already past, oldest first (negative: working days late)" if en
                            else "已过截止日期仍未办理的法定期限，最早的在前（负数为逾期工作日）"),
            "sql": f"SELECT {deadline_columns} {open_due} AND d.date < {today} ORDER BY d.date, d.project_code",
        },
        "due_this_week": {
            "title": "Due this week" if en else "本周到期",
            "description": ("Open deadlines from today to Sunday" if en else "今天至本周日到期的未办理期限"),
            "sql": f"SELECT {deadline_columns} {open_due} AND d.date BETWEEN {today} AND "
                   "date('now', 'localtime', 'weekday 0') ORDER BY d.date, d.project_code",
        },
        "projects_by_stage": {
            "title": "Projects by stage" if en else "按阶段统计项目",
            "description": "Projects in each lifecycle stage, by district" if en else "各地区处于各阶段的项目数",
            "sql": f"SELECT {_as(_case('p.district', districts, lang), 'district', lang)}, "
                   f"{_as(_case('s.stage', STAGES, lang), 'stage', lang)}, {_as('count(*)', 'projects', lang)}, "
                   f"{_as('sum(s.overdue)', 'overdue', lang)} FROM projects p JOIN project_status s "
                   "ON s.code = p.code GROUP BY p.district, s.stage_order ORDER BY p.district, s.stage_order",
        },
    }


TABLES = ("projects", "project_status", "project_deadlines", "project_findings", "events", "changes")


def metadata(database: str, districts: dict[str, tuple[str, str]], lang: str = "zh",
             read_only: bool = True) -> dict[str, Any]:
    """Datasette metadata for a zwxm database file named `database` (its stem): titles, column
    labels (Chinese and English, from the vocabulary), canned queries, the plugin's settings.
    `districts` maps district codes to their (zh, en) names."""
    def described(column: str) -> str | None:
        pair = COLUMNS.get(column)
        return f"{pair[0]} / {pair[1]}" if pair else None

    def keys_explained(column: str, vocabulary: dict[str, tuple[str, str]]) -> str:
        return f"{described(column)}: " + ", ".join(f"{key} = {zh}" for key, (zh, _en) in vocabulary.items())

    def columns(table: str) -> dict[str, str]:
        names = {"projects": ("code", "name", "district", "kind", "investment", "category", "funding", "classified",
                              "owner_unit", "user_unit", "contractor", "supervisor", "designer", "tester",
                              "budget_year", "tags", "facts", "created_at", "updated_at", "search", "name_sort"),
                 "project_status": ("code", "stage", "stage_order", "applicable", "next_deadline",
                                    "next_deadline_rule", "next_deadline_title", "next_deadline_title_en",
                                    "next_deadline_article", "next_deadline_provisional", "overdue", "errors",
                                    "warnings", "evaluated_on"),
                 "project_deadlines": ("project_code", "rule", "title", "title_en", "date", "article", "status",
                                       "provisional", "done_on", "explanation", "explanation_en"),
                 "project_findings": ("project_code", "rule", "severity", "article", "message", "message_en",
                                      "plugin"),
                 "events": ("project_code", "date", "note"),
                 "changes": ("project_code", "date", "amount", "reason", "major", "note")}[table]
        found = {name: described(name) for name in names}
        if table == "project_deadlines":
            found["kind"] = keys_explained("kind_deadline", DEADLINE_KINDS)
            found["status"] = keys_explained("status", DEADLINE_STATUSES)
        if table == "project_findings":
            found["severity"] = keys_explained("severity", SEVERITIES)
        if table == "project_status":
            found["stage"] = keys_explained("stage", STAGES)
        return {k: v for k, v in found.items() if v}

    return {
        "title": "政务项目 zwxm（只读）" if read_only else "政务项目 zwxm",
        "description": "Government IT projects: deadlines, stages and findings (read-only view)",
        "plugins": {PLUGIN: {"read_only": [database] if read_only else []}},
        "databases": {database: {
            "tables": {table: {"columns": columns(table), **({"label_column": "name"} if table == "projects" else {})}
                       for table in TABLES},
            "queries": canned_queries(districts, lang),
        }},
    }
