"""Hook implementations for Wuxing (吴兴区信息化项目管理办法, 吴政办发〔2023〕43号).

The district, its departments, the few event types the core lacks, and the rules, each with its
article. The rules themselves are in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zwxm import hookimpl
from zwxm.lifecycle import EventType
from zwxm.rules import District, Regulation, Role, Rule

from . import rules as r
from .splitting import split_to_evade_oversight

HERE = Path(__file__).parent
CODE = "wuxing"

REGULATION = Regulation(
    title="吴兴区信息化项目管理办法",
    number="吴政办发〔2023〕43号",
    effective_from=dt.date(2023, 11, 25),  # 第三十三条
    effective_until=None,  # no end date in the text
    draft=False,
    validity_article=33,
    source=HERE / "regulation.txt",
    note="同时废止《吴兴区信息化项目管理办法（试行）》（吴政办发〔2019〕82号）",
)

UNCOVERED: dict[int, str] = {
    1: "立法目的和依据，无数据可查 / purpose and legal basis",
    4: "建设原则，无数据可查 / principles",
    14: "鼓励探索公共数据授权运营，非义务 / encourages public-data operation, no obligation",
    23: "财政资金保障机制和支持重点，非单个项目义务 / funding policy, not a project duty",
    24: "专款专用和审计监督，属财务核算，项目数据无法显示 / ring-fenced accounting and audit, not in project data",
    28: "区大数据局每年对重点项目开展绩效评价，未规定日期和重点项目标准 / the bureau's yearly evaluation, no date or criterion",
    29: "定期自查和关停并转申请，未规定周期和标准 / periodic self-inspection, no period or criterion",
    31: "授权各单位制定实施细则，非项目义务 / units may issue implementing rules",
}


@hookimpl
def zwxm_register_districts(register):
    register(District(
        code=CODE, name="吴兴区", name_en="Wuxing District (Huzhou)",
        regulation=REGULATION,
        categories=r.CATEGORIES,
        uncovered=UNCOVERED,
        scenarios=HERE / "scenarios",
        facts={name: (zh, en) for name, (_parser, zh, en) in r.FACTS.items()},
    ))


EVENT_TYPES = (
    EventType("wuxing:revised_plan_filed", "review", "评审后方案存档备案", "revised plan filed after review"),  # 第十条
    EventType("wuxing:city_review_passed", "review", "市大数据局审核通过", "city big-data bureau review passed"),  # 第十条
    EventType("wuxing:annual_plan_approved", "approve", "年度计划经区政府审批", "annual plan approved"),  # 第十一条
    EventType("wuxing:feasibility_study_approved", "approve", "可行性研究报告批复", "feasibility study approved"),  # 第十三条
    EventType("wuxing:supervisor_engaged", "procure", "监理单位介入", "supervisor engaged"),  # 第十七条
    EventType("wuxing:service_ended", "accept", "阶段性运维或服务结束", "phase of operation or service ended"),  # 第二十条
    EventType("wuxing:delay_explained", "accept", "提交不能按期验收说明", "delay of acceptance explained"),  # 第二十条
    EventType("wuxing:resources_catalogued", "accept", "数字资源目录纳入IRS", "digital resources catalogued in IRS"),  # 第十八条
    EventType("wuxing:acceptance_report_uploaded", "operate", "验收报告上传系统", "acceptance report uploaded",
              ("final_acceptance_passed",)),  # 第二十二条
    EventType("wuxing:put_into_use", "operate", "投入使用", "put into use"),  # 第二十二条
)


@hookimpl
def zwxm_register_event_types(register):
    for event_type in EVENT_TYPES:
        register(event_type)


ROLES = (
    Role(CODE, "联审机构", "信息化项目需求预审，研究协调重大问题，组织专家集中评审，重大变更重新审批，对应关停并转项目通报",
         (6, 10, 19, 29), "Joint review body", "needs pre-review, expert review, re-approval of large changes, shutdown notices"),
    Role(CODE, "区委改革办", "多跨协同类项目的必要性审核，指导协调改革工作的信息化建设", (6, 9),
         "District reform office", "necessity review of multi-collab projects"),
    Role(CODE, "区大数据局", "需求统筹和综合协调，组织初审，牵头联合审批、监管、验收和绩效评价，组建数字吴兴专家库，"
         "编制年度计划，组织竣工验收，督促整改", (5, 6, 7, 9, 11, 20, 28),
         "District big-data bureau", "coordination, preliminary review, annual plan, final acceptance, evaluation"),
    Role(CODE, "区财政局", "资金预算审核和政府采购监管，监督资金拨付和使用，会同编制年度计划，提出资金保障意见", (6, 9, 10, 11),
         "District finance bureau", "budget review, procurement oversight, funding opinion"),
    Role(CODE, "区发改经信局", "将区政府审批通过的项目列入年度政府投资项目计划，出具项目联系单或批复可研、初步设计", (6, 11, 13),
         "District development, reform and economy bureau", "investment plan listing, contact sheet, feasibility and design approval"),
    Role(CODE, "区公安分局", "网络安全等级保护和公共视频监控审核，提出公共视频监控建设初审意见", (6, 9),
         "District public security branch", "graded protection and video surveillance review"),
    Role(CODE, "区委网信办", "项目网络安全监管，提出网络安全建设内容初审意见", (6, 9),
         "District cyberspace office", "network security oversight and opinion"),
    Role(CODE, "区委机要局", "密码评估，提出安全可靠和密码应用初审意见，负责涉密项目论证和监管", (3, 6, 9),
         "District confidential bureau", "cryptography assessment, classified projects"),
    Role(CODE, "区审计局", "审计监督", (6, 24), "District audit bureau", "audit"),
    Role(CODE, "区人民政府", "审批年度信息化项目计划，对违规单位通报批评、责令改正", (11, 30),
         "District government", "approves the annual plan, sanctions violations"),
    Role(CODE, "市大数据局", "受理总投资500万元以上多跨协同项目的申报", (10,),
         "City big-data bureau", "review of multi-collab projects of 5 million or more"),
    Role(CODE, "建设单位", "申报、咨询、调研、采购、实施、初验、运行、维护、绩效自评；上传合同和验收报告；知识产权确权；"
         "数字资源编目；网络安全和数据安全协议；定期自查", (6, 7, 15, 16, 18, 20, 22, 25, 26, 27, 29),
         "Construction unit", "declares, procures, implements, accepts, operates; uploads contract and reports"),
    Role(CODE, "监理单位", "与承建单位相互独立，先于承建单位介入", (17,), "Supervisor", "independent, engaged before the contractor"),
    Role(CODE, "承建单位", "与建设单位签订合同，自竣工验收合格起维保不少于3年", (27,),
         "Contractor", "warranty of at least 3 years from final acceptance"),
    Role(CODE, "乡镇街道", "区、乡镇街道协同建设项目中承担的建设运维资金列入同级财政预算", (12,),
         "Townships and sub-districts", "own share of co-built projects in their budget"),
    Role(CODE, "纪检监察机关", "对项目资金的安排、拨付、使用和管理进行监督检查", (24,),
         "Discipline inspection organs", "oversight of project funds"),
)


@hookimpl
def zwxm_register_roles(register):
    for role in ROLES:
        register(role)


def _rule(key, kind, article, title, check, title_en, events=(), cites=(), reads_peers=False):
    return Rule(key, CODE, kind, article, title, check, title_en, events=tuple(events), cites=tuple(cites),
                reads_peers=reads_peers)


# In lifecycle order: the approval path and deadlines read in the order they are registered.
RULES = (
    # applicability
    _rule("scope_and_exclusions", "applicability", 3, "适用范围及除外情形（含涉密项目）", r.scope_and_exclusions,
          "scope and exclusions (classified projects out)", cites=(6,)),
    _rule("funding_scope", "applicability", 2, "资金来源与适用", r.funding_scope, "funding and scope", cites=(12, 32)),
    # approval path and acceptance
    _rule("approval_path", "step", 13, "审批路径：申报、初审、专家评审、年度计划、按总投资批复", r.approval_path,
          "approval path: declaration, reviews, annual plan, approvals by amount", cites=(5, 6, 7, 9, 10, 11)),
    _rule("acceptance_path", "step", 20, "竣工验收组织方及验收报告上传", r.acceptance_path,
          "who organises acceptance; report uploaded", cites=(21, 22)),
    # deadlines
    _rule("declaration_window", "deadline", 7, "申报时限内提交申报材料（逾期不安排预算）", r.declaration_window,
          "declaration window (late: no budget)"),
    _rule("contract_upload_deadline", "deadline", 15, "合同签订后5个工作日内上传采购文件和合同",
          r.contract_upload_deadline, "procurement documents and contract uploaded within 5 working days"),
    _rule("initial_acceptance_and_trial_run_deadline", "deadline", 20, "基本完成后3个月内完成初验和试运行（逾期须说明）",
          r.initial_acceptance_and_trial_run_deadline, "initial acceptance and trial run within 3 months (late: explain)"),
    _rule("trial_run_minimum", "deadline", 20, "试运行不少于一个月", r.trial_run_minimum, "trial run at least one month"),
    _rule("rectification_deadline", "deadline", 20, "验收未通过3个月内完成整改", r.rectification_deadline,
          "rectification within 3 months"),
    # findings
    _rule("category_matches_kind", "finding", 3, "类别与项目类型一致", r.category_matches_kind, "category matches kind"),
    _rule("must_not_be_declared", "finding", 8, "不得申报的项目", r.must_not_be_declared, "projects that may not be declared"),
    _rule("split_to_evade_oversight", "finding", 8, "化整为零规避监管", split_to_evade_oversight,
          "split into parts to evade oversight", reads_peers=True),
    _rule("estimate_includes_support_costs", "finding", 7, "概算含安全、监理配套经费", r.estimate_includes_support_costs,
          "estimate includes security and supervision costs", cites=(17,)),
    _rule("operation_needs_managed_system", "finding", 7, "未纳入系统管理不安排运维经费", r.operation_needs_managed_system,
          "no O&M funds outside the project system", cites=(5,)),
    _rule("contract_without_procurement", "finding", 15, "依法组织采购后签订合同", r.contract_without_procurement,
          "contract signed only after procurement"),
    _rule("ip_ownership_in_contract", "finding", 16, "成果及知识产权归属", r.ip_ownership_in_contract, "results and IP ownership"),
    _rule("supervision_required", "finding", 17, "100万元及以上实行工程监理", r.supervision_required,
          "supervision of 1 million or more"),
    _rule("vendor_independence", "finding", 17, "监理与承建相互独立；设计、监理、检测供应商不得参加其他采购",
          r.vendor_independence, "independent supervisor; one role per vendor"),
    _rule("digital_resources_catalogued", "finding", 18, "数字资源编目纳入IRS", r.digital_resources_catalogued,
          "digital resources catalogued in IRS"),
    _rule("actual_within_estimate", "finding", 19, "实际投资不超过概算", r.actual_within_estimate, "actual within estimate"),
    _rule("data_security_agreement", "finding", 26, "网络及数据安全保护协议和保密协议", r.data_security_agreement,
          "security and confidentiality agreements"),
    _rule("warranty_minimum", "finding", 27, "维保期不少于3年", r.warranty_minimum, "warranty at least 3 years"),
    _rule("fact_values", "finding", None, "项目事实可读", r.fact_values, "readable project facts"),
    # changes
    _rule("change_procedure", "change", 19, "变更：增加概算、100万元以上或超过实际投资10%须重新审批", r.change_procedure,
          "changes: estimate increase, 1 million or more, or over 10% re-approved"),
    # gates between stages
    _rule("expert_review_after_preliminary_review", "gate", 10, "初审通过后专家评审", r.expert_review_after_preliminary_review,
          "expert review after preliminary review", events=("expert_review_passed",)),
    _rule("plan_after_expert_review", "gate", 11, "专家评审后列入计划和立项", r.plan_after_expert_review,
          "plan and approval after expert review", cites=(10,),
          events=("wuxing:annual_plan_approved", "wuxing:feasibility_study_approved", "approved")),
    _rule("procurement_after_approval", "gate", 15, "立项后依法采购", r.procurement_after_approval,
          "procurement after approval", cites=(13, 30), events=("procurement_started", "contract_signed")),
    _rule("city_review_before_implementation", "gate", 10, "市级审核后实施", r.city_review_before_implementation,
          "city review before implementation", events=("procurement_started", "contract_signed")),
    _rule("supervisor_before_contractor", "gate", 17, "监理先于承建介入", r.supervisor_before_contractor,
          "supervisor before contractor", events=("contract_signed",)),
    _rule("security_assessment_before_trial_run", "gate", 20, "试运行前网络安全评估", r.security_assessment_before_trial_run,
          "security assessment before trial run", cites=(25,), events=("trial_run_started",)),
    _rule("final_acceptance_after_trial_run", "gate", 20, "初验及一个月试运行后竣工验收", r.final_acceptance_after_trial_run,
          "final acceptance after initial acceptance and trial run",
          events=("final_acceptance_applied", "final_acceptance_passed")),
    _rule("reacceptance_after_rectification", "gate", 20, "整改后再验收", r.reacceptance_after_rectification,
          "accept again after rectification",
          events=("preliminary_acceptance_passed", "final_acceptance_applied", "final_acceptance_passed")),
    _rule("no_use_before_acceptance", "gate", 22, "竣工验收合格前不得投入使用", r.no_use_before_acceptance,
          "no use before final acceptance", events=("wuxing:put_into_use",)),
)


@hookimpl
def zwxm_register_rules(register):
    for rule in RULES:
        register(rule)
