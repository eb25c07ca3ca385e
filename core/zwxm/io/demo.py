"""A realistic demo database: a few hundred projects across the installed districts, in every stage.

Names, units and amounts look like a district IT bureau's ledger (money in 万元 ranges). Each
project walks the generic lifecycle from a start date towards a target stage and stops at today;
every event goes through the district's gates (`gate_refusals`), and when a gate refuses, the
district's own prerequisite events are tried first, so histories respect the gates. A share of
projects skip a filing or a monthly report, so some are overdue. Everything is relative to today
and reproducible from the seed.

Demo projects are marked: codes `<district>-DEMO-<n>` and the tag 演示. The first project of each
district (LH-DEMO-0001, PT-DEMO-0002, WX-DEMO-0003, YB-DEMO-0004) is the same on every day: a
contract signed about ten months ago and not yet filed, so the README's `zwxm record` example always
has a project to work on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from ..evaluation import gate_refusals
from ..lifecycle import STAGE_ORDER, STAGES
from ..model import Change, Event, Project
from ..store import Store, timestamp
from ..vocab import FUNDINGS

__all__ = ["create_demo", "is_demo", "demo_path_for", "DEMO_SOURCE", "DEMO_TAG"]

DEMO_SOURCE = "zwxm demo"
DEMO_TAG = "演示"  # on every demo project
DEMO_FILE = "demo.db"
EXAMPLE_AGE = 300  # days since the start of each district's first demo project

# The generic lifecycle in order, with the usual gap in days before each step (min, max).
PATH: tuple[tuple[str, int, int], ...] = (
    ("declared", 0, 0),
    ("preliminary_review_passed", 10, 30),
    ("technical_review_passed", 5, 20),
    ("expert_review_passed", 7, 30),
    ("approved", 15, 60),
    ("procurement_started", 10, 40),
    ("contract_signed", 20, 60),
    ("contract_filed", 1, 6),
    ("construction_completed", 1, 5),  # right after the last monthly progress report
    ("preliminary_acceptance_passed", 15, 60),
    ("security_assessment_passed", 5, 20),
    ("trial_run_started", 3, 10),
    ("trial_run_ended", 35, 60),
    ("data_aggregated", 3, 15),
    ("final_acceptance_applied", 3, 15),
    ("final_acceptance_passed", 10, 40),
    ("handed_over", 5, 25),
    ("archive_submitted", 3, 9),
    ("self_evaluation_submitted", 200, 360),
    ("shutdown", 200, 700),
)
TARGET_WEIGHTS = {"declare": 6, "review": 8, "approve": 8, "procure": 7, "contract": 9, "implement": 16,
                  "accept": 14, "operate": 16, "evaluate": 10, "closed": 3}

SUBJECTS = ("智慧城管综合指挥", "政务服务一网通办", "基层治理网格化", "城市运行管理", "智慧教育云", "校园安全监控",
            "智慧医疗健康信息", "公共卫生应急指挥", "社会救助信息", "养老服务监管", "智慧社区", "应急管理综合应用",
            "安全生产监管", "生态环境监测", "河长制信息管理", "智慧水务", "智慧交通信号优化", "停车诱导",
            "市场主体信用监管", "食品安全追溯", "不动产登记信息", "住房保障管理", "人社业务经办", "就业服务",
            "档案数字化", "电子证照共享", "公共数据开放", "政务云资源", "视频共享交换", "网络安全态势感知",
            "商用密码应用改造", "电子政务外网", "数据共享交换", "财政预算一体化", "国有资产管理", "统计数据采集",
            "矛盾纠纷多元化解", "法律援助服务", "文化旅游公共服务", "城市部件物联感知")
SYSTEMS = ("平台", "系统", "信息系统", "综合应用", "管理平台", "服务平台", "数据库")
PHASES = ("", "", "", "（一期）", "（二期）", "升级改造", "扩容")
OPERATION_SUFFIXES = ("运维服务", "运行维护", "云资源租赁服务", "等级保护测评服务", "网络链路租赁")
UNITS = ("区城市管理和综合执法局", "区教育局", "区卫生健康局", "区公安分局", "区市场监督管理局", "区应急管理局",
         "区民政局", "区人力资源和社会保障局", "区住房和建设局", "区交通运输局", "区生态环境局", "区司法局",
         "区财政局", "区档案馆", "区水务局", "区文化广电旅游体育局", "区规划和自然资源局", "区统计局",
         "区委政法委", "区行政服务中心")
IT_AUTHORITY = {"luohu": "区政务服务数据管理局", "wuxing": "区大数据局", "yubei": "区大数据发展局",
                "potou": "区政务服务数据管理局"}
STREETS = ("东门", "南湖", "桂园", "黄贝", "翠竹", "笋岗", "清水河", "莲塘", "双龙湖", "龙溪", "回兴", "仙桃")
VENDORS = ("云海信息技术", "华数智联科技", "中科恒信软件", "数智城市科技", "信达网络工程", "天穹数据服务",
           "联创系统集成", "博远电子政务", "星河软件", "安信网络安全")
SUPERVISORS = ("正信工程监理", "华建信息监理", "诚达项目管理咨询")
TESTERS = ("国信测评中心", "赛宝软件评测", "安测信息安全技术")
SERVICE_WORDS = ("运维", "租赁", "测评", "等级保护", "密码", "服务")  # category labels of operation/service projects
CODE_PREFIX = {"luohu": "LH", "wuxing": "WX", "yubei": "YB", "potou": "PT"}


def create_demo(store: Store, count: int = 300, seed: int = 2024,
                progress: Callable[[int], None] = lambda n: None) -> int:
    """Fill `store` with `count` demo projects spread over its districts, a hundred at a time (each
    hundred counted on `progress`); returns how many were saved."""
    rng = random.Random(seed)
    registry = store.registry
    districts = sorted(registry.districts)
    if not districts:
        raise LookupError("没有已安装的地区插件，无法生成演示数据 / no district plugins installed")
    today = dt.date.today()
    for start in range(0, count, 100):
        store.save_projects([_project(rng, registry, districts[n % len(districts)], n, today, example=n < len(districts))
                             for n in range(start, min(start + 100, count))])
        progress(min(100, count - start))
    with store.transaction():  # marks the file as a demo database (`zwxm demo --replace` checks it)
        store.db.execute("INSERT INTO imports (source, started_at, finished_at, inserted) VALUES (?, ?, ?, ?)",
                         [f"{DEMO_SOURCE} (seed {seed})", timestamp(), timestamp(), count])
    return count


def demo_path_for(db_path: Path) -> Path:
    """The demo's own file for a database: demo.db beside it (the file itself when that is a demo.db),
    so the demo never goes into the operator's data."""
    return db_path if db_path.name == DEMO_FILE else db_path.with_name(DEMO_FILE)


