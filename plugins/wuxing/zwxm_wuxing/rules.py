"""Wuxing's measures (吴政办发〔2023〕43号) as data and small rule functions.

The facts come first, each with the article it comes from; the rule functions below read them and
are named after what their article says. Amounts are whole 元. Every date goes through
`ctx.calendar`; the plugin only compares dates, it never computes one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from zwxm.errors import ValueProblem
from zwxm.model import converter, parse_date
from zwxm.money import format_wan, parse_money
from zwxm.rules import MissingFact

WAN = 10_000  # 万元

# --- Scope and categories (第二条、第三条、第十二条、第三十二条) -----------------------------------

CONSTRUCTION_CATEGORIES: dict[str, tuple[str, str]] = {  # 第三条: 建设项目
    "infrastructure": ("信息基础设施项目", "information infrastructure"),
    "multi_collab": ("多跨协同应用项目", "multi-level cross-department application"),
    "general_app": ("一般业务应用项目", "general business application"),
    "other": ("其他需要纳入管理的信息化建设项目", "other IT construction"),
}
OPERATION_CATEGORIES: dict[str, tuple[str, str]] = {  # 第三条: 运维项目
    "software_hardware_om": ("软硬件运维", "software and hardware O&M"),
    "cloud_rental": ("云资源租赁", "cloud resource rental"),
    "data_om": ("数据资源运维", "data resource O&M"),
    "link_rental": ("网络链路租赁", "network link rental"),
    "third_party_rental": ("第三方租赁", "third-party rental"),
    "graded_protection": ("信息系统安全等级保护", "graded security protection (等保)"),
    "commercial_crypto": ("商用密码应用", "commercial cryptography"),
}
CATEGORIES: dict[str, tuple[str, str]] = {**CONSTRUCTION_CATEGORIES, **OPERATION_CATEGORIES}

EXCLUDED_TAGS: dict[str, tuple[str, str]] = {  # 第三条第三款: 不纳入本办法管理
    "scattered_equipment": ("零星设备采购和项目维护", "scattered equipment purchase and maintenance"),
    "new_media": ("新媒体建设运营", "new-media build and operation"),
    "digital_art": ("影视文化等数字艺术创意类产品和服务", "film, culture and digital-art products and services"),
}

# 第八条: 原则上不得申报. tag -> (item of 第八条, zh, en)
MUST_NOT_DECLARE_TAGS: dict[str, tuple[int, str, str]] = {
    "new_server_room": (1, "独立新建或扩建机房", "builds or extends its own server room"),
    "new_cloud_platform": (1, "独立新建或扩建云平台", "builds or extends its own cloud platform"),
    "new_data_centre": (1, "独立新建或扩建实体数据中心", "builds or extends its own data centre"),
    "unclear_needs": (2, "未明确需求", "needs not defined"),
    "unclear_goals": (2, "绩效目标不明确", "performance goals unclear"),
    "duplicate_construction": (2, "重复建设", "duplicates existing construction"),
    "weak_security": (2, "信息安全保障不到位", "information security not ensured"),
    "hinders_data_sharing": (2, "不利于数据资源共享", "hinders data sharing"),
    "off_public_data_platform": (3, "未依托一体化智能化公共数据平台和湖州城市芯大脑吴兴分节点开展非涉密数据交换、处理、分析",
                                 "processes non-classified data outside the public data platform"),
    "under_researched_multi_collab": (4, "需求调研不充分、业务梳理不到位的多跨场景应用", "under-researched multi-collab scenario"),
    "public_capability_unused": (5, "能利用但未利用公共支撑平台和公共应用平台", "ignores available public platforms"),
    "split_to_evade_oversight": (6, "以化整为零的方式拆分项目规避监管", "split into parts to evade oversight"),
}

# A tag may be written as its key or as its Chinese label.
TAG_KEYS: dict[str, str] = {
    **{key: key for key in (*EXCLUDED_TAGS, *MUST_NOT_DECLARE_TAGS)},
    **{zh: key for key, (zh, _en) in EXCLUDED_TAGS.items()},
    **{zh: key for key, (_item, zh, _en) in MUST_NOT_DECLARE_TAGS.items()},
}

# --- Thresholds (以上/以下/及以上 include the number; 低于/超过 exclude it) ----------------------

CITY_REVIEW_MINIMUM = 500 * WAN  # 第十条: 总投资500万元以上的多跨协同项目向市大数据局申报
FEASIBILITY_MINIMUM = 500 * WAN  # 第十三条: 低于500万元出具项目联系单; 500万元以上批复可研
PRELIMINARY_DESIGN_MINIMUM = 2000 * WAN  # 第十三条: 2000万元以上还需批复初步设计
SUPERVISION_MINIMUM = 100 * WAN  # 第十七条: 资金预算100万元及以上必须实行工程监理制
CHANGE_REAPPROVAL_AMOUNT = 100 * WAN  # 第十九条（二）: 调整金额100万元以上报联审机构重新审批
CHANGE_REAPPROVAL_SHARE_PERCENT = 10  # 第十九条（二）: 超过实际投资金额10%（不含10%）
SELF_ACCEPTANCE_MAXIMUM = 50 * WAN  # 第二十条: 预算金额50万元以下由各单位自行组织专家验收

# --- Periods --------------------------------------------------------------------------------

CONTRACT_UPLOAD_WORKDAYS = 5  # 第十五条: 合同签订后5个工作日内上传
ACCEPTANCE_AND_TRIAL_MONTHS = 3  # 第二十条: 基本完成建设后3个月内完成初验和试运行
TRIAL_RUN_MINIMUM_MONTHS = 1  # 第二十条: 不少于一个月试运行
RECTIFICATION_MONTHS = 3  # 第二十条: 未通过验收的3个月内完成整改
WARRANTY_MINIMUM_YEARS = 3  # 第二十七条: 维保期自竣工验收合格之日起不少于3年

# --- Facts the rules read from project.facts --------------------------------------------------


def _bool(value: object) -> bool:
    return converter.structure(value, bool)


def _years(value: object) -> Decimal:
    text = str(value).strip().removesuffix("年") if not isinstance(value, bool) else ""
    try:
        years = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(value, "需要年数，如 3 或 3年", "expected a number of years, e.g. 3") from None
    if not years.is_finite() or years < 0:
        raise ValueProblem(value, "需要年数，如 3 或 3年", "expected a number of years, e.g. 3")
    return years


IP_OWNERS: dict[str, str] = {  # 第十六条: who owns the project's results under the contract
    "owner_unit": "owner_unit", "建设单位": "owner_unit",
    "contractor": "contractor", "承建单位": "contractor",
    "unspecified": "unspecified", "未约定": "unspecified",
}


def _ip_owner(value: object) -> str:
    if isinstance(value, str) and value.strip() in IP_OWNERS:
        return IP_OWNERS[value.strip()]
    raise ValueProblem(value, "可选：owner_unit（建设单位）、contractor（承建单位）、unspecified（未约定）",
                       "one of owner_unit, contractor, unspecified")


# name -> (parser, zh, en); the README lists the same keys.
FACTS: dict[str, tuple[object, str, str]] = {
    "declaration_deadline": (parse_date, "区大数据局通知的申报截止日", "declaration deadline set by the big-data bureau"),
    "supplement_procedure": (_bool, "经信息化项目增补程序纳入当年计划", "added through the supplement procedure"),
    "estimate_includes_security": (_bool, "投资概算含安全配套经费", "estimate includes security costs"),
    "estimate_includes_supervision": (_bool, "投资概算含监理经费", "estimate includes supervision costs"),
    "managed_in_project_system": (_bool, "所运维系统已纳入吴兴区信息化项目管理系统管理",
                                  "the system is managed in the district project system"),
    "ip_owner": (_ip_owner, "合同约定的项目成果及知识产权归属", "owner of results and IP under the contract"),
    "supervisor_affiliated": (_bool, "监理单位与承建单位存在关联", "supervisor affiliated with the contractor"),
    "actual_investment": (parse_money, "实际投资金额", "actual investment"),
    "security_agreement_signed": (_bool, "已签订网络及数据安全保护协议和保密协议",
                                  "network/data security and confidentiality agreements signed"),
    "warranty_years": (_years, "合同约定的维保期（年）", "warranty in years under the contract"),
}


def read_fact(ctx, name: str):
    """A fact parsed by its parser; None when missing or unreadable (`fact_values` reports the latter)."""
    value = ctx.fact(name)
    if value is None or value == "":
        return None
    try:
        return FACTS[name][0](value)
    except ValueProblem:
        return None


def need_fact(ctx, name: str):
    """A fact the rule cannot do without: missing or unreadable becomes the core's info finding."""
    value = read_fact(ctx, name)
    if value is None:
        raise MissingFact(name)
    return value


