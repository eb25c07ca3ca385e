"""`zwxm due --format ics`: what we write parses back with `icalendar`, reminders count working days,
UIDs are stable, and a re-run changes only what changed (issue 15)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import chinese_calendar
import pytest
from icalendar import Calendar

from tests.test_due import YUBEI_DUE, ZWXM, project
from zwxm.io.ics import read_previous, reminder_day, write_calendar
from zwxm.store import Store
from zwxm.store.due import DueItem


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "zwxm.db"
    with Store(path) as store:
        store.save_projects([project("YB-T-1", "yubei", "区教育局", dt.date(2024, 9, 27)),
                             project("WX-T-1", "wuxing", "区教育局", dt.date(2024, 9, 27)),
                             project("LH-T-1", "luohu", "区民政局", dt.date(2024, 9, 25))])
    return path


def zwxm(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    return subprocess.run([ZWXM, "--db", str(db), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=env, timeout=120)


def calendar_of(path: Path) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def workdays_before(day: dt.date, n: int) -> dt.date:
    """The oracle: the n-th working day before `day`, by the independent chinese_calendar package."""
    while n:
        day -= dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def test_the_file_parses_back_with_one_all_day_event_per_deadline(db, tmp_path):
    out = tmp_path / "due.ics"
    result = zwxm(db, "due", "--as-of", "2024-10-14", "--district", "yubei", "-o", str(out))
    assert result.returncode == 1, result.stderr
    events = calendar_of(out)
    event = events["YB-T-1/contract_filing_deadline/1@zwxm"]
    assert event.decoded("dtstart") == YUBEI_DUE and event.decoded("dtend") == YUBEI_DUE + dt.timedelta(days=1)
    assert "第12条" in str(event["summary"]) and "YB-T-1" in str(event["description"])
    assert "7 个工作日" in str(event["description"]) and str(event["status"]) == "CONFIRMED"
    assert list(events) == ["YB-T-1/contract_filing_deadline/1@zwxm"]


@pytest.mark.parametrize("remind", [0, 1, 3, 5])
def test_the_reminder_is_counted_in_working_days_of_the_legal_calendar(db, tmp_path, remind):
    out = tmp_path / "due.ics"
    zwxm(db, "due", "--as-of", "2024-10-14", "--district", "yubei", "--remind", str(remind), "-o", str(out))
    alarm = calendar_of(out)["YB-T-1/contract_filing_deadline/1@zwxm"].subcomponents[0]
    fires = dt.datetime.combine(YUBEI_DUE, dt.time()) + alarm.decoded("trigger")
    assert fires == dt.datetime.combine(workdays_before(YUBEI_DUE, remind), dt.time(9))
    # across the National Day holiday: 5 working days before 2024-10-12 is 2024-09-30
    assert remind != 5 or fires.date() == dt.date(2024, 9, 30)


@pytest.mark.parametrize("due", [dt.date(2024, 10, 8), dt.date(2025, 2, 5), dt.date(2024, 3, 1), dt.date(2025, 1, 2)])
def test_reminder_day_across_holidays_adjusted_workdays_and_month_ends(due):
    from zwxm.calendar import default_calendar

    for n in range(0, 8):
        assert reminder_day(due, n, default_calendar()) == workdays_before(due, n)


def test_uids_are_unique_and_stable_and_a_rerun_is_byte_identical(db, tmp_path):
    out = tmp_path / "due.ics"
    zwxm(db, "due", "--as-of", "2024-11-26", "-o", str(out))
    first = out.read_bytes()
    events = {str(e["uid"]): e for e in Calendar.from_ical(first).walk("VEVENT")}
    assert len(events) == 5
    # a rule with one deadline a month: one event per month, numbered in date order
    assert events["LH-T-1/monthly_progress_report/1@zwxm"].decoded("dtstart") == dt.date(2024, 10, 25)
    assert events["LH-T-1/monthly_progress_report/2@zwxm"].decoded("dtstart") == dt.date(2024, 11, 25)
    zwxm(db, "due", "--as-of", "2024-11-27", "-o", str(out))
    assert out.read_bytes() == first


def test_a_met_deadline_is_cancelled_and_only_it_changes(db, tmp_path):
    out = tmp_path / "due.ics"
    zwxm(db, "due", "--as-of", "2024-10-14", "-o", str(out))
    before = calendar_of(out)
    recorded = zwxm(db, "record", "YB-T-1", "contract_filed", "--date", "2024-10-14")
    assert recorded.returncode == 0, recorded.stderr
    zwxm(db, "due", "--as-of", "2024-10-15", "-o", str(out))
    after = calendar_of(out)
    assert after.keys() == before.keys()
    changed = {uid for uid in after if after[uid].to_ical() != before[uid].to_ical()}
    assert changed == {"YB-T-1/contract_filing_deadline/1@zwxm"}
    event = after["YB-T-1/contract_filing_deadline/1@zwxm"]
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    assert event.decoded("dtstamp") > before["YB-T-1/contract_filing_deadline/1@zwxm"].decoded("dtstamp")
    assert "【已完成】" in str(event["summary"]) and not event.subcomponents  # no reminder for a met deadline
    third = out.read_bytes()
    zwxm(db, "due", "--as-of", "2024-10-16", "-o", str(out))
    assert out.read_bytes() == third  # nothing changed since: nothing rewritten differently


def test_an_event_no_longer_listed_is_carried_over_as_cancelled_then_dropped(db, tmp_path):
    out = tmp_path / "due.ics"
    zwxm(db, "due", "--as-of", "2024-10-14", "-o", str(out))
    zwxm(db, "due", "--as-of", "2024-10-14", "--district", "wuxing", "-o", str(out))
    events = calendar_of(out)
    assert str(events["WX-T-1/contract_upload_deadline/1@zwxm"]["status"]) == "CONFIRMED"
    gone = events["YB-T-1/contract_filing_deadline/1@zwxm"]
    assert str(gone["status"]) == "CANCELLED" and int(gone["sequence"]) == 1
    kept = out.read_bytes()
    zwxm(db, "due", "--as-of", "2024-10-14", "--district", "wuxing", "-o", str(out))
    assert out.read_bytes() == kept  # a carried-over cancellation is itself stable
    zwxm(db, "due", "--as-of", "2024-12-01", "--district", "wuxing", "-o", str(out))
    assert "YB-T-1/contract_filing_deadline/1@zwxm" not in calendar_of(out)  # 30 days past its date


def test_an_empty_calendar_is_rewritten_on_the_next_run(db, tmp_path):
    out = tmp_path / "none.ics"
    for _ in range(2):
        result = zwxm(db, "due", "--as-of", "2024-01-02", "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert not calendar_of(out)


def item(**changes) -> DueItem:
    values = dict(project_code="PT-1", project_name="坡头平台", district="potou",
                  district_name=("坡头区", "Potou District"), owner_unit="区民政局",
                  department="区政务服务数据管理局", department_en="bureau", rule="effect_self_evaluation",
                  title="验收后12个月内应用效果自评价", title_en="self-evaluation", date=dt.date(2027, 11, 25),
                  article=24, status="open", provisional=True, done_on=None, explanation="暂定",
                  explanation_en="provisional", occurrence=1)
    return DueItem(**(values | changes))


def test_provisional_dates_are_tentative_and_marked():
    text = b"".join(write_calendar([item(), item(rule="other", provisional=False)], dt.date(2026, 12, 1)))
    events = {str(e["x-zwxm-rule"]): e for e in Calendar.from_ical(text).walk("VEVENT")}
    provisional = events["effect_self_evaluation"]
    assert str(provisional["status"]) == "TENTATIVE" and str(provisional["summary"]).startswith("【临时日期】")
    assert str(provisional["x-zwxm-provisional"]) == "TRUE" and "尚未公布" in str(provisional["description"])
    assert str(events["other"]["status"]) == "CONFIRMED" and "x-zwxm-provisional" not in events["other"]


def test_data_in_the_text_cannot_break_the_file(tmp_path):
    hostile = item(project_name="平台\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil", title="a;b,c\\d")
    path = tmp_path / "x.ics"
    path.write_bytes(b"".join(write_calendar([hostile], dt.date(2026, 12, 1))))
    events = list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert len(events) == 1 and "END:VEVENT" in str(events[0]["summary"])
    assert list(read_previous(path)) == [hostile.uid]


@pytest.mark.parametrize(("as_of", "kept"), [("2024-11-10", True), ("2024-11-11", True), ("2024-11-12", False)])
def test_a_vanished_event_is_kept_as_cancelled_until_its_date_is_30_days_past(db, tmp_path, as_of, kept):
    out = tmp_path / "due.ics"
    zwxm(db, "due", "--as-of", "2024-10-14", "-o", str(out))
    zwxm(db, "due", "--as-of", as_of, "--district", "wuxing", "-o", str(out))  # YB-T-1 (2024-10-12) vanishes
    assert ("YB-T-1/contract_filing_deadline/1@zwxm" in calendar_of(out)) is kept


@pytest.mark.parametrize(("as_of", "cancelled"), [("2024-11-12", True), ("2024-11-13", True), ("2024-11-14", False)])
def test_a_deadline_met_in_the_last_30_days_is_written_cancelled(db, tmp_path, as_of, cancelled):
    assert zwxm(db, "record", "YB-T-1", "contract_filed", "--date", "2024-10-14").returncode == 0
    out = tmp_path / "fresh.ics"  # no previous file: only the 30-day rule brings it in
    zwxm(db, "due", "--as-of", as_of, "--district", "yubei", "--within", "0", "-o", str(out))
    events = calendar_of(out)
    assert ("YB-T-1/contract_filing_deadline/1@zwxm" in events) is cancelled
    if cancelled:
        assert str(events["YB-T-1/contract_filing_deadline/1@zwxm"]["status"]) == "CANCELLED"
