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

# Column headers and captions of the due list, the calendar, the monthly report and the web view.
COLUMNS: dict[str, Label] = {
    "code": ("项目编号", "project code"),
    "project_code": ("项目编号", "project code"),
    "name": ("项目名称", "project name"),
    "project_name": ("项目名称", "project name"),
    "district": ("地区", "district"),
    "kind": ("项目类型", "kind"),
    "investment": ("总投资（元）", "investment (yuan)"),
    "category": ("类别", "category"),
    "funding": ("资金来源", "funding"),
    "classified": ("涉密", "classified"),
    "owner_unit": ("建设单位", "construction unit"),
    "user_unit": ("使用单位", "user unit"),
    "contractor": ("承建单位", "contractor"),
    "supervisor": ("监理单位", "supervisor"),
    "designer": ("设计单位", "designer"),
    "tester": ("测评机构", "tester"),
    "budget_year": ("年度", "budget year"),
    "tags": ("标签", "tags"),
    "facts": ("其他信息", "facts"),
    "created_at": ("创建时间", "created at"),
    "updated_at": ("更新时间", "updated at"),
    "search": ("检索文本", "search text"),
    "name_sort": ("拼音排序", "pinyin sort key"),
    "department": ("责任部门", "responsible department"),
    "rule": ("规则", "rule"),
    "title": ("期限事项", "deadline"),
    "title_en": ("期限事项（英文）", "deadline (English)"),
    "date": ("日期", "date"),
    "due_date": ("截止日期", "due date"),
    "status": ("状态", "status"),
    "article": ("条款", "article"),
    "explanation": ("日期计算说明", "how the date was counted"),
    "explanation_en": ("日期计算说明（英文）", "how the date was counted (English)"),
    "provisional": ("临时日期", "provisional date"),
    "done_on": ("完成日期", "done on"),
    "working_days": ("剩余工作日", "working days left"),
    "stage": ("阶段", "stage"),
    "stage_order": ("阶段序号", "stage order"),
    "applicable": ("适用", "applicable"),
    "next_deadline": ("下一期限", "next deadline"),
    "next_deadline_rule": ("下一期限规则", "next deadline rule"),
    "next_deadline_title": ("下一期限事项", "next deadline item"),
    "next_deadline_title_en": ("下一期限事项（英文）", "next deadline item (English)"),
    "next_deadline_article": ("下一期限条款", "next deadline article"),
    "next_deadline_provisional": ("下一期限为临时日期", "next deadline provisional"),
    "overdue": ("逾期", "overdue"),
    "errors": ("违规数", "errors"),
    "warnings": ("提醒数", "warnings"),
    "evaluated_on": ("评估日期", "evaluated on"),
    "severity": ("严重程度", "severity"),
    "message": ("内容", "message"),
    "message_en": ("内容（英文）", "message (English)"),
    "plugin": ("插件", "plugin"),
    "kind_deadline": ("期限类型", "deadline kind"),
    "amount": ("变更金额（元）", "amount (yuan)"),
    "reason": ("原因", "reason"),
    "major": ("重大变更", "major change"),
    "projects": ("项目数", "projects"),
    "count": ("数量", "count"),
    "overdue_count": ("逾期数", "overdue"),
    "due_count": ("下月到期数", "due next month"),
    "open_findings": ("未解决问题数", "open findings"),
    "awaiting_approval": ("待审批变更", "changes awaiting approval"),
    "procedure": ("所需程序", "procedure"),
}

YES_NO: dict[str, Label] = {"yes": ("是", "yes"), "no": ("否", "no")}

# Sections of the monthly supervision report (通报) and its charts.
REPORT_SECTIONS: dict[str, Label] = {
    "title": ("政务信息化项目监督月报", "Monthly supervision report on government IT projects"),
    "summary": ("按地区和建设单位汇总", "Summary by district and construction unit"),
    "by_district": ("按地区汇总", "By district"),
    "by_unit": ("按建设单位汇总", "By construction unit"),
    "overdue": ("逾期清单", "Overdue deadlines"),
    "due_next_month": ("下月到期", "Due next month"),
    "findings": ("未解决问题（按严重程度和条款）", "Open findings by severity and article"),
    "changes": ("待审批变更", "Changes awaiting approval"),
    "chart_overdue_by_district": ("各地区逾期期限数", "Overdue deadlines by district"),
    "chart_findings_by_severity": ("未解决问题按严重程度", "Open findings by severity"),
    "chart_overdue_by_unit": ("逾期最多的建设单位（前10）", "Construction units with most overdue (top 10)"),
    "generated": ("生成时间", "generated"),
    "month": ("月份", "month"),
    "as_of": ("统计截至", "as of"),
    "none": ("无", "none"),
    "more_rows": ("另有 {n} 行见 XLSX", "{n} more rows in the XLSX"),
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


def key_for(vocabulary: Mapping[str, Label], text: str) -> str | None:
    """The key a person meant: the key itself or either label (English in any case), or None."""
    text = text.strip()
    if text in vocabulary:
        return text
    folded = text.casefold()
    for key, (zh, en) in vocabulary.items():
        if text == zh or folded == en.casefold() or folded == key.casefold():
            return key
    return None


def listing(vocabulary: Mapping[str, Label]) -> str:
    """Every value of a vocabulary as `key（中文 / English）`, for help texts and error messages."""
    return "; ".join(f"{key}（{zh} / {en}）" if en != key else f"{key}（{zh}）" for key, (zh, en) in vocabulary.items())


RULE_KINDS: dict[str, Label] = {
    "applicability": ("适用范围", "applicability"),
    "step": ("审批步骤", "approval step"),
    "deadline": ("期限", "deadline"),
    "finding": ("检查", "check"),
    "change": ("变更程序", "change procedure"),
    "gate": ("记录前检查", "gate"),
}


def article_text(number: int | None, lang: str = "zh") -> str:
    """An article reference as an operator reads it: 第15条, or art. 15 in English; "" for none."""
    if number is None:
        return ""
    return f"art. {number}" if lang == "en" else f"第{number}条"
