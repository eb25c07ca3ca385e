"""Potou's draft measures as data and small rule functions, each named after what its article says.

Facts first (service types, categories, departments, thresholds, periods, the facts a rule reads
from `project.facts`), each with its article; then one function per rule. Dates come only from
`ctx.calendar`. Everything is computed at import time or from the project: no rule reads the text.
"""

from __future__ import annotations

import datetime as dt
import os

from zwxm.lifecycle import CORE_EVENT_TYPES
from zwxm.model import converter
from zwxm.money import format_wan, parse_money
from zwxm.rules import Context, MissingFact

CODE = "potou"

# --- Facts of the text -----------------------------------------------------------------------

# 第四条: who runs a project depends on its category.
CATEGORIES = {"public": ("公共类", "public"), "professional": ("专业类", "specialised")}

# 第二条: the five kinds of purchased service (the fact `service_type`).
SERVICE_TYPES = {
    "infrastructure": ("基础设施服务", "infrastructure service"),
    "software_development": ("软件开发服务", "software development service"),
    "operation_maintenance": ("运行维护服务", "operation and maintenance service"),
    "business_operation": ("系统业务运营服务", "system business operation service"),
    "third_party": ("第三方服务", "third-party service"),
}

# 第二条: only district-level fiscal money (区本级财政资金) brings a project in.
DISTRICT_FISCAL_FUNDINGS = frozenset(("department_budget", "government_investment"))

# 第四条 departments, as the text names them.
BUREAU = "区政务服务数据管理局"
UNITS = "区各有关单位"
FINANCE = "区财政局"
AUDIT = "区审计局"
SECRECY = "区国家保密局"
DEVELOPMENT_REFORM = "区发展改革局"  # 第二十九条
COORDINATION = "区级政务信息化项目建设管理协调机制"  # 第三条

# 第十二条: filing regime (备案制) for O&M and third-party services at any amount, and for
# infrastructure, software development and business operation at or below the procurement threshold.
FILING_AT_ANY_AMOUNT = frozenset(("operation_maintenance", "third_party"))
FILING_UP_TO_THRESHOLD = frozenset(("infrastructure", "software_development", "business_operation"))

# 第十二条 "政府采购限额以下": the district's government-procurement threshold (分散采购限额标准) for
# services. The text does not state it, so it is a setting. Default 100万元: the threshold for goods and
# services in 国办发〔2019〕55号 (中央预算单位政府集中采购目录及标准（2020年版）); Guangdong and Zhanjiang
# publish their own lists, so the district should confirm it. Override for every project with the
# environment variable below (any money text: "100万", "1000000"), or for one project with the fact
# `procurement_threshold`. "以下" includes the number: an amount equal to the threshold is below it.
PROCUREMENT_THRESHOLD_DEFAULT = 1_000_000
PROCUREMENT_THRESHOLD_ENV = "ZWXM_POTOU_PROCUREMENT_THRESHOLD"

# 第十四条: next year's projects approved by the end of September (9月底前) of the year before.
APPROVAL_MONTH = 9

# 第二十一条: a change the unit may make itself and only file.
CHANGE_SHARE_LIMIT_PERCENT = 15  # 资金调整数额不超过项目总金额15% ("不超过" includes 15%)
CHANGE_REASONS = {  # 第二十一条（一）–（三）; the Change's `reason` holds the key
    "regulation_change": ("根据法律法规及有关规定确需改变项目内容", "required by laws or regulations"),
    "technical_optimisation": ("确需对原技术方案进行完善优化", "technical optimisation"),
    "business_need": ("根据业务发展需要在本单位规划框架下调整", "business need within the unit's plan"),
}

# 第二十四条: application-effect self-evaluation within 12 months of acceptance.
EFFECT_EVALUATION_MONTHS = 12

