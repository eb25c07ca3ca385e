"""Money is exact: integer 元, parsed from what spreadsheets and people actually write."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .errors import ValueProblem

__all__ = ["MoneyError", "parse_money", "format_wan"]

_UNITS = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000, "元": 1, "": 1}
_PATTERN = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]+)?)(亿元|亿|万元|万|元|)$")


class MoneyError(ValueProblem):
    """A money value that cannot be read exactly; the message quotes the value."""


def parse_money(value: object, unit: int = 1, allow_negative: bool = False) -> int:
    """Return whole 元 from an int, a Decimal or a string like "1200万元", "2,000万", "１２０万", "35.5万".

    `unit` is the column's unit when the text has none (10_000 for a 万元 column).
    Floats are refused unless they are exact after scaling: money must never pass through float maths.
    """
    if isinstance(value, bool):
        raise MoneyError(value, "金额不能是布尔值", "money cannot be a boolean")
    if isinstance(value, int):
        amount = Decimal(value) * unit
    elif isinstance(value, (Decimal, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise MoneyError(value, "无法识别的金额", "unreadable amount")
        amount = Decimal(str(value)) * unit
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        text = re.sub(r"[,\s_，]", "", text).replace("人民币", "").replace("¥", "").replace("￥", "")
        match = _PATTERN.match(text)
        if not match:
            raise MoneyError(value, "无法识别的金额", "unreadable amount")
        number, suffix = match.groups()
        try:
            amount = Decimal(number) * (_UNITS[suffix] if suffix else unit)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise MoneyError(value, "无法识别的金额", "unreadable amount") from None
    else:
        raise MoneyError(value, "无法识别的金额", "unreadable amount")
    if amount != amount.to_integral_value():
        raise MoneyError(value, "金额须精确到元", "amount must be whole 元")
    if amount < 0 and not allow_negative:
        raise MoneyError(value, "金额不能为负", "amount cannot be negative")
    if abs(amount) >= 10**15:
        raise MoneyError(value, "金额过大", "amount too large")
    return int(amount)


def format_wan(yuan: int) -> str:
    """Format 元 as 万元 for people: 12_000_000 -> "1200万", 355_000 -> "35.5万"."""
    text = f"{Decimal(yuan) / 10_000:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万"
