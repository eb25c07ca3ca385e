"""Plain-text rendering of evaluations for the terminal, in Chinese or English."""

from __future__ import annotations

from .evaluation import Evaluation
from .lifecycle import STAGES
from .plugins import Registry, get_registry
from .vocab import DEADLINE_KINDS, DEADLINE_STATUSES, PROCEDURES, REGULATION_STATUSES, SEVERITIES, label, pick


def render_evaluation(ev: Evaluation, lang: str = "zh", registry: Registry | None = None) -> str:
    """The evaluation as text; the district by its name (from `registry`), every key by its label."""
    en = lang == "en"
    reg = ev.regulation
    district = (registry or get_registry()).districts[ev.district]
    lines = [
        f"{'Project' if en else '项目'} {ev.project} · {pick(lang, district.name, district.name_en)} · "
        f"{'as of' if en else '截至'} {ev.as_of}",
        f"{'Stage' if en else '阶段'}: {label(STAGES, ev.stage, lang)}",
        f"{'Regulation' if en else '依据'}: 《{reg.title}》 {reg.number} [{label(REGULATION_STATUSES, reg.status, lang)}]",
        f"{'Applicable' if en else '适用'}: {('yes' if en else '是') if ev.applicable else ('no' if en else '否')}",
    ]
    for a in ev.applicability:
        lines.append(f"  第{a.article}条 {pick(lang, a.message, a.message_en)}")
    if ev.approval_path:
        lines.append("Approval path:" if en else "审批路径：")
        for s in ev.approval_path:
            mark = "✓" if s.done else ("·" if s.required else "○")
            optional = "" if s.required else (" (optional)" if en else "（可免）")
            lines.append(f"  {mark} {pick(lang, s.title, s.title_en)}{optional}  第{s.article}条")
    if ev.deadlines:
        lines.append("Deadlines:" if en else "期限：")
        for d in ev.deadlines:
            prov = (" provisional" if en else " 临时") if d.provisional else ""
            lines.append(f"  {d.date or '—'} {label(DEADLINE_KINDS, d.kind, lang)} {pick(lang, d.title, d.title_en)}"
                         f" [{label(DEADLINE_STATUSES, d.status, lang)}{prov}]  第{d.article}条")
            explanation = pick(lang, d.explanation, d.explanation_en)
            if explanation:
                lines.append(f"      {explanation}")
    if ev.findings:
        lines.append("Findings:" if en else "发现：")
        for f in ev.findings:
            article = f"第{f.article}条" if f.article is not None else ""
            lines.append(f"  [{label(SEVERITIES, f.severity, lang)}] {pick(lang, f.message, f.message_en)}  {article}")
    if ev.changes:
        lines.append("Changes:" if en else "变更：")
        for c in ev.changes:
            lines.append(f"  {c.date} {c.amount:+,}元 → {label(PROCEDURES, c.procedure, lang)}  第{c.article}条")
    if ev.roles:
        lines.append("Who to go to:" if en else "责任部门：")
        for r in ev.roles:
            arts = "、".join(f"第{n}条" for n in r.articles)
            lines.append(f"  {pick(lang, r.department, r.department_en)}: {pick(lang, r.duties, r.duties_en)}  {arts}")
    return "\n".join(lines)