def missing_fact(ctx, name: str, article: int | None = None):
    """The info finding `ctx.require` gives, for a rule that still has other answers to give."""
    rule = ctx.rule
    zh, en = ctx.district.fact_label(name, "zh"), ctx.district.fact_label(name, "en")
    return ctx.finding("info", f"缺少“{zh}”，无法检查：{rule.title}",
                       f"missing: {en}: cannot check {rule.title_en or rule.key}", article=article)


# --- Small readings of the project ------------------------------------------------------------


def is_construction(ctx) -> bool:
    return ctx.project.kind == "construction"


def district_approves(ctx) -> bool:
    """第二条第二款: projects the state, province or city arrange and fund are approved above them;
    this district only supervises them, so its approval path and declaration window do not apply."""
    return ctx.project.funding != "superior_funds"


def supervision_mandatory(ctx) -> bool:
    """第十七条: construction projects with a budget of 100万元及以上."""
    return is_construction(ctx) and ctx.project.investment >= SUPERVISION_MINIMUM


def tag_keys(tags: list[str]) -> list[str]:
    return [TAG_KEYS.get(tag.strip(), tag.strip()) for tag in tags]


def earliest(ctx, *event_types: str) -> dt.date | None:
    dates = [d for d in map(ctx.date_of, event_types) if d is not None]
    return min(dates, default=None)