# Event and step keys this district adds (the core vocabulary has no equivalent).
INTERNAL_REVIEW_PASSED = "potou:internal_review_passed"
CRYPTO_REVIEW_PASSED = "potou:crypto_review_passed"
FUNDS_REVIEW_PASSED = "potou:funds_review_passed"
FINANCE_CONSULTED = "potou:finance_consulted"
CONFORMITY_REVIEW_PASSED = "potou:conformity_review_passed"
ARCHIVE_ACCEPTED = "potou:archive_accepted"
ACCEPTANCE_REPORT_SUBMITTED = "potou:acceptance_report_submitted"
BUDGET_EXECUTED = "potou:budget_executed"
PERFORMANCE_EVALUATION_SUBMITTED = "potou:performance_evaluation_submitted"
EFFECT_EVALUATION_SUBMITTED = "self_evaluation_submitted"  # core event: the 应用效果自评价 report

PLAN_STEP = ("potou:project_plan", "编制项目方案", "project plan")
INTERNAL_REVIEW_STEP = ("potou:internal_review", "组织内部论证", "internal review")
APPROVAL_STEP = ("potou:project_approval", "立项审批", "project approval")
FINANCE_CONSULTATION_STEP = ("potou:finance_consultation", "征求区财政局意见（财政新增资金）",
                             "consult the finance bureau (new fiscal money)")

# Facts rules read from `project.facts`: name -> (article, type, Chinese, English).
FACTS = {
    "service_type": (2, "service_type", "服务类型", "service type"),
    "filing_regime": (12, "flag", "采取备案制管理", "managed under the filing regime"),
    "procurement_threshold": (12, "money", "政府采购限额", "procurement threshold"),
    "crypto_application": (10, "flag", "涉及密码应用", "involves cryptography"),
    "new_fiscal_funds": (13, "flag", "涉及财政新增资金", "needs new fiscal money"),
    "superior_mandate": (14, "flag", "国家、省、市、区明确要求的项目", "expressly required by a higher authority"),
    "unit_it_plan": (6, "flag", "已制定本单位政务信息化规划", "unit IT plan made"),
    "data_resource_catalogue": (6, "flag", "已编制政务数据资源目录", "data resource catalogue made"),
    "upgrade": (8, "flag", "升级项目", "upgrade project"),
    "in_system_catalogue": (8, "flag", "系统已纳入政务信息系统目录", "system in the system catalogue"),
    "shares_data": (8, "flag", "按要求共享数据资源", "shares data as required"),
    "duplicate_data_collection": (8, "flag", "重复采集数据", "collects data already collected"),
    "crypto_security_compliant": (8, "flag", "符合密码应用和网络安全要求", "meets crypto and security requirements"),
    "major_security_risk": (8, "flag", "存在重大安全隐患", "has a major security risk"),
    "secure_and_controllable": (8, "flag", "符合国家安全可靠应用政策", "meets the secure-and-controllable policy"),
    "crypto_synchronous": (18, "flag", "密码保障系统同步规划、同步建设、同步运行",
                           "crypto system planned, built and run together"),
    "approved_budget": (21, "money", "批复预算", "approved budget"),
}


def _threshold_setting() -> tuple[int, str]:
    """The procurement threshold from the environment, or the default; a bad value is kept as a problem."""
    raw = os.environ.get(PROCUREMENT_THRESHOLD_ENV, "").strip()
    if not raw:
        return PROCUREMENT_THRESHOLD_DEFAULT, ""
    try:
        return parse_money(raw), ""
    except ValueError:
        return PROCUREMENT_THRESHOLD_DEFAULT, raw


PROCUREMENT_THRESHOLD, PROCUREMENT_THRESHOLD_BAD_SETTING = _threshold_setting()

# --- Reading facts ---------------------------------------------------------------------------


def _as_flag(value: object) -> bool | None:
    if value is True or value is False:
        return value
    try:
        return converter.structure(value, bool)
    except ValueError:
        return None


def _as_money(value: object) -> int | None:
    try:
        return parse_money(value)
    except ValueError:
        return None


def flag(ctx: Context, name: str) -> bool:
    """A yes/no fact the rule needs; missing or unreadable, the rule becomes an info finding."""
    value = _as_flag(ctx.require(name))
    if value is None:  # the bad value itself is reported by `fact_values`
        raise MissingFact(name)
    return value


