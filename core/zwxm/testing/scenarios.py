"""Scenario tests as data: a project, an as-of date and the expected parts of its evaluation.

A scenario file (TOML) holds `title`, `article` (the article it tests), `as_of`, optionally
`district`, a `[project]` table, optionally a `[record]` event to try after the history, and an
`[expect]` table. Each expected list item must match some actual item on every key it gives;
`absent_findings` / `absent_steps` / `absent_deadlines` name rule keys (or tables of keys, such as
`{rule = "...", contract = "HT-2"}`) that must not appear, and
`refused_by` / `allowed` check the gates for the `[record]` event. Optional `[[peers]]` tables are
other projects of the same owner unit, for rules that look across projects. See docs/plugins.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ..evaluation import evaluate, gate_refusals
from ..io.projectfile import read_data_file
from ..model import Event, InputError, Project, converter, load_project, parse_date
from ..plugins import Registry, get_registry

_LISTS = ("applicability", "approval_path", "deadlines", "findings", "changes", "roles")
_ABSENT = {"absent_findings": "findings", "absent_steps": "approval_path", "absent_deadlines": "deadlines"}


class ScenarioFailure(AssertionError):
    """A scenario whose evaluation differs from what it expects; the message shows both."""


@attrs.frozen
class Scenario:
    path: Path
    title: str
    article: int
    data: dict[str, Any]


def load_scenario(path: Path) -> Scenario:
    try:
        data = read_data_file(path)
    except InputError as exc:
        raise ScenarioFailure(f"{path}: {exc}") from None
    missing = [k for k in ("title", "article", "as_of", "project", "expect") if k not in data]
    if missing:
        raise ScenarioFailure(f"{path}: scenario lacks {', '.join(missing)}")
    if not isinstance(data["article"], int):
        raise ScenarioFailure(f"{path}: article must be an integer, got {data['article']!r}")
    return Scenario(path, data["title"], data["article"], data)


def scenario_files(registry: Registry | None = None) -> Iterator[tuple[str, Path]]:
    """(district, file) for every scenario every installed district ships."""
    registry = registry or get_registry()
    for code, district in sorted(registry.districts.items()):
        if district.scenarios is not None and Path(district.scenarios).is_dir():
            for path in sorted(Path(district.scenarios).glob("*.toml")):
                yield code, path


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(_matches, expected, actual))
    if hasattr(expected, "isoformat"):
        expected = expected.isoformat()
    return expected == actual


def run_scenario(scenario: Scenario, registry: Registry | None = None) -> None:
    """Raise ScenarioFailure with a readable diff when the evaluation does not match."""
    registry = registry or get_registry()
    data = scenario.data
    where = f"{scenario.path.name} ({scenario.title}, 第{scenario.article}条)"
    try:
        project = load_project(data["project"])
        peers = [load_project(peer) for peer in data.get("peers", [])]
        as_of = parse_date(data["as_of"])
        result = evaluate(project, as_of, data.get("district"), registry, peers=peers).to_dict()
    except InputError as exc:
        raise ScenarioFailure(f"{where}: bad scenario input: {exc}") from None
    expect = dict(data["expect"])
    errors = _result_errors(expect, result)
    if "record" in data:
        errors += _record_errors(data, expect, project, as_of, registry)
    if errors:
        raise ScenarioFailure(f"{where}:\n  " + "\n  ".join(errors))


def _result_errors(expect: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """What the evaluation's result lacks, or has that it must not."""
    errors = []
    for key in ("applicable", "stage", "overdue"):
        if key in expect and expect[key] != result[key]:
            errors.append(f"{key}: expected {expect[key]!r}, got {result[key]!r}")
    if "regulation" in expect and not _matches(expect["regulation"], result["regulation"]):
        errors.append(f"regulation: expected {expect['regulation']!r}, got {result['regulation']!r}")
    for key in _LISTS:
        for item in expect.get(key, []):
            if not any(_matches(item, actual) for actual in result[key]):
                errors.append(f"{key}: nothing matches {item!r}\n    actual: {result[key]!r}")
    for key, list_name in _ABSENT.items():
        for rule in expect.get(key, []):  # a rule key, or a table every absent item must not match
            found = [a for a in result[list_name] if (_matches(rule, a) if isinstance(rule, dict)
                                                      else a.get("rule") == rule or a.get("step") == rule)]
            if found:
                errors.append(f"{list_name}: {rule!r} must be absent, found {found!r}")
    return errors


def _record_errors(data: dict[str, Any], expect: dict[str, Any], project: Project, as_of: dt.date,
                   registry: Registry) -> list[str]:
    """How the gates' answer to the scenario's `[record]` event differs from what it expects."""
    event = converter.structure(data["record"], Event)
    events = sorted((e for e in project.events if e.date <= as_of), key=lambda e: e.date)
    refusals = [r.rule for r in gate_refusals(project, event, registry, events, district=data.get("district"))]
    errors = [f"record {event.type}: expected refusal by {rule!r}, got {refusals!r}"
              for rule in expect.get("refused_by", []) if rule not in refusals]
    if expect.get("allowed") and refusals:
        errors.append(f"record {event.type}: expected to be allowed, refused by {refusals!r}")
    return errors
