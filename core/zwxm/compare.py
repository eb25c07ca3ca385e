"""One project evaluated under every installed district, side by side."""

from __future__ import annotations

import datetime as dt

from .evaluation import Evaluation, evaluate
from .model import Project
from .plugins import Registry, get_registry
from .vocab import DEADLINE_STATUSES, REGULATION_STATUSES, SEVERITIES, article_text, label, pick


def compare_project(project: Project, as_of: dt.date | None = None, registry: Registry | None = None) -> dict[str, Evaluation]:
    registry = registry or get_registry()
    return {code: evaluate(project, as_of, code, registry) for code in sorted(registry.districts)}


def render_comparison(results: dict[str, Evaluation], lang: str = "zh", registry: Registry | None = None) -> str:
    """The comparison as text; districts by name (from `registry`), never by code or as booleans."""
    en = lang == "en"
    registry = registry or get_registry()
    lines = []
    for code, ev in results.items():
        district = registry.districts[code]
        applicable = ("yes" if en else "是") if ev.applicable else ("no" if en else "否")
        lines.append(f"== {pick(lang, district.name, district.name_en)} 《{ev.regulation.title}》 "
                     f"[{label(REGULATION_STATUSES, ev.regulation.status, lang)}] {'applicable' if en else '适用'}: {applicable}")
        path = " → ".join(pick(lang, s.title, s.title_en) + ("" if s.required else "?") for s in ev.approval_path)
        lines.append(f"  {'path' if en else '路径'}: {path or '—'}")
        for d in ev.deadlines:
            lines.append(f"  {d.date or '—'} {pick(lang, d.title, d.title_en)} "
                         f"[{label(DEADLINE_STATUSES, d.status, lang)}] {article_text(d.article, lang)}")
        for f in ev.findings:
            lines.append(f"  [{label(SEVERITIES, f.severity, lang)}] {pick(lang, f.message, f.message_en)}")
    return "\n".join(lines)