def optional_flag(ctx: Context, name: str) -> bool | None:
    """A yes/no fact that only matters when given: None when missing or unreadable."""
    value = ctx.fact(name)
    return None if value is None else _as_flag(value)


def service_type(ctx: Context) -> str:
    value = ctx.require("service_type")
    if not isinstance(value, str) or value not in SERVICE_TYPES:
        raise MissingFact("service_type")
    return value


def procurement_threshold(ctx: Context) -> int:
    """The project's own threshold fact, else the plugin setting (第十二条)."""
    value = ctx.fact("procurement_threshold")
    if value is not None:
        amount = _as_money(value)
        if amount is None:
            raise MissingFact("procurement_threshold")
        return amount
    if PROCUREMENT_THRESHOLD_BAD_SETTING:
        raise MissingFact("procurement_threshold")
    return PROCUREMENT_THRESHOLD


def filing_eligible(ctx: Context) -> bool:
    """第十二条: may this project be managed under the filing regime?"""
    kind = service_type(ctx)
    return kind in FILING_AT_ANY_AMOUNT or ctx.project.investment <= procurement_threshold(ctx)


def filing_adopted(ctx: Context) -> bool | None:
    """Whether the project is under the filing regime: False when not eligible, None when not said."""
    if not filing_eligible(ctx):
        return False
    return optional_flag(ctx, "filing_regime")


def _yuan(amount: int) -> str:
    """Money for English messages: 1,000,000 yuan (Chinese messages use format_wan)."""
    return f"{amount:,} yuan"


def _runner(category: str) -> str:
    return BUREAU if category == "public" else UNITS


# --- 第二条、第五条: scope --------------------------------------------------------------------


def scope(ctx: Context):
    """第二条: services bought with district fiscal money; 第五条: classified projects are out."""
    if ctx.project.classified:
        return ctx.applies(False, "涉密项目按有关规定执行，不适用本办法",
                           "classified projects follow the secrecy rules, not these measures", article=5)
    if ctx.require("funding") in DISTRICT_FISCAL_FUNDINGS:
        return ctx.applies(True, "使用区本级财政资金采购的政务信息化服务项目",
                           "a service bought with district-level fiscal money")
    return ctx.applies(False, "非区本级财政资金（上级资金或自有资金），不属于本办法的区级政务信息化项目",
                       "not district-level fiscal money (superior or own funds): outside these measures")


def fact_values(ctx: Context):
    """Facts this district reads must hold usable values; a bad one is named with its value."""
    for name, value in ctx.project.facts.items():
        if name not in FACTS:
            continue  # another district's fact
        article, kind, zh, en = FACTS[name]
        if kind == "service_type":
            if not isinstance(value, str) or value not in SERVICE_TYPES:
                yield ctx.finding("error", f"{zh}（facts.service_type）：{value!r} 不是第二条的服务类型（可选："
                                  f"{'、'.join(f'{key}（{names[0]}）' for key, names in SERVICE_TYPES.items())}）",
                                  f"{en} (facts.service_type): {value!r} is not a service type of article 2 "
                                  f"(one of {', '.join(f'{key} ({names[1]})' for key, names in SERVICE_TYPES.items())})",
                                  article=article)
        elif kind == "flag" and _as_flag(value) is None:
            yield ctx.finding("error", f"facts.{name}（{zh}）：{value!r} 无法识别，应为是/否",
                              f"facts.{name} ({en}): {value!r} is not yes or no", article=article)
        elif kind == "money" and _as_money(value) is None:
            yield ctx.finding("error", f"facts.{name}（{zh}）：{value!r} 不是有效金额",
                              f"facts.{name} ({en}): {value!r} is not an amount of money", article=article)
    if PROCUREMENT_THRESHOLD_BAD_SETTING:
        yield ctx.finding("error", f"环境变量 {PROCUREMENT_THRESHOLD_ENV}：{PROCUREMENT_THRESHOLD_BAD_SETTING!r} "
                                   "不是有效金额，无法判断是否在政府采购限额以下",
                          f"environment variable {PROCUREMENT_THRESHOLD_ENV}: {PROCUREMENT_THRESHOLD_BAD_SETTING!r} "
                          "is not an amount of money: cannot tell whether the project is below the procurement "
                          "threshold", article=12)


