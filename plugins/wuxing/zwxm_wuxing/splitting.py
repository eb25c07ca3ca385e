"""第八条第（六）项: splitting a project to evade oversight, seen across a unit's projects of one year.

A single project cannot show a split, so this looks at many: projects of one unit and one budget
year, each just under the same threshold, with similar names, that together reach it. The result
is a warning naming the projects, not a verdict: the text forbids the intent, data only shows the
pattern. It needs every project of the unit at once, which the per-project rule hooks do not give.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

import attrs

from zwxm.model import Project
from zwxm.money import format_wan

from .rules import FEASIBILITY_MINIMUM, PRELIMINARY_DESIGN_MINIMUM, SELF_ACCEPTANCE_MAXIMUM, SUPERVISION_MINIMUM

ARTICLE = 8
# threshold -> (what staying under it avoids, in English, whether the threshold itself avoids it)
THRESHOLDS: dict[int, tuple[str, str, bool]] = {
    SELF_ACCEPTANCE_MAXIMUM: ("区大数据局组织验收（第二十条）", "acceptance by the big-data bureau (art. 20)", True),
    SUPERVISION_MINIMUM: ("工程监理（第十七条）", "mandatory supervision (art. 17)", False),
    FEASIBILITY_MINIMUM: ("可研批复和市级审核（第十条、第十三条）", "feasibility approval and city review (art. 10, 13)", False),
    PRELIMINARY_DESIGN_MINIMUM: ("初步设计批复（第十三条）", "preliminary design approval (art. 13)", False),
}
JUST_UNDER_PERCENT = 20  # "just under": within 20% below the threshold (our reading; the text gives none)
# Under 50%, any two parts in the band sum past the threshold, so a group needs no sum check.
SIMILAR_NAMES = 0.6  # difflib ratio from which two project names count as similar


@attrs.frozen
class SplitSuspect:
    owner_unit: str
    budget_year: int
    threshold: int
    projects: tuple[Project, ...]

    @property
    def total(self) -> int:
        return sum(p.investment for p in self.projects)

    @property
    def message(self) -> str:
        names = "、".join(f"{p.code}《{p.name}》{format_wan(p.investment)}元" for p in self.projects)
        avoided = THRESHOLDS[self.threshold][0]
        return (f"疑似化整为零规避监管：{self.owner_unit} {self.budget_year} 年度 {names}，均略低于 "
                f"{format_wan(self.threshold)}元，合计 {format_wan(self.total)}元，单独申报可规避{avoided}")

    @property
    def message_en(self) -> str:
        codes = ", ".join(p.code for p in self.projects)
        return (f"possible split to evade oversight: {self.owner_unit} {self.budget_year}: {codes} each just under "
                f"{self.threshold:,} yuan, together {self.total:,}, avoiding {THRESHOLDS[self.threshold][1]}")


def _just_under(amount: int, threshold: int, threshold_avoids: bool) -> bool:
    below = amount <= threshold if threshold_avoids else amount < threshold
    return below and amount * 100 >= threshold * (100 - JUST_UNDER_PERCENT)


def _similar(a: str, b: str) -> bool:
    matcher = SequenceMatcher(None, a, b)  # the quick upper bounds first: most pairs stop there
    return (matcher.real_quick_ratio() >= SIMILAR_NAMES and matcher.quick_ratio() >= SIMILAR_NAMES
            and matcher.ratio() >= SIMILAR_NAMES)


def _similar_groups(projects: list[Project]) -> list[list[Project]]:
    """Groups of projects linked by similar names (connected components)."""
    groups: list[list[Project]] = []
    for project in projects:
        linked = [any(_similar(project.name, other.name) for other in g) for g in groups]
        merged = [project] + [p for g, link in zip(groups, linked) for p in g if link]
        groups = [g for g, link in zip(groups, linked) if not link] + [merged]
    return groups


def find_split_projects(projects: Iterable[Project]) -> list[SplitSuspect]:
    """Groups of Wuxing projects that look like one project split under a threshold (第八条第（六）项)."""
    by_unit_year: dict[tuple[str, int], list[Project]] = {}
    for p in projects:
        if p.district == "wuxing" and p.owner_unit and p.budget_year is not None and not p.classified:
            by_unit_year.setdefault((p.owner_unit.strip(), p.budget_year), []).append(p)
    suspects = []
    for (unit, year), group in sorted(by_unit_year.items()):
        for threshold, (_zh, _en, threshold_avoids) in THRESHOLDS.items():
            near = [p for p in group if _just_under(p.investment, threshold, threshold_avoids)]
            for similar in _similar_groups(near):
                if len(similar) >= 2:  # two parts in the band always reach the threshold together
                    suspects.append(SplitSuspect(unit, year, threshold, tuple(sorted(similar, key=lambda p: p.code))))
    return suspects


def split_to_evade_oversight(ctx):
    """第八条第（六）项 as a rule: a warning on each project of a suspect group, naming all of them.

    Sees across projects through `ctx.peers` (the other projects of the same owner unit, which the
    database supplies); evaluating a single project file, there is nothing to compare with."""
    project = ctx.project
    if not ctx.peers or not project.owner_unit or project.budget_year is None:
        return None
    near = [t for t, (_zh, _en, avoids) in THRESHOLDS.items() if _just_under(project.investment, t, avoids)]
    if not near:  # cheap exit: most projects sit near no threshold, so a unit's size costs nothing
        return None
    candidates = [p for p in ctx.peers if p.budget_year == project.budget_year
                  and any(_just_under(p.investment, t, THRESHOLDS[t][2]) for t in near)
                  and _similar(project.name, p.name)]  # a group with this project links through a similar name
    for suspect in find_split_projects([project, *candidates]):
        if suspect.threshold in near and any(p.code == project.code for p in suspect.projects):
            yield ctx.finding("warning", suspect.message, suspect.message_en)
