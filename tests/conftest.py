"""Shared fixtures: a registry holding only the example district, built on a fresh plugin manager."""

from __future__ import annotations

import pytest

from tests.example_district import example_registry as make_example_registry
from zwxm.plugins import Registry


@pytest.fixture
def example_registry() -> Registry:
    return make_example_registry()