# --- 第十条–第十三条、第二十九条: approval path ----------------------------------------------------


def approval_path(ctx: Context):
    """第十条 public, 第十一条 professional, 第十二条 filing regime; 第二十九条 fixed-asset investment."""
    category = ctx.require("category")
    eligible = filing_eligible(ctx)
    filing = eligible and optional_flag(ctx, "filing_regime") is not False
    runner = _runner(category)
    full_path_article = 10 if category == "public" else 11
    article = 12 if filing else full_path_article
    skippable = "备案制管理可免（第十二条）" if filing else ""
    steps = [ctx.step(PLAN_STEP[0], done_by=("declared",), title=PLAN_STEP[1], title_en=PLAN_STEP[2],
                      note=f"{runner}编制" + ("（汇总各单位公共类需求）" if category == "public" else ""), article=article)]
    if filing or category == "professional":
        steps.append(ctx.step(INTERNAL_REVIEW_STEP[0], done_by=(INTERNAL_REVIEW_PASSED,), title=INTERNAL_REVIEW_STEP[1],
                              title_en=INTERNAL_REVIEW_STEP[2], note=f"{runner}组织", article=article))
    if category == "professional":
        steps.append(ctx.step("preliminary_review", required=not filing, done_by=("preliminary_review_passed",),
                              note=skippable or f"{BUREAU}组织立项初审", article=11))
    steps.append(ctx.step("expert_review", required=not filing, done_by=("expert_review_passed",),
                          note=skippable or f"{BUREAU}组织，评审意见报送{FINANCE}", article=full_path_article))
    steps.append(ctx.step("funds_review", required=not filing, done_by=(FUNDS_REVIEW_PASSED,),
                          note=skippable or f"{FINANCE}组织，出具预算审核、资金来源、分年度安排初步意见",
                          article=full_path_article))
    if ctx.fact("funding") == "government_investment":
        steps.append(ctx.step("investment_approval", done_by=("approved",),
                              note=f"属于《政府投资条例》约束范围，由{DEVELOPMENT_REFORM}牵头审批", article=29))
    elif filing and category == "professional":
        steps.append(ctx.step("filing", done_by=("approved",), note=f"报{BUREAU}备案审核通过后完成立项", article=12))
    else:
        steps.append(ctx.step(APPROVAL_STEP[0], done_by=("approved",), title=APPROVAL_STEP[1], title_en=APPROVAL_STEP[2],
                              note=f"{BUREAU}综合各方意见后" + ("报批" if category == "public" else "出具立项审批意见"),
                              article=article))
    return steps


def crypto_review(ctx: Context):
    """第十条（二）、第十一条（二）: a project using cryptography needs the secrecy bureau's review."""
    if flag(ctx, "crypto_application"):
        return ctx.step("crypto_review", done_by=(CRYPTO_REVIEW_PASSED,), note=f"{SECRECY}出具密码应用审核意见")
    return None


def finance_consultation(ctx: Context):
    """第十三条: new fiscal money -> ask the finance bureau before applying for approval or filing."""
    if flag(ctx, "new_fiscal_funds"):
        return ctx.step(FINANCE_CONSULTATION_STEP[0], done_by=(FINANCE_CONSULTED,), title=FINANCE_CONSULTATION_STEP[1],
                        title_en=FINANCE_CONSULTATION_STEP[2], note="申请立项或备案前")
    return None


def filing_regime_eligibility(ctx: Context):
    """第十二条: a project declared under the filing regime must be one the article allows."""
    if optional_flag(ctx, "filing_regime") and not filing_eligible(ctx):
        kind = SERVICE_TYPES[service_type(ctx)]
        limit = procurement_threshold(ctx)
        return ctx.finding("error", f"{kind[0]} {format_wan(ctx.project.investment)} 超过政府采购限额 {format_wan(limit)}，"
                                    "不能采取备案制管理",
                           f"{kind[1]} of {_yuan(ctx.project.investment)} is above the procurement threshold "
                           f"{_yuan(limit)}: the filing regime is not allowed")
    return None


