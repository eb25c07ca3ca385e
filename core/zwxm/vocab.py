"""The shared vocabulary: one place for every key the core, the plugins and the UI agree on.

Each entry maps a stable English key to its (Chinese, English) labels. Plugins may add to the
event, step and category vocabularies only under their own namespace (``wuxing:...``).
"""

from __future__ import annotations

Label = tuple[str, str]

KINDS: dict[str, Label] = {
    "construction": ("建设类", "construction"),
    "operation": ("运维类", "operation"),
    "service": ("服务类", "service"),
}

FUNDINGS: dict[str, Label] = {
    "department_budget": ("部门预算", "department budget"),
    "government_investment": ("政府投资", "government investment"),
    "own_funds": ("自有资金", "own funds"),
    "superior_funds": ("上级资金", "superior government funds"),
}

# Kinds of contract a project signs (DOMAIN.md "One project, many contracts"); Wuxing 第十七条 names
# design, supervision and testing as the vendors that take no other procurement of the project.
CONTRACT_KINDS: dict[str, Label] = {
    "construction": ("承建", "construction"),
    "supervision": ("监理", "supervision"),
    "design": ("设计", "design"),
    "testing": ("第三方测评", "third-party testing"),
    "goods": ("货物", "goods"),
    "services": ("服务", "services"),
    "om": ("运维", "operation and maintenance"),
}

# Sources of a project's money, as Yubei 附件1's 资金预算 columns name them (plus 省财政 and 上级资金).
FUNDING_SOURCES: dict[str, Label] = {
    "central": ("中央财政", "central government"),
    "provincial": ("省财政", "provincial government"),
    "city": ("市财政", "city government"),
    "superior": ("上级资金", "superior government (level not given)"),
    "district": ("区财政", "district government"),
    "own": ("自有资金", "own funds"),
}

# The level each source's money comes from: the district's own fiscal money, a superior government's, or the unit's own.
FUNDING_LEVELS: dict[str, str] = {"central": "superior", "provincial": "superior", "city": "superior",
                                  "superior": "superior", "district": "district", "own": "own"}

STEPS: dict[str, Label] = {
    "annual_plan": ("列入年度计划", "included in the annual plan"),
    "fund_application_report": ("项目资金申请报告", "fund application report"),
    "project_proposal": ("项目建议书", "project proposal"),
    "feasibility_study": ("可行性研究报告", "feasibility study"),
    "preliminary_design": ("初步设计及概算", "preliminary design and estimate"),
    "project_contact_sheet": ("项目联系单", "project contact sheet"),
    "technical_review": ("技术论证", "technical review"),
    "preliminary_review": ("初步审核", "preliminary review"),
    "expert_review": ("专家评审", "expert review"),
    "joint_review": ("联审", "joint review"),
    "city_review": ("市级审核", "city review"),
    "crypto_review": ("密码审查", "crypto review"),
    "funds_review": ("资金审核", "funds review"),
    "government_deliberation": ("政府审议", "government deliberation"),
    "investment_approval": ("投资立项批复", "investment approval"),
    "filing": ("备案", "filing"),
}

PROCEDURES: dict[str, Label] = {
    "reapproval": ("重新报批", "re-approval"),
    "bureau_approval": ("主管部门审批", "approval by the IT authority"),
    "file_only": ("报备即可", "filing only"),
    "none": ("无需程序", "no procedure"),
}

SEVERITIES: dict[str, Label] = {
    "error": ("违规", "error"),
    "warning": ("提醒", "warning"),
    "info": ("信息", "info"),
}

DEADLINE_KINDS: dict[str, Label] = {
    "due": ("截止", "due"),
    "not_before": ("不早于", "not before"),
}

DEADLINE_STATUSES: dict[str, Label] = {
    "pending": ("未触发", "pending"),
    "open": ("进行中", "open"),
    "met": ("已按时", "met"),
    "missed": ("已逾期", "missed"),
}

REGULATION_STATUSES: dict[str, Label] = {
    "in_force": ("现行有效", "in force"),
    "expired": ("已失效", "expired"),
    "draft": ("征求意见稿", "draft"),
    "not_yet_effective": ("尚未施行", "not yet effective"),
}


def pick(lang: str, zh: str, en: str | None) -> str:
    """A bilingual text in `lang`: its English when asked for and present, else its Chinese."""
    return en if lang == "en" and en else zh


def label(vocabulary: dict[str, Label], key: str, lang: str = "zh") -> str:
    """The label of a key in the chosen language, or the key itself when the vocabulary lacks it."""
    pair = vocabulary.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]
