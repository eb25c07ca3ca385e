"""Meta-tests: every hook has a docstring, is documented in docs/plugins.md, and is exercised by a test."""

import inspect
from pathlib import Path

import pytest

from zwxm import hookspecs

ROOT = Path(__file__).parent.parent
HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("zwxm_")]


def test_there_are_hooks():
    assert set(HOOKS) == {"zwxm_register_districts", "zwxm_register_event_types", "zwxm_register_roles",
                          "zwxm_register_rules"}


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring_saying_who_calls_it(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc and "Called" in doc and ":param register:" in doc


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook):
    assert f"def {hook}(register)" in (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_implemented_by_the_example_district_under_test(hook):
    source = (ROOT / "tests" / "example_district" / "plugin.py").read_text(encoding="utf-8")
    assert f"def {hook}(register)" in source
