"""The shared vocabulary: one place for every key the core, the plugins and the UI agree on.

Each entry maps a stable English key to its (Chinese, English) labels. Plugins may add to the
event, step and category vocabularies only under their own namespace (``wuxing:...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


# Project fields and the facts every district may read (a plugin labels its own facts on its
# `District.facts`; `fact_label` looks in both).
FACTS: dict[str, Label] = {
    "code": ("项目编号", "code"),
    "name": ("项目名称", "name"),
    "district": ("地区", "district"),
    "kind": ("项目类型", "kind"),
    "investment": ("总投资", "investment"),
    "category": ("项目类别", "category"),
    "funding": ("资金来源", "funding source"),
    "classified": ("涉密", "classified"),
    "owner_unit": ("建设单位", "construction unit"),
    "user_unit": ("使用单位", "user unit"),
    "contractor": ("承建单位", "contractor"),
    "supervisor": ("监理单位", "supervisor"),
    "designer": ("设计单位", "designer"),
    "tester": ("测评单位", "testing agency"),
    "budget_year": ("预算年度", "budget year"),
    "tags": ("标签", "tags"),
    "contact": ("联系人", "contact person"),
    "contact_phone": ("联系电话", "contact phone"),
    "it_authority": ("信息化主管部门", "IT authority"),
}

SAVE_RESULTS: dict[str, Label] = {
    "inserted": ("新增", "created"),
    "updated": ("已更新", "updated"),
    "unchanged": ("无变化", "unchanged"),
}

YES_NO: dict[bool, Label] = {True: ("是", "yes"), False: ("否", "no")}


def pick(lang: str, zh: str, en: str | None) -> str:
    """A bilingual text in `lang`: its English when asked for and present, else its Chinese."""
    return en if lang == "en" and en else zh


def label(vocabulary: Mapping[str, Label], key: str, lang: str = "zh") -> str:
    """The label of a key in the chosen language, or the key itself when the vocabulary lacks it."""
    pair = vocabulary.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def fact_label(name: str, lang: str = "zh", district_facts: Mapping[str, Label] | None = None) -> str:
    """What an operator calls a fact: the district's label, else the shared one, else the name as
    the data gave it (a fact no one labelled is the user's own column)."""
    pair = (district_facts or {}).get(name) or FACTS.get(name)
    return name if pair is None else pick(lang, *pair)


def fact_value(value: Any, lang: str = "zh") -> str:
    """A fact's value as text for an operator: yes/no in words, lists joined, the rest as given."""
    if isinstance(value, bool):
        return pick(lang, *YES_NO[value])
    if isinstance(value, (list, tuple)):
        return (", " if lang == "en" else "、").join(fact_value(v, lang) for v in value)
    return "" if value is None else str(value)
