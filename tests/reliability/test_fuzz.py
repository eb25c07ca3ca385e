"""Generated input through the real door: project data through `load_project` + `evaluate`, import
files through the importer and the `zwxm` command, event sequences through the lifecycle. Never a
traceback: always a result, or problems that each name a field (and the value)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwxm.evaluation import evaluate
from zwxm.io.headers import QUOTED_FORMULA
from zwxm.io.importer import HEADERS, import_file
from zwxm.lifecycle import STAGE_ORDER, STAGES, derive_stage
from zwxm.model import InputError, Problem, load_project
from zwxm.plugins import get_registry
from zwxm.store import ProjectQuery, Store

from .harness import zwxm

REGISTRY = get_registry()
EVENT_TYPES = sorted(REGISTRY.event_types)
AS_OF = dt.date(2026, 6, 30)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
digits = st.text("0123456789", min_size=1, max_size=22)
amounts = st.one_of(
    st.integers(-10**20, 10**20), st.floats(), st.decimals(allow_nan=False, allow_infinity=False).map(str),
    digits.map(lambda d: d.translate(FULL_WIDTH) + "万"), digits.map(lambda d: "-" + d + "万元"),
    st.sampled_from(["1,200万元", "２,０００万", "120.5", "0.00001万", "1e30", "NaN", "-0", "¥100", "人民币5亿", "", " "]),
    text,
)


@st.composite
def date_texts(draw) -> object:
    """Dates around month ends and leap days, in the ways people write them, some impossible."""
    year = draw(st.sampled_from([1899, 1900, 2000, 2023, 2024, 2025, 2100, 2101, 9999]))
    month, day = draw(st.integers(0, 13)), draw(st.sampled_from([0, 1, 27, 28, 29, 30, 31, 32]))
    shape = draw(st.sampled_from(["{}-{:02d}-{:02d}", "{}/{}/{}", "{}年{}月{}日", "{}{:02d}{:02d}", "{}.{}.{} 08:00"]))
    written = shape.format(year, month, day)
    return written.translate(FULL_WIDTH) if draw(st.booleans()) else written


dates = st.one_of(date_texts(), st.dates().map(str), text, st.integers())
events = st.lists(st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(EVENT_TYPES), text), "date": dates},
    optional={"note": text, "actor": st.one_of(text, st.none()), "payload": st.dictionaries(text, text, max_size=2),
              "bogus": text}), max_size=6)
FIELDS = {
    "code": st.one_of(text, st.integers()), "name": text,
    "district": st.one_of(st.sampled_from(sorted(REGISTRY.districts)), text),
    "kind": st.one_of(st.sampled_from(["construction", "operation", "service"]), text), "investment": amounts,
    "funding": st.one_of(st.sampled_from(["department_budget", "government_investment", "own_funds"]), text),
    "classified": st.one_of(st.booleans(), text), "owner_unit": text, "budget_year": st.one_of(st.integers(), text),
    "tags": st.one_of(st.lists(text, max_size=3), text), "facts": st.dictionaries(text, st.one_of(text, amounts), max_size=3),
    "events": events, "changes": st.lists(st.fixed_dictionaries({"date": dates, "amount": amounts}), max_size=2),
}
projects = st.fixed_dictionaries({}, optional=FIELDS).flatmap(
    lambda data: st.dictionaries(text, text, max_size=2).map(lambda extra: {**extra, **data}))


def assert_named(problems: list[Problem]) -> None:
    """Per-field errors: each names its field and says why, in Chinese and English."""
    assert problems
    for p in problems:
        assert isinstance(p, Problem) and p.field and p.message and p.message_en, p


def examples(slow: bool, fast: int) -> settings:
    return settings(max_examples=fast * 10 if slow else fast, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_project_data_gives_an_evaluation_or_named_problems(slow):
    @examples(slow, 300)
    @given(projects)
    def check(data):
        try:
            project = load_project(data)
            result = evaluate(project, AS_OF, registry=REGISTRY)
        except InputError as exc:
            assert_named(exc.problems)
            return
        assert result.stage in STAGES
        assert all(f.rule != "plugin_error" for f in result.findings), result.findings  # no district rule crashed

    check()


# --- the importer ------------------------------------------------------------------------------

KNOWN_HEADERS = sorted(h for h in HEADERS if h != "序号") + ["code", "name", "district", "kind", "investment", "events"]
cells = st.one_of(text, amounts, dates, st.none(), events.map(lambda e: json.dumps(e, ensure_ascii=False, default=str)))


@st.composite
def import_files(draw) -> tuple[str, list[str], list[list[object]]]:
    """A header row of known, unknown, repeated or missing columns, and rows of any length."""
    headers = draw(st.lists(st.one_of(st.sampled_from(KNOWN_HEADERS), text), min_size=1, max_size=8))
    width = st.integers(0, len(headers) + 2)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), min_size=1, max_size=6))
    return draw(st.sampled_from(["csv", "jsonl"])), headers, rows


def write(folder: Path, fmt: str, headers: list[str], rows: list[list[object]]) -> Path:
    path = Path(tempfile.mkstemp(suffix=f".{fmt}", dir=folder)[1])
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(dict(zip(headers, row)), ensure_ascii=False, default=str) + "\n")
    return path


def test_import_files_give_a_summary_or_named_problems(tmp_path, slow):
    store = Store(tmp_path / "fuzz.db")

    @examples(slow, 80)
    @given(import_files())
    def check(generated):
        path = write(tmp_path, *generated)
        try:
            summary = import_file(store, path, rejects_path=path.with_suffix(".rejects.csv"))
        except InputError as exc:  # the file as a whole cannot be used: which column, which value
            assert_named(exc.problems)
            return
        assert summary.inserted + summary.updated + summary.unchanged + summary.rejected == summary.rows
        rejects = store.db.execute("SELECT row, \"column\", reason, reason_en FROM import_rejects WHERE import_id = ?",
                                   [summary.import_id]).fetchall()
        assert len({r[0] for r in rejects}) == summary.rejected
        assert all(column and reason and reason_en for _, column, reason, reason_en in rejects)

    try:
        check()
        assert store.verify() == []
    finally:
        store.close()


def test_the_import_command_never_shows_a_traceback(tmp_path, slow):
    @examples(slow, 6)
    @given(import_files())
    def check(generated):
        path = write(tmp_path, *generated)
        result = zwxm("--db", "fuzz.db", "import", path.name, cwd=tmp_path)
        assert result.returncode in (0, 1, 2), result.stderr
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr.replace("InputError", "")
        if result.returncode == 2:  # unusable input: each line names a field or column and the value
            assert all(": " in line for line in result.stderr.strip().splitlines()), result.stderr

    check()


# --- the lifecycle -------------------------------------------------------------------------------


def test_derived_stage_is_allowed_and_never_moves_back(slow):
    @examples(slow, 300)
    @given(st.lists(st.one_of(st.sampled_from(EVENT_TYPES), text), max_size=30))
    def check(types):
        orders = [STAGE_ORDER[derive_stage(types[:n], REGISTRY.event_types)] for n in range(len(types) + 1)]
        assert orders == sorted(orders)

    check()


@pytest.mark.parametrize("district", sorted(REGISTRY.districts))
def test_evaluated_stage_never_moves_back_as_events_are_added(district, slow):
    @examples(slow, 25)
    @given(st.lists(st.sampled_from(EVENT_TYPES), min_size=1, max_size=8), st.integers(0, 3000))
    def check(types, start):
        first = dt.date(2020, 1, 1) + dt.timedelta(days=start)
        data = {"code": "F-1", "name": "生成的项目", "district": district, "kind": "construction", "investment": "800万",
                "events": [{"type": t, "date": (first + dt.timedelta(days=30 * n)).isoformat()} for n, t in enumerate(types)]}
        project = load_project(data)
        stages = []
        for n in range(len(types) + 1):
            project.events = load_project({**data, "events": data["events"][:n]}).events
            stages.append(evaluate(project, AS_OF, registry=REGISTRY).stage)
        assert all(stage in STAGES for stage in stages)
        assert [STAGE_ORDER[s] for s in stages] == sorted(STAGE_ORDER[s] for s in stages)

    check()


# --- rows told apart with certainty (issue 13 §3) ---------------------------------------------------

LEDGER = ["项目编号", "项目名称", "所属区", "项目类别", "总投资（万元）"]
tricky = st.lists(st.sampled_from(list('ab,"\n\r\t 名\'') + ["\r\n", '""', '",', ',"']), max_size=8).map("".join)


def csv_lines(rows: list[list[str]]) -> list[str]:
    """Each row as the csv module writes it (quoted where needed), one string per row."""
    lines = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row)
        lines.append(buffer.getvalue())
    return lines


def import_text(store: Store, folder: Path, text: str):
    path = Path(tempfile.mkstemp(suffix=".csv", dir=folder)[1])
    path.write_text(text, encoding="utf-8", newline="")
    return import_file(store, path, rejects_path=path.with_suffix(".rejects.csv"))


def test_well_quoted_rows_are_all_read(tmp_path, slow):
    """Quotes, commas and line breaks inside cells, written as a spreadsheet writes them: every row is read
    (unless a line inside a cell holds as many commas as a row: then it might be swallowed rows, refused)."""
    store = Store(tmp_path / "quotes.db")

    runs = itertools.count()

    @examples(slow, 60)
    @given(st.lists(tricky, min_size=1, max_size=8))
    def check(names):
        run = next(runs)
        rows = [[f"Q-{run}-{n}", name, "罗湖", "新建", "120"] for n, name in enumerate(names)]
        try:
            summary = import_text(store, tmp_path, "".join(csv_lines([LEDGER, *rows])))
        except InputError as exc:  # the one documented refusal of a well-quoted file: a cell line that looks like a row
            assert any(part.count(",") >= len(LEDGER) - 1 for name in names for part in name.splitlines()[1:]), exc
            return
        assert summary.rows == len(rows)
        assert summary.inserted + summary.updated + summary.unchanged + summary.rejected == summary.rows
        for n, name in enumerate(names):
            project = store.project(f"Q-{run}-{n}")
            shown = name[1:] if name.startswith(QUOTED_FORMULA) else name  # our CSV export's quote prefix, removed
            assert project is None or project.name == shown.strip(), (project, name)

    try:
        check()
    finally:
        store.close()


def test_a_stray_quote_never_swallows_rows(tmp_path, slow):
    """A quote typed at the start of any cell: the file is refused naming the row, or every row is still
    read as a row. Before, the rows below went into one cell and the import reported success."""
    store = Store(tmp_path / "stray.db")

    @examples(slow, 120)
    @given(st.lists(tricky, min_size=2, max_size=8), st.data())
    def check(names, data):
        rows = [[f"S-{n}", name, "罗湖", "新建", "120"] for n, name in enumerate(names)]
        lines = csv_lines(rows)
        row = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.sampled_from([0, len(f"S-{row},")]))  # the start of the code or the name cell
        lines[row] = lines[row][:at] + '"' + lines[row][at:]
        try:
            summary = import_text(store, tmp_path, "".join(csv_lines([LEDGER]) + lines))
        except InputError as exc:
            assert len(exc.problems) == 1 and "row" in exc.problems[0].field, exc.problems
            assert "unbalanced quote" in exc.problems[0].message_en or "limit" in exc.problems[0].message_en
            return
        assert summary.rows == len(rows), (summary, lines)
        assert summary.inserted + summary.updated + summary.unchanged + summary.rejected == summary.rows

    try:
        check()
    finally:
        store.close()


def test_the_issue_examples_of_swallowed_rows_are_refused(tmp_path):
    store = Store(tmp_path / "swallow.db")
    for text, row in (('项目编号,项目名称,所属区,项目类别,总投资（万元）\nA-1,"平台,罗湖,新建,120\nA-2,b,罗湖,新建,120\n', 2),
                      ('项目编号,项目名称,所属区,项目类别,总投资（万元）\nA-1,ok,罗湖,新建,1\nA-2,"平台\nA-3,c,罗湖,新建,1",罗湖,新建,1\n', 3),
                      ('项目编号,项目名称,所属区,项目类别,总投资（万元）\nA-1,"a"b,罗湖,新建,1\n', 2)):
        with pytest.raises(InputError) as refused:
            import_text(store, tmp_path, text)
        assert refused.value.problems[0].field.startswith(f"第 {row} 行"), refused.value.problems
    assert store.count_projects(ProjectQuery()) == 0
    store.close()


def test_two_identical_events_in_one_row_are_refused_not_merged(tmp_path, slow):
    store = Store(tmp_path / "twice.db")

    @examples(slow, 40)
    @given(st.lists(st.sampled_from(["declared", "procurement_started", "progress_reported"]), min_size=1, max_size=5),
           st.lists(st.sampled_from(["", "第一次", "第二次"]), min_size=5, max_size=5), st.integers(0, 4))
    def check(types, notes, repeat):
        events = [{"type": t, "date": f"2025-0{1 + i}-06", "note": notes[i]} for i, t in enumerate(types)]
        twice = events + [dict(events[repeat % len(events)])]
        path = Path(tempfile.mkstemp(suffix=".jsonl", dir=tmp_path)[1])
        base = {"name": "重复事件", "district": "luohu", "kind": "construction", "investment": 1_200_000}
        path.write_text("\n".join(json.dumps({**base, "code": code, "events": e}, ensure_ascii=False)
                                  for code, e in (("T-ONCE", events), ("T-TWICE", twice))), encoding="utf-8")
        summary = import_file(store, path, rejects_path=path.with_suffix(".rejects.csv"))
        assert summary.rows == 2 and summary.rejected >= 1
        assert summary.inserted + summary.updated + summary.unchanged + summary.rejected == summary.rows
        reasons = store.db.execute("SELECT code, reason_en FROM import_rejects WHERE import_id = ?",
                                   [summary.import_id]).fetchall()
        assert any(code == "T-TWICE" and "cannot be told apart" in reason for code, reason in reasons), reasons
        assert store.project("T-TWICE") is None

    try:
        check()
    finally:
        store.close()
