"""Several contracts, phases and funding sources (issue 18): the pairing rule, the model's checks,
storage on a real SQLite file, and the migration of a database written by schema version 2."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from zwxm.contracts import StrayFiling, pair_contracts
from zwxm.evaluation import evaluate
from zwxm.model import (
    Change,
    Contract,
    Event,
    FundingSource,
    InputError,
    dump_project,
    funding_sources_of,
    load_project,
)
from zwxm.store import SCHEMA_VERSION, Store

DATA = Path(__file__).parent / "data"
D = dt.date


def events(*pairs: tuple[str, str, str | None]) -> list[Event]:
    return [Event(t, D.fromisoformat(day), contract=c) for t, day, c in pairs]


# --- the pairing rule (zwxm.contracts) --------------------------------------------------------


def test_unnamed_filings_pair_with_signings_in_date_order():
    states, strays = pair_contracts([], events(("contract_signed", "2025-02-10", None),
                                               ("contract_signed", "2025-04-25", None),
                                               ("contract_filed", "2025-04-28", None),
                                               ("contract_filed", "2025-05-09", None)))
    assert [(s.id, s.signed, s.filed) for s in states] == [
        ("#1", D(2025, 2, 10), D(2025, 4, 28)), ("#2", D(2025, 4, 25), D(2025, 5, 9))]
    assert strays == []


def test_a_filing_before_its_signing_is_never_that_contracts_filing():
    states, strays = pair_contracts([], events(("contract_filed", "2025-02-01", None),
                                               ("contract_signed", "2025-02-10", None)))
    assert states[0].filed is None
    assert strays == [StrayFiling(D(2025, 2, 1), "#1", D(2025, 2, 10))]


def test_a_named_filing_before_its_signing_is_a_stray_and_not_paired_later():
    declared = [Contract("HT-1"), Contract("HT-2", "supervision")]
    states, strays = pair_contracts(declared, events(("contract_signed", "2025-03-01", "HT-1"),
                                                     ("contract_filed", "2025-03-02", "HT-2"),
                                                     ("contract_signed", "2025-03-05", "HT-2"),
                                                     ("contract_filed", "2025-03-06", "HT-1")))
    assert [(s.id, s.filed) for s in states] == [("HT-1", D(2025, 3, 6)), ("HT-2", None)]
    assert strays == [StrayFiling(D(2025, 3, 2), "HT-2", D(2025, 3, 5))]


def test_unnamed_signings_fill_declared_contracts_in_order_then_number_themselves():
    declared = [Contract("HT-A"), Contract("HT-B")]
    states, _ = pair_contracts(declared, events(("contract_signed", "2025-03-01", "HT-B"),
                                                ("contract_signed", "2025-03-02", None),
                                                ("contract_signed", "2025-03-03", None)))
    assert [(s.id, s.signed) for s in states] == [("HT-A", D(2025, 3, 2)), ("HT-B", D(2025, 3, 1)),
                                                  ("#1", D(2025, 3, 3))]


def test_named_filings_are_paired_before_unnamed_ones():
    declared = [Contract("HT-1"), Contract("HT-2")]
    states, strays = pair_contracts(declared, events(("contract_signed", "2025-03-01", "HT-1"),
                                                     ("contract_signed", "2025-03-02", "HT-2"),
                                                     ("contract_filed", "2025-03-03", None),
                                                     ("contract_filed", "2025-03-04", "HT-1")))
    assert [(s.id, s.filed) for s in states] == [("HT-1", D(2025, 3, 4)), ("HT-2", D(2025, 3, 3))]
    assert strays == []


# --- the model -----------------------------------------------------------------------------------

BASE = {"code": "P-1", "name": "多合同项目", "district": "luohu", "kind": "construction", "investment": "300万",
        "funding": "department_budget", "category": "software", "owner_unit": "区政务服务数据管理局"}


def test_contracts_phases_and_sources_load_and_dump_back():
    data = {**BASE, "phases": [{"id": "一期", "year": 2025}],
            "contracts": [{"id": "HT-1", "kind": "construction", "vendor": "甲公司", "amount": "200万", "phase": "一期"},
                          {"id": "HT-2", "kind": "supervision", "vendor": "乙监理", "amount": "6万"}],
            "funding_sources": [{"source": "city", "amount": "100万"}, {"source": "district", "amount": "200万"}],
            "events": [{"type": "contract_signed", "date": "2025-03-01", "contract": "HT-1"}]}
    project = load_project(data)
    assert project.contracts[0].amount == 2_000_000 and project.contracts[1].kind == "supervision"
    assert project.events[0].contract == "HT-1"
    assert load_project(dump_project(project)) == project


@pytest.mark.parametrize(("extra", "field", "value"), [
    ({"contracts": [{"id": "HT-1"}, {"id": "HT-1"}]}, "contracts[1].id", "HT-1"),
    ({"contracts": [{"id": "HT-1", "kind": "catering"}]}, "contracts[0].kind", "catering"),
    ({"contracts": [{"id": "HT-1", "phase": "三期"}]}, "contracts[0].phase", "三期"),
    ({"events": [{"type": "contract_filed", "date": "2025-03-01", "contract": "HT-9"}]}, "events[0].contract", "HT-9"),
    ({"funding_sources": [{"source": "lottery", "amount": "300万"}]}, "funding_sources[0].source", "lottery"),
    ({"funding_sources": [{"source": "city", "amount": "100万"}, {"source": "district", "amount": "150万"}]},
     "funding_sources", 2_500_000),
])
def test_inconsistent_parts_are_refused_naming_field_and_value(extra, field, value):
    with pytest.raises(InputError) as caught:
        load_project({**BASE, **extra})
    assert [(p.field, p.value) for p in caught.value.problems] == [(field, value)]


def test_single_funding_reads_as_one_source():
    assert funding_sources_of(load_project(BASE)) == [FundingSource("district", 3_000_000)]
    assert funding_sources_of(load_project({**BASE, "funding": "own_funds"})) == [FundingSource("own", 3_000_000)]
    assert funding_sources_of(load_project({k: v for k, v in BASE.items() if k != "funding"})) == []


@pytest.mark.parametrize(("amount", "content"), [(-50_000, 50_000), (30_000, 30_000), (0, 0)])
def test_an_old_signed_amount_reads_as_content_of_its_size(amount, content):
    change = load_project({**BASE, "changes": [{"date": "2025-05-01", "amount": amount}]}).changes[0]
    assert (change.amount, change.content_amount) == (amount, content)


def test_change_with_both_amounts_keeps_them():
    change = load_project({**BASE, "changes": [{"date": "2025-05-01", "amount": 0, "content_amount": "150万"}]}).changes[0]
    assert (change.amount, change.content_amount) == (0, 1_500_000)
    with pytest.raises(InputError, match="content_amount"):
        load_project({**BASE, "changes": [{"date": "2025-05-01", "content_amount": -1}]})


# --- evaluation: every contract on its own clock -----------------------------------------------


def test_luohu_two_contracts_one_late_one_never_filed_and_a_filing_before_signing():
    project = load_project({**BASE, "contracts": [{"id": "HT-1"}, {"id": "HT-2", "kind": "supervision"},
                                                  {"id": "HT-3", "kind": "testing"}],
                            "events": [{"type": "contract_signed", "date": "2025-03-03", "contract": "HT-1"},
                                       {"type": "contract_filed", "date": "2025-03-20", "contract": "HT-1"},
                                       {"type": "contract_signed", "date": "2025-03-04", "contract": "HT-2"},
                                       {"type": "contract_filed", "date": "2025-04-01", "contract": "HT-3"},
                                       {"type": "contract_signed", "date": "2025-04-02", "contract": "HT-3"}]})
    result = evaluate(project, D(2025, 5, 1))
    filing = {d.contract: d for d in result.deadlines if d.rule == "contract_filing"}
    assert (filing["HT-1"].date, filing["HT-1"].status) == (D(2025, 3, 13), "missed")
    assert (filing["HT-2"].status, filing["HT-2"].done_on) == ("missed", None)
    assert (filing["HT-3"].date, filing["HT-3"].status) == (D(2025, 4, 14), "missed")  # 04-12 is a Saturday
    stray = [f for f in result.findings if f.rule == "contract_filing"]
    assert [(f.contract, f.article) for f in stray] == [("HT-3", 15)]
    assert result.to_dict()["deadlines"][0]["contract"] is not None  # the JSON names the contract


# --- storage -----------------------------------------------------------------------------------


def test_parts_round_trip_through_a_real_file_and_saving_again_changes_nothing(tmp_path):
    data = {**BASE, "contracts": [{"id": "HT-1", "vendor": "甲公司", "amount": "200万"}],
            "phases": [{"id": "一期", "name": "基础平台", "year": 2025}],
            "funding_sources": [{"source": "city", "amount": "100万"}, {"source": "district", "amount": "200万"}],
            "events": [{"type": "contract_signed", "date": "2025-03-03", "contract": "HT-1"}],
            "changes": [{"date": "2025-06-01", "amount": 0, "content_amount": "20万"}]}
    with Store(tmp_path / "z.db") as store:
        assert store.save_project(load_project(data)) == "inserted"
        assert store.project("P-1") == load_project(data)
        assert store.save_project(load_project(data)) == "unchanged"
        # a project that lists no contracts keeps those stored
        assert store.save_project(load_project({k: v for k, v in data.items() if k not in ("contracts", "events")})) \
            == "unchanged"
        data["contracts"].append({"id": "HT-2", "kind": "supervision"})
        assert store.save_project(load_project(data)) == "updated"
        assert [c.id for c in store.project("P-1").contracts] == ["HT-1", "HT-2"]
        row = store.db.execute("SELECT contract FROM project_deadlines WHERE rule = 'contract_filing' "
                               "ORDER BY contract").fetchall()
        assert row == [("HT-1",), ("HT-2",)]
        assert store.verify() == []


def test_a_version_2_file_is_upgraded_and_its_changes_migrated(tmp_path):
    path = tmp_path / "v2.sqlite"
    shutil.copy(DATA / "schema_v2.sqlite", path)  # written by schema version 2 (commit bd30bd4)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.verify() == []  # the event hashes written by version 2 still verify
        project = store.project("V2-LH-1")
        assert [(c.amount, c.content_amount) for c in project.changes] == [(-50_000, 50_000), (30_000, 30_000)]
        assert project.contracts == [] and project.funding_sources == []
        store.rebuild()
        filing = store.db.execute("SELECT contract, status FROM project_deadlines WHERE project_code = 'V2-LH-1' "
                                  "AND rule = 'contract_filing' ORDER BY contract").fetchall()
        assert filing == [("#1", "met"), ("#2", "missed")]
        store.add_change("V2-LH-1", Change(D(2025, 1, 5), 0, "优化", content_amount=10_000))
        assert store.project("V2-LH-1").changes[-1].content_amount == 10_000


def test_recording_names_the_contract_and_its_signing_must_come_first(tmp_path):
    from zwxm.store import Refused

    data = {**BASE, "contracts": [{"id": "HT-1"}, {"id": "HT-2", "kind": "supervision"}],
            "events": [{"type": "contract_signed", "date": "2025-03-03", "contract": "HT-1"}]}
    with Store(tmp_path / "z.db") as store:
        store.save_project(load_project(data))
        with pytest.raises(Refused, match="合同签订"):  # HT-2 is not signed: its filing is refused
            store.record_event("P-1", Event("contract_filed", D(2025, 3, 5), contract="HT-2"))
        with pytest.raises(InputError) as caught:
            store.record_event("P-1", Event("contract_filed", D(2025, 3, 5), contract="HT-9"))
        assert [(p.field, p.value) for p in caught.value.problems] == [("events[0].contract", "HT-9")]
        store.record_event("P-1", Event("contract_filed", D(2025, 3, 5), contract="HT-1"))
        assert store.project("P-1").events[-1].contract == "HT-1"
        assert store.verify() == []


def test_cli_record_takes_the_contract(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "z.db"
    with Store(db) as store:
        store.save_project(load_project({**BASE, "contracts": [{"id": "HT-1"}]}))
    run = [sys.executable, "-m", "zwxm", "--db", str(db), "record", "P-1"]
    done = subprocess.run([*run, "contract_signed", "--date", "2025-03-03", "--contract", "HT-1"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([*run, "contract_filed", "--date", "2025-03-04", "--contract", "HT-9"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "HT-9" in bad.stderr and "Traceback" not in bad.stderr
    with Store(db) as store:
        assert [(e.type, e.contract) for e in store.project("P-1").events] == [("contract_signed", "HT-1")]
