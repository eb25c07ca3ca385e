"""Yubei's interim measures as data, and one small function for each thing an article requires.

Every fact (a period, a threshold, a vocabulary) is written once, with its article beside it.
Rule functions read the project through the core's `Context`, take every date from
`ctx.calendar`, and never touch the regulation text (all of this is built at import time).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

import attrs

from zwxm.errors import ValueProblem
from zwxm.model import converter
from zwxm.money import format_wan, parse_money
from zwxm.rules import Context, MissingFact

# --- The regulation ----------------------------------------------------------------------------

TITLE = "重庆市渝北区政务信息化项目管理暂行办法"
NUMBER = "渝北府办发〔2019〕26号"
EFFECTIVE_FROM = dt.date(2019, 12, 12)  # 第二十条: 自公布之日起施行; published 2019-12-12
VALIDITY_ARTICLE = 20  # interim (暂行), no end date: "适时进行修订"

# --- Periods and thresholds --------------------------------------------------------------------

OM_DECLARATION_MONTH = 12  # 第五条: 运维类项目每年底申报下一年度运维需求 (fixed date, month end)
CONTRACT_FILING_WORKDAYS = 7  # 第十二条: 签订合同后 7个工作日内 报区大数据发展局备案
ARCHIVE_WORKDAYS = 10  # 第十五条: 完成验收后 10个工作日内 报送电子文档存档
CHANGE_LIMIT_PERCENT = 10  # 第十一条: 不超过 10%（含）→ 变更说明报批; 超过 10% → 重新申报

CONSTRUCTION, OPERATION = "construction", "operation"  # 第二条第二款: the only two kinds

# --- Vocabularies ------------------------------------------------------------------------------

# 附件1 采购类别: the district's project categories.
CATEGORIES: dict[str, tuple[str, str]] = {"engineering": ("工程类", "works"), "services": ("服务类", "services"),
                                          "goods": ("货物类", "goods")}

# 第二条: what a government IT project consists of ...
SCOPE_CONTENTS: dict[str, tuple[str, str]] = {
    "network": ("信息网络（含楼宇综合布线和机房建设）", "information network (incl. cabling and server rooms)"),
    "cloud_platform": ("云服务平台（含各类数据库系统）", "cloud service platform (incl. databases)"),
    "application": ("信息化应用系统", "application system"),
    "information_resources": ("信息资源开发利用", "development and use of information resources"),
    "information_security": ("信息安全", "information security"),
}
# ... and the office purchases it excludes.
EXCLUDED_PURCHASES: dict[str, tuple[str, str]] = {
    "personal_computer": ("个人电脑", "personal computers"),
    "camera": ("照相机", "cameras"),
    "copier": ("复印机", "copiers"),
    "removable_storage": ("移动存储设备", "removable storage"),
    "software_product": ("软件产品", "software products"),
    "consumables": ("耗材", "consumables"),
}

# 附件2: the chapters of the construction needs statement (编制大纲), checked by 第六条（一）.
NEEDS_STATEMENT_CHAPTERS: dict[int, str] = {
    1: "项目概述", 2: "单位现状", 3: "需求分析", 4: "建设方案", 5: "项目实施进度和组织安排",
    6: "项目风险及控制措施", 7: "总投资详细估算和资金来源", 8: "经济和社会效益",
}

# 第十五条: the documents of the electronic archive.
ARCHIVE_DOCUMENTS: dict[str, tuple[str, str]] = {
    "construction_plan": ("项目建设方案", "construction plan"),
    "data_structure_design": ("数据结构设计说明书", "data structure design"),
    "approval": ("立项批复", "approval"),
    "procurement_documents": ("采购文件", "procurement documents"),
    "contract": ("项目合同", "contract"),
    "supervision_report": ("监理报告", "supervision report"),
    "test_report": ("测评报告", "test report"),
    "change_explanation": ("变更说明", "change explanation"),
    "acceptance_report": ("验收报告", "acceptance report"),
    "user_report": ("用户使用报告", "user report"),
    "acceptance_opinion": ("验收意见", "acceptance opinion"),
}

# 附件1 资金预算 columns, read from `project.facts` in 元 (the importer converts the form's 万元).
FUND_SOURCES: dict[str, tuple[str, str]] = {
    "funds_central": ("中央财政资金", "central fiscal funds"), "funds_city": ("市财政资金", "city fiscal funds"),
    "funds_district": ("区财政资金", "district fiscal funds"), "funds_own": ("自有资金", "own funds"),
}

# --- Facts the rules read from project.facts ---------------------------------------------------


def _keys(vocabulary: dict[str, tuple[str, str]], what: str, what_en: str) -> Callable[[Any], frozenset[str]]:
    """A parser for one key or a list of keys of `vocabulary`, given as keys or Chinese labels."""
    by_label = {zh: key for key, (zh, _en) in vocabulary.items()} | {key: key for key in vocabulary}
    choices = "、".join(vocabulary)

    def parse(value: Any) -> frozenset[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValueProblem(value, f"需要一个或一组{what}", f"expected one or a list of {what_en}")
        unknown = [item for item in items if by_label.get(item) is None]
        if unknown:
            raise ValueProblem(value, f"未知的{what} {unknown!r}（可选：{choices}）", f"unknown {what_en} {unknown!r} (one of {choices})")
        return frozenset(by_label[item] for item in items)

    return parse


_CHAPTER_BY_TITLE = {title: number for number, title in NEEDS_STATEMENT_CHAPTERS.items()}


def _chapters(value: Any) -> frozenset[int]:
    if not isinstance(value, list):
        raise ValueProblem(value, "需要章号（1–8）或章名的列表", "expected a list of chapter numbers (1-8) or titles")
    found = set()
    for item in value:
        number = item if isinstance(item, int) and not isinstance(item, bool) else _CHAPTER_BY_TITLE.get(item)
        if number not in NEEDS_STATEMENT_CHAPTERS:
            raise ValueProblem(value, f"未知的章 {item!r}（附件2 共8章）", f"unknown chapter {item!r} (附件2 has 8)")
        found.add(number)
    return frozenset(found)


_STRUCTURE_BOOL = converter.get_structure_hook(bool)  # the core's yes/no words (是/否, true/false, ...)
_STRUCTURE_INT = converter.get_structure_hook(int)


def _yes_no(value: Any) -> bool:
    return _STRUCTURE_BOOL(value, bool)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueProblem(value, "需要非空文本", "expected non-empty text")
    return value.strip()


def _phase(value: Any) -> int:
    number = _STRUCTURE_INT(value, int)
    if number < 1:
        raise ValueProblem(value, "期数须为 1 或以上", "phase must be 1 or more")
    return number


def _money(value: Any) -> int:
    return parse_money(value)  # whole 元, or text with its unit ("450万")


@attrs.frozen(slots=True)
class Fact:
    """An entry of `project.facts` a Yubei rule reads: how to read it and which article asks for it."""

    parse: Callable[[Any], Any]
    article: int
    label: str
    label_en: str


FACTS: dict[str, Fact] = {
    "content_type": Fact(_keys(SCOPE_CONTENTS | EXCLUDED_PURCHASES, "建设内容类型", "content type"), 2, "建设内容类型",
                         "content type"),
    "special_regulation": Fact(_text, 19, "国家专门规定", "special national regulation"),
    "on_government_cloud": Fact(_yes_no, 4, "使用政务云", "on the government cloud"),
    "on_sharing_platform": Fact(_yes_no, 4, "接入政务数据共享交换平台", "on the data sharing platform"),
    "cloud_exemption": Fact(_text, 4, "不上云的法律政策依据", "legal basis for not using the cloud"),
    "new_private_network": Fact(_yes_no, 4, "新建业务专网", "builds a new private network"),
    "needs_statement_chapters": Fact(_chapters, 6, "需求说明已有章节", "chapters of the needs statement"),
    "phase": Fact(_phase, 8, "分期建设期数", "construction phase"),
    "fixed_asset_investment": Fact(_yes_no, 10, "属于固定资产投资建设", "fixed-asset investment"),
    "serious_delay": Fact(_yes_no, 13, "工程严重逾期", "seriously delayed"),
    "major_investment_loss": Fact(_yes_no, 13, "投资重大损失", "major investment loss"),
    "archive_documents": Fact(_keys(ARCHIVE_DOCUMENTS, "存档资料", "archive document"), 15, "存档资料",
                              "archived documents"),
    **{key: Fact(_money, 6, label, label_en) for key, (label, label_en) in FUND_SOURCES.items()},
}


@functools.lru_cache(maxsize=4096, typed=True)
def _parse_scalar(name: str, value: str | int | bool) -> Any:
    return FACTS[name].parse(value)


def parse_fact(name: str, value: Any) -> Any:
    """FACTS[name] read from `value`; text, numbers and yes/no are memoised, as the same few recur."""
    if isinstance(value, (str, int)):
        return _parse_scalar(name, value)
    return FACTS[name].parse(value)


def required_fact(ctx: Context, name: str) -> Any:
    """A fact the rule cannot do without: missing or unreadable, the rule becomes an info finding."""
    value = ctx.require(name)
    if name not in FACTS:
        return value
    try:
        return parse_fact(name, value)
    except ValueProblem:
        raise MissingFact(name, value) from None


def optional_fact(ctx: Context, name: str) -> Any:
    """A fact whose absence means "no": None when missing or unreadable (fact_values reports the latter)."""
    value = ctx.fact(name)
    if value is None:
        return None
    try:
        return parse_fact(name, value)
    except ValueProblem:
        return None


def fact_values(ctx: Context):
    """Every Yubei fact given with a value no rule can read, named with its field and value."""
    for name, value in ctx.project.facts.items():
        fact = FACTS.get(name)
        if fact is None:
            continue
        try:
            parse_fact(name, value)
        except ValueProblem as problem:
            yield ctx.finding("warning", f"facts.{name}（{fact.label}）的值 {value!r} 无法使用：{problem.message}",
                              f"facts.{name} = {value!r} cannot be used: {problem.message_en}", article=fact.article)


# --- 第二条、第十九条: scope -----------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _scope_verdict(contents: frozenset[str]) -> tuple[bool, str, str]:
    excluded = [c for c in EXCLUDED_PURCHASES if c in contents]  # in the article's order
    if len(excluded) == len(contents):
        names = "、".join(EXCLUDED_PURCHASES[c][0] for c in excluded)
        names_en = ", ".join(EXCLUDED_PURCHASES[c][1] for c in excluded)
        return (False, f"仅购置{names}，不属于本办法所称政务信息化项目",
                f"only buys {names_en}: not a government IT project under these measures")
    names = "、".join(zh for c, (zh, _en) in SCOPE_CONTENTS.items() if c in contents)
    names_en = ", ".join(en for c, (_zh, en) in SCOPE_CONTENTS.items() if c in contents)
    return (True, f"{names}的建设或运维，属本办法适用范围",
            f"{names_en}: construction or operation within the scope of these measures")


def scope_content(ctx: Context):
    """第二条: information systems of every funding model are in; bare office purchases are out."""
    return ctx.applies(*_scope_verdict(required_fact(ctx, "content_type")))


def scope_classified(ctx: Context):
    """第十九条: classified projects, or those under special state rules, follow those rules."""
    if ctx.project.classified:
        yield ctx.applies(False, "涉及国家秘密，按有关规定办理", "classified: handled under the secrecy rules")
    special = optional_fact(ctx, "special_regulation")
    if special:
        yield ctx.applies(False, f"国家有专门规定（{special}），按有关规定办理",
                          f"governed by special state rules ({special})")


def kind_classification(ctx: Context):
    """第二条第二款: a project is either construction (新建/改建/扩建/续建) or operation (运维)."""
    if ctx.project.kind not in (CONSTRUCTION, OPERATION):
        return ctx.finding("warning", f"项目类型“{ctx.project.kind}”：本办法只分建设类和运维类，请归类后再评估审批路径",
                           f"kind {ctx.project.kind!r}: Yubei knows only construction and operation; "
                           "classify it to get its approval path")


# --- 第四条: government cloud, sharing platform, no private network ---------------------------


def government_cloud_required(ctx: Context):
    """第四条: every project uses the government cloud and joins the data-sharing platform."""
    exemption = optional_fact(ctx, "cloud_exemption")
    if exemption:
        return ctx.finding("info", f"依据“{exemption}”不使用政务云或不接入共享交换平台（第四条除外情形）",
                           f"exempt from the government cloud by {exemption!r}")
    out = []
    if not required_fact(ctx, "on_government_cloud"):
        out.append(ctx.finding("error", "未使用政务云：政务信息化项目必须使用政务云",
                               "not on the government cloud, which every project must use"))
    if not required_fact(ctx, "on_sharing_platform"):
        out.append(ctx.finding("error", "未接入政务数据共享交换平台：政务信息化项目必须接入",
                               "not connected to the government data-sharing platform, which every project must be"))
    return out


def private_network_prohibited(ctx: Context):
    """第四条: no new dedicated business network; data travel over the e-government network."""
    if optional_fact(ctx, "new_private_network"):
        return ctx.finding("error", "新建业务专网：各部门不再新建业务专网，应通过电子政务网络传输政务数据",
                           "builds a new dedicated network: data must travel over the e-government network")


# --- 第五条至第八条、第十条: approval path -----------------------------------------------------


def construction_review_path(ctx: Context):
    """第六–八条: preliminary review, expert review, district deliberation; every phase alike."""
    if ctx.project.kind != CONSTRUCTION:
        return None
    phase = optional_fact(ctx, "phase")
    note = f"第{phase}期：分期建设方案按同样流程申报（第八条）" if phase and phase > 1 else ""
    return [
        ctx.step("preliminary_review", done_by=("preliminary_review_passed",), note=note,
                 title="区大数据发展局初步审核", title_en="preliminary review by the big-data bureau"),
        ctx.step("expert_review", done_by=("expert_review_passed",), article=7, note=note,
                 title="专家评审（大数据发展局会同财政局、发展改革委）", title_en="expert review (with finance and NDRC)"),
        ctx.step("government_deliberation", done_by=("approved",), article=7, note=note,
                 title="区委、区政府审议，纳入财政预算", title_en="district deliberation, then the budget"),
    ]


def fixed_asset_approval(ctx: Context):
    """第十条: a construction project that is fixed-asset investment needs the NDRC's 立项 notice."""
    if ctx.project.kind != CONSTRUCTION:
        return None
    fixed = required_fact(ctx, "fixed_asset_investment")
    return ctx.step("investment_approval", required=fixed, done_by=("yubei:ndrc_approved",),
                    title="区发展改革委立项审批（固定资产投资）", title_en="NDRC project approval (fixed-asset investment)",
                    note="" if fixed else "不属于固定资产投资建设，无需立项审批")


