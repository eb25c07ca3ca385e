"""Errors that carry the offending value and a bilingual message, so callers can name field and value."""

from __future__ import annotations


class ValueProblem(ValueError):
    """A value that cannot be used: `value` as given, `message` in Chinese, `message_en` in English."""

    def __init__(self, value: object, message: str, message_en: str):
        self.value = value
        self.message = message
        self.message_en = message_en
        super().__init__(f"{message} / {message_en}: {value!r}")
