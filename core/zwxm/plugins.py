"""Plugin discovery and the registry of everything the plugins contribute.

Districts, built in or not, are found through the entry-point group `zwxm`. Each load and each
hook call is wrapped with the plugin's name: a broken plugin is reported and skipped, the rest
load. Only two districts claiming one code stops start-up, because then no answer can be trusted.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from collections.abc import Iterable
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .lifecycle import CORE_EVENT_TYPES, STAGES, EventType
from .rules import RULE_KINDS, District, Role, Rule

ENTRY_POINT_GROUP = "zwxm"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(Exception):
    """A conflict that makes every answer doubtful (two plugins, one district code)."""


@attrs.frozen(slots=True)
class PluginProblem:
    plugin: str
    message: str

    def __str__(self) -> str:
        return f"插件 {self.plugin}: {self.message}"


def get_plugin_manager(plugins: Iterable[tuple[str, Any]] = (), entry_points: bool = True,
                       problems: list[PluginProblem] | None = None) -> pluggy.PluginManager:
    """A fresh plugin manager: entry-point plugins (unless `entry_points=False`) plus `plugins`."""
    pm = pluggy.PluginManager("zwxm")
    pm.add_hookspecs(hookspecs)
    problems = problems if problems is not None else []
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception as exc:  # a broken plugin must not stop the others
                problems.append(PluginProblem(ep.name, f"加载失败 / failed to load: {exc!r}"))
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise RegistryError(f"插件实现了未知的钩子 / a plugin implements an unknown hook: {exc}") from None
    return pm


class Registry:
    """Everything registered: districts, rules by district, roles, event types, and load problems."""

    def __init__(self, pm: pluggy.PluginManager, problems: list[PluginProblem] | None = None):
        self.problems: list[PluginProblem] = list(problems or [])
        self.districts: dict[str, District] = {}
        self.district_plugin: dict[str, str] = {}
        self.event_types: dict[str, EventType] = dict(CORE_EVENT_TYPES)
        self.roles: dict[str, list[Role]] = {}
        self.rules: dict[str, list[Rule]] = {}
        self._cross_cutting: list[Rule] = []
        pending_rules: list[tuple[str, Any]] = []
        pending_roles: list[tuple[str, Any]] = []
        self._call(pm, "zwxm_register_districts", self._add_district)
        self._call(pm, "zwxm_register_event_types", self._add_event_type)
        self._call(pm, "zwxm_register_roles", lambda plugin, item: pending_roles.append((plugin, item)))
        self._call(pm, "zwxm_register_rules", lambda plugin, item: pending_rules.append((plugin, item)))
        for plugin, item in pending_roles:
            self._guard(plugin, self._add_role, item)
        for plugin, item in pending_rules:
            self._guard(plugin, self._add_rule, item)
        for code in self.districts:
            self.rules.setdefault(code, [])
            self.rules[code].extend(self._cross_cutting)
        self._by_kind = {code: {kind: [r for r in rules if r.kind == kind] for kind in RULE_KINDS}
                         for code, rules in self.rules.items()}
        self._gates = {code: {} for code in self.rules}
        for code, by_kind in self._by_kind.items():
            for rule in by_kind["gate"]:
                for event_type in rule.events:
                    self._gates[code].setdefault(event_type, []).append(rule)
        ordered = {t.key for t in self.event_types.values() if t.requires}
        self.gated_events = {code: ordered | {t for r in self._by_kind[code]["gate"] for t in r.events}
                             for code in self.rules}

    # collecting -------------------------------------------------------------------------------
    def _call(self, pm: pluggy.PluginManager, hook_name: str, add: Any) -> None:
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            plugin = impl.plugin_name
            try:
                impl.function(register=lambda item, plugin=plugin: self._guard(plugin, add, item))
            except RegistryError:
                raise
            except Exception as exc:
                self.problems.append(PluginProblem(plugin, f"{hook_name} 出错 / failed: {exc!r}"))

    def _guard(self, plugin: str, add: Any, item: Any) -> None:
        try:
            add(plugin, item)
        except RegistryError:
            raise
        except (TypeError, ValueError) as exc:
            self.problems.append(PluginProblem(plugin, f"登记被拒绝 / contribution refused: {exc}"))

    def _add_district(self, plugin: str, district: Any) -> None:
        if not isinstance(district, District):
            raise TypeError(f"expected a District, got {type(district).__name__}")
        if not _CODE.match(district.code):
            raise ValueError(f"district code {district.code!r} must be lower-case letters, digits and _")
        if district.code in self.districts:
            raise RegistryError(
                f"两个插件声明了同一地区 {district.code!r} / two plugins claim district {district.code!r}: "
                f"{self.district_plugin[district.code]} 与 {plugin}"
            )
        self.districts[district.code] = district
        self.district_plugin[district.code] = plugin

    def _add_event_type(self, plugin: str, event_type: Any) -> None:
        if not isinstance(event_type, EventType):
            raise TypeError(f"expected an EventType, got {type(event_type).__name__}")
        if ":" not in event_type.key:
            raise ValueError(f"event type {event_type.key!r} must be namespaced, e.g. 'district:name'")
        if event_type.key in self.event_types:
            raise ValueError(f"event type {event_type.key!r} is already registered")
        if event_type.stage not in STAGES:
            raise ValueError(f"event type {event_type.key!r} has unknown stage {event_type.stage!r}")
        self.event_types[event_type.key] = event_type

    def _add_role(self, plugin: str, role: Any) -> None:
        if not isinstance(role, Role):
            raise TypeError(f"expected a Role, got {type(role).__name__}")
        if role.district not in self.districts:
            raise ValueError(f"role {role.department!r} names unknown district {role.district!r}")
        self.roles.setdefault(role.district, []).append(role)

    def _add_rule(self, plugin: str, rule: Any) -> None:
        if not isinstance(rule, Rule):
            raise TypeError(f"expected a Rule, got {type(rule).__name__}")
        if rule.kind not in RULE_KINDS:
            raise ValueError(f"rule {rule.key!r} has unknown kind {rule.kind!r} (one of {', '.join(RULE_KINDS)})")
        if rule.article is not None and (not isinstance(rule.article, int) or isinstance(rule.article, bool)):
            raise ValueError(f"rule {rule.key!r}: article must be an integer, got {rule.article!r}")
        if not callable(rule.check):
            raise TypeError(f"rule {rule.key!r}: check is not callable")
        rule = attrs.evolve(rule, plugin=plugin)
        if rule.district == "*":
            self._cross_cutting.append(rule)
            return
        if rule.district not in self.districts:
            raise ValueError(f"rule {rule.key!r} names unknown district {rule.district!r}")
        existing = self.rules.setdefault(rule.district, [])
        if any(r.key == rule.key for r in existing):
            raise ValueError(f"rule key {rule.key!r} registered twice for {rule.district!r}")
        existing.append(rule)

    # reading ----------------------------------------------------------------------------------
    def district(self, code: str) -> District:
        return self.districts[code]

    def rules_for(self, code: str, kind: str | None = None) -> list[Rule]:
        if kind is None:
            return self.rules.get(code, [])
        return self._by_kind.get(code, {}).get(kind, [])

    def needs_peers(self, code: str) -> bool:
        """Whether any rule of the district reads the other projects of a unit (`Rule.reads_peers`)."""
        return any(rule.reads_peers for rule in self.rules.get(code, ()))

    def gates_for(self, code: str, event_type: str) -> list[Rule]:
        """The gate rules of a district that guard one event type."""
        return self._gates.get(code, {}).get(event_type, [])

    def coverage(self, code: str) -> dict[int, list[Rule] | str]:
        """Every article of the district's text -> the rules citing it, or the reason none does."""
        district = self.districts[code]
        cited: dict[int, list[Rule]] = {}
        for rule in self.rules_for(code):
            for article in {rule.article, *rule.cites} - {None}:
                cited.setdefault(article, []).append(rule)
        validity = district.regulation.validity_article
        if validity is not None:
            cited.setdefault(validity, []).append(Rule("regulation_status", code, "finding", validity, "法规效力状态",
                                                       lambda ctx: None, "regulation status", plugin="zwxm"))
        articles = district.regulation.articles() or {n: "" for n in sorted(set(cited) | set(district.uncovered))}
        return {n: cited.get(n) or district.uncovered.get(n, "") for n in sorted(articles)}


@functools.lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The registry of the installed plugins, built once per process."""
    problems: list[PluginProblem] = []
    pm = get_plugin_manager(problems=problems)
    return Registry(pm, problems)