def operation_evaluation_path(ctx: Context):
    """第五条: operation needs are evaluated by the big-data bureau before the yearly budget."""
    if ctx.project.kind != OPERATION:
        return None
    return ctx.step("yubei:comprehensive_evaluation", done_by=("yubei:comprehensive_evaluation_done", "approved"),
                    title="运维需求综合评价（区大数据发展局）", title_en="comprehensive evaluation of O&M needs")


# --- Deadlines ---------------------------------------------------------------------------------


def _declared_year(event: Any) -> int | None:
    year = event.payload.get("year")
    try:
        return _STRUCTURE_INT(year, int) if year is not None else None
    except ValueProblem:
        return None


@functools.lru_cache(maxsize=512)
def _year_end_titles(year: int) -> tuple[str, str]:
    """第五条's deadline titles for one year."""
    return f"申报{year + 1}年度运维需求（{year}年底前）", f"declare the {year + 1} O&M needs (by the end of {year})"


def om_needs_declaration_deadline(ctx: Context):
    """第五条: at each year end, next year's O&M needs; one deadline per year the system runs.

    The first is the end of the year before `budget_year`; the last the end of the as-of year,
    unless the system was shut down. A declaration whose payload names its `year` counts for that
    year; any other fills the earliest year still undeclared (a late one is a missed deadline).
    """
    if ctx.project.kind != OPERATION:
        return None
    first = required_fact(ctx, "budget_year") - 1
    last = max(first, ctx.as_of.year)
    shutdown = ctx.date_of("shutdown")
    if shutdown is not None:
        last = min(last, shutdown.year - 1)
    declarations = sorted(ctx.events_of("declared") + ctx.events_of("yubei:om_needs_declared"), key=lambda e: e.date)
    labelled = {}
    unlabelled = []
    for event in declarations:
        year = _declared_year(event)
        if year is None:
            unlabelled.append(event.date)
        else:
            labelled.setdefault(year, event.date)
    unlabelled.reverse()
    out = []
    for year in range(first, last + 1):
        done = labelled.get(year + 1)
        if done is None and unlabelled:
            done = unlabelled.pop()
        result, (title, title_en) = ctx.calendar.fixed_date(year, OM_DECLARATION_MONTH), _year_end_titles(year)
        out.append(ctx.deadline(result, done, title=title, title_en=title_en))
    return out