def is_demo(store: Store) -> bool:
    """Whether the file holds only what create_demo made (and so may be replaced or removed without
    losing real data): its mark is there and every project carries the demo tag."""
    marked = store.db.execute("SELECT count(*) FROM imports WHERE source LIKE ?", [f"{DEMO_SOURCE}%"]).fetchone()[0]
    if not marked:
        return False
    others = store.db.execute("SELECT count(*) FROM projects WHERE NOT EXISTS "
                              "(SELECT 1 FROM json_each(projects.tags) WHERE value = ?)", [DEMO_TAG]).fetchone()[0]
    return others == 0


def _project(rng: random.Random, registry, district: str, n: int, today: dt.date, example: bool = False) -> Project:
    d = registry.districts[district]
    operation = rng.random() < 0.25 and not example
    kind = "service" if district == "potou" and (rng.random() < 0.5 or example) else (
        "operation" if operation else "construction")
    owner = rng.choice(UNITS) if rng.random() < 0.85 else f"{rng.choice(STREETS)}街道办事处"
    subject = rng.choice(SUBJECTS)
    if kind == "construction":
        name = f"{d.name}{subject}{rng.choice(SYSTEMS)}{rng.choice(PHASES)}"
    else:
        name = f"{d.name}{subject}{rng.choice(SYSTEMS)}{rng.choice(OPERATION_SUFFIXES)}"
    # 万元 amounts, log-uniform between 20万 and 6000万, rounded as budgets are
    wan = round(20 * (300 ** rng.random()), 1 if rng.random() < 0.3 else 0)
    investment = int(wan * 10_000)
    start = today - dt.timedelta(days=EXAMPLE_AGE if example else rng.randint(20, 5 * 365))
    fitting = [c for c in d.categories if "不适用" not in d.category_label(c)
               and any(word in d.category_label(c) for word in SERVICE_WORDS) == (kind != "construction")]
    category = rng.choice(fitting or list(d.categories)) if d.categories else None
    project = Project(
        code=f"{CODE_PREFIX.get(district, district[:2].upper())}-DEMO-{n + 1:04d}",
        name=name, district=district, kind=kind, investment=investment, category=category,
        funding=rng.choice(("department_budget", "department_budget", "government_investment", "own_funds"))
        if investment < 5_000_000 else rng.choice(tuple(FUNDINGS)[:2]),
        owner_unit=owner, user_unit=rng.choice(UNITS) if rng.random() < 0.15 else None,
        contractor=f"{rng.choice(('深圳市', '重庆', '湖州', '湛江'))}{rng.choice(VENDORS)}有限公司",
        supervisor=f"{rng.choice(SUPERVISORS)}有限公司" if investment >= 1_000_000 else None,
        tester=f"{rng.choice(TESTERS)}有限公司" if rng.random() < 0.5 else None,
        budget_year=start.year if start.month < 10 else start.year + 1, tags=[DEMO_TAG],
        facts={"contact": rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(("伟", "敏", "静", "磊", "洋", "婷", "军")),
               "contact_phone": f"023-{rng.randint(6000_0000, 6999_9999)}", "it_authority": IT_AUTHORITY.get(district, "")},
    )
    target = rng.choices(list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()))[0]
    if example:
        target = "contract"
    project.events = list(_history(rng, registry, project, start, target, today, example))
    if STAGE_ORDER.get(_stage_of(project, registry), 0) >= STAGE_ORDER["implement"] and rng.random() < 0.15:
        signed = next(e.date for e in project.events if e.type == "contract_signed")
        when = min(today, signed + dt.timedelta(days=rng.randint(60, 200)))
        project.changes = [Change(when, int(investment * rng.choice((0.05, 0.08, 0.12, -0.06))) // 100 * 100,
                                  rng.choice(("需求调整", "增加接口对接", "缩减建设内容", "设备选型变化")),
                                  major=rng.random() < 0.3)]
    return project


