"""Store on real SQLite files: writes, dedup, gates, queries, derived rows, backup, path resolution."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from zwxm.model import Change, Event, InputError, load_project
from zwxm.store import SCHEMA_VERSION, ProjectQuery, Refused, Store, connect, default_db_path, resolve_db_path

TODAY = dt.date.today()


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def make(code: str, **fields) -> object:
    data = {"code": code, "name": "示例智慧平台", "district": "example", "kind": "construction",
            "investment": "120万", "funding": "government_investment", "owner_unit": "示例区数据局",
            "budget_year": 2025}
    data.update(fields)
    return load_project(data)


@pytest.fixture
def store(tmp_path, example_registry):
    with Store(tmp_path / "zwxm.db", registry=example_registry) as s:
        yield s


def test_connect_sets_pragmas_and_schema(tmp_path):
    db = connect(tmp_path / "sub" / "new.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"projects", "events", "changes", "project_status", "project_deadlines", "project_findings",
            "imports", "import_rejects"} <= set(db.table_names())


def test_save_project_inserted_unchanged_updated(store):
    project = make("EX-1", events=[{"type": "declared", "date": "2025-03-01"}])
    assert store.save_project(project) == "inserted"
    assert store.save_project(make("EX-1", events=[{"type": "declared", "date": "2025-03-01"}])) == "unchanged"
    assert store.save_project(make("EX-1", name="示例智慧平台二期",
                                   events=[{"type": "declared", "date": "2025-03-01"}])) == "updated"
    stored = store.project("EX-1")
    assert stored.name == "示例智慧平台二期"
    assert stored.investment == 1_200_000
    assert [e.type for e in stored.events] == ["declared"]
    assert store.project("NOPE") is None


def test_events_are_deduplicated_and_appended_in_date_order(store):
    store.save_project(make("EX-2", events=[{"type": "declared", "date": "2025-03-01"},
                                            {"type": "approved", "date": "2025-05-01", "note": "批复"}]))
    again = make("EX-2", events=[{"type": "approved", "date": "2025-05-01", "note": "批复"},
                                 {"type": "procurement_started", "date": "2025-06-01"},
                                 {"type": "declared", "date": "2025-03-01"}])
    assert store.save_project(again) == "updated"
    assert [e.type for e in store.project("EX-2").events] == ["declared", "approved", "procurement_started"]
    assert [r["seq"] for r in store.events("EX-2")] == [1, 2, 3]
    assert store.save_project(again) == "unchanged"


def test_round_trip_keeps_every_field(store):
    project = make("EX-3", category="app", classified=False, user_unit="示例区教育局", contractor="某科技公司",
                   supervisor="某监理公司", designer="某设计院", tester="某测评中心", tags=["重点", "民生"],
                   facts={"warranty_years": 3, "contact": "张三"},
                   events=[{"type": "declared", "date": "2025-03-01", "actor": "张三", "role": "owner",
                            "payload": {"doc": "渝北申〔2025〕3号"}}],
                   changes=[{"date": "2025-04-01", "amount": "-10万", "reason": "缩减范围"}])
    store.save_project(project)
    assert store.project("EX-3") == project


def test_invalid_project_is_refused_before_anything_is_written(store):
    bad = make("EX-4", district="nowhere")
    with pytest.raises(InputError) as info:
        store.save_project(bad)
    assert info.value.problems[0].field == "district"
    assert info.value.problems[0].value == "nowhere"
    assert store.count_projects(ProjectQuery()) == 0


def test_events_are_append_only_in_a_plain_sqlite_connection(store):
    store.save_project(make("EX-5", events=[{"type": "declared", "date": "2025-03-01"}]))
    plain = sqlite3.connect(store.path)  # no zwxm code, no custom functions
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute("UPDATE events SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        plain.execute("DELETE FROM events")
    plain.close()


def test_record_event_refused_with_article_then_forced_with_finding(store):
    store.save_project(make("EX-6", events=[{"type": "contract_signed", "date": days_ago(100)}]))
    event = Event("final_acceptance_passed", TODAY - dt.timedelta(days=2))
    with pytest.raises(Refused) as info:
        store.record_event("EX-6", event)
    assert info.value.refusals[0].article == 8
    assert "第8条" in str(info.value) and "数据登记" in str(info.value)
    assert len(store.events("EX-6")) == 1

    refusals = store.record_event("EX-6", event, force=True)
    assert [r.rule for r in refusals] == ["data_before_acceptance"]
    stored = store.events("EX-6")[-1]
    assert stored["payload"]["forced"] is True
    assert stored["payload"]["refusals"][0]["article"] == 8
    findings = store.evaluation("EX-6").findings
    assert any(f.rule == "data_before_acceptance" and f.severity == "warning" for f in findings)
    assert store.query_projects(ProjectQuery(text="EX-6"))[0]["warnings"] >= 1


def test_record_event_checks_its_input(store):
    with pytest.raises(LookupError, match="NOPE"):
        store.record_event("NOPE", Event("declared", TODAY))
    store.save_project(make("EX-7"))
    with pytest.raises(InputError, match="unknown event type"):
        store.record_event("EX-7", Event("invented", TODAY))
    with pytest.raises(LookupError, match="NOPE"):
        store.evaluation("NOPE")


def test_a_correction_supersedes_instead_of_editing(store):
    store.save_project(make("EX-8", events=[{"type": "contract_signed", "date": "2025-05-10"}]))
    wrong = store.events("EX-8")[0]
    store.record_event("EX-8", Event("contract_signed", dt.date(2025, 5, 12), note="更正签订日期"),
                       supersedes=wrong["id"])
    assert [e.date for e in store.project("EX-8").events] == [dt.date(2025, 5, 12)]
    rows = store.events("EX-8")
    assert rows[0]["superseded_by"] == rows[1]["id"] and rows[1]["supersedes"] == wrong["id"]
    assert store.verify() == []
    store.save_project(make("EX-9"))
    with pytest.raises(InputError, match="supersedes"):
        store.record_event("EX-9", Event("declared", TODAY), supersedes=wrong["id"])


def test_add_change_refreshes_the_project(store):
    store.save_project(make("EX-10"))
    store.add_change("EX-10", Change(dt.date(2025, 6, 1), 300_000, "扩容", major=True))
    evaluation = store.evaluation("EX-10")
    assert [(c.amount, c.procedure) for c in evaluation.changes] == [(300_000, "reapproval")]


def test_overdue_next_deadline_and_deadlines_window(store):
    # 第五条: contract filed within 10 days of signing; signed 40 days ago and not filed -> overdue
    store.save_project(make("LATE", events=[{"type": "contract_signed", "date": days_ago(40)}]))
    store.save_project(make("SOON", events=[{"type": "contract_signed", "date": days_ago(2)}]))
    store.save_project(make("DONE", events=[{"type": "contract_signed", "date": days_ago(20)},
                                            {"type": "contract_filed", "date": days_ago(15)}]))
    rows = {r["code"]: r for r in store.query_projects(ProjectQuery())}
    assert rows["LATE"]["overdue"] is True and rows["SOON"]["overdue"] is False
    assert rows["DONE"]["next_deadline"] is None and rows["DONE"]["overdue"] is False
    assert rows["LATE"]["next_deadline_article"] == 5
    assert rows["SOON"]["next_deadline"] >= TODAY.isoformat()
    assert [r["code"] for r in store.query_projects(ProjectQuery(overdue_only=True))] == ["LATE"]
    assert store.count_projects(ProjectQuery(overdue_only=True)) == 1

    window = store.deadlines(TODAY, TODAY + dt.timedelta(days=30))
    assert [(d["project_code"], d["status"], d["article"]) for d in window] == [("LATE", "missed", 5),
                                                                               ("SOON", "open", 5)]
    assert [d["project_code"] for d in store.deadlines(TODAY, TODAY + dt.timedelta(days=30), overdue=False)] == ["SOON"]


def test_query_filters_text_pinyin_sort_and_facets(store):
    store.save_project(make("A-1", name="渝北智慧城管平台", owner_unit="区城市管理局", investment="600万",
                            budget_year=2024, events=[{"type": "approved", "date": "2024-05-01"}]))
    store.save_project(make("A-2", name="教育云桌面运维", kind="operation", owner_unit="区教育委员会",
                            investment="80万", budget_year=2025))
    store.save_project(make("A-3", name="Zeta data hub", investment="3000万", budget_year=2025, category="infra"))
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="zhcg"))] == ["A-1"]  # 智慧城管 initials
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="jyw"))] == ["A-2"]  # 区教育委员会
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="城市管理"))] == ["A-1"]
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="ZETA"))] == ["A-3"]
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="100%"))] == []
    assert [r["code"] for r in store.query_projects(ProjectQuery(kind="operation"))] == ["A-2"]
    assert [r["code"] for r in store.query_projects(ProjectQuery(year=2025, sort="investment", descending=True))] \
        == ["A-3", "A-2"]
    assert [r["code"] for r in store.query_projects(ProjectQuery(stage="approve"))] == ["A-1"]
    assert [r["code"] for r in store.query_projects(ProjectQuery(sort="name"))] == ["A-2", "A-1", "A-3"]  # jiao < yu < zeta
    page = store.query_projects(ProjectQuery(), offset=1, limit=1)
    assert [r["code"] for r in page] == ["A-2"]
    row = store.query_projects(ProjectQuery(text="A-1"))[0]
    assert row["investment"] == 6_000_000 and row["stage"] == "approve" and row["budget_year"] == 2024
    assert store.facets() == {
        "district": [("example", 3)],
        "stage": [("declare", 2), ("approve", 1)],
        "kind": [("construction", 2), ("operation", 1)],
        "year": [("2024", 1), ("2025", 2)],
    }
    # each menu counts within the other filters, leaving out its own choice
    assert store.facets(ProjectQuery(year=2025)) == {
        "district": [("example", 2)],
        "stage": [("declare", 2)],
        "kind": [("construction", 1), ("operation", 1)],
        "year": [("2024", 1), ("2025", 2)],
    }
    assert store.facets(ProjectQuery(text="zhcg", kind="operation"))["kind"] == [("construction", 1)]
    with pytest.raises(ValueError, match="sort"):
        ProjectQuery(sort="colour")


def test_full_pinyin_finds_what_initials_find(store):
    store.save_project(make("A-1", name="渝北智慧城管平台", owner_unit="区城市管理局"))
    store.save_project(make("A-2", name="教育云桌面运维", owner_unit="区教育委员会"))
    for text in ("pingtai", "PINGTAI", "zhihuichengguan", "chengguan", "pt", "zhcg"):
        assert [r["code"] for r in store.query_projects(ProjectQuery(text=text))] == ["A-1"], text
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="jiaoyuyun"))] == ["A-2"]  # 教育云
    assert [r["code"] for r in store.query_projects(ProjectQuery(text="weiyuanhui"))] == ["A-2"]  # the unit
    assert store.query_projects(ProjectQuery(text="pingta i")) == []


def test_rebuild_recomputes_derived_rows(store):
    store.save_project(make("R-1", events=[{"type": "contract_signed", "date": days_ago(40)}]))
    before = store.query_projects(ProjectQuery())
    store.db.execute("DELETE FROM project_status")
    store.db.execute("DELETE FROM project_deadlines")
    assert store.query_projects(ProjectQuery())[0]["next_deadline"] is None
    assert store.rebuild() == 1
    assert store.query_projects(ProjectQuery()) == before


def test_save_projects_without_derivation_leaves_evaluation_for_rebuild(store):
    store.save_projects([make("D-1", events=[{"type": "contract_signed", "date": days_ago(40)}])], derive=False)
    row = store.query_projects(ProjectQuery())[0]
    assert row["stage"] == "contract" and row["evaluated_on"] is None and row["next_deadline"] is None
    store.rebuild()
    row = store.query_projects(ProjectQuery())[0]
    assert row["evaluated_on"] == TODAY.isoformat() and row["overdue"] is True


def test_transaction_rolls_back_everything_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_project(make("T-1"))
            raise RuntimeError("boom")
    assert store.project("T-1") is None


def test_backup_is_a_consistent_copy_and_never_overwrites(store, tmp_path, example_registry):
    store.save_project(make("B-1", events=[{"type": "declared", "date": "2025-01-02"}]))
    target = store.backup(tmp_path / "copy" / "backup.db")
    with Store(target, registry=example_registry) as copy:
        assert copy.project("B-1") == store.project("B-1")
        assert copy.verify() == []
    with pytest.raises(FileExistsError, match="backup.db"):
        store.backup(target)


def test_resolve_db_path_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("ZWXM_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "explicit.db") == tmp_path / "explicit.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("ZWXM_DB")
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().name == "zwxm.db"


def test_evaluations_see_the_other_projects_of_the_unit(tmp_path):
    """Wuxing 第八条: a project split under the 500万 threshold shows only across a unit's projects."""
    from zwxm.model import load_project

    def wuxing(code, name, amount):
        return load_project({"code": code, "name": name, "district": "wuxing", "kind": "construction",
                             "investment": amount, "owner_unit": "区综合执法局", "budget_year": 2025,
                             "funding": "department_budget", "category": "general_app"})

    with Store(tmp_path / "split.db") as store:
        store.save_project(wuxing("WX-S1", "智慧城管平台一期", "480万"))
        assert not [f for f in store.evaluation("WX-S1").findings if f.rule == "split_to_evade_oversight"]
        store.save_project(wuxing("WX-S2", "智慧城管平台二期", "460万"))
        split = [f for f in store.evaluation("WX-S1").findings if f.rule == "split_to_evade_oversight"]
        assert split and "WX-S2" in split[0].message
        stored = store.db.execute("SELECT count(*) FROM project_findings WHERE project_code = 'WX-S2' "
                                  "AND rule = 'split_to_evade_oversight'").fetchone()[0]
        assert stored == 1  # the derived rows of the project just saved see its peer too


