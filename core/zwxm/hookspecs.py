"""The hooks a zwxm plugin implements. Every hook hands the plugin a `register` callback.

The core, not the plugin, validates what is registered and remembers which plugin registered it,
so a wrong contribution is reported with the plugin's name. Implement hooks with `zwxm.hookimpl`
and never give a hookimpl parameter a default value (pluggy does not pass it).

A district plugin implements all four; a cross-cutting plugin (findings for every district)
implements only `zwxm_register_rules`, registering rules whose district is "*".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("zwxm")
hookimpl = pluggy.HookimplMarker("zwxm")

Register = Callable[[Any], None]

# --- Start-up: what a district is ------------------------------------------------------------


@hookspec
def zwxm_register_districts(register: Register) -> None:
    """Register the districts this plugin governs.

    Called once by the core when the registry is built (`zwxm.plugins.get_registry`).

    :param register: call with one `zwxm.rules.District` per district: its code, names, the
        `Regulation` (title, number, effective dates, draft flag, source text), its categories and
        the articles no rule covers, with a reason. A district code claimed by two plugins stops
        start-up with an error naming both.
    """


@hookspec
def zwxm_register_event_types(register: Register) -> None:
    """Register extra event types, each keyed under the plugin's namespace (``wuxing:expert_pool``).

    Called once when the registry is built.

    :param register: call with one `zwxm.lifecycle.EventType` per type; the key must contain a
        colon and must not shadow a core type; its stage must be one of `zwxm.lifecycle.STAGES`.
    """


@hookspec
def zwxm_register_roles(register: Register) -> None:
    """Register the departments a regulation names and their duties.

    Called once when the registry is built.

    :param register: call with one `zwxm.rules.Role` per department (district code, department,
        duties, the articles that give them).
    """


# --- Evaluation: what the regulation requires ------------------------------------------------


@hookspec
def zwxm_register_rules(register: Register) -> None:
    """Register the rules that evaluate a project: applicability, approval steps, deadlines,
    findings, change procedures and gates on recording events.

    Called once when the registry is built. Each rule's `check(ctx)` is then called by
    `zwxm.evaluation.evaluate` for every project of its district (or of every district when the
    rule's district is "*"), and must return outputs made with the helpers of `zwxm.rules.Context`
    (`ctx.applies`, `ctx.step`, `ctx.deadline`, `ctx.finding`, `ctx.change`, `ctx.refuse`). A rule
    that raises becomes an error finding naming the plugin and the project; the others still run.

    :param register: call with one `zwxm.rules.Rule` per rule.
    """