def contract_filing_deadline(ctx: Context):
    """第十二条: a copy of each contract filed with the big-data bureau within 7 working days."""
    signed = ctx.events_of("contract_signed")
    if not signed:
        return ctx.deadline(None, None)
    filings = [e.date for e in ctx.events_of("contract_filed")]
    out, next_filing = [], 0
    for contract in signed:  # the n-th filing on or after a signing belongs to that contract
        while next_filing < len(filings) and filings[next_filing] < contract.date:
            next_filing += 1
        done = filings[next_filing] if next_filing < len(filings) else None
        next_filing += 1
        titles = {} if len(signed) == 1 else {"title": f"合同（{contract.date} 签订）复印件备案",
                                             "title_en": f"file the contract signed {contract.date}"}
        out.append(ctx.deadline(ctx.calendar.due_in_workdays(contract.date, CONTRACT_FILING_WORKDAYS), done, **titles))
    return out


def archive_deadline(ctx: Context):
    """第十五条: the electronic archive reaches the big-data bureau within 10 working days of acceptance."""
    accepted = ctx.date_of("final_acceptance_passed")
    if accepted is None:
        return ctx.deadline(None, None) if ctx.project.kind == CONSTRUCTION else None
    submitted = ctx.first_on_or_after("archive_submitted", accepted)
    return ctx.deadline(ctx.calendar.due_in_workdays(accepted, ARCHIVE_WORKDAYS),
                        submitted.date if submitted else None)