# --- 第十四条: approval by the end of September of the year before -----------------------------


def _approval_due(ctx: Context):
    """The 9月底 date for this project's budget year, or None when a higher authority required it."""
    if optional_flag(ctx, "superior_mandate"):
        return None
    year = ctx.require("budget_year")
    return ctx.calendar.fixed_date(year - 1, APPROVAL_MONTH)


def approval_by_september(ctx: Context):
    """第十四条: a project for next year is approved by the end of September of this year."""
    due = _approval_due(ctx)
    if due is None:
        return None
    return ctx.deadline(due, ctx.date_of("approved"))


def late_approval_outside_budget(ctx: Context):
    """第十四条: not approved in time -> as a rule not in next year's budget."""
    if ctx.fact("budget_year") is None:
        return None  # reported once, by approval_by_september
    due = _approval_due(ctx)
    if due is None:
        return None
    approved = ctx.date_of("approved")
    if (approved or ctx.as_of) > due.date:
        year = ctx.project.budget_year
        return ctx.finding("warning", f"未在 {due.date} 前完成立项，原则上不纳入 {year} 年度预算",
                           f"not approved by {due.date}: as a rule not in the {year} budget")
    return None


# --- 第六条、第八条、第十八条、第二十八条: findings -----------------------------------------------


_UNFIT_SYSTEM_CONDITIONS = (  # 第八条 (item, item in English, fact, value that disqualifies, Chinese, English)
    ("（一）", "(1)", "in_system_catalogue", False, "未纳入政务信息系统目录", "not in the system catalogue"),
    ("（二）", "(2)", "shares_data", False, "未按要求共享数据资源", "does not share data as required"),
    ("（二）", "(2)", "duplicate_data_collection", True, "重复采集数据", "collects data already collected"),
    ("（三）", "(3)", "crypto_security_compliant", False, "不符合密码应用和网络安全要求", "fails crypto or security requirements"),
    ("（三）", "(3)", "major_security_risk", True, "存在重大安全隐患", "has a major security risk"),
    ("（四）", "(4)", "secure_and_controllable", False, "不符合国家安全可靠应用政策", "fails the secure-and-controllable policy"),
)
_NEEDED_FOR_UNFIT_CHECK = ("in_system_catalogue", "shares_data", "crypto_security_compliant", "secure_and_controllable")
_OPERATION_SERVICES = frozenset(("operation_maintenance", "business_operation"))


def no_approval_for_unfit_systems(ctx: Context):
    """第八条: no O&M, operation or upgrade project for a system that is unlisted, unshared or unsafe."""
    if not optional_flag(ctx, "upgrade") and service_type(ctx) not in _OPERATION_SERVICES:
        return
    approved = ctx.has("approved")
    severity = "error" if approved else "warning"
    lead = ("已立项，但系统" if approved else "系统", "approved although the system" if approved else "the system")
    for item, item_en, name, bad, zh, en in _UNFIT_SYSTEM_CONDITIONS:
        if optional_flag(ctx, name) is bad:
            yield ctx.finding(severity, f"{lead[0]}{zh}：运行维护、运营及升级项目原则上不予立项（第八条{item}）",
                              f"{lead[1]} {en}: no O&M, operation or upgrade project as a rule (art. 8 {item_en})")
    missing = [name for name in _NEEDED_FOR_UNFIT_CHECK if optional_flag(ctx, name) is None]
    if missing:
        yield ctx.finding("info", f"缺少 {'、'.join(missing)}，无法完整检查第八条",
                          f"missing {', '.join(missing)}: article 8 cannot be fully checked")


def crypto_three_synchronous(ctx: Context):
    """第十八条: a crypto project plans, builds and runs its crypto protection together with the system."""
    if optional_flag(ctx, "crypto_application") and not flag(ctx, "crypto_synchronous"):
        return ctx.finding("error", "涉及密码应用的项目未同步规划、同步建设、同步运行密码保障系统",
                           "crypto protection not planned, built and run together with the system")
    return None


_NEEDS_APPROVAL_FIRST = ("procurement_started", "contract_signed", "progress_reported", "construction_completed")