def _stage_of(project: Project, registry) -> str:
    best = max((STAGE_ORDER[registry.event_types[e.type].stage] for e in project.events), default=0)
    return tuple(STAGES)[best]


def _history(rng: random.Random, registry, project: Project, start: dt.date, target: str,
             today: dt.date, example: bool = False) -> Iterator[Event]:
    """Walk the lifecycle to `target`, stopping at today; each event passes the district's gates.
    An `example` stops before the contract filing."""
    events: list[Event] = []
    day = start
    skip_filing = rng.random() < 0.2 or example
    stop_reports = rng.random() < 0.2
    helpers = [key for key, t in registry.event_types.items() if key.startswith(f"{project.district}:")]
    for key, low, high in PATH:
        if STAGE_ORDER[registry.event_types[key].stage] > STAGE_ORDER[target]:
            break
        if key == "contract_filed" and skip_filing:
            continue
        if key == "shutdown" and target != "closed":
            continue
        if key == "construction_completed":
            day, stopped = yield from _monthly_reports(rng, registry, project, events, day, today, stop_reports)
            if stopped:
                return
        day = day + dt.timedelta(days=rng.randint(low, high))
        if day > today:
            break
        yield from _admit(registry, project, events, Event(key, day, actor=project.owner_unit), helpers)


def _admit(registry, project: Project, events: list[Event], event: Event, helpers: list[str]) -> list[Event]:
    """Append `event` if the gates allow it, first adding district prerequisites that remove refusals.

    Returns what was appended (the prerequisites and the event), or nothing when a gate still refuses.
    """
    refusals = gate_refusals(project, event, registry, events)
    added = 0
    while refusals and added < 3:
        target_stage = STAGE_ORDER[registry.event_types[event.type].stage]
        present = {e.type for e in events}
        best = None
        for key in helpers:
            if key in present or STAGE_ORDER[registry.event_types[key].stage] > target_stage:
                continue
            helper = Event(key, event.date, actor=project.owner_unit)
            if gate_refusals(project, helper, registry, events):
                continue
            remaining = gate_refusals(project, event, registry, events + [helper])
            if len(remaining) < len(refusals) and (best is None or len(remaining) < len(best[1])):
                best = (helper, remaining)
        if best is None:
            break
        events.append(best[0])
        refusals = best[1]
        added += 1
    if refusals:
        del events[len(events) - added:]
        return []
    events.append(event)
    return events[len(events) - added - 1:]


def _monthly_reports(rng: random.Random, registry, project: Project, events: list[Event], day: dt.date,
                     today: dt.date, stop_reports: bool):
    """A progress report on or before the 25th of each month from the contract on; some units stop.

    Returns the day of the last report and whether reporting stopped (the project then stays overdue).
    """
    month = day.replace(day=1)
    for index in range(rng.randint(4, 10)):
        report = month.replace(day=rng.randint(15, 25))
        if report <= day:  # signed after this month's report day: the first report is next month's
            report = max(report, day + dt.timedelta(days=1))
            if report.day > 25:
                month = (month + dt.timedelta(days=32)).replace(day=1)
                report = month.replace(day=rng.randint(15, 25))
        if report > today:
            return day, True
        if stop_reports and index >= 2:
            return day, True
        yield from _admit(registry, project, events, Event("progress_reported", report, actor=project.owner_unit,
                                                           note=f"{report:%Y年%m月}进度报告"), [])
        day = report
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return day, False