def _same_party(a: str | None, b: str | None) -> bool:
    return bool(a and b) and "".join(a.split()).casefold() == "".join(b.split()).casefold()


# --- Applicability ----------------------------------------------------------------------------

KIND_WORDS = {  # 第三条: the measures know construction and operation; a purchased service is 运维
    "construction": ("建设项目", "a construction project"),
    "operation": ("运维项目", "an operation project"),
    "service": ("运维项目（购买服务）", "an operation project (purchased service)"),
}


def scope_and_exclusions(ctx):
    """第三条: construction and operation projects, except the purchases its third paragraph excludes
    and classified projects, which follow the secrecy rules under the confidential bureau (第六条)."""
    if ctx.project.classified:
        return ctx.applies(False, "涉密信息化项目按照保密有关规定执行，由区委机要局负责论证和监管",
                           "classified project: secrecy rules apply, reviewed and supervised by the confidential bureau")
    excluded = [EXCLUDED_TAGS[k] for k in tag_keys(ctx.project.tags) if k in EXCLUDED_TAGS] if ctx.project.tags else ()
    if excluded:
        return ctx.applies(False, f"{'、'.join(zh for zh, _ in excluded)}不纳入本办法管理",
                           f"{'; '.join(en for _, en in excluded)}: outside these measures")
    zh, en = KIND_WORDS[ctx.project.kind]
    return ctx.applies(True, f"属于信息化{zh}，纳入本办法管理", f"{en}: within these measures")


def funding_scope(ctx):
    """第二条: fiscal funds; superior-funded projects are supervised here (第二条第二款);
    own funds follow these measures by reference (第三十二条); neither is district special funding (第十二条)."""
    funding = ctx.require("funding")
    if funding == "superior_funds":
        return ctx.applies(True, "国家、省、市统筹安排建设并拨付资金：监督管理按本办法执行，审批按上级规定；不纳入全区信息化专项经费",
                           "arranged and funded by the state, province or city: supervised under these measures, "
                           "approved above; not district special funding", article=2)
    if funding == "own_funds":
        return ctx.applies(True, "使用自筹资金实施的项目参照本办法执行；不纳入全区信息化专项经费",
                           "own funds: these measures apply by reference; not district special funding", article=32)
    return ctx.applies(True, "利用财政资金的信息化项目，适用本办法", "fiscal funds: these measures apply", article=2)


# --- Approval path (第七条、第九条–第十三条) and acceptance (第二十条–第二十二条) -----------------


def approval_path(ctx):
    """第七条、第九条–第十三条: from declaration to approval, each step citing its own article.
    Projects the state, province or city fund are approved above (第二条第二款): no path here."""
    if not district_approves(ctx):
        return
    yield declaration_materials(ctx)
    yield from preliminary_review(ctx)
    yield from joint_review(ctx)
    yield annual_plan(ctx)
    if is_construction(ctx):
        yield from approval_documents_by_amount(ctx)


def declaration_materials(ctx):
    """第七条: declared through the project system with the form and the feasibility study (in lieu of a proposal)."""
    return ctx.step("wuxing:declaration", done_by=("declared",), article=7,
                    title="通过项目管理系统提交申报表和可行性研究报告（代项目建议书）",
                    title_en="declaration form and feasibility study (in lieu of a proposal) via the project system")


