"""Boundary mutation check (issue 18): does a test notice when a threshold, a period or a
comparison of a district plugin moves by one?

For each district plugin (plugins/<d>/zwxm_<d>/*.py) the script makes one mutant per change:
  * every numeric threshold or period constant (a module-level UPPER_CASE name bound to a number,
    to `<number> * UNIT`, or to `dt.date(...)`) nudged one unit down and one unit up, the unit
    being the constant's own: the last digit of the literal as written (1 元 for `500_000`, 1 万 for
    `500 * WAN`, 1 day, workday or month for a period, 0.1 for `0.6`) and 1 day for a date;
  * every ordering comparison in those modules flipped between inclusive and exclusive
    (`<` <-> `<=`, `>` <-> `>=`), one operator at a time: the comparisons against the thresholds
    and also those between dates ("on the day of approval"), amounts and counts.
Citations (`*ARTICLE`) and units (`WAN`) are not thresholds and are left alone.

plugins/<d> (tests, package, scenarios) is copied once at the start and each mutant runs in a fresh
copy of that snapshot: the real files are never written, and editing the tree during a run changes
no mutant. The copy goes first on PYTHONPATH, so the package it holds is the one the
tests, the scenarios (collected by the core's pytest plugin) and the `zwxm` subprocesses import.
The mutant is killed when `pytest -x` on the copy fails or runs past --timeout; it survives when
every test and scenario still passes. The unmutated copy must pass first.

Run:  .venv/bin/python bench/mutate_boundaries.py [--district luohu] [--jobs 2] [--list]
Prints killed/total per district and every survivor as file:line and the mutation; exits 1 when
any mutant survives. Each mutant costs one plugin test run (~2 s on an idle core; 5-15 s on the
shared machine); --jobs 2 runs two at a time. Score and dates: docs/plugins.md, section 6.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ("luohu", "wuxing", "yubei", "potou")
NOT_THRESHOLDS = re.compile(r"(^|_)ARTICLE$|^WAN$")  # citations and units
FLIPS = {ast.Lt: (ast.LtE, "<="), ast.LtE: (ast.Lt, "<"), ast.Gt: (ast.GtE, ">="), ast.GtE: (ast.Gt, ">")}
OPERATOR = re.compile(rb"(?<![<>=!-])(<=|>=|<|>)(?!=)")


@dataclass(frozen=True)
class Mutant:
    district: str
    file: Path  # relative to the district's folder, e.g. zwxm_luohu/rules.py
    line: int
    description: str
    start: int  # byte span of the file replaced by `text`
    end: int
    text: bytes

    def apply(self, source: bytes) -> bytes:
        return source[:self.start] + self.text + source[self.end:]


class Offsets:
    """ast positions (line, UTF-8 byte column) as byte offsets into the file."""

    def __init__(self, source: bytes):
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def start(self, node: ast.AST) -> int:
        return self.starts[node.lineno - 1] + node.col_offset

    def end(self, node: ast.AST) -> int:
        return self.starts[node.end_lineno - 1] + node.end_col_offset


def _number_literal(value: ast.expr) -> ast.Constant | None:
    """The literal of `7`, `-7`, `0.6`, `500 * WAN` or `WAN * 500`; None for anything else."""
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        value = value.operand
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        sides = [value.left, value.right]
        literals = [s for s in sides if isinstance(s, ast.Constant)]
        if len(literals) == 1 and any(isinstance(s, ast.Name) for s in sides):
            value = literals[0]
    if isinstance(value, ast.Constant) and type(value.value) in (int, float):
        return value
    return None


def _date_literal(value: ast.expr) -> dt.date | None:
    """The date of `dt.date(2020, 10, 20)` / `date(...)` with literal arguments."""
    if not (isinstance(value, ast.Call) and not value.keywords and len(value.args) == 3):
        return None
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name != "date" or not all(isinstance(a, ast.Constant) and type(a.value) is int for a in value.args):
        return None
    return dt.date(*(a.value for a in value.args))


def _step(literal_text: str) -> Decimal:
    """One unit of a literal as written: 1 for `500_000` or `500`, 0.1 for `0.6`, 0.05 for `0.25`... in
    the last decimal place."""
    number = Decimal(literal_text.replace("_", ""))
    return Decimal(1).scaleb(number.as_tuple().exponent)


def constant_mutants(district: str, rel: Path, source: bytes, tree: ast.Module) -> Iterator[Mutant]:
    at = Offsets(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id.isupper()) or NOT_THRESHOLDS.search(target.id):
            continue
        name = target.id
        day = _date_literal(node.value)
        if day is not None:
            for delta in (-1, 1):
                moved = day + dt.timedelta(days=delta)
                text = f"dt.date({moved.year}, {moved.month}, {moved.day})"
                yield Mutant(district, rel, node.lineno, f"{name} {day} -> {moved}",
                             at.start(node.value), at.end(node.value), text.encode())
            continue
        literal = _number_literal(node.value)
        if literal is None:
            continue
        written = source[at.start(literal):at.end(literal)].decode()
        step = _step(written)
        for sign in (-1, 1):
            moved = Decimal(written.replace("_", "")) + sign * step
            text = str(moved) if isinstance(literal.value, float) else str(int(moved))
            yield Mutant(district, rel, node.lineno, f"{name} {written} -> {text}",
                         at.start(literal), at.end(literal), text.encode())


def comparison_mutants(district: str, rel: Path, source: bytes, tree: ast.Module) -> Iterator[Mutant]:
    at = Offsets(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            if type(op) not in FLIPS:
                continue
            gap_start, gap_end = at.end(operands[i]), at.start(operands[i + 1])
            found = OPERATOR.search(source, gap_start, gap_end)
            if found is None:
                raise SystemExit(f"{rel}:{node.lineno}: no operator found between the operands")
            flipped_op, flipped_text = FLIPS[type(op)]
            shown = ast.Compare(node.left, [flipped_op() if j == i else o for j, o in enumerate(node.ops)],
                                node.comparators)
            yield Mutant(district, rel, node.lineno, f"{ast.unparse(node)}  ->  {ast.unparse(shown)}",
                         found.start(), found.end(), flipped_text.encode())


def mutants_of(district: str, folder: Path) -> list[Mutant]:
    """The mutants of the district's modules in `folder` (a copy of plugins/<district>)."""
    found: list[Mutant] = []
    for path in sorted((folder / f"zwxm_{district}").glob("*.py")):
        source = path.read_bytes()
        tree = ast.parse(source, filename=str(path))
        rel = path.relative_to(folder)
        found += constant_mutants(district, rel, source, tree)
        found += comparison_mutants(district, rel, source, tree)
    for mutant in found:  # every mutant must still be Python, or it would be "killed" for nothing
        original = (folder / mutant.file).read_bytes()
        ast.parse(mutant.apply(original), filename=f"{mutant.file} ({mutant.description})")
    return sorted(found, key=lambda m: (str(m.file), m.line, m.description))


