"""The example district the tests use: `plugin` (plugin.py), its regulation and scenarios."""

from __future__ import annotations

from zwxm.plugins import Registry, get_plugin_manager


def example_registry() -> Registry:
    """A registry holding only the example district, built on a fresh plugin manager."""
    from . import plugin

    return Registry(get_plugin_manager([("example", plugin)], entry_points=False))
