"""Numbers read from the environment (zwxm.settings): each accepted on its bounds, refused just
outside them and when not a plain number, and `zwxm` names a bad one before any command runs."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests import ZWXM
from zwxm.settings import NUMBER_SETTINGS, number_setting, setting_problems


def _cases():
    for name, s in NUMBER_SETTINGS.items():
        step = 1 if s.whole else 0.01
        yield name, f"{s.low:g}", s.low
        yield name, f"{s.high:g}", s.high
        yield name, f" {s.high:g} ", s.high  # spaces around are not part of the number
        if s.low - step >= 0:
            yield name, f"{s.low - step:g}", None
        yield name, f"{s.high + step:g}", None
        for bad in ("-1", "abc", "1e3", "nan", "inf", "0x10", "２", "1,5", "3 4"):
            yield name, bad, None
        if s.whole:
            yield name, "1.5", None


@pytest.mark.parametrize(("name", "text", "expected"), list(_cases()))
def test_each_setting_on_and_around_its_bounds(monkeypatch, name, text, expected):
    monkeypatch.setenv(name, text)
    value, problem = number_setting(name)
    if expected is None:
        assert value == NUMBER_SETTINGS[name].default
        assert problem is not None and problem.field == name and problem.value == text.strip()
        assert problem in setting_problems()
    else:
        assert (value, problem) == (expected, None)


def test_an_unset_or_empty_setting_is_its_default(monkeypatch):
    for name, setting in NUMBER_SETTINGS.items():
        monkeypatch.delenv(name, raising=False)
        assert number_setting(name) == (setting.default, None)
        monkeypatch.setenv(name, "")
        assert number_setting(name) == (setting.default, None)


@pytest.mark.parametrize("name", list(NUMBER_SETTINGS))
def test_zwxm_names_a_bad_setting_instead_of_a_traceback(name):
    result = subprocess.run([ZWXM, "districts"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, name: "abc"})
    assert result.returncode == 2
    assert result.stderr.startswith(f"{name}: 'abc': 应为 ") and " / expected " in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_two_bad_settings_are_both_named():
    env = {**os.environ, "ZWXM_RULE_TIME_LIMIT": "-1", "ZWXM_REGISTRATION_TIME_LIMIT": "0"}
    result = subprocess.run([ZWXM, "districts"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["ZWXM_RULE_TIME_LIMIT",
                                                                         "ZWXM_REGISTRATION_TIME_LIMIT"]
