"""The Luohu (罗湖) district: its regulation, departments, event types and rules, through the four hooks."""

from __future__ import annotations

from pathlib import Path

from zwxm import hookimpl
from zwxm.lifecycle import EventType
from zwxm.rules import District, Regulation, Role, Rule

from . import rules as r

HERE = Path(__file__).parent

REGULATION = Regulation(
    title="深圳市罗湖区信息化项目管理办法",
    number="罗府办规〔2020〕8号",
    effective_from=r.EFFECTIVE_FROM,
    effective_until=r.EFFECTIVE_UNTIL,
    draft=False,
    validity_article=r.VALIDITY_ARTICLE,
    source=HERE / "regulation.txt",
    note=("自2020年10月20日起施行，有效期五年，最后有效日为2025年10月19日（第三十四条）；"
          "同时废止的《深圳市罗湖区政府投资信息工程项目管理办法》（罗府办规〔2017〕8号）不在本插件范围内："
          "2020年10月20日前的评估标为“尚未施行”，结果按本办法仅供参考。区政务服务数据管理局的政策解读见 interpretation.txt。"
          " / In force 2020-10-20 to 2025-10-19 (art. 34). The 2017 measure it replaced is out of scope: "
          "evaluations before 2020-10-20 are marked 'not yet effective' and apply this measure for reference only."),
)

# Articles no rule covers, each with the reason (the validity article is covered by the core).
UNCOVERED = {
    1: "立法目的和依据，无数据可查 / purpose and legal basis",
    4: "建设原则（统一规划、资源共享等），无数据可查 / principles, no data shows them",
    5: "主管部门编制全区总体规划的职责，不涉及单个项目 / the IT authority's master plan, not a project's data",
    10: "项目方案须写明数据归集和共建共享资源的使用：方案内容无数据可查（数据归集本身见第十九条） / content of the plan",
    21: "政府投资项目验收后“及时”办理结算、决算、产权登记等：无期限，按《全过程管理办法》 / no period stated",
    22: "运维责任划分（谁主管谁负责），无数据可查 / allocation of O&M responsibility",
    24: "遵守网络安全法律法规，属原则要求，无数据可查 / general duty to obey security law",
    25: "主管部门为效能评估主体：职责见角色 / names the evaluating body (see roles)",
    27: "效能评估由主管部门在投入使用后组织，无期限、无项目方义务可查 / authority's evaluation, no period",
    28: "效能评估内容清单，属评估方法 / content of the efficiency evaluation",
    30: "审批和管理部门违反程序的责任追究，不涉及项目数据 / accountability of the approving departments",
    31: "参与单位、评审机构违规按《全过程管理办法》追责 / accountability under another measure",
    32: "解释权归区政务服务数据管理局 / interpretation clause",
    33: "未尽事宜按《全过程管理办法》及财政部门规定 / gap-filling clause",
}

EVENT_TYPES = (
    EventType(r.PLAN_LISTED, "declare", "列入年度信息化项目计划", "listed in the annual IT project plan"),
    EventType(r.SPECIAL_APPROVAL, "declare", "区主要领导或区领导小组特别审批", "special approval by the principal leader or leading group"),
    EventType(r.EX_ANTE_ASSESSED, "declare", "完成事前绩效评估", "ex-ante performance assessment completed"),
    EventType(r.PROPOSAL_APPROVED, "approve", "项目建议书批复", "project proposal approved"),
    EventType(r.FEASIBILITY_APPROVED, "approve", "可行性研究报告批复", "feasibility study approved"),
    EventType(r.CONSTRUCTION_STARTED, "implement", "开工建设", "construction started"),
    EventType(r.CATALOGUE_REGISTERED, "accept", "登记政务数据资源目录", "registered in the government data catalogue"),
    EventType(r.PRELIMINARY_ACCEPTANCE_FILED, "accept", "初步验收材料备案", "preliminary acceptance filed",
              ("preliminary_acceptance_passed",)),
    EventType(r.FINAL_ACCEPTANCE_FILED, "operate", "竣工验收报告备案", "final acceptance report filed",
              ("final_acceptance_passed",)),
    EventType(r.PUT_INTO_USE, "operate", "投入使用", "put into use"),
)

