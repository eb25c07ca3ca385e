"""Shared fixtures: a registry holding only the example district, built on a fresh plugin manager."""

from __future__ import annotations

import pytest

from zwxm.plugins import Registry, get_plugin_manager


@pytest.fixture
def example_registry() -> Registry:
    from tests.example_district import plugin

    return Registry(get_plugin_manager([("example", plugin)], entry_points=False))