PRELIMINARY_REVIEW_OPINIONS = (  # 第九条: whose opinion the preliminary review asks for, on what
    ("区委改革办", "多跨协同项目建设必要性", "reform office", "necessity of multi-collab projects"),
    ("区财政局", "项目资金保障情况", "finance bureau", "funding"),
    ("区委网信办", "网络安全建设内容", "cyberspace office", "network security"),
    ("区委机要局", "项目安全可靠和密码应用", "confidential bureau", "security and cryptography"),
    ("区公安分局", "公共视频监控建设", "public security branch", "public video surveillance"),
)
PRELIMINARY_REVIEW_TITLE = ("区大数据局组织初审，征求" + "、".join(o[0] for o in PRELIMINARY_REVIEW_OPINIONS) + "意见，形成初审意见",
                            "preliminary review by the big-data bureau with the opinions of the "
                            + ", ".join(o[2] for o in PRELIMINARY_REVIEW_OPINIONS))
PRELIMINARY_REVIEW_NOTE = "；".join(f"{dept}：{topic}" for dept, topic, _, _ in PRELIMINARY_REVIEW_OPINIONS)


def preliminary_review(ctx):
    """第九条: the big-data bureau's preliminary review with the opinion of each department it names
    (one step: the opinions make up one preliminary review opinion); for multi-collab projects the
    reform office's necessity opinion is a step of its own (第六条)."""
    zh, en = PRELIMINARY_REVIEW_TITLE
    yield ctx.step("preliminary_review", done_by=("preliminary_review_passed",), title=zh, title_en=en,
                   note=PRELIMINARY_REVIEW_NOTE, article=9)
    if not is_construction(ctx):
        return
    if ctx.category is None:
        yield missing_fact(ctx, "category", article=9)
    elif ctx.category == "multi_collab":
        yield ctx.step("wuxing:necessity_review", done_by=("preliminary_review_passed",), article=9,
                       title="区委改革办：多跨协同项目建设必要性初审意见",
                       title_en="reform office: necessity opinion on a multi-collab project")


def joint_review(ctx):
    """第十条: the joint review body's expert review, the revised plan filed, and for multi-collab
    projects of 500万元以上 the city big-data bureau."""
    yield ctx.step("expert_review", done_by=("expert_review_passed",), title="联审机构组织专家集中评审",
                   title_en="expert review organised by the joint review body", article=10)
    yield ctx.step("filing", done_by=("wuxing:revised_plan_filed",), title="按评审意见修改方案，报项目管理系统存档、备案",
                   title_en="plan revised after review, filed in the project system", article=10)
    if not is_construction(ctx) or ctx.project.investment < CITY_REVIEW_MINIMUM:
        return
    if ctx.category is None:
        yield missing_fact(ctx, "category", article=10)
    elif ctx.category == "multi_collab":
        yield ctx.step("city_review", done_by=("wuxing:city_review_passed",), article=10,
                       title="总投资500万元以上多跨协同项目：向市大数据局申报，经联审机构审核后实施",
                       title_en="multi-collab of 5 million or more: declared to the city big-data bureau")


def annual_plan(ctx):
    """第十一条: the annual plan is approved by the district government, then listed by 发改经信局."""
    return ctx.step("annual_plan", done_by=("wuxing:annual_plan_approved", "approved"), article=11,
                    title="列入年度信息化项目计划（区政府审批），报区发改经信局列入年度政府投资项目计划",
                    title_en="annual plan approved by the district government, listed in the investment plan")


def approval_documents_by_amount(ctx):
    """第十三条: under 500万 a contact sheet; 500万以上 feasibility approval; 2000万以上 also the design."""
    total = ctx.project.investment
    if total < FEASIBILITY_MINIMUM:
        yield ctx.step("project_contact_sheet", done_by=("approved",), article=13,
                       title="总投资低于500万元：区发改经信局出具项目联系单（代项目建议书）",
                       title_en="under 5 million: project contact sheet (in lieu of a proposal)")
        return
    yield ctx.step("feasibility_study", done_by=("wuxing:feasibility_study_approved", "approved"), article=13,
                   title="总投资500万元以上：批复项目可行性研究报告", title_en="5 million or more: feasibility study approval")
    if total >= PRELIMINARY_DESIGN_MINIMUM:
        yield ctx.step("preliminary_design", done_by=("approved",), article=13, title="总投资2000万元以上：批复初步设计",
                       title_en="20 million or more: preliminary design approval")


def acceptance_path(ctx):
    """第二十条: budgets of 50万元以下 are accepted by the unit's own experts and reported, above by the
    bureau; 第二十一条–第二十二条: the acceptance report is issued and uploaded to the project system."""
    yield _acceptance_organiser(ctx)
    yield ctx.step("wuxing:acceptance_report_upload", done_by=("wuxing:acceptance_report_uploaded",), article=22,
                   title="验收报告等材料上传吴兴区信息化项目管理系统",
                   title_en="acceptance report uploaded to the project system")


