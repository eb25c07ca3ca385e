"""Plugin discovery and the registry of everything the plugins contribute.

Districts, built in or not, are found through the entry-point group `zwxm`. Each load and each
hook call is wrapped with the plugin's name: a broken plugin is reported and skipped, the rest
load. Only two districts claiming one code stops start-up, because then no answer can be trusted.
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import re
from collections.abc import Iterable
from typing import Any

import attrs
import pluggy

from . import hookspecs, watchdog
from .lifecycle import CORE_EVENT_TYPES, STAGES, EventType
from .rules import RULE_KINDS, District, Regulation, Role, Rule

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


HOOKS = ("zwxm_register_districts", "zwxm_register_event_types", "zwxm_register_roles", "zwxm_register_rules")


def get_plugin_manager(plugins: Iterable[tuple[str, Any]] = (), entry_points: bool = True,
                       problems: list[PluginProblem] | None = None) -> pluggy.PluginManager:
    """A fresh plugin manager: entry-point plugins (unless `entry_points=False`) plus `plugins`.

    A plugin that cannot be imported (or takes longer than the registration time limit to import),
    implements a hook that does not exist, or whose hooks pluggy refuses, is left out and named
    in `problems`; the others are registered."""
    pm = pluggy.PluginManager("zwxm")
    pm.add_hookspecs(hookspecs)
    problems = problems if problems is not None else []
    candidates = list(plugins)
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if any(name == ep.name for name, _ in candidates):
                continue
            try:
                with watchdog.guard(watchdog.REGISTRATION_TIME_LIMIT) as timer:
                    candidates.append((ep.name, ep.load()))
            except watchdog.RuleTimeout:
                problems.append(PluginProblem(ep.name, f"加载超时 / took longer than {timer.limit:g} s to load"))
            except (Exception, SystemExit) as exc:  # a broken plugin must not stop the others
                problems.append(PluginProblem(ep.name, f"加载失败 / failed to load: {exc!r}"))
    for name, plugin in candidates:
        unknown = [attr for attr in dir(plugin) if pm.parse_hookimpl_opts(plugin, attr) is not None
                   and attr not in HOOKS]
        if unknown:
            problems.append(PluginProblem(name, "实现了未知的钩子，已跳过 / implements unknown hooks, skipped: "
                                          + "; ".join(_did_you_mean(attr) for attr in unknown)))
            continue
        try:
            pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            problems.append(PluginProblem(name, f"钩子无效，已跳过 / invalid hooks, skipped: {exc}"))
    return pm


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, HOOKS, n=1)
    return f"{name} (did you mean {close[0]}?)" if close else name


class Registry:
    """Everything registered: districts, rules by district, roles, event types, and load problems.

    Each plugin's hooks run once, under a time limit; a plugin whose hook fails, hangs, or
    contributes anything the checks refuse is left out as a whole (a district with half its rules
    would give wrong answers), and named in `problems` with every reason."""

    def __init__(self, pm: pluggy.PluginManager, problems: list[PluginProblem] | None = None):
        self.problems: list[PluginProblem] = list(problems or [])
        contributions: dict[str, dict[str, list[Any]]] = {}
        failed: dict[str, list[str]] = {}
        for name, plugin in pm.list_name_plugin():
            if plugin is not None:
                contributions[name] = self._collect(pm, name, failed.setdefault(name, []))
        healthy = [name for name in contributions if not failed[name]]
        while True:  # left-out plugins can take another's district away: settle on a set that holds
            refused = self._assemble({name: contributions[name] for name in healthy})
            if not refused:
                break
            for name, reasons in refused.items():
                failed[name].extend(reasons)
            healthy = [name for name in healthy if name not in refused]
        for name, reasons in failed.items():
            if reasons:
                self.problems.append(PluginProblem(name, "已跳过 / skipped: " + "; ".join(reasons)))

    # collecting -------------------------------------------------------------------------------
    def _collect(self, pm: pluggy.PluginManager, name: str, reasons: list[str]) -> dict[str, list[Any]]:
        """Call each hook of one plugin under one time limit; what it registers, by hook."""
        collected: dict[str, list[Any]] = {hook: [] for hook in HOOKS}
        try:
            with watchdog.guard(watchdog.REGISTRATION_TIME_LIMIT) as timer:
                for hook in HOOKS:
                    for impl in getattr(pm.hook, hook).get_hookimpls():
                        if impl.plugin_name == name:
                            self._call(impl, hook, collected[hook], reasons)
        except watchdog.RuleTimeout:
            reasons.append(f"登记超时 / registration took longer than {timer.limit:g} s")
        return collected

    @staticmethod
    def _call(impl: Any, hook: str, into: list[Any], reasons: list[str]) -> None:
        try:
            impl.function(register=into.append)
        except watchdog.RuleTimeout:
            raise
        except KeyboardInterrupt:
            raise
        except (Exception, SystemExit) as exc:
            reasons.append(f"{hook} 出错 / failed: {exc!r}")

    def _assemble(self, contributions: dict[str, dict[str, list[Any]]]) -> dict[str, list[str]]:
        """Build the tables from the contributions of these plugins; the reasons any was refused, by plugin."""
        self.districts: dict[str, District] = {}
        self.district_plugin: dict[str, str] = {}
        self.event_types: dict[str, EventType] = dict(CORE_EVENT_TYPES)
        self.roles: dict[str, list[Role]] = {}
        self.rules: dict[str, list[Rule]] = {}
        self._cross_cutting: list[Rule] = []
        self._articles: dict[str, set[int]] = {}
        refused: dict[str, list[str]] = {}
        for hook, add in (("zwxm_register_districts", self._add_district),
                          ("zwxm_register_event_types", self._add_event_type),
                          ("zwxm_register_roles", self._add_role), ("zwxm_register_rules", self._add_rule)):
            for plugin, by_hook in contributions.items():
                for item in by_hook[hook]:
                    try:
                        add(plugin, item)
                    except (TypeError, ValueError, OSError) as exc:
                        refused.setdefault(plugin, []).append(f"登记被拒绝 / contribution refused: {exc}")
        if refused:
            return refused
        for code in self.districts:
            self.rules.setdefault(code, [])
            self.rules[code].extend(self._cross_cutting)
        self._by_kind = {code: {kind: [r for r in rules if r.kind == kind] for kind in RULE_KINDS}
                         for code, rules in self.rules.items()}
        self._gates: dict[str, dict[str, list[Rule]]] = {code: {} for code in self.rules}
        for code, by_kind in self._by_kind.items():
            for rule in by_kind["gate"]:
                for event_type in rule.events:
                    self._gates[code].setdefault(event_type, []).append(rule)
        ordered = {t.key for t in self.event_types.values() if t.requires}
        self.gated_events = {code: ordered | {t for r in self._by_kind[code]["gate"] for t in r.events}
                             for code in self.rules}
        return {}

    def _add_district(self, plugin: str, district: Any) -> None:
        _check_fields(district, District)
        _check_fields(district.regulation, Regulation)
        if not _CODE.match(district.code):
            raise ValueError(f"district code {district.code!r} must be lower-case letters, digits and _")
        if district.code in self.districts:
            raise RegistryError(
                f"两个插件声明了同一地区 {district.code!r} / two plugins claim district {district.code!r}: "
                f"{self.district_plugin[district.code]} 与 {plugin}"
            )
        self.districts[district.code] = district
        self.district_plugin[district.code] = plugin
        self._articles[district.code] = set(district.regulation.articles())

    def _add_event_type(self, plugin: str, event_type: Any) -> None:
        _check_fields(event_type, EventType)
        if ":" not in event_type.key:
            raise ValueError(f"event type {event_type.key!r} must be namespaced, e.g. 'district:name'")
        if event_type.key in self.event_types:
            raise ValueError(f"event type {event_type.key!r} is already registered")
        if event_type.stage not in STAGES:
            raise ValueError(f"event type {event_type.key!r} has unknown stage {event_type.stage!r}")
        self.event_types[event_type.key] = event_type

    def _add_role(self, plugin: str, role: Any) -> None:
        _check_fields(role, Role)
        if role.district not in self.districts:
            raise ValueError(f"role {role.department!r} names unknown district {role.district!r}")
        self._check_cited(role.district, f"role {role.department!r}", role.articles)
        self.roles.setdefault(role.district, []).append(role)

    def _add_rule(self, plugin: str, rule: Any) -> None:
        _check_fields(rule, Rule)
        if rule.kind not in RULE_KINDS:
            raise ValueError(f"rule {rule.key!r} has unknown kind {rule.kind!r} (one of {', '.join(RULE_KINDS)})")
        if not callable(rule.check):
            raise TypeError(f"rule {rule.key!r}: check is not callable")
        rule = attrs.evolve(rule, plugin=plugin)
        if rule.district == "*":
            self._cross_cutting.append(rule)
            return
        if rule.district not in self.districts:
            raise ValueError(f"rule {rule.key!r} names unknown district {rule.district!r}")
        self._check_cited(rule.district, f"rule {rule.key!r}", (rule.article, *rule.cites))
        existing = self.rules.setdefault(rule.district, [])
        if any(r.key == rule.key for r in existing):
            raise ValueError(f"rule key {rule.key!r} registered twice for {rule.district!r}")
        existing.append(rule)

    def _check_cited(self, code: str, who: str, articles: Iterable[int | None]) -> None:
        """Every article cited must be in the district's regulation text (when it has one)."""
        known = self._articles[code]
        missing = sorted({a for a in articles if a is not None} - known) if known else []
        if missing:
            raise ValueError(f"{who} cites article(s) {', '.join(map(str, missing))}, which the regulation text "
                             f"of {code!r} does not contain (its articles: 1–{max(known)})")

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
            for article in {rule.article, *rule.cites}:
                if article is not None:
                    cited.setdefault(article, []).append(rule)
        validity = district.regulation.validity_article
        if validity is not None:
            cited.setdefault(validity, []).append(Rule("regulation_status", code, "finding", validity, "法规效力状态",
                                                       lambda ctx: None, "regulation status", plugin="zwxm"))
        articles = district.regulation.articles() or dict.fromkeys(sorted(set(cited) | set(district.uncovered)), "")
        return {n: cited.get(n) or district.uncovered.get(n, "") for n in sorted(articles)}


