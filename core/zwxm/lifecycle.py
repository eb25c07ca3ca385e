"""The generic lifecycle: stages, the core event vocabulary, and the stage derived from events.

The current stage is never stored apart from the events: it is the furthest stage any event has
reached. Stages only move forward, so every event sequence yields a stage the lifecycle allows.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from .vocab import Label

STAGES: dict[str, Label] = {
    "declare": ("申报", "declaration"),
    "review": ("评审", "review"),
    "approve": ("立项", "approval"),
    "procure": ("采购", "procurement"),
    "contract": ("合同", "contract"),
    "implement": ("实施", "implementation"),
    "accept": ("验收", "acceptance"),
    "operate": ("运行", "operation"),
    "evaluate": ("评价", "evaluation"),
    "closed": ("关停", "closed"),
}
STAGE_ORDER: dict[str, int] = {key: index for index, key in enumerate(STAGES)}


@attrs.frozen(slots=True)
class EventType:
    """An event type: its key, the stage it moves a project to, and the events it needs first."""

    key: str
    stage: str
    label: str
    label_en: str
    requires: tuple[str, ...] = ()


def _core(key: str, stage: str, zh: str, en: str, requires: tuple[str, ...] = ()) -> EventType:
    return EventType(key, stage, zh, en, requires)


CORE_EVENT_TYPES: dict[str, EventType] = {
    t.key: t
    for t in (
        _core("declared", "declare", "已申报", "declared"),
        _core("technical_review_passed", "review", "技术论证通过", "technical review passed"),
        _core("preliminary_review_passed", "review", "初审通过", "preliminary review passed"),
        _core("expert_review_passed", "review", "专家评审通过", "expert review passed"),
        _core("approved", "approve", "已立项/批复", "approved"),
        _core("procurement_started", "procure", "启动采购", "procurement started"),
        _core("contract_signed", "contract", "合同签订", "contract signed"),
        _core("contract_filed", "contract", "合同备案", "contract filed", ("contract_signed",)),
        _core("progress_reported", "implement", "报送进度", "progress reported"),
        _core("construction_completed", "accept", "建设完成", "construction completed"),
        _core("preliminary_acceptance_passed", "accept", "初步验收通过", "preliminary acceptance passed"),
        _core("security_assessment_passed", "accept", "安全测评通过", "security assessment passed"),
        _core("trial_run_started", "accept", "试运行开始", "trial run started"),
        _core("trial_run_ended", "accept", "试运行结束", "trial run ended", ("trial_run_started",)),
        _core("final_acceptance_applied", "accept", "申请竣工验收", "final acceptance applied"),
        _core("final_acceptance_passed", "operate", "竣工验收通过", "final acceptance passed"),
        _core("acceptance_failed", "accept", "验收未通过", "acceptance failed"),
        _core("rectification_completed", "accept", "整改完成", "rectification completed", ("acceptance_failed",)),
        _core("data_aggregated", "accept", "数据归集完成", "data aggregated"),
        _core("handed_over", "operate", "移交使用单位", "handed over", ("final_acceptance_passed",)),
        _core("archive_submitted", "operate", "电子档案归档", "archive submitted"),
        _core("self_evaluation_submitted", "evaluate", "提交自评价", "self-evaluation submitted"),
        _core("shutdown", "closed", "关停", "shut down"),
    )
}


def derive_stage(event_types: Iterable[str], vocabulary: dict[str, EventType]) -> str:
    """The furthest stage reached by these events; "declare" when there are none."""
    best = 0
    for key in event_types:
        event_type = vocabulary.get(key)
        if event_type is not None:
            best = max(best, STAGE_ORDER[event_type.stage])
    return tuple(STAGES)[best]
