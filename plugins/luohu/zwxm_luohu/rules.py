"""Luohu's measure as data and small rules: 《深圳市罗湖区信息化项目管理办法》（罗府办规〔2020〕8号）.

Every threshold, period, department and date sits beside the article that states it. Rules read
the project through the core's Context and answer with its helpers; every date comes from
`ctx.calendar`, so the plugin does no date arithmetic of its own.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from fractions import Fraction
from typing import Any

from zwxm.calendar import add_months
from zwxm.errors import ValueProblem
from zwxm.model import Project, converter, parse_date
from zwxm.money import format_wan
from zwxm.rules import Context, MissingFact

CODE = "luohu"

# --- Facts of the text, each with its article --------------------------------------------------

# 第三十四条 本办法自2020年10月20日起施行，有效期五年: in force from the start of 2020-10-20;
# the fifth anniversary, 2025-10-20, is the first day out of force (last day in force 2025-10-19).
EFFECTIVE_FROM = dt.date(2020, 10, 20)
EFFECTIVE_UNTIL = dt.date(2025, 10, 19)
VALIDITY_ARTICLE = 34

SCOPE_MINIMUM = 500_000  # 第二条 50万元（含）以上: 500,000 元 is in scope
FEASIBILITY_WAIVER_MAXIMUM = 50_000_000  # 第十一条 总投资5000万元（含）以下 may skip feasibility approval
CONTRACT_FILING_DAYS = 10  # 第十五条 签订项目合同之日起10日内备案
MONTHLY_REPORT_DAY = 25  # 第十六条 每月25日前报送进度和资金使用情况
PRELIMINARY_ACCEPTANCE_MONTHS = 6  # 第十八条 项目建成半年内完成初步验收
TRIAL_RUN_MINIMUM_DAYS = 30  # 第十八条 试运行时间不得少于30天
HANDOVER_WORKDAYS = 30  # 第二十条 竣工验收合格后三十个工作日内移交使用单位
WARRANTY_MINIMUM_MONTHS = 24  # 第二十三条 保修期一般不低于2年 (2 years is enough)

# 第二条: projects of district fiscal money; superior-funded projects unless the superior has rules.
FISCAL_FUNDINGS = ("department_budget", "government_investment")  # 第十一条 the two fiscal kinds
EXCLUDED_KINDS = {"operation": "日常的运行维护"}  # 第二条 不适用本办法

# 第二条 the kinds of informatization project, plus the two the article excludes (so they can be recorded).
CATEGORIES: dict[str, tuple[str, str]] = {
    "infrastructure": ("信息化基础设施建设", "IT infrastructure"),
    "software": ("应用系统软件开发", "application software development"),
    "data": ("数据资源共享利用", "data resource sharing and use"),
    "security": ("网络和信息安全", "network and information security"),
    "integration": ("系统集成", "system integration"),
    "smart_city": ("数字政府和智慧城市相关建设", "digital government and smart city"),
    "equipment_purchase": ("单纯设备购置（不适用本办法）", "equipment purchase only (outside the measure)"),
    "routine_om": ("日常运行维护（不适用本办法）", "routine operation and maintenance (outside the measure)"),
}

# The entries of `project.facts` (or of the contract events' payload) the rules read, as an operator names them.
FACT_LABELS: dict[str, tuple[str, str]] = {
    "superior_rules": ("上级资金另有管理规定", "the superior funds come with their own rules"),  # 第二条
    "ex_ante_assessment": ("已完成事前绩效评估", "ex-ante performance assessment done"),  # 第十条
    "warranty_years": ("保修期（年）", "warranty (years)"),  # 第二十三条
    "warranty_months": ("保修期（月）", "warranty (months)"),  # 第二十三条
    "planned_completion": ("合同约定完工日期", "completion date under the contract"),
}
EXCLUDED_CATEGORIES = ("equipment_purchase", "routine_om")

# 第十八条 项目工程验收包括初步验收和竣工验收; 货物类、服务类项目根据实际需求开展验收.
ENGINEERING_KINDS = ("construction",)

IT_AUTHORITY = "区政务服务数据管理局"  # 第三条 区信息化主管部门

# Event types the core lacks (registered in plugin.py under the district's namespace).
PLAN_LISTED = "luohu:annual_plan_listed"  # 第七条 列入年度信息化项目计划
SPECIAL_APPROVAL = "luohu:special_approval"  # 第八条 区主要领导或区领导小组特别审批
EX_ANTE_ASSESSED = "luohu:ex_ante_assessment_completed"  # 第二十六条 事前绩效评估
PROPOSAL_APPROVED = "luohu:proposal_approved"  # 第十一条 项目建议书批复
FEASIBILITY_APPROVED = "luohu:feasibility_approved"  # 第十一条 可行性研究报告批复
CONSTRUCTION_STARTED = "luohu:construction_started"  # 第二十九条 开工建设
CATALOGUE_REGISTERED = "luohu:data_catalogue_registered"  # 第十九条 登记政务数据资源目录
PRELIMINARY_ACCEPTANCE_FILED = "luohu:preliminary_acceptance_filed"  # 第十八条 初步验收材料备案
FINAL_ACCEPTANCE_FILED = "luohu:final_acceptance_filed"  # 第十八条 竣工验收报告备案
PUT_INTO_USE = "luohu:put_into_use"  # 第二十条 投入使用

# 第八条/第十二条: 立项 (proposal approval or the final approval) and 安排资金 (approval of a
# department-budget fund application) both need the annual plan and the technical review first.
APPROVAL_EVENTS = (PROPOSAL_APPROVED, FEASIBILITY_APPROVED, "approved")
# 第十六条 implementation ends with completion (or, unrecorded, the first acceptance).
IMPLEMENTATION_END_EVENTS = ("construction_completed", "preliminary_acceptance_passed", "final_acceptance_passed")

# --- Small readers --------------------------------------------------------------------------------


def yes_no(value: Any) -> bool | None:
    """A yes/no fact as written in TOML or a spreadsheet (the core's words: 是/否, true/false, ...);
    None when missing, blank or unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return converter.structure(value, bool)
    except ValueError:
        return None


def in_scope(project: Project) -> bool:
    """第二条 as one test, for gates: they must not hold back projects the measure does not cover."""
    return (project.investment >= SCOPE_MINIMUM and not project.classified
            and project.funding != "own_funds" and project.kind not in EXCLUDED_KINDS
            and project.category not in EXCLUDED_CATEGORIES
            and not (project.funding == "superior_funds" and yes_no(project.facts.get("superior_rules")) is True))


def is_engineering(project: Project) -> bool:
    """第十八条: initial and final acceptance are fixed for engineering projects only."""
    return project.kind in ENGINEERING_KINDS


def contract_term(ctx: Context, names: tuple[str, ...]) -> tuple[str, str, Any] | None:
    """A term the contract fixes (warranty, completion date): (where, name, value) from the project's
    facts, then the final-acceptance event's payload, then the contract event's payload."""
    sources = [("facts", ctx.project.facts)]
    for event_type in ("final_acceptance_passed", "contract_signed"):
        event = ctx.last(event_type)
        if event is not None:
            sources.append((f"{event_type}.payload", event.payload))
    for where, data in sources:
        for name in names:
            if data.get(name) not in (None, ""):
                return where, name, data[name]
    return None


def bad_value(ctx: Context, where: str, name: str, value: Any, expected: str, expected_en: str):
    """The finding for a fact that is present but unreadable: it names the field and the value."""
    zh, en = ctx.district.fact_label(name, "zh"), ctx.district.fact_label(name, "en")
    return ctx.finding("warning", f"“{zh}”（{where}.{name}）的值 {value!r} 无法识别（应为{expected}），未能检查",
                       f"{en} ({where}.{name}) = {value!r} is unreadable (expected {expected_en}): not checked")


def warranty_months(name: str, value: Any) -> Fraction | None:
    """Months of warranty from `warranty_months` or `warranty_years` (2, "2年", "1.5", "１８个月")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Fraction(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年").removesuffix("个月").strip()
        try:
            number = Fraction(text)
        except (ValueError, ZeroDivisionError):
            return None
    if number < 0:
        return None
    return number * 12 if name == "warranty_years" else number


# --- 第二条: applicability -----------------------------------------------------------------------


def scope_amount(ctx: Context):
    """第二条 50万元（含）以上."""
    amount = ctx.project.investment
    if amount >= SCOPE_MINIMUM:
        return ctx.applies(True, f"投资 {format_wan(amount)}元，达到 50万元（含）以上",
                           f"investment {amount} yuan reaches 500,000 yuan (inclusive)")
    return ctx.applies(False, f"投资 {format_wan(amount)}元，不足 50万元，不适用本办法",
                       f"investment {amount} yuan is under 500,000 yuan: outside the measure")


def scope_funding(ctx: Context):
    """第二条 本级财政性资金; 上级资金项目上级另有规定的从其规定."""
    funding = ctx.require("funding")
    if funding == "own_funds":
        return ctx.applies(False, "未使用本级财政性资金，不适用本办法", "no district fiscal money: outside the measure")
    if funding in FISCAL_FUNDINGS:
        return ctx.applies(True, "使用本级财政性资金", "uses district fiscal money")
    value = ctx.require("superior_rules")
    own_rules = yes_no(value)
    if own_rules is None:
        return ctx.applies(True, f"facts.superior_rules 的值 {value!r} 无法识别（应为是/否），按本办法处理",
                           f"facts.superior_rules = {value!r} is unreadable (expected yes/no): treated as covered")
    if own_rules:
        return ctx.applies(False, "使用上级政府资金，上级政府另有规定，从其规定",
                           "superior government funds with the superior's own rules: those apply")
    return ctx.applies(True, "使用上级政府资金，上级政府未另行规定，适用本办法",
                       "superior government funds without superior rules: the measure applies")


def scope_project_kind(ctx: Context):
    """第二条 日常的运行维护项目不适用本办法."""
    kind = ctx.project.kind
    if kind in EXCLUDED_KINDS:
        return ctx.applies(False, f"{EXCLUDED_KINDS[kind]}项目不适用本办法", "routine operation and maintenance: outside the measure")
    return ctx.applies(True, "建设类项目（新建、续建、升级改造）", "a construction project (new, continued, upgrade)")


def scope_category(ctx: Context):
    """第二条 单纯设备购置和日常运行维护不适用本办法."""
    category = ctx.require("category")
    if category in EXCLUDED_CATEGORIES:
        zh, en = CATEGORIES[category]
        return ctx.applies(False, zh, f"category “{en}” is outside the measure")
    zh, en = CATEGORIES[category]
    return ctx.applies(True, f"项目类别：{zh}", f"category “{en}” is in scope")


def scope_classified(ctx: Context):
    """第二条第三款 涉及国家秘密的项目按保密部门规定实施."""
    if ctx.project.classified:
        return ctx.applies(False, "涉及国家秘密，按保密部门规定实施建设", "classified: follows the secrecy rules")
    return ctx.applies(True, "不涉及国家秘密", "not classified")


# --- 第六条–第十三条: approval path -----------------------------------------------------------


def annual_plan_step(ctx: Context):
    """第六–八条: listed in the annual plan, directly or after a special approval."""
    note = "经区主要领导或区领导小组特别审批纳入（第八条）" if ctx.has(SPECIAL_APPROVAL) else ""
    return ctx.step("annual_plan", done_by=(PLAN_LISTED, SPECIAL_APPROVAL), note=note)


def technical_review_step(ctx: Context):
    """第十二–十三条: the IT authority's technical review (初步审核 + 专家论证) before any approval."""
    return ctx.step("technical_review", done_by=("technical_review_passed",),
                    note=f"{IT_AUTHORITY}初步审核和专家论证，报批或申请经费前取得技术论证意见")


def approval_path(ctx: Context):
    """第十一条: department budget -> 资金申请报告; government investment -> 建议书, 可研, 初步设计."""
    funding = ctx.require("funding")
    if funding == "department_budget":
        return [ctx.step("fund_application_report", done_by=("approved",))]
    if funding != "government_investment":
        return []
    waived = ctx.project.investment <= FEASIBILITY_WAIVER_MAXIMUM
    note = "总投资5000万元（含）以下：取得项目建议书批复后可免于可研审批，初步设计增加可研内容" if waived else ""
    return [
        ctx.step("project_proposal", done_by=(PROPOSAL_APPROVED,)),
        ctx.step("feasibility_study", required=not waived, done_by=(FEASIBILITY_APPROVED,), note=note),
        ctx.step("preliminary_design", done_by=("approved",)),
    ]


# --- Gates ---------------------------------------------------------------------------------------


def annual_plan_before_approval(ctx: Context):
    """第八条 未列入年度计划的，原则上不予立项、不安排资金，除非经特别审批."""
    if in_scope(ctx.project) and not (ctx.has(PLAN_LISTED) or ctx.has(SPECIAL_APPROVAL)):
        return ctx.refuse("未列入年度信息化项目计划：发改部门原则上不予立项、财政部门原则上不安排资金；"
                          "因特殊需要的须经区主要领导或区领导小组审批",
                          "not in the annual plan: no approval or funding unless specially approved "
                          "by the district's principal leader or the leading group")


def technical_review_before_approval(ctx: Context):
    """第十二条 报批或申请经费前须取得技术论证意见."""
    if in_scope(ctx.project) and not ctx.has("technical_review_passed"):
        return ctx.refuse(f"未经{IT_AUTHORITY}技术论证（或论证未通过）：发改部门不予审核，财政部门不予安排资金",
                          "no passed technical review by the IT authority: no approval review, no funding")


def expert_review_after_preliminary_review(ctx: Context):
    """第十三条 初步审核不通过的项目方案不予安排专家论证."""
    if in_scope(ctx.project) and not ctx.has("preliminary_review_passed"):
        return ctx.refuse("专家论证须在区信息化主管部门初步审核通过之后",
                          "expert review comes after the IT authority's preliminary review has passed")


def approval_sequence(ctx: Context):
    """第十一条 政府投资项目依次报批; 5000万元（含）以下可免可研审批."""
    project = ctx.project
    if project.funding != "government_investment" or not in_scope(project):
        return []
    refusals = []
    if not ctx.has(PROPOSAL_APPROVED):
        refusals.append(ctx.refuse("政府投资项目须先取得项目建议书批复（依次报批）",
                                   "a government-investment project needs the proposal approved first"))
    if ctx.event.type == "approved" and project.investment > FEASIBILITY_WAIVER_MAXIMUM \
            and not ctx.has(FEASIBILITY_APPROVED):
        refusals.append(ctx.refuse(f"总投资 {format_wan(project.investment)}元，超过5000万元：须先取得可行性研究报告批复",
                                   "total investment over 50 million yuan: the feasibility study must be approved first"))
    return refusals


def trial_run_after_preliminary_acceptance(ctx: Context):
    """第十八条 初步验收通过后进行试运行."""
    if in_scope(ctx.project) and is_engineering(ctx.project) and not ctx.has("preliminary_acceptance_passed"):
        return ctx.refuse("试运行须在初步验收通过之后", "the trial run follows a passed preliminary acceptance")


def final_acceptance_prerequisites(ctx: Context):
    """第十八条 初步验收、不少于30天的试运行和第三方测评报告，都在竣工验收之前."""
    project = ctx.project
    if not (in_scope(project) and is_engineering(project)):
        return []
    refusals = []
    if not ctx.has("preliminary_acceptance_passed"):
        refusals.append(ctx.refuse("竣工验收前须通过初步验收", "final acceptance needs a passed preliminary acceptance"))
    if not ctx.has("security_assessment_passed"):
        refusals.append(ctx.refuse("竣工验收前须有第三方测评报告（项目质量和网络安全等级测评）",
                                   "final acceptance needs the third-party quality and security test report"))
    started = ctx.date_of("trial_run_started")
    if started is not None:
        earliest = ctx.calendar.not_before_days(started, TRIAL_RUN_MINIMUM_DAYS)
        if ctx.event.date < earliest.date:
            refusals.append(ctx.refuse(f"试运行不得少于30天：{earliest.explanation}",
                                       f"the trial run lasts at least 30 days: {earliest.explanation_en}"))
    return refusals


def data_before_final_acceptance(ctx: Context):
    """第十九条 竣工验收前数据归集至区大数据平台并登记目录，否则不予验收备案."""
    if not in_scope(ctx.project):
        return []
    refusals = []
    if not ctx.has("data_aggregated"):
        refusals.append(ctx.refuse("竣工验收前须将项目数据归集至区大数据平台",
                                   "project data must be aggregated to the district big-data platform before final acceptance"))
    if not ctx.has(CATALOGUE_REGISTERED):
        refusals.append(ctx.refuse("竣工验收前须登记政务数据资源目录",
                                   "the data must be registered in the government data catalogue before final acceptance"))
    return refusals


def no_use_before_final_acceptance(ctx: Context):
    """第二十条 未经竣工验收的建设项目不得投入使用."""
    if in_scope(ctx.project) and not ctx.has("final_acceptance_passed"):
        return ctx.refuse("未经竣工验收的建设项目不得投入使用", "a project may not be used before its final acceptance")


# --- Deadlines -----------------------------------------------------------------------------------


def contract_filing_deadline(ctx: Context):
    """第十五条 签订项目合同之日起10日内报区信息化主管部门备案."""
    signed = ctx.date_of("contract_signed")
    due = ctx.calendar.due_in_days(signed, CONTRACT_FILING_DAYS) if signed else None
    return ctx.deadline(due, ctx.date_of("contract_filed"))


def monthly_progress_report_deadlines(ctx: Context):
    """第十六条 项目实施后每月25日前报送进度和资金使用情况: one deadline per month.

    Implementation starts at 开工 (or, unrecorded, the contract); it ends at completion. A month's
    report is the first one dated in that month, so a report after the 25th is late, not early.
    """
    start = ctx.date_of(CONSTRUCTION_STARTED) or ctx.date_of("contract_signed")
    if start is None:
        return ctx.deadline(None, None)
    ends = [day for day in map(ctx.date_of, IMPLEMENTATION_END_EVENTS) if day is not None]
    end = min(ends) if ends else add_months(ctx.as_of, 1)[0]  # still running: up to next month's report
    reported: dict[tuple[int, int], dt.date] = {}
    for event in ctx.events_of("progress_reported"):
        if event.date >= start:
            reported.setdefault((event.date.year, event.date.month), event.date)
    return [ctx.deadline(due, reported.get((due.date.year, due.date.month)),
                         title=f"月度进度和资金使用报告（{due.date.year}-{due.date.month:02d}）",
                         title_en=f"monthly progress and funds report ({due.date.year}-{due.date.month:02d})")
            for due in ctx.calendar.monthly_due_dates(start, end, MONTHLY_REPORT_DAY)]


def preliminary_acceptance_deadline(ctx: Context):
    """第十八条 项目建成半年内完成初步验收."""
    if not is_engineering(ctx.project):
        return None
    built = ctx.date_of("construction_completed")
    due = ctx.calendar.due_months_after(built, PRELIMINARY_ACCEPTANCE_MONTHS) if built else None
    return ctx.deadline(due, ctx.date_of("preliminary_acceptance_passed"))


def trial_run_minimum(ctx: Context):
    """第十八条 试运行时间不得少于30天: the earliest end of a trial run (only when one is held)."""
    started = ctx.date_of("trial_run_started")
    if started is None or not is_engineering(ctx.project):
        return None
    earliest = ctx.calendar.not_before_days(started, TRIAL_RUN_MINIMUM_DAYS)
    return ctx.deadline(earliest, ctx.date_of("trial_run_ended") or ctx.date_of("final_acceptance_passed"))


def handover_deadline(ctx: Context):
    """第二十条 建用分离的项目，竣工验收合格后三十个工作日内移交使用单位."""
    user = ctx.project.user_unit
    if not user:
        return None
    if user.strip() == str(ctx.require("owner_unit")).strip():
        return None
    accepted = ctx.date_of("final_acceptance_passed")
    due = ctx.calendar.due_in_workdays(accepted, HANDOVER_WORKDAYS) if accepted else None
    return ctx.deadline(due, ctx.date_of("handed_over"))


# --- Findings ------------------------------------------------------------------------------------


def supervisor_selected(ctx: Context):
    """第十四条 根据项目实际需要选定监理: not mandatory, so only a missing record is reported."""
    if ctx.has("contract_signed"):
        ctx.require("supervisor")


def acceptance_filed(ctx: Context):
    """第十八条 初步验收材料、竣工验收报告报区信息化主管部门备案 (no period: a reminder)."""
    for passed, filed, zh, en in (("preliminary_acceptance_passed", PRELIMINARY_ACCEPTANCE_FILED, "初步验收材料", "preliminary acceptance"),
                                  ("final_acceptance_passed", FINAL_ACCEPTANCE_FILED, "竣工验收报告", "final acceptance report")):
        if ctx.has(passed) and not ctx.has(filed):
            yield ctx.finding("info", f"{zh}尚未报{IT_AUTHORITY}备案", f"{en} not yet filed with the IT authority")


def warranty_minimum(ctx: Context):
    """第二十三条 保修期一般不低于2年: a warning when the recorded warranty is shorter."""
    if not (ctx.has("contract_signed") or ctx.has("final_acceptance_passed")):
        return None
    term = contract_term(ctx, ("warranty_months", "warranty_years"))
    if term is None:
        raise MissingFact("warranty_years")
    where, name, value = term
    months = warranty_months(name, value)
    if months is None:
        return bad_value(ctx, where, name, value, "年数或月数", "a number of years or months")
    if months < WARRANTY_MINIMUM_MONTHS:
        unit, unit_en = ("年", "years") if name == "warranty_years" else ("个月", "months")
        written = str(value).strip()  # "1年" keeps its own unit, 1 gets one
        shown = written if written.endswith(unit) else f"{written}{unit}"
        return ctx.finding("warning", f"保修期 {shown}（{where}.{name}），低于2年",
                           f"warranty {value} {unit_en} ({where}.{name}) is under 2 years")
    return None


def ex_ante_performance_assessment(ctx: Context):
    """第二十六条 事前绩效评估结果作为技术论证的重要依据 (第九条: part of every 项目方案)."""
    reviewed = ctx.date_of("technical_review_passed")
    if reviewed is None:
        return None
    assessed = ctx.date_of(EX_ANTE_ASSESSED)
    if assessed is not None:
        if assessed > reviewed:
            return ctx.finding("warning", f"事前绩效评估（{assessed}）晚于技术论证（{reviewed}）",
                               f"ex-ante performance assessment ({assessed}) came after the technical review ({reviewed})")
        return None
    value = ctx.require("ex_ante_assessment")
    done = yes_no(value)
    if done is None:
        return bad_value(ctx, "facts", "ex_ante_assessment", value, "是/否", "yes/no")
    if not done:
        return ctx.finding("warning", "技术论证前未开展事前绩效评估",
                           "no ex-ante performance assessment before the technical review")
    return None


def started_without_review_or_procurement(ctx: Context):
    """第二十九条第（二）项 未经技术论证、政府采购等程序，擅自开工建设."""
    starts = [day for day in (ctx.date_of(CONSTRUCTION_STARTED), ctx.date_of("progress_reported")) if day]
    if not starts:
        return
    started = min(starts)
    reviewed = ctx.date_of("technical_review_passed")
    if reviewed is None or reviewed > started:
        yield ctx.finding("error", f"{started} 开工时未经技术论证（第二十九条第二项）",
                          f"construction started {started} without a technical review (art. 29 item 2)")
    contracted = ctx.date_of("contract_signed")
    if contracted is None or contracted > started:
        yield ctx.finding("error", f"{started} 开工时尚未完成政府采购、签订合同（第二十九条第二项）",
                          f"construction started {started} before procurement and contract (art. 29 item 2)")


def contract_without_procurement(ctx: Context):
    """第二十九条第（二）项 未经政府采购等程序擅自开工建设: a contract signed with no procurement recorded
    buys the works outside the procurement procedure."""
    return ctx.contract_without_procurement("error", "未经政府采购等程序开工建设属第二十九条第二项",
                                            "starting works without government procurement is art. 29 item 2")


def design_changed_during_procurement(ctx: Context):
    """第二十九条第（三）项 政府采购过程中擅自更改设计方案: data shows the change, not whether it was
    authorised, hence a warning."""
    opened = ctx.date_of("procurement_started")
    if opened is None:
        return
    closed = ctx.date_of("contract_signed")
    for change in ctx.project.changes:
        if opened <= change.date <= ctx.as_of and (closed is None or change.date < closed):
            yield ctx.finding("warning", f"政府采购过程中（{change.date}）更改设计方案：未经批准的属第二十九条第三项",
                              f"design changed during procurement ({change.date}): unauthorised, it is art. 29 item 3")


def seriously_overdue(ctx: Context):
    """第二十九条第（六）项 工程严重逾期: past the planned completion with no completion recorded."""
    if not (ctx.has(CONSTRUCTION_STARTED) or ctx.has("contract_signed")) or ctx.has("construction_completed"):
        return None
    term = contract_term(ctx, ("planned_completion",))
    if term is None:
        raise MissingFact("planned_completion")
    where, name, value = term
    try:
        planned = parse_date(value)
    except ValueProblem:
        return bad_value(ctx, where, name, value, "日期 YYYY-MM-DD", "a date YYYY-MM-DD")
    if ctx.as_of > planned:
        return ctx.finding("warning", f"计划 {planned} 完成，至 {ctx.as_of} 未记录建设完成：工程逾期，"
                                      "严重逾期或无法正常进行的由主管部门责令限期整改（第二十九条第六项）",
                           f"planned completion {planned} passed with no completion recorded by {ctx.as_of}: "
                           "serious delay is art. 29 item 6")
    return None


def used_after_failed_acceptance(ctx: Context):
    """第二十九条第（八）项 验收不合格即交付使用."""
    failed = ctx.date_of("acceptance_failed")
    if failed is None:
        return
    for use_type in (PUT_INTO_USE, "handed_over"):
        for event in ctx.events_of(use_type):
            if event.date < failed:
                continue
            passed = ctx.first_on_or_after("final_acceptance_passed", failed)
            if passed is None or passed.date > event.date:
                yield ctx.finding("error", f"{failed} 验收不合格，{event.date} 即交付使用（第二十九条第八项）",
                                  f"acceptance failed {failed}, yet put into use {event.date} (art. 29 item 8)")


# --- 第十七条: changes ---------------------------------------------------------------------------


def change_procedure(ctx: Context):
    """第十七条 重大设计变更或实际总投资超过原批复总概算 -> 按《全过程管理办法》重新报批;
    一般设计变更 -> 各方共同确认后报区信息化主管部门备案.

    The approved total estimate is the project's investment; each change adds its signed amount. A
    change that lowers the total does not "cause" an excess, so it stays a general change.
    """
    approved = ctx.project.investment
    total = approved
    rulings = []
    for change in sorted((c for c in ctx.project.changes if c.date <= ctx.as_of), key=lambda c: c.date):
        total += change.amount
        if change.major:
            rulings.append(ctx.change(change, "reapproval", "重大设计变更：按《全过程管理办法》有关规定重新报批",
                                      "major design change: re-approval under the whole-process measure"))
        elif change.amount > 0 and total > approved:  # 导致…超过: this change pushes the total over
            rulings.append(ctx.change(change, "reapproval",
                                      f"变更后实际总投资 {format_wan(total)}元，超过原批复总概算 {format_wan(approved)}元：重新报批",
                                      f"total after the change, {total} yuan, exceeds the approved estimate {approved} yuan: re-approval"))
        else:
            rulings.append(ctx.change(change, "file_only",
                                      f"一般设计变更：建设单位会同变更提出单位、设计、监理、承建单位共同确认后报{IT_AUTHORITY}备案",
                                      "general change: confirmed jointly by the parties, then filed with the IT authority"))
    return rulings
