"""Plain-text rendering of evaluations for the terminal, in Chinese or English."""

from __future__ import annotations

from ..evaluation import Evaluation
from ..lifecycle import STAGES
from ..plugins import Registry, get_registry
from ..rules import District
from ..vocab import (DEADLINE_KINDS, DEADLINE_STATUSES, PROCEDURES, REGULATION_STATUSES, SEVERITIES, article_text,
                     label, pick)


def render_evaluation(ev: Evaluation, lang: str = "zh", registry: Registry | None = None) -> str:
    """The whole evaluation: a header, then one section per non-empty part; the district by its
    name (from `registry`), every key by its label."""
    lines = _header(ev, lang, (registry or get_registry()).districts[ev.district])
    for section in (_approval_path, _deadlines, _findings, _changes, _roles):
        lines.extend(section(ev, lang))
    return "\n".join(lines)


def _header(ev: Evaluation, lang: str, district: District) -> list[str]:
    en = lang == "en"
    reg = ev.regulation
    lines = [
        f"{'Project' if en else '项目'} {ev.project} · {pick(lang, district.name, district.name_en)} · "
        f"{'as of' if en else '截至'} {ev.as_of}",
        f"{'Stage' if en else '阶段'}: {label(STAGES, ev.stage, lang)}",
        f"{'Regulation' if en else '依据'}: 《{reg.title}》 {reg.number} [{label(REGULATION_STATUSES, reg.status, lang)}]",
        f"{'Applicable' if en else '适用'}: {('yes' if en else '是') if ev.applicable else ('no' if en else '否')}",
    ]
    lines.extend(f"  {article_text(a.article, lang)} {pick(lang, a.message, a.message_en)}" for a in ev.applicability)
    return lines


def _approval_path(ev: Evaluation, lang: str) -> list[str]:
    if not ev.approval_path:
        return []
    en = lang == "en"
    lines = ["Approval path:" if en else "审批路径："]
    for s in ev.approval_path:
        mark = "✓" if s.done else ("·" if s.required else "○")
        optional = "" if s.required else (" (optional)" if en else "（可免）")
        lines.append(f"  {mark} {pick(lang, s.title, s.title_en)}{optional}  {article_text(s.article, lang)}")
    return lines


def _deadlines(ev: Evaluation, lang: str) -> list[str]:
    if not ev.deadlines:
        return []
    en = lang == "en"
    lines = ["Deadlines:" if en else "期限："]
    for d in ev.deadlines:
        prov = (" provisional" if en else " 临时") if d.provisional else ""
        lines.append(f"  {d.date or '—'} {label(DEADLINE_KINDS, d.kind, lang)} {pick(lang, d.title, d.title_en)}"
                     f" [{label(DEADLINE_STATUSES, d.status, lang)}{prov}]  {article_text(d.article, lang)}")
        explanation = pick(lang, d.explanation, d.explanation_en)
        if explanation:
            lines.append(f"      {explanation}")
    return lines


def _findings(ev: Evaluation, lang: str) -> list[str]:
    if not ev.findings:
        return []
    lines = ["Findings:" if lang == "en" else "发现："]
    for f in ev.findings:
        article = article_text(f.article, lang)
        lines.append(f"  [{label(SEVERITIES, f.severity, lang)}] {pick(lang, f.message, f.message_en)}  {article}")
    return lines


def _changes(ev: Evaluation, lang: str) -> list[str]:
    if not ev.changes:
        return []
    return ["Changes:" if lang == "en" else "变更：",
            *(f"  {c.date} {c.amount:+,}元 → {label(PROCEDURES, c.procedure, lang)}  {article_text(c.article, lang)}" for c in ev.changes)]


def _roles(ev: Evaluation, lang: str) -> list[str]:
    if not ev.roles:
        return []
    lines = ["Who to go to:" if lang == "en" else "责任部门："]
    for r in ev.roles:
        arts = ("、" if lang == "zh" else ", ").join(article_text(n, lang) for n in r.articles)
        lines.append(f"  {pick(lang, r.department, r.department_en)}: {pick(lang, r.duties, r.duties_en)}  {arts}")
    return lines