def started_without_approval(ctx: Context):
    """第二十八条: procuring or contracting without the approval or filing procedure."""
    approved = ctx.date_of("approved")
    for event in ctx.events:
        if event.type in _NEEDS_APPROVAL_FIRST and (approved is None or event.date < approved):
            label = CORE_EVENT_TYPES[event.type]
            return ctx.finding("error", f"{event.date}“{label.label}”，但此前未完成立项审批或备案程序",
                               f"{label.label_en} on {event.date} without the approval or filing procedure first")
    return None


def contract_without_procurement(ctx: Context):
    """第十六条: projects are procured under the government procurement rules, before their contract."""
    return ctx.contract_without_procurement("error", "应按政府采购有关规定开展项目采购",
                                            "projects are procured under the government procurement rules")


def acceptance_report_to_bureau(ctx: Context):
    """第二十二条: a unit that accepts its professional project sends the report to the bureau."""
    if ctx.has("final_acceptance_passed") and not ctx.has(ACCEPTANCE_REPORT_SUBMITTED):
        if ctx.require("category") == "professional":
            return ctx.finding("warning", f"专业类项目已验收，验收报告尚未报送{BUREAU}",
                               "professional project accepted: the acceptance report has not been sent to the bureau")
    return None


# --- 第二十四条: self-evaluations ----------------------------------------------------------------


def effect_self_evaluation(ctx: Context):
    """第二十四条: application-effect self-evaluation within 12 months after acceptance."""
    accepted = ctx.date_of("final_acceptance_passed")
    if accepted is None:
        return ctx.deadline(None, None)
    done = ctx.first_on_or_after(EFFECT_EVALUATION_SUBMITTED, accepted)
    return ctx.deadline(ctx.calendar.due_months_after(accepted, EFFECT_EVALUATION_MONTHS), done.date if done else None)


def _performance_evaluation_opens(ctx: Context):
    """Not before the budget year has ended or the budget is spent, whichever comes first."""
    if not ctx.has("approved"):
        return None
    year_end = ctx.calendar.fixed_date(ctx.require("budget_year"), 12).date
    executed = ctx.date_of(BUDGET_EXECUTED)
    trigger = min(year_end, executed) if executed else year_end
    return ctx.calendar.not_before_days(trigger, 1)


def performance_self_evaluation(ctx: Context):
    """第二十四条: performance self-evaluation after the budget year ends or the budget is spent."""
    opens = _performance_evaluation_opens(ctx)
    return ctx.deadline(opens, ctx.date_of(PERFORMANCE_EVALUATION_SUBMITTED))


def performance_self_evaluation_outstanding(ctx: Context):
    """第二十四条: once due, the performance self-evaluation goes to the bureau and the finance bureau."""
    if ctx.fact("budget_year") is None:
        return None  # reported once, by performance_self_evaluation
    if ctx.has(PERFORMANCE_EVALUATION_SUBMITTED):
        return None
    opens = _performance_evaluation_opens(ctx)
    if opens is not None and ctx.as_of >= opens.date:
        return ctx.finding("warning", f"预算年度已终了或预算已执行完毕，应开展绩效自评价并报送{BUREAU}和{FINANCE}（本办法未规定期限）",
                           "the budget year has ended or the budget is spent: a performance self-evaluation is due "
                           "to the bureau and the finance bureau (no period stated)")
    return None


# --- 第二十一条: changes --------------------------------------------------------------------------


