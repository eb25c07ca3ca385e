"""The Yubei district plugin: its regulation, departments, event types and rules (see rules.py)."""

from __future__ import annotations

from pathlib import Path

from zwxm import hookimpl
from zwxm.lifecycle import EventType
from zwxm.rules import District, Regulation, Role, Rule

from . import rules as r

HERE = Path(__file__).parent
CODE = "yubei"

DISTRICT = District(
    code=CODE, name="渝北区", name_en="Yubei District",
    regulation=Regulation(
        title=r.TITLE, number=r.NUMBER, effective_from=r.EFFECTIVE_FROM, effective_until=None, draft=False,
        validity_article=r.VALIDITY_ARTICLE, source=HERE / "regulation.txt",
        note="暂行办法，自公布之日（2019-12-12）起施行，未定有效期，适时修订（第二十条）"),
    categories=r.CATEGORIES,
    facts={name: (fact.label, fact.label_en) for name, fact in r.FACTS.items()},
    uncovered={
        1: "立法目的和依据，无数据可查",
        16: "区审计局的审计职责，项目数据无从判断（已列入责任部门）",
        17: "区大数据发展局适时组织的建成后综合评价：无期限，不是项目单位的义务",
    },
    scenarios=HERE / "scenarios",
)

EVENT_TYPES = (
    EventType("yubei:om_needs_declared", "declare", "申报下一年度运维需求", "next year's O&M needs declared"),
    EventType("yubei:comprehensive_evaluation_done", "review", "运维需求综合评价完成", "O&M needs evaluated"),
    EventType("yubei:ndrc_approved", "approve", "区发展改革委下达立项通知", "NDRC project approval notice"),
    EventType("yubei:serious_problem_reported", "implement", "严重逾期/重大损失已报告",
              "serious delay or major loss reported"),
    EventType("yubei:om_contract_terminated", "operate", "终止运维合同", "O&M contract terminated"),
    EventType("yubei:termination_notified", "operate", "终止运维合同已书面通报", "O&M termination notified in writing",
              ("yubei:om_contract_terminated",)),
)

ROLES = (
    Role(CODE, "区大数据发展局", "牵头主管；初步审核、组织专家评审和运维综合评价；变更审批；合同备案；验收；资料存档",
         (3, 5, 6, 7, 11, 12, 13, 14, 15, 17), "District Big Data Development Bureau",
         "lead authority: preliminary and expert review, O&M evaluation, changes, contract filing, acceptance, archive"),
    Role(CODE, "区委网信办", "政务信息化项目网络安全指导和监督", (3,), "District Cyberspace Office",
         "guidance and oversight of network security"),
    Role(CODE, "区发展改革委", "固定资产投资建设内容立项审批；参加专家评审；固定资产投资项目变更审批", (3, 7, 10, 11),
         "District Development and Reform Commission", "approval of fixed-asset investment; expert review; their changes"),
    Role(CODE, "区财政局", "预算资金统筹管理；参加专家评审；可要求整改或暂停；接收终止运维合同通报", (3, 7, 13),
         "District Finance Bureau", "budget funds; expert review; may order rectification; told of O&M terminations"),
    Role(CODE, "区审计局", "政务数据资源管理和项目资金的审计监督", (3, 16), "District Audit Bureau",
         "audit of data management and project funds"),
    Role(CODE, "区委、区政府", "按议事规则审议通过评审后的建设类项目，纳入财政预算", (7,), "District Party Committee and Government",
         "deliberate reviewed construction projects into the budget"),
    Role(CODE, "项目建设和运维单位", "申报需求；按审核通过的方案采购；合同备案；报告严重问题；组织验收；报送存档；不得擅自变更",
         (5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 18), "Construction and O&M units",
         "declare, procure on the approved plan, file contracts, report problems, accept, archive, no unapproved change"),
)