def _acceptance_organiser(ctx):
    """第二十条: 50万元以下 (the number included) the unit itself, above it the big-data bureau."""
    if ctx.project.investment <= SELF_ACCEPTANCE_MAXIMUM:
        return ctx.step("wuxing:self_organised_acceptance", done_by=("final_acceptance_passed",),
                        title="预算50万元以下：建设单位自行组织专家验收，验收情况通过系统向区大数据局报备",
                        title_en="500,000 or less: the unit's own expert acceptance, reported to the big-data bureau")
    return ctx.step("wuxing:bureau_acceptance", done_by=("final_acceptance_passed",),
                    title="向区大数据局提出竣工验收申请，由区大数据局组织竣工验收",
                    title_en="final acceptance applied for and organised by the big-data bureau")


# --- Deadlines --------------------------------------------------------------------------------


def declaration_window(ctx):
    """第七条: declared within the window the big-data bureau announces (a fixed date, never moved);
    a late declaration gets no budget unless added through the supplement procedure."""
    if not district_approves(ctx):
        return
    if ctx.fact("declaration_deadline") is None and (ctx.has("approved") or ctx.has("wuxing:annual_plan_approved")):
        return  # planned already: the window no longer decides anything
    last_day = need_fact(ctx, "declaration_deadline")
    declared = ctx.date_of("declared")
    yield ctx.deadline(ctx.calendar.fixed_date(last_day.year, last_day.month, last_day.day), declared)
    if declared is not None and declared > last_day and not read_fact(ctx, "supplement_procedure"):
        yield ctx.finding("warning", f"{declared} 申报，晚于申报截止日 {last_day}：原则上不予安排预算资金，"
                                     "确需新增且资金已落实的须经增补程序纳入当年计划",
                          f"declared {declared}, after the deadline {last_day}: no budget unless added "
                          "through the supplement procedure")


def contract_upload_deadline(ctx):
    """第十五条: procurement documents and contract uploaded within 5 working days of signing."""
    signed = ctx.date_of("contract_signed")
    due = ctx.calendar.due_in_workdays(signed, CONTRACT_UPLOAD_WORKDAYS) if signed else None
    return ctx.deadline(due, ctx.date_of("contract_filed"))


def initial_acceptance_and_trial_run_deadline(ctx):
    """第二十条: initial acceptance and trial run done within 3 months of basic completion (or of the
    end of a phase of operation or service); a unit that is late explains why to the big-data bureau."""
    completed = earliest(ctx, "construction_completed", "wuxing:service_ended")
    due = ctx.calendar.due_months_after(completed, ACCEPTANCE_AND_TRIAL_MONTHS) if completed else None
    accepted, trial_ended = ctx.date_of("preliminary_acceptance_passed"), ctx.date_of("trial_run_ended")
    done = max(accepted, trial_ended) if accepted and trial_ended else None
    yield ctx.deadline(due, done)
    if due is not None and (done > due.date if done else ctx.as_of > due.date) and not ctx.has("wuxing:delay_explained"):
        yield ctx.finding("warning", f"未在 {due.date} 前完成初验和试运行：须向区大数据局提交说明材料",
                          f"initial acceptance and trial run not done by {due.date}: explain to the big-data bureau")


def trial_run_minimum(ctx):
    """第二十条: the trial run lasts 不少于一个月: its end may not come before one month."""
    started = ctx.date_of("trial_run_started")
    earliest_end = ctx.calendar.not_before_months(started, TRIAL_RUN_MINIMUM_MONTHS) if started else None
    return ctx.deadline(earliest_end, ctx.date_of("trial_run_ended"))


def rectification_deadline(ctx):
    """第二十条: a failed initial or final acceptance is rectified within 3 months, one deadline per failure."""
    deadlines = []
    for failed in ctx.events_of("acceptance_failed"):
        done = ctx.first_on_or_after("rectification_completed", failed.date)
        deadlines.append(ctx.deadline(ctx.calendar.due_months_after(failed.date, RECTIFICATION_MONTHS),
                                      done.date if done else None))
    return deadlines


# --- Findings ---------------------------------------------------------------------------------


def category_matches_kind(ctx):
    """第三条: construction categories belong to construction projects, operation ones to operation."""
    category = ctx.category
    if category is None:
        return None
    if is_construction(ctx) and category in OPERATION_CATEGORIES:
        zh, en = OPERATION_CATEGORIES[category]
        return ctx.finding("warning", f"类别“{zh}”属于运维项目，但项目登记为建设项目",
                           f"category {en!r} is an operation category but the project is construction")
    if not is_construction(ctx) and category in CONSTRUCTION_CATEGORIES:
        zh, en = CONSTRUCTION_CATEGORIES[category]
        return ctx.finding("warning", f"类别“{zh}”属于建设项目，但项目登记为运维项目",
                           f"category {en!r} is a construction category but the project is operation")
    return None


