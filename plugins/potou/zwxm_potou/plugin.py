"""The Potou district's hook implementations: its draft regulation, event types, roles and rules."""

from __future__ import annotations

from pathlib import Path

from zwxm import hookimpl
from zwxm.lifecycle import EventType
from zwxm.rules import District, Regulation, Role, Rule

from . import rules as r

HERE = Path(__file__).parent

REGULATION = Regulation(
    title="坡头区区级政务信息化服务项目管理办法（试行）",
    number="无文号（征求意见稿）",
    effective_from=None,  # 第三十一条: 自印发之日起试行 — not issued yet
    effective_until=None,
    draft=True,
    validity_article=31,
    source=HERE / "regulation.txt",
    note="征求意见稿，尚未印发：结果仅供模拟 / draft for comment, not issued: results are what-if only",
)

UNCOVERED = {
    1: "立法目的和依据，无数据可查 / purpose and sources, nothing to check",
    3: "统一规划与协调机制的原则，无逐项目数据 / principle of unified planning, no per-project data",
    7: "“只减不增”针对单位系统总量，单个项目数据无法判断 / unit-wide system count, not visible in one project",
    9: "立项按轻重缓急排序的原则 / principle of priority, nothing to check",
    15: "资金使用情况“定期”报送，未规定周期，无法计算期限 / periodic fund reports with no period stated",
    17: "“谁签合同谁管理”的原则；监理按实际需要委托，非强制 / management principle; supervision optional",
    19: "公共基础设施按需申请分配，无条件或期限 / request for shared infrastructure, no condition or period",
    20: "重大问题沟通协调，无条件或期限 / coordination of major problems, no condition or period",
    25: "主管部门总体监督和后评价，无项目级期限 / bureau supervision and post-evaluation, no project deadline",
    26: "财政部门资金和绩效监督，无项目级期限 / finance supervision, no project deadline",
    27: "审计监督与配合义务，无数据可查 / audit supervision, nothing in the data to check",
    30: "解释权条款 / interpretation clause",
}


@hookimpl
def zwxm_register_districts(register):
    register(District(
        code=r.CODE, name="坡头区", name_en="Potou District", regulation=REGULATION,
        categories=r.CATEGORIES, uncovered=UNCOVERED, scenarios=HERE / "scenarios",
        facts={name: (zh, en) for name, (_article, _type, zh, en) in r.FACTS.items()},
    ))


@hookimpl
def zwxm_register_event_types(register):
    for key, stage, zh, en, requires in (
        (r.INTERNAL_REVIEW_PASSED, "declare", "内部论证通过", "internal review passed", ()),
        (r.FINANCE_CONSULTED, "declare", "已征求区财政局意见", "finance bureau consulted", ()),
        (r.CRYPTO_REVIEW_PASSED, "review", "密码应用审核通过", "crypto review passed", ()),
        (r.FUNDS_REVIEW_PASSED, "review", "资金审核通过", "funds review passed", ()),
        (r.BUDGET_EXECUTED, "implement", "预算执行完毕", "budget spent", ()),
        (r.CONFORMITY_REVIEW_PASSED, "accept", "符合性审查通过", "conformity review passed", ()),
        (r.ARCHIVE_ACCEPTED, "accept", "档案验收合格", "archives accepted", ()),
        (r.ACCEPTANCE_REPORT_SUBMITTED, "operate", "验收报告已报送", "acceptance report sent",
         ("final_acceptance_passed",)),
        (r.PERFORMANCE_EVALUATION_SUBMITTED, "evaluate", "绩效自评价报告已报送", "performance self-evaluation sent", ()),
    ):
        register(EventType(key, stage, zh, en, requires))


@hookimpl
def zwxm_register_roles(register):
    for department, duties, articles, department_en, duties_en in (
        (r.BUREAU, "总体规划与年度计划；立项审批与全流程监督；公共类项目方案、预算、采购、验收、绩效；专家评审、备案审核、"
                   "符合性审查；接收验收报告和自评价报告", (4, 6, 8, 10, 11, 12, 14, 19, 20, 22, 24, 25, 30),
         "District Government Services and Data Administration", "planning, project approval and oversight; runs "
         "public-category projects; expert review, filing review, conformity review; receives reports"),
        (r.UNITS, "专业类项目的需求、方案、预算、采购、验收和绩效；本单位规划和数据资源目录；变更备案；档案管理；"
                  "应用效果和绩效自评价", (4, 6, 7, 11, 12, 13, 15, 18, 21, 22, 23, 24, 27),
         "District units", "run professional-category projects; unit plan and data catalogue; change filing; "
         "archives; self-evaluations"),
        (r.FINANCE, "资金审核与预算安排；财政新增资金征求意见；绩效监督；接收绩效自评价报告",
         (4, 10, 11, 13, 15, 24, 26), "District Finance Bureau",
         "funds review and budget; consulted on new fiscal money; performance oversight"),
        (r.AUDIT, "审计监督", (4, 27), "District Audit Bureau", "audit"),
        (r.SECRECY, "密码应用审核", (4, 10, 11), "District State Secrecy Bureau", "crypto application review"),
        (r.DEVELOPMENT_REFORM, "固定资产投资项目（《政府投资条例》范围）的审批", (29,),
         "District Development and Reform Bureau", "approval of fixed-asset investment projects"),
        (r.COORDINATION, "研究制定年度计划，统筹协调各单位项目", (3,),
         "District IT project coordination mechanism", "annual plan and coordination"),
    ):
        register(Role(r.CODE, department, duties, articles, department_en, duties_en))


