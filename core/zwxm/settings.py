"""Numbers zwxm reads from the environment: one reader, so that a bad value is named with its
variable (by `zwxm` before any command runs) instead of a traceback at import or a silent default."""

from __future__ import annotations

import os
import re
from typing import NamedTuple


class NumberSetting(NamedTuple):
    default: float
    low: float
    high: float
    whole: bool = False


NUMBER_SETTINGS = {
    # seconds a rule may run before it is stopped (watchdog)
    "ZWXM_RULE_TIME_LIMIT": NumberSetting(2.0, 0.05, 3600),
    # seconds a plugin's import and registration hooks may take (watchdog)
    "ZWXM_REGISTRATION_TIME_LIMIT": NumberSetting(20.0, 0.1, 3600),
    # forked readers and evaluators of `zwxm rebuild`; more would only queue behind its one writer
    "ZWXM_REBUILD_WORKERS": NumberSetting(2, 0, 16, whole=True),
}


class SettingProblem(NamedTuple):
    """A bad setting: the variable, the text it held, why (Chinese, English); printed like
    model.Problem, which `zwxm` does not import at start (attrs and cattrs load only when needed)."""

    field: str
    value: str
    message: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.value!r}: {self.message} / {self.message_en}"


def number_setting(name: str) -> tuple[float, SettingProblem | None]:
    """The setting's value (its default when unset or bad) and the problem with it, if any."""
    setting = NUMBER_SETTINGS[name]
    text = os.environ.get(name, "").strip()
    if not text:
        return setting.default, None
    pattern = "[0-9]{1,6}" if setting.whole else r"[0-9]{1,6}(\.[0-9]{1,6})?"
    if re.fullmatch(pattern, text) and setting.low <= float(text) <= setting.high:
        return (int(text) if setting.whole else float(text)), None
    low, high = f"{setting.low:g}", f"{setting.high:g}"
    what = ("整数", "a whole number") if setting.whole else ("数", "a number")
    return setting.default, SettingProblem(name, text, f"应为 {low}–{high} 的{what[0]}", f"expected {what[1]} {low}–{high}")


def setting_problems() -> list[SettingProblem]:
    """Every bad setting in the environment."""
    return [problem for name in NUMBER_SETTINGS if (problem := number_setting(name)[1])]