def _wuxing_part(code: str, name: str, amount: str, unit: str = "区综合执法局"):
    return load_project({"code": code, "name": name, "district": "wuxing", "kind": "construction", "investment": amount,
                         "owner_unit": unit, "budget_year": 2025, "funding": "department_budget",
                         "category": "general_app"})


def _split_named(store: Store, code: str) -> list[str]:
    return [f.message for f in store.evaluation(code).findings if f.rule == "split_to_evade_oversight"]


def test_peers_loaded_once_follow_other_connections_moves_and_rollbacks(tmp_path):
    """The unit's projects are loaded once and kept (an import in batches would otherwise reload them per
    batch): a write by another connection, a project moved to another unit, and a failed transaction
    must all show in the next evaluation as if nothing were kept."""
    path = tmp_path / "peers.db"
    with Store(path) as store, Store(path) as other:
        store.save_project(_wuxing_part("WX-S1", "智慧城管平台一期", "480万"))
        assert _split_named(store, "WX-S1") == []  # the unit is now loaded (one project)
        other.save_project(_wuxing_part("WX-S2", "智慧城管平台二期", "460万"))  # another connection writes a part
        assert any("WX-S2" in m for m in _split_named(store, "WX-S1"))
        other.save_project(_wuxing_part("WX-S2", "智慧城管平台二期", "460万", unit="区教育局"))  # moved away
        assert _split_named(store, "WX-S1") == []
        store.save_project(_wuxing_part("WX-S2", "智慧城管平台二期", "460万"))  # moved back, by this store
        assert any("WX-S2" in m for m in _split_named(store, "WX-S1"))
        with pytest.raises(RuntimeError), store.transaction():
            store.write_validated([_wuxing_part("WX-S2", "智慧城管平台二期", "460万", unit="区教育局")])
            raise RuntimeError("the write fails after the row was written")
        assert any("WX-S2" in m for m in _split_named(store, "WX-S1"))  # the move was rolled back
        with pytest.raises(RuntimeError), store.transaction():
            store.write_validated([_wuxing_part("WX-S3", "智慧城管平台三期", "470万")])
            raise RuntimeError("rolled back")
        assert not any("WX-S3" in m for m in _split_named(store, "WX-S1"))