# --- Findings ----------------------------------------------------------------------------------


def needs_statement_chapters(ctx: Context):
    """第六条（一）with 附件2: the declared needs statement has the outline's eight chapters."""
    if ctx.project.kind != CONSTRUCTION or not ctx.has("declared"):
        return None
    chapters = required_fact(ctx, "needs_statement_chapters")
    missing = [n for n in NEEDS_STATEMENT_CHAPTERS if n not in chapters]
    if missing:
        names = "、".join(f"第{n}章 {NEEDS_STATEMENT_CHAPTERS[n]}" for n in missing)
        return ctx.finding("warning", f"需求说明缺少附件2大纲的章节：{names}（初步审核第一项：材料章节是否完整）",
                           f"needs statement lacks chapters {missing} of the 附件2 outline (preliminary review point 1)")


def declaration_funds_total(ctx: Context):
    """附件1 资金预算 (declared under 第五、六条): the sources add up to the total investment."""
    given = {key: optional_fact(ctx, key) for key in FUND_SOURCES}
    given = {key: amount for key, amount in given.items() if amount is not None}
    if not given:
        return None
    total = sum(given.values())
    if total != ctx.project.investment:
        parts = "+".join(f"{FUND_SOURCES[k][0]}{format_wan(v)}" for k, v in given.items())
        return ctx.finding("warning", f"申报表资金预算：{parts} = {format_wan(total)}，与合计 {format_wan(ctx.project.investment)} 不符",
                           f"declared funding sources add up to {total} 元, not the total {ctx.project.investment} 元")