def must_not_be_declared(ctx):
    """第八条: the six kinds of project that may not be declared, read from the project's tags."""
    for key in tag_keys(ctx.project.tags):
        if key in MUST_NOT_DECLARE_TAGS:
            item, zh, en = MUST_NOT_DECLARE_TAGS[key]
            yield ctx.finding("error", f"第八条第（{item}）项：{zh}的项目原则上不得申报",
                              f"article 8 item {item}: a project that {en} may not be declared")


def estimate_includes_support_costs(ctx):
    """第七条 (and 第十七条 for supervision): the estimate includes security and supervision costs."""
    if not district_approves(ctx):
        return None
    missing = []
    if need_fact(ctx, "estimate_includes_security") is False:
        missing.append(("安全", "security"))
    if supervision_mandatory(ctx) and need_fact(ctx, "estimate_includes_supervision") is False:
        missing.append(("监理", "supervision"))
    if missing:
        return ctx.finding("error", f"投资概算应当包含{'、'.join(zh for zh, _ in missing)}等配套经费",
                           f"the estimate must include {' and '.join(en for _, en in missing)} costs")
    return None


def operation_needs_managed_system(ctx):
    """第七条第三款 (第五条): no O&M funds for a system that should be, but is not, in the project system."""
    if is_construction(ctx) or need_fact(ctx, "managed_in_project_system"):
        return None
    return ctx.finding("error", "应在吴兴区信息化项目管理系统内申报但未纳入系统管理的项目，不安排运行维护经费",
                       "the system is not managed in the district project system: no O&M funds")


def ip_ownership_in_contract(ctx):
    """第十六条: the contract states who owns results and IP; custom software belongs to the unit."""
    if not ctx.has("contract_signed"):
        return None
    owner = need_fact(ctx, "ip_owner")
    if owner == "unspecified":
        return ctx.finding("error", "采购文件和合同中应当明确项目成果及知识产权的归属",
                           "procurement documents and contract must state who owns results and IP")
    if owner == "contractor":
        return ctx.finding("warning", "定制软件及升级服务的知识产权原则上应当归建设单位所有，合同约定归承建单位",
                           "custom software IP should in principle belong to the construction unit, not the contractor")
    return None


def supervision_required(ctx):
    """第十七条: 100万元及以上 must be supervised, by a supervisor engaged before the contractor."""
    if not supervision_mandatory(ctx):
        return None
    signed = ctx.date_of("contract_signed")
    if signed is None:
        return None
    engaged = ctx.date_of("wuxing:supervisor_engaged")
    if not ctx.project.supervisor and engaged is None:
        return ctx.finding("error", f"资金预算 {format_wan(ctx.project.investment)}元（100万元及以上）必须实行工程监理制："
                                    f"{signed} 已签订承建合同，尚无监理单位",
                           f"budget {ctx.project.investment:,} yuan (1 million or more) must be supervised: "
                           f"contract signed {signed}, no supervisor")
    if engaged is not None and engaged > signed:
        return ctx.finding("error", f"监理单位应先于承建单位介入：监理 {engaged} 介入，承建合同 {signed} 签订",
                           f"the supervisor must come before the contractor: supervisor {engaged}, contract {signed}")
    return None


VENDOR_ROLES = (("designer", "整体设计", "design"), ("supervisor", "监理", "supervision"),
                ("tester", "检测", "testing"), ("contractor", "承建", "construction"))


def vendor_independence(ctx):
    """第十七条: supervisor and contractor are independent of each other, and a vendor of design,
    supervision or testing takes no other procurement of the project."""
    p = ctx.project
    if _same_party(p.supervisor, p.contractor) or read_fact(ctx, "supervisor_affiliated"):
        yield ctx.finding("error", f"监理单位与承建单位应当相互独立：监理 {p.supervisor or '—'}，承建 {p.contractor or '—'}",
                          f"supervisor and contractor must be independent: {p.supervisor or '-'} / {p.contractor or '-'}")
    if sum(1 for field, _, _ in VENDOR_ROLES if getattr(p, field)) < 2:
        return
    for i, (field, zh, en) in enumerate(VENDOR_ROLES[:3]):
        for other, other_zh, other_en in VENDOR_ROLES[i + 1:]:
            if (field, other) == ("supervisor", "contractor"):
                continue  # said above
            name = getattr(p, field)
            if _same_party(name, getattr(p, other)):
                yield ctx.finding("error", f"为项目提供{zh}服务的供应商 {name} 不得再参加该项目的{other_zh}采购",
                                  f"{name} provides {en} and may not also take the {other_en} procurement")


