"""What the `zwxm` command prints: every line through zwxm.escape, problems bounded in number.

A file with a million unknown columns must not print a million lines: the first MAX_PROBLEMS are
shown, then how many more there are.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from ..escape import terminal_text

MAX_PROBLEMS = 20


def problem_line(problem: Any) -> str:
    """field: value: 原因 / reason, as one line."""
    from ..model import Problem  # not at import: `zwxm` starts without attrs and cattrs

    if isinstance(problem, Problem):
        value = "" if problem.value is None else f"{problem.value!r}: "
        return f"{problem.field}: {value}{problem.message} / {problem.message_en or problem.message}"
    return str(problem)


def echo(text: object, err: bool = False) -> None:
    """One line of output, control characters made visible (zwxm.escape)."""
    click.echo(terminal_text(text), err=err)


def fail(problems: list[Any], status: int = 2) -> NoReturn:
    """One line per problem on stderr (at most MAX_PROBLEMS, then a count of the rest), then exit."""
    for problem in problems[:MAX_PROBLEMS]:
        echo(problem_line(problem), err=True)
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        echo(f"……另有 {rest} 个问题未列出 / … and {rest} more problems not listed", err=True)
    sys.exit(status)