def serious_problem_reported(ctx: Context):
    """第十三条: a seriously overdue project, or a major loss, is reported to the big-data bureau."""
    if ctx.project.kind != CONSTRUCTION or ctx.has("yubei:serious_problem_reported"):
        return None
    problems = [FACTS[name].label for name in ("serious_delay", "major_investment_loss") if optional_fact(ctx, name)]
    if problems:
        return ctx.finding("warning", f"出现{'、'.join(problems)}，建设单位应及时向区大数据发展局报告",
                           "serious delay or major loss: report it to the big-data bureau promptly")


def om_termination_notice(ctx: Context):
    """第十三条: ending an O&M contract is notified in writing to the big-data bureau and finance."""
    if ctx.has("yubei:om_contract_terminated") and not ctx.has("yubei:termination_notified"):
        return ctx.finding("warning", "终止运维合同：运维单位应及时向区大数据发展局和区财政局书面通报并说明终止原因",
                           "O&M contract ended: notify the big-data bureau and finance in writing, with the reason")


def archive_contents(ctx: Context):
    """第十五条: the archive holds the listed documents (supervision, test, change ones when they exist)."""
    submitted = ctx.last("archive_submitted")
    if submitted is None:
        return None
    listed = submitted.payload.get("documents")
    if listed is not None:
        try:
            documents = FACTS["archive_documents"].parse(listed)
        except ValueProblem as problem:
            return ctx.finding("warning", f"存档事件 payload.documents 的值 {listed!r} 无法使用：{problem.message}",
                               f"archive event payload.documents = {listed!r} cannot be used: {problem.message_en}")
    else:
        documents = required_fact(ctx, "archive_documents")
    project = ctx.project
    needed = {"supervision_report": bool(project.supervisor), "test_report": bool(project.tester),
              "change_explanation": bool(ctx.changes)}
    missing = [key for key in ARCHIVE_DOCUMENTS if needed.get(key, True) and key not in documents]
    if missing:
        return ctx.finding("warning", f"存档资料缺少：{'、'.join(ARCHIVE_DOCUMENTS[k][0] for k in missing)}",
                           f"archive lacks: {', '.join(ARCHIVE_DOCUMENTS[k][1] for k in missing)}")