def change_procedure(ctx: Context):
    """第二十一条: within budget, same goal, ≤15% and a listed reason -> file only; else reapproval."""
    if not ctx.project.changes:
        return None
    investment = ctx.project.investment
    budget_fact = _as_money(ctx.fact("approved_budget")) if ctx.fact("approved_budget") is not None else None
    budget = investment if budget_fact is None else budget_fact
    total = investment
    rulings = []
    for change in sorted(ctx.project.changes, key=lambda c: c.date):
        if change.date > ctx.as_of:
            continue
        total += change.amount
        failed = _change_failures(change, investment, total, budget)
        if failed:
            zh = "；".join(f[0] for f in failed)
            en = "; ".join(f[1] for f in failed)
            rulings.append(ctx.change(change, "reapproval", f"{zh}：按相关法律法规和规定重新履行程序",
                                      f"{en}: follow the ordinary procedure again"))
        else:
            reason = CHANGE_REASONS[change.reason]
            rulings.append(ctx.change(change, "file_only", f"{reason[0]}，调整 {format_wan(abs(change.amount))} 未超过项目总金额 "
                                                           f"{CHANGE_SHARE_LIMIT_PERCENT}%：单位自行调整并报{BUREAU}备案",
                                      f"{reason[1]}, {_yuan(abs(change.amount))} within {CHANGE_SHARE_LIMIT_PERCENT}% "
                                      "of the total: the unit adjusts it and files it with the bureau"))
    return rulings


def _change_failures(change, investment: int, total: int, budget: int) -> list[tuple[str, str]]:
    """Which conditions of 第二十一条 a change fails, in Chinese and English."""
    failed = []
    if total > budget:
        failed.append((f"调整后总金额 {format_wan(total)} 超出批复预算 {format_wan(budget)}",
                       f"the new total {_yuan(total)} exceeds the approved budget {_yuan(budget)}"))
    if change.major:
        failed.append(("项目目标改变", "the project goal changes"))
    if abs(change.amount) * 100 > investment * CHANGE_SHARE_LIMIT_PERCENT:
        failed.append((f"调整 {format_wan(abs(change.amount))} 超过项目总金额 {format_wan(investment)} 的 {CHANGE_SHARE_LIMIT_PERCENT}%",
                       f"{_yuan(abs(change.amount))} is over {CHANGE_SHARE_LIMIT_PERCENT}% of {_yuan(investment)}"))
    if not change.reason:
        failed.append((f"未说明变更原因（可选：{'、'.join(CHANGE_REASONS)}）",
                       f"no reason given (one of {', '.join(CHANGE_REASONS)})"))
    elif change.reason not in CHANGE_REASONS:
        failed.append((f"变更原因 {change.reason!r} 不属于第二十一条所列情形（可选：{'、'.join(CHANGE_REASONS)}）",
                       f"reason {change.reason!r} is none of article 21's ({', '.join(CHANGE_REASONS)})"))
    return failed


# --- Gates ---------------------------------------------------------------------------------------


def plan_and_catalogue_before_approval(ctx: Context):
    """第六条: the unit's IT plan and data resource catalogue are prerequisites of approval."""
    missing = [FACTS[n][2] for n in ("unit_it_plan", "data_resource_catalogue") if optional_flag(ctx, n) is False]
    if missing:
        return ctx.refuse(f"立项审批的必备条件未满足：未{'、'.join(m.removeprefix('已') for m in missing)}",
                          "the unit's IT plan and data resource catalogue are prerequisites of approval")
    return None


def finance_before_declaration(ctx: Context):
    """第十三条: with new fiscal money, the finance bureau is consulted before applying."""
    if optional_flag(ctx, "new_fiscal_funds") and not ctx.has(FINANCE_CONSULTED):
        return ctx.refuse(f"涉及财政新增资金，应在申请立项或备案前征求{FINANCE}意见",
                          "new fiscal money: consult the finance bureau before applying")
    return None


def conformity_review_before_acceptance(ctx: Context):
    """第二十二条: a professional project not under the filing regime passes the conformity review first."""
    if ctx.category == "professional" and not ctx.has(CONFORMITY_REVIEW_PASSED):
        adopted = filing_adopted(ctx)
        if adopted is False:
            return ctx.refuse(f"专业类项目验收前须经符合性审查并由{BUREAU}审核通过",
                              "a professional project needs the conformity review approved by the bureau before acceptance")
    return None


def archives_before_acceptance(ctx: Context):
    """第二十三条: no project acceptance without passed archive acceptance."""
    if not ctx.has(ARCHIVE_ACCEPTED):
        return ctx.refuse("未进行档案验收或档案验收不合格的，不得通过项目验收",
                          "no project acceptance before the archives are accepted")
    return None