ROLES = (
    Role(r.CODE, "罗湖区“数字政府”和智慧罗湖建设领导小组（区领导小组）",
         "领导、协调区信息化项目建设；审议总体规划和年度信息化项目计划；特殊需要项目的审批",
         (3, 5, 7, 8), "Digital Government and Smart Luohu leading group",
         "leads and coordinates; reviews the master plan and the annual plan; special approvals"),
    Role(r.CODE, "区领导小组办公室（设在区政务服务数据管理局）",
         "负责领导小组日常事务，定期汇报数字政府和智慧罗湖建设情况", (3,),
         "office of the leading group", "daily affairs and regular reports to the leading group"),
    Role(r.CODE, f"{r.IT_AUTHORITY}（区信息化主管部门）",
         "统筹规划、编制年度计划、技术论证（初步审核和专家论证）、合同和验收等备案、接收月度进度报告、"
         "监督指导建设验收维护、效能评估、本办法解释",
         (3, 5, 6, 7, 12, 13, 15, 16, 17, 18, 19, 25, 27, 29, 32),
         "district government service and data administration (IT authority)",
         "planning, annual plan, technical review, filings, monthly reports, supervision, efficiency evaluation"),
    Role(r.CODE, "区主要领导", "对未列入年度计划的特殊需要项目特别审批", (8,),
         "district principal leader", "special approval of projects outside the annual plan"),
    Role(r.CODE, "区发展改革部门", "立项审批（未列入年度计划或未经技术论证的不予立项、不予审核）；政府投资项目后评价；"
         "对拒不整改的暂缓后续审批", (8, 12, 21, 27, 29),
         "district development and reform department", "project approval, post-evaluation, suspends approvals"),
    Role(r.CODE, "区财政部门", "安排项目建设资金（未列入年度计划或未经技术论证的不予安排）；接收效能评估通报",
         (8, 12, 27, 33), "district finance department", "funds projects; receives evaluation results"),
    Role(r.CODE, "区财政局财政投资评审中心", "未通过竣工验收的项目不予办理结算审核及决算审核", (18,),
         "fiscal investment review centre", "no settlement or final-account audit before final acceptance"),
    Role(r.CODE, "区政府", "接收效能评估结果", (27,), "district government", "receives efficiency evaluation results"),
    Role(r.CODE, "保密部门", "涉及国家秘密的信息化项目按其规定实施建设", (2,),
         "secrecy authority", "classified projects follow its rules"),
    Role(r.CODE, "建设单位", "项目方案及其真实性、事前绩效评估、技术论证申请、按路径报批、选定监理、合同备案、"
         "月度报告、变更确认和备案、组织验收、数据归集、移交、保修约定、网络安全",
         (9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 26),
         "construction unit", "plans, reviews, approvals, filings, monthly reports, acceptance, data, hand-over, warranty"),
    Role(r.CODE, "使用单位（运行单位）", "建用分离时按合同和竣工验收报告接收并尽快投入使用；负责系统运行维护",
         (20, 22), "user (operating) unit", "receives the hand-over; runs and maintains the system"),
    Role(r.CODE, "监理单位", "承担监理；参与初步验收、竣工验收和一般设计变更的确认", (14, 17, 18),
         "supervisor", "supervision; takes part in acceptances and change confirmation"),
    Role(r.CODE, "承建单位", "参与初步验收、竣工验收和一般设计变更的确认", (17, 18),
         "contractor", "takes part in acceptances and change confirmation"),
    Role(r.CODE, "设计单位", "参与竣工验收和一般设计变更的确认", (17, 18),
         "designer", "takes part in final acceptance and change confirmation"),
    Role(r.CODE, "第三方测评机构", "对项目质量和网络安全等级测评，出具第三方测评报告", (18,),
         "third-party tester", "quality and security-level test report"),
    Role(r.CODE, "专业工程咨询机构", "编制资金申请报告、项目建议书、可行性研究报告、初步设计及概算", (11,),
         "engineering consultancy", "drafts the project documents"),
)