RULES = (
    Rule("scope", CODE, "applicability", 2, "适用范围（第二条）", r.scope_content, "scope"),
    Rule("classified_or_special", CODE, "applicability", 19, "涉密或国家专门规定的项目", r.scope_classified,
         "classified or specially regulated projects"),
    Rule("kind_classification", CODE, "finding", 2, "建设类/运维类划分", r.kind_classification, "construction or operation"),
    Rule("fact_values", CODE, "finding", None, "项目资料取值", r.fact_values, "readable fact values"),
    Rule("government_cloud_required", CODE, "finding", 4, "使用政务云、接入共享交换平台", r.government_cloud_required,
         "government cloud and data-sharing platform"),
    Rule("private_network_prohibited", CODE, "finding", 4, "不再新建业务专网", r.private_network_prohibited,
         "no new dedicated network"),
    Rule("operation_evaluation_path", CODE, "step", 5, "运维类项目审核路径", r.operation_evaluation_path,
         "approval path of operation projects"),
    Rule("om_needs_declaration_deadline", CODE, "deadline", 5, "每年底申报下一年度运维需求", r.om_needs_declaration_deadline,
         "yearly declaration of next year's O&M needs"),
    Rule("construction_review_path", CODE, "step", 6, "建设类项目审核路径", r.construction_review_path,
         "approval path of construction projects", cites=(3, 7, 8)),
    Rule("needs_statement_chapters", CODE, "finding", 6, "需求说明章节完整（附件2）", r.needs_statement_chapters,
         "needs statement has the outline's chapters"),
    Rule("declaration_funds_total", CODE, "finding", 6, "申报表资金预算合计（附件1）", r.declaration_funds_total,
         "declared funding sources add up", cites=(5,)),
    Rule("expert_review_after_preliminary_review", CODE, "gate", 6, "初审通过后方可专家评审",
         r.expert_review_after_preliminary_review, "expert review after preliminary review",
         events=("expert_review_passed",)),
    Rule("deliberation_after_expert_review", CODE, "gate", 7, "专家评审通过后方可审议", r.deliberation_after_expert_review,
         "deliberation after expert review", events=("approved",), cites=(8,)),
    Rule("fixed_asset_approval", CODE, "step", 10, "固定资产投资立项审批", r.fixed_asset_approval,
         "NDRC approval of fixed-asset investment", cites=(3,)),
    Rule("procurement_after_approval", CODE, "gate", 10, "审核通过后方可采购、签约", r.procurement_after_approval,
         "procure and contract only after approval", events=("procurement_started", "contract_signed"), cites=(9, 18)),
    Rule("change_procedure", CODE, "change", 11, "项目变更程序", r.change_procedure, "change procedure"),
    Rule("contract_filing_deadline", CODE, "deadline", 12, "合同复印件备案（7个工作日内）", r.contract_filing_deadline,
         "contract copy filed within 7 working days"),
    Rule("serious_problem_reported", CODE, "finding", 13, "严重逾期、重大损失及时报告", r.serious_problem_reported,
         "serious delay or major loss reported"),
    Rule("om_termination_notice", CODE, "finding", 13, "终止运维合同书面通报", r.om_termination_notice,
         "O&M contract termination notified"),
    Rule("acceptance_with_data_catalogue", CODE, "gate", 14, "验收前编制数据资源目录、接入共享平台",
         r.acceptance_with_data_catalogue, "data catalogue before acceptance", events=("final_acceptance_passed",)),
    Rule("use_after_acceptance", CODE, "gate", 14, "验收通过后方可交付使用", r.use_after_acceptance,
         "delivered for use only after acceptance", events=("handed_over",)),
    Rule("archive_deadline", CODE, "deadline", 15, "验收后电子档案存档（10个工作日内）", r.archive_deadline,
         "electronic archive within 10 working days of acceptance"),
    Rule("archive_contents", CODE, "finding", 15, "存档资料齐全", r.archive_contents, "archive holds the listed documents"),
    Rule("spending_before_approval", CODE, "finding", 18, "未审核通过不得投入资金", r.spending_before_approval,
         "no money before approval", cites=(9, 10)),
    Rule("contract_without_procurement", CODE, "finding", 10, "按规定程序组织采购后签订合同", r.contract_without_procurement,
         "contract signed only after procurement", cites=(9,)),
)


@hookimpl
def zwxm_register_districts(register):
    register(DISTRICT)


@hookimpl
def zwxm_register_event_types(register):
    for event_type in EVENT_TYPES:
        register(event_type)


@hookimpl
def zwxm_register_roles(register):
    for role in ROLES:
        register(role)


@hookimpl
def zwxm_register_rules(register):
    for rule in RULES:
        register(rule)