def test_import_in_batches_sees_peers_of_earlier_batches(tmp_path):
    """A split across two import batches is found as it was when each batch loaded the unit again."""
    from zwxm.io.importer import import_file

    source = tmp_path / "parts.jsonl"
    rows = [{"code": f"WX-P{n}", "name": f"智慧城管平台{n}期", "district": "wuxing", "kind": "construction",
             "investment": "470万", "owner_unit": "区综合执法局", "budget_year": 2025, "funding": "department_budget",
             "category": "general_app"} for n in range(1, 4)]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with Store(tmp_path / "batches.db") as store:
        import_file(store, source, batch_size=1, parallel=False)
        stored = dict(store.db.execute("SELECT project_code, count(*) FROM project_findings "
                                       "WHERE rule = 'split_to_evade_oversight' GROUP BY 1").fetchall())
        rebuilt = store.rebuild() and dict(store.db.execute(
            "SELECT project_code, count(*) FROM project_findings WHERE rule = 'split_to_evade_oversight' "
            "GROUP BY 1").fetchall())
    # the first batch had no peer stored yet; each later one sees the ones before it, like a rebuild does
    assert stored == {"WX-P2": 1, "WX-P3": 1}
    assert rebuilt == {"WX-P1": 1, "WX-P2": 1, "WX-P3": 1}