def _is_articles(value: Any) -> bool:
    return isinstance(value, tuple) and all(type(a) is int for a in value)


def _is_keys(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(k, str) for k in value)


# What each field of a contribution must hold: a type, or a test and what it wants (for the message).
_Check = type | tuple[Any, str]
_FIELDS: dict[type, dict[str, _Check]] = {
    District: {"code": str, "name": str, "name_en": str, "regulation": Regulation},
    Regulation: {"title": str, "number": str, "draft": bool,
                 "validity_article": (lambda v: v is None or type(v) is int, "an article number or None")},
    EventType: {"key": str, "stage": str, "label": str, "label_en": str,
                "requires": (_is_keys, "a tuple of event type keys")},
    Role: {"district": str, "department": str, "duties": str, "department_en": str, "duties_en": str,
           "articles": (_is_articles, "a tuple of article numbers")},
    Rule: {"key": str, "district": str, "kind": str, "title": str, "title_en": str, "reads_peers": bool,
           "article": (lambda v: v is None or type(v) is int, "an article number or None"),
           "events": (_is_keys, "a tuple of event type keys"), "cites": (_is_articles, "a tuple of article numbers")},
}


def _check_fields(item: Any, kind: type) -> None:
    """Refuse a contribution of the wrong class, or with a field of the wrong type, naming the field."""
    if not isinstance(item, kind):
        raise TypeError(f"expected a {kind.__name__}, got {type(item).__name__}")
    for field, check in _FIELDS[kind].items():
        value = getattr(item, field)
        test, wanted = (lambda v, t=check: isinstance(v, t), check.__name__) if isinstance(check, type) else check
        if not test(value):
            raise TypeError(f"{kind.__name__}.{field} = {value!r}: expected {wanted}, got {type(value).__name__}")


@functools.lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The registry of the installed plugins, built once per process."""
    problems: list[PluginProblem] = []
    pm = get_plugin_manager(problems=problems)
    return Registry(pm, problems)