def snapshot(district: str, into: Path) -> Path:
    """plugins/<district> copied once, so edits to the tree during a run change no mutant."""
    copy = into / district
    shutil.copytree(ROOT / "plugins" / district, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


def run_copy(district: str, source: Path, mutant: Mutant | None, timeout: float) -> tuple[bool, str]:
    """(passed, last output line) of the district's tests and scenarios on a fresh copy of `source`, mutated."""
    with tempfile.TemporaryDirectory(prefix=f"zwxm-mutant-{district}-") as tmp:
        copy = Path(tmp) / district
        shutil.copytree(source, copy)
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # no repo-wide ini options
        if mutant is not None:
            target = copy / mutant.file
            target.write_bytes(mutant.apply(target.read_bytes()))
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(copy), os.environ.get("PYTHONPATH")])),
                            "PYTHONDONTWRITEBYTECODE": "1"}
        command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider",
                   "--rootdir", tmp, str(copy)]
        try:
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:.0f} s"
        lines = done.stdout.strip().splitlines()
        return done.returncode == 0, (lines[-1] if lines else done.stderr.strip()[-200:])


def check_copy_is_imported(district: str, source: Path) -> None:
    """The copy must shadow the installed (editable) package, or every mutant would survive."""
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / f"zwxm_{district}"
        shutil.copytree(source / package.name, package)
        env = os.environ | {"PYTHONPATH": tmp, "PYTHONDONTWRITEBYTECODE": "1"}
        where = subprocess.run([sys.executable, "-c", f"import {package.name} as p; print(p.__file__)"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        if not where.startswith(tmp):
            raise SystemExit(f"the copy of {package.name} is not the one imported ({where}): mutants would not run")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--district", choices=DISTRICTS, action="append",
                        help="only this district (repeatable); default: all four")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a mutant's run counts as killed")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    args = parser.parse_args(argv)
    districts = args.district or list(DISTRICTS)
    survivors_anywhere = False
    began = time.perf_counter()
    for district in districts:
        with tempfile.TemporaryDirectory(prefix=f"zwxm-snapshot-{district}-") as tmp:
            source = snapshot(district, Path(tmp))
            mutants = mutants_of(district, source)
            if args.list:
                for m in mutants:
                    print(f"{district}/{m.file}:{m.line}  {m.description}")
                continue
            check_copy_is_imported(district, source)
            passed, summary = run_copy(district, source, None, args.timeout)
            if not passed:
                print(f"{district}: the unmutated tests fail ({summary}); fix them first")
                return 2
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                results = list(pool.map(lambda m: run_copy(district, source, m, args.timeout), mutants))
        survivors = [m for m, (passed, _summary) in zip(mutants, results) if passed]
        killed = len(mutants) - len(survivors)
        print(f"{district}: {killed}/{len(mutants)} killed, {len(survivors)} survived")
        for m in survivors:
            print(f"  plugins/{district}/{m.file}:{m.line}  {m.description}")
        survivors_anywhere |= bool(survivors)
    if not args.list:
        print(f"({time.perf_counter() - began:.0f} s, --jobs {args.jobs})")
    return 1 if survivors_anywhere else 0


if __name__ == "__main__":
    sys.exit(main())
