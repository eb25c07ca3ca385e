"""The documented limits of an import (docs/reliability.md), which `zwxm import --limit NAME=N` raises.

They keep an import within bounded memory (under 500 MB for any input, measured in
tests/reliability/test_limits.py) whatever a file claims: a workbook declaring a million rows by
16,384 columns, a zip that inflates a thousandfold, a cell of a gigabyte, nesting 5,000 deep.
"""

from __future__ import annotations

import re

import attrs

from ..model import InputError, Problem

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


@attrs.frozen
class Limits:
    """Past any of these an input is refused before anything is written, naming the limit."""

    size: int = 1 << 30  # bytes of a streamed file (CSV, TSV, JSON lines) or of a workbook's unpacked sheets
    document: int = 64 << 20  # bytes of what is read whole: a JSON or TOML file, an XLSX's shared strings and styles
    rows: int = 1_000_000  # data rows
    columns: int = 1_000  # columns of a table, keys of a JSON row
    cell: int = 1 << 20  # characters in one cell
    depth: int = 32  # nesting of lists and tables in one value (a project with events needs 3)

    def refuse(self, name: str, where: str, found: object) -> InputError:
        """The error for an input past limit `name`: which file or row, what was found, how to raise it."""
        limit = getattr(self, name)
        return InputError([Problem(where, found, f"超过上限 {name}={limit}（zwxm import 可用 --limit {name}=更大的值 放宽）",
                                   f"over the limit {name}={limit} (`zwxm import --limit {name}=N` raises it)")])

    def raised(self, settings: list[str] | tuple[str, ...]) -> Limits:
        """These limits with NAME=N settings applied (N may end in K, M or G)."""
        changes = {}
        names = [f.name for f in attrs.fields(Limits)]
        for setting in settings:
            name, _, value = setting.partition("=")
            match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)b?\s*", value.lower())
            if name not in names or match is None or int(match.group(1)) < 1:
                raise InputError([Problem("--limit", setting, f"应为 名称=正整数，名称为 {'、'.join(names)} 之一",
                                          f"expected NAME=N with N > 0 and NAME one of {', '.join(names)}")])
            changes[name] = int(match.group(1)) * _UNITS[match.group(2)]
        return attrs.evolve(self, **changes)


DEFAULT_LIMITS = Limits()


def nesting_depth(value: object) -> int:
    """How deeply lists and dicts nest in `value`, counted a level at a time without recursion (a hostile
    file is deep)."""
    depth, level = 0, [value]
    while level := [item for item in level if isinstance(item, (list, dict))]:
        depth += 1
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)]
    return depth


def may_nest_deeper(text: str, depth: int) -> bool:
    """Whether JSON `text` could nest deeper than `depth`: each level opens a bracket, so text with no
    more brackets than that cannot (quoted brackets only make this say yes more often)."""
    return text.count("[") + text.count("{") > depth