def digital_resources_catalogued(ctx):
    """第十八条: the project's digital resources are catalogued in IRS, a basis of its acceptance."""
    if not is_construction(ctx) or ctx.has("wuxing:resources_catalogued"):
        return None
    if ctx.has("final_acceptance_passed"):
        return ctx.finding("error", "已竣工验收，数字资源目录尚未纳入一体化数字资源管理系统（IRS）",
                           "accepted, but its digital resources are not catalogued in IRS")
    if ctx.has("final_acceptance_applied"):
        return ctx.finding("warning", "申请竣工验收前应将应用、数据、组件等数字资源目录纳入IRS（验收的重要依据）",
                           "catalogue the digital resources in IRS: a basis of acceptance")
    return None


def actual_within_estimate(ctx):
    """第十九条（一）: the actual investment may not exceed the estimate without re-approval."""
    if ctx.fact("actual_investment") is None and not ctx.has("final_acceptance_passed"):
        return None
    actual = need_fact(ctx, "actual_investment")
    if actual > ctx.project.investment:
        return ctx.finding("error", f"实际投资 {format_wan(actual)}元超过投资概算 {format_wan(ctx.project.investment)}元："
                                    "须由建设单位提出调整方案及资金来源，按规定程序报批",
                           f"actual investment {actual:,} exceeds the estimate {ctx.project.investment:,}: re-approval needed")
    return None


def data_security_agreement(ctx):
    """第二十六条: with a third-party provider, network/data security and confidentiality agreements."""
    if not ctx.has("contract_signed") or need_fact(ctx, "security_agreement_signed"):
        return None
    return ctx.finding("error", "应当与服务提供方签订网络及数据安全保护协议及保密协议，并约定违约责任",
                       "network/data security and confidentiality agreements must be signed with the provider")


def warranty_minimum(ctx):
    """第二十七条: the contractor's warranty runs at least 3 years from final acceptance."""
    if not is_construction(ctx) or not ctx.has("contract_signed"):
        return None
    years = need_fact(ctx, "warranty_years")
    if years < WARRANTY_MINIMUM_YEARS:
        return ctx.finding("error", f"维保期 {years} 年，少于 3 年（自竣工验收合格之日起）",
                           f"warranty {years} years, less than 3 (from final acceptance)")
    return None


def fact_values(ctx):
    """Facts present but unreadable: name the fact and the value, so the operator can correct it."""
    for name, value in ctx.project.facts.items():
        if name not in FACTS or value is None or value == "":
            continue
        parser, zh, en = FACTS[name]
        try:
            parser(value)
        except ValueProblem as problem:
            yield ctx.finding("warning", f"facts.{name}（{zh}）的值 {value!r} 无法识别：{problem.message}",
                              f"facts.{name} ({en}): cannot read {value!r}: {problem.message_en}")


# --- Changes (第十九条) --------------------------------------------------------------------------


def change_procedure(ctx):
    """第十九条: (一) any increase of the estimate is approved again; (二) within the estimate, a change
    of 100万元以上, or of 超过 10% of the actual investment, goes back to the joint review body."""
    actual = read_fact(ctx, "actual_investment")
    missing_said = False
    for c in ctx.changes:
        involved = -c.amount  # within the estimate: the amount the changed content involves
        if c.amount > 0:
            yield ctx.change(c, "reapproval", f"增加投资概算 {format_wan(c.amount)}元：由建设单位提出调整方案及资金来源，按规定程序报批",
                             f"estimate increased by {c.amount:,}: adjustment plan and funding source, approved again")
        elif involved >= CHANGE_REAPPROVAL_AMOUNT:
            yield ctx.change(c, "reapproval", f"调整金额 {format_wan(involved)}元（100万元以上）：报联审机构重新审批",
                             f"change of {involved:,} (1 million or more): re-approval by the joint review body")
        elif involved == 0:
            yield ctx.change(c, "none", "调整未涉及金额，本办法不要求重新审批", "no amount involved: no re-approval")
        elif actual is None:
            if not missing_said:
                missing_said = True
                yield missing_fact(ctx, "actual_investment")
        elif involved * 100 > actual * CHANGE_REAPPROVAL_SHARE_PERCENT:
            yield ctx.change(c, "reapproval", f"调整金额 {format_wan(involved)}元超过实际投资 {format_wan(actual)}元的10%："
                                              "报联审机构重新审批",
                             f"change of {involved:,} exceeds 10% of the actual investment {actual:,}: "
                             "re-approval by the joint review body")
        else:
            yield ctx.change(c, "none", "未超过实际投资10%且不足100万元，本办法不要求重新审批",
                             "within 10% of the actual investment and under 1 million: no re-approval")


