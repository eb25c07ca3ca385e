"""Every broken input file in tests/data gives the clear error listed in tests/data/expected_errors.toml."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

from zwxm.io.importer import import_file
from zwxm.model import InputError
from zwxm.store import ProjectQuery, Store

DATA = Path(__file__).parent / "data"
CASES = tomllib.loads((DATA / "expected_errors.toml").read_text(encoding="utf-8"))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "zwxm.db") as s:  # the installed districts, as a user has them
        yield s


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if "rejects" in case])
def test_bad_rows_are_rejected_with_row_column_value_and_reason(name, store, tmp_path):
    case = CASES[name]
    rejects_path = tmp_path / "rejects.csv"
    summary = import_file(store, DATA / case["file"], rejects_path=rejects_path)
    assert summary.inserted == case["imported"]
    assert store.count_projects(ProjectQuery()) == case["imported"]
    assert summary.rejected == len({r["row"] for r in case["rejects"]})

    table = store._rows("SELECT row, \"column\", value, reason, reason_en FROM import_rejects WHERE import_id = ? "
                        "ORDER BY row", [summary.import_id])
    with rejects_path.open(encoding="utf-8-sig", newline="") as f:
        written = list(csv.reader(f))
    assert written[0] == ["行 row", "项目编号 code", "列 column", "值 value", "原因", "reason"]
    assert len(table) == len(written) - 1 == len(case["rejects"])
    for expected, row, line in zip(case["rejects"], table, written[1:]):
        assert row["row"] == expected["row"] and int(line[0]) == expected["row"]
        assert row["column"] == expected["column"] == line[2]
        if "value" in expected:
            assert row["value"] == expected["value"] == line[3]
        assert expected["reason"] in row["reason"] and expected["reason"] in line[4]
        assert expected["reason_en"] in row["reason_en"] and expected["reason_en"] in line[5]


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if "error" in case])
def test_unusable_files_are_refused_whole_with_a_clear_message(name, store, tmp_path):
    case = CASES[name]
    with pytest.raises(InputError) as info:
        import_file(store, DATA / case["file"], rejects_path=tmp_path / "rejects.csv")
    text = " ".join(f"{p.field} {p.value} {p.message} {p.message_en}" for p in info.value.problems)
    for fragment in case["error"]:
        assert fragment in text
    assert store.count_projects(ProjectQuery()) == 0
    assert not (tmp_path / "rejects.csv").exists()


def test_every_data_file_has_its_expected_error():
    listed = {case["file"] for case in CASES.values()}
    broken = {p.name for p in DATA.glob("*.csv")} - {"yubei_form.csv", "ledger_gbk.csv"}
    assert broken == listed