# (key, kind, article, title, check, title_en, events, cites)
RULES = (
    ("scope_amount", "applicability", 2, "适用范围：50万元（含）以上", r.scope_amount, "scope: 500,000 yuan and above", (), ()),
    ("scope_funding", "applicability", 2, "适用范围：本级财政性资金；上级资金从其规定", r.scope_funding,
     "scope: district fiscal money; superior funds follow superior rules", (), ()),
    ("scope_project_kind", "applicability", 2, "适用范围：日常运行维护项目除外", r.scope_project_kind,
     "scope: routine O&M excluded", (), ()),
    ("scope_category", "applicability", 2, "适用范围：单纯设备购置、日常运维除外", r.scope_category,
     "scope: pure equipment purchase and routine O&M excluded", (), ()),
    ("scope_classified", "applicability", 2, "适用范围：涉密项目除外", r.scope_classified, "scope: classified projects excluded", (), ()),
    ("annual_plan", "step", 6, "列入年度信息化项目计划", r.annual_plan_step, "listed in the annual plan", (), (7, 8)),
    ("technical_review", "step", 12, "技术论证", r.technical_review_step, "technical review", (), (3, 13)),
    ("approval_path", "step", 11, "审批路径（部门预算/政府投资）", r.approval_path, "approval path (budget / investment)", (), (9,)),
    ("annual_plan_before_approval", "gate", 8, "未列入年度计划不予立项、不安排资金", r.annual_plan_before_approval,
     "no approval or funding outside the annual plan", r.APPROVAL_EVENTS, (6, 7)),
    ("technical_review_before_approval", "gate", 12, "报批或申请经费前取得技术论证意见", r.technical_review_before_approval,
     "technical review before approval or funding", r.APPROVAL_EVENTS, (3,)),
    ("expert_review_after_preliminary_review", "gate", 13, "初步审核通过后方可专家论证",
     r.expert_review_after_preliminary_review, "expert review after the preliminary review", ("expert_review_passed",), ()),
    ("approval_sequence", "gate", 11, "政府投资项目依次报批（5000万元（含）以下可免可研）", r.approval_sequence,
     "government investment approvals in order", (r.FEASIBILITY_APPROVED, "approved"), ()),
    ("trial_run_after_preliminary_acceptance", "gate", 18, "初步验收通过后试运行", r.trial_run_after_preliminary_acceptance,
     "trial run after preliminary acceptance", ("trial_run_started",), ()),
    ("final_acceptance_prerequisites", "gate", 18, "竣工验收前：初步验收、试运行满30天、第三方测评报告",
     r.final_acceptance_prerequisites, "before final acceptance: preliminary acceptance, 30-day trial run, test report",
     ("final_acceptance_passed",), ()),
    ("data_before_final_acceptance", "gate", 19, "竣工验收前数据归集并登记目录", r.data_before_final_acceptance,
     "data aggregated and catalogued before final acceptance", ("final_acceptance_passed", r.FINAL_ACCEPTANCE_FILED), ()),
    ("no_use_before_final_acceptance", "gate", 20, "未经竣工验收不得投入使用", r.no_use_before_final_acceptance,
     "no use before final acceptance", (r.PUT_INTO_USE,), ()),
    ("contract_filing", "deadline", 15, "合同备案（签订之日起10日内）", r.contract_filing_deadline,
     "contract filing (within 10 days of signing)", (), (3,)),
    ("monthly_progress_report", "deadline", 16, "月度进度和资金使用报告（每月25日前）", r.monthly_progress_report_deadlines,
     "monthly progress and funds report (by the 25th)", (), ()),
    ("preliminary_acceptance", "deadline", 18, "初步验收（建成半年内）", r.preliminary_acceptance_deadline,
     "preliminary acceptance (within six months of completion)", (), ()),
    ("trial_run_minimum", "deadline", 18, "试运行不少于30天", r.trial_run_minimum, "trial run of at least 30 days", (), ()),
    ("handover", "deadline", 20, "建用分离项目移交使用单位（竣工验收后30个工作日内）", r.handover_deadline,
     "hand-over to the user unit (30 working days after final acceptance)", (), ()),
    ("supervisor_selected", "finding", 14, "选定监理单位（按项目实际需要）", r.supervisor_selected, "supervisor chosen as needed", (), ()),
    ("acceptance_filed", "finding", 18, "验收材料、竣工验收报告备案", r.acceptance_filed, "acceptance documents filed", (), ()),
    ("warranty_minimum", "finding", 23, "保修期不低于2年", r.warranty_minimum, "warranty of at least 2 years", (), ()),
    ("ex_ante_performance_assessment", "finding", 26, "技术论证前完成事前绩效评估", r.ex_ante_performance_assessment,
     "ex-ante performance assessment before the technical review", (), (9,)),
    ("started_without_review_or_procurement", "finding", 29, "未经技术论证、政府采购擅自开工（第二十九条第二项）",
     r.started_without_review_or_procurement, "started without technical review or procurement (art. 29.2)", (), (12,)),
    ("contract_without_procurement", "finding", 29, "未经政府采购签订合同（第二十九条第二项）",
     r.contract_without_procurement, "contract signed without procurement (art. 29.2)", (), ()),
    ("design_changed_during_procurement", "finding", 29, "政府采购过程中更改设计方案（第二十九条第三项）",
     r.design_changed_during_procurement, "design changed during procurement (art. 29.3)", (), ()),
    ("seriously_overdue", "finding", 29, "工程严重逾期（第二十九条第六项）", r.seriously_overdue,
     "construction seriously overdue (art. 29.6)", (), ()),
    ("used_after_failed_acceptance", "finding", 29, "验收不合格即交付使用（第二十九条第八项）", r.used_after_failed_acceptance,
     "put into use after a failed acceptance (art. 29.8)", (), (20,)),
    ("change_procedure", "change", 17, "设计变更程序", r.change_procedure, "design change procedure", (), ()),
)


@hookimpl
def zwxm_register_districts(register):
    register(District(code=r.CODE, name="罗湖区", name_en="Luohu District", regulation=REGULATION,
                      categories=r.CATEGORIES, uncovered=UNCOVERED, scenarios=HERE / "scenarios",
                      facts=r.FACT_LABELS))


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
    for key, kind, article, title, check, title_en, events, cites in RULES:
        register(Rule(key, r.CODE, kind, article, title, check, title_en, events=events, cites=cites))