RULES = (
    # key, kind, article, title, check, title_en, events, cites
    ("scope", "applicability", 2, "适用范围：区本级财政资金购买的服务，非涉密", r.scope,
     "scope: services bought with district fiscal money, not classified", (), (5,)),
    ("fact_values", "finding", 2, "坡头区事实字段与设置的取值", r.fact_values, "values of Potou's facts and settings",
     (), ()),
    ("approval_path", "step", 10, "立项流程（公共类/专业类/备案制）", r.approval_path,
     "approval path (public / professional / filing)", (), (4, 11, 12, 29)),
    ("crypto_review", "step", 10, "密码应用审核", r.crypto_review, "crypto application review", (), (4, 11)),
    ("finance_consultation", "step", 13, "财政新增资金先征求区财政局意见", r.finance_consultation,
     "new fiscal money: consult the finance bureau", (), ()),
    ("filing_regime_eligibility", "finding", 12, "备案制管理的适用条件", r.filing_regime_eligibility,
     "who may use the filing regime", (), ()),
    ("approval_by_september", "deadline", 14, "下年度项目9月底前完成立项", r.approval_by_september,
     "next year's projects approved by the end of September", (), ()),
    ("late_approval_outside_budget", "finding", 14, "未按时立项原则上不纳入下年度预算", r.late_approval_outside_budget,
     "late approval: as a rule not in next year's budget", (), ()),
    ("no_approval_for_unfit_systems", "finding", 8, "目录外、不共享、不安全系统的运维、运营、升级项目不予立项",
     r.no_approval_for_unfit_systems, "no O&M, operation or upgrade project for unfit systems", (), ()),
    ("crypto_three_synchronous", "finding", 18, "密码保障系统三同步", r.crypto_three_synchronous,
     "crypto protection planned, built and run together", (), ()),
    ("started_without_approval", "finding", 28, "未履行审批、备案程序即采购或实施", r.started_without_approval,
     "procured or started without approval or filing", (), ()),
    ("contract_without_procurement", "finding", 16, "按政府采购有关规定采购后签订合同", r.contract_without_procurement,
     "contract signed only after procurement", (), ()),
    ("acceptance_report_to_bureau", "finding", 22, "专业类项目验收报告报送区政务服务数据管理局",
     r.acceptance_report_to_bureau, "professional acceptance report sent to the bureau", (), ()),
    ("effect_self_evaluation", "deadline", 24, "验收后12个月内应用效果自评价", r.effect_self_evaluation,
     "application-effect self-evaluation within 12 months of acceptance", (), ()),
    ("performance_self_evaluation", "deadline", 24, "预算年度终了或执行完毕后绩效自评价", r.performance_self_evaluation,
     "performance self-evaluation after the budget year", (), ()),
    ("performance_self_evaluation_outstanding", "finding", 24, "绩效自评价尚未报送",
     r.performance_self_evaluation_outstanding, "performance self-evaluation outstanding", (), ()),
    ("change_procedure", "change", 21, "项目调整：自行调整报备或重新报批", r.change_procedure,
     "changes: file only, or the ordinary procedure", (), ()),
    ("plan_and_catalogue_before_approval", "gate", 6, "立项前须有单位规划和数据资源目录",
     r.plan_and_catalogue_before_approval, "unit plan and data catalogue before approval", ("approved",), ()),
    ("finance_before_declaration", "gate", 13, "财政新增资金：申请立项前征求区财政局意见", r.finance_before_declaration,
     "new fiscal money: finance bureau consulted before applying", ("declared",), ()),
    ("conformity_review_before_acceptance", "gate", 22, "专业类项目验收前符合性审查",
     r.conformity_review_before_acceptance, "conformity review before accepting a professional project",
     ("final_acceptance_passed",), ()),
    ("archives_before_acceptance", "gate", 23, "档案验收合格后方可通过项目验收", r.archives_before_acceptance,
     "archives accepted before the project is accepted", ("final_acceptance_passed",), ()),
)


@hookimpl
def zwxm_register_rules(register):
    for key, kind, article, title, check, title_en, events, cites in RULES:
        register(Rule(key, r.CODE, kind, article, title, check, title_en, events, cites))