def spending_before_approval(ctx: Context):
    """第十八条: no money goes into a project (procurement, contract) before it is approved."""
    approved = ctx.date_of("approved")
    for event_type, what in (("procurement_started", "启动采购"), ("contract_signed", "签订合同")):
        for event in ctx.events_of(event_type):
            if approved is None or event.date < approved:
                yield ctx.finding("error", f"{event.date} {what}时项目尚未审核通过：未审核通过的项目不得投入资金",
                                  f"{event_type} on {event.date} before the project was approved")


def contract_without_procurement(ctx: Context):
    """第九条 (O&M: procure by the set procedure where government procurement is needed) and 第十条
    (construction: procure by the set procedure on the approved plan) put procurement before the contract."""
    if ctx.project.kind == CONSTRUCTION:
        return ctx.contract_without_procurement("error", "建设类项目应按审议通过的方案按规定程序组织采购",
                                                "a construction project procures by the set procedure on the approved plan")
    return ctx.contract_without_procurement("warning", "运维类项目如需政府采购，应先按规定程序组织采购，请核实",
                                            "an O&M project that needs government procurement procures first; please check",
                                            article=9)


# --- 第十一条: changes -------------------------------------------------------------------------


def _percent(amount: int, investment: int, rounding: str) -> str:
    """The share for display, rounded away from the 10% line so 10.0001% never reads as 10.00%."""
    if not investment:
        return "—"
    share = (Decimal(amount * 100) / Decimal(investment)).quantize(Decimal("0.01"), rounding=rounding)
    return f"{share}%"