# --- Gates between stages ---------------------------------------------------------------------


def expert_review_after_preliminary_review(ctx):
    """第十条: experts review a project only after it passed the preliminary review."""
    if district_approves(ctx) and not ctx.has("preliminary_review_passed"):
        return ctx.refuse("项目初审通过后，方由联审机构组织专家评审", "expert review only after the preliminary review")
    return None


def plan_after_expert_review(ctx):
    """第十条–第十一条: the annual plan and the approval rest on the joint and expert review opinions."""
    if district_approves(ctx) and not ctx.has("expert_review_passed"):
        return ctx.refuse("须先通过联审机构组织的专家评审（评审意见是预算和计划的依据）",
                          "needs the expert review first: its opinion is the basis of budget and plan")
    return None


def procurement_after_approval(ctx):
    """第十五条: procurement follows the approved implementation plan; no approval, no procurement (第三十条)."""
    if district_approves(ctx) and not ctx.has("approved"):
        return ctx.refuse("项目尚未立项批复：须按项目实施方案确认书依法组织采购",
                          "not approved yet: procurement must follow the approved implementation plan")
    return None


def contract_without_procurement(ctx):
    """第十五条: the unit procures according to law on the approved plan, then signs and uploads the contract."""
    return ctx.contract_without_procurement("error", "建设单位应依法组织采购后签订合同",
                                            "procurement according to law comes before the contract")


def city_review_before_implementation(ctx):
    """第十条: a multi-collab project of 500万元以上 is implemented only after the city review."""
    if (is_construction(ctx) and district_approves(ctx) and ctx.project.investment >= CITY_REVIEW_MINIMUM
            and ctx.category == "multi_collab" and not ctx.has("wuxing:city_review_passed")):
        return ctx.refuse("总投资500万元以上的多跨协同项目须经市大数据局申报、联审机构审核后方可组织建设实施",
                          "a multi-collab project of 5 million or more needs the city review before implementation")
    return None


def supervisor_before_contractor(ctx):
    """第十七条: where supervision is mandatory, the supervisor is engaged before the contractor."""
    if supervision_mandatory(ctx) and not ctx.project.supervisor and not ctx.has("wuxing:supervisor_engaged"):
        return ctx.refuse("资金预算100万元及以上：监理单位须先于承建单位介入，请先记录监理单位",
                          "budget of 1 million or more: the supervisor must be engaged before the contractor")
    return None


def security_assessment_before_trial_run(ctx):
    """第二十条 (第二十五条): network security assessment before the trial run."""
    if not ctx.has("security_assessment_passed"):
        return ctx.refuse("试运行前应当开展网络安全等相关评估", "the security assessment comes before the trial run")
    return None


def final_acceptance_after_trial_run(ctx):
    """第二十条: final acceptance after the initial acceptance and at least one month of trial run."""
    started = ctx.date_of("trial_run_started")
    if not ctx.has("preliminary_acceptance_passed"):
        return ctx.refuse("须先自行完成初验", "the initial acceptance comes first")
    if started is None:
        return ctx.refuse("须先经不少于一个月的试运行", "needs a trial run of at least one month first")
    earliest_day = ctx.calendar.not_before_months(started, TRIAL_RUN_MINIMUM_MONTHS).date
    if ctx.event.date < earliest_day:
        return ctx.refuse(f"试运行 {started} 开始，不少于一个月：最早 {earliest_day} 方可申请或组织竣工验收",
                          f"trial run began {started}: final acceptance not before {earliest_day}")
    return None


def reacceptance_after_rectification(ctx):
    """第二十条: after a failed acceptance, accept again only once the rectification is done."""
    failed = ctx.last("acceptance_failed")
    if failed is not None and ctx.first_on_or_after("rectification_completed", failed.date) is None:
        return ctx.refuse(f"{failed.date} 验收未通过：须完成整改后再组织初验或竣工验收",
                          f"acceptance failed {failed.date}: rectify before accepting again")
    return None


def no_use_before_acceptance(ctx):
    """第二十二条: nothing is put into use before passing final acceptance."""
    passed, failed = ctx.last("final_acceptance_passed"), ctx.last("acceptance_failed")
    if passed is None or (failed is not None and failed.date > passed.date):
        return ctx.refuse("未经竣工验收或竣工验收不合格的项目不得投入使用",
                          "not to be used before passing final acceptance")
    return None