def change_procedure(ctx: Context):
    """第十一条: a change of at most 10% of the investment needs a change explanation approved by the
    big-data bureau; above 10%, a new plan declared again. Fixed-asset projects also go to the NDRC."""
    investment = ctx.project.investment
    ndrc = "；属固定资产投资建设，还须报区发展改革委批准" if optional_fact(ctx, "fixed_asset_investment") else ""
    out = []
    for change in ctx.changes:  # those dated by as_of
        amount = abs(change.amount)
        within = amount * 100 <= investment * CHANGE_LIMIT_PERCENT
        share = _percent(amount, investment, ROUND_DOWN if within else ROUND_UP)
        if within:
            out.append(ctx.change(change, "bureau_approval",
                                  f"变更金额 {format_wan(amount)}，占投资额 {share}，不超过10%：编制变更说明，报区大数据发展局批准{ndrc}",
                                  f"change of {amount} 元 ({share}) is at most 10%: change explanation approved by the big-data bureau"))
        else:
            out.append(ctx.change(change, "reapproval",
                                  f"变更金额 {format_wan(amount)}，占投资额 {share}，超过10%：重新编制项目方案，按申报、立项程序重新申报{ndrc}",
                                  f"change of {amount} 元 ({share}) exceeds 10%: a new plan, declared and approved again"))
    return out


# --- Gates -------------------------------------------------------------------------------------


def expert_review_after_preliminary_review(ctx: Context):
    """第六条: a project that has not passed the preliminary review may not go to expert review."""
    if ctx.project.kind == CONSTRUCTION and not ctx.has("preliminary_review_passed"):
        return ctx.refuse("未通过初步审核的项目，不得参加专家评审", "no expert review before the preliminary review is passed")


def deliberation_after_expert_review(ctx: Context):
    """第七条: only a project that passed expert review goes to the district's deliberation."""
    if ctx.project.kind == CONSTRUCTION and not ctx.has("expert_review_passed"):
        return ctx.refuse("专家评审通过后方可提请区委、区政府审议", "deliberation only after the expert review is passed")


def procurement_after_approval(ctx: Context):
    """第九、十、十八条: procure (and commit money) only on the approved plan; fixed-asset projects
    also after the NDRC's 立项 notice."""
    if not ctx.has("approved"):
        return ctx.refuse("项目尚未审核（审议）通过：应按审核通过的项目方案组织采购，未审核通过不得投入资金",
                          "not approved yet: procurement and contracts follow the approved plan")
    if ctx.project.kind == CONSTRUCTION and optional_fact(ctx, "fixed_asset_investment") \
            and not ctx.has("yubei:ndrc_approved"):
        return ctx.refuse("属于固定资产投资建设：须先取得区发展改革委立项通知，再组织采购",
                          "fixed-asset investment: the NDRC's project approval notice comes before procurement")


def acceptance_with_data_catalogue(ctx: Context):
    """第十四条: acceptance needs the project's data catalogue compiled and the sharing platform joined."""
    if ctx.project.kind == CONSTRUCTION and not ctx.has("data_aggregated"):
        return ctx.refuse("验收须编制完成本项目的政务数据资源目录清单，并接入政务信息资源共享交换平台",
                          "acceptance needs the data catalogue and the sharing-platform connection first")


def use_after_acceptance(ctx: Context):
    """第十四条: a project is delivered for use only after it has passed acceptance."""
    if not ctx.has("final_acceptance_passed"):
        return ctx.refuse("项目通过验收后，方可正式交付使用", "delivered for use only after acceptance")
