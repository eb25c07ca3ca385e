"""Money is exact: integer 元, parsed from what spreadsheets and people actually write."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .errors import ValueProblem

__all__ = ["MoneyError", "parse_money", "format_wan"]

_UNITS = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000, "元": 1, "": 1}
_PATTERN = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]+)?)(亿元|亿|万元|万|元|)$")
# Chinese numerals, lower case and the financial capitals (大写) of contracts: 一百二十万元, 壹仟贰佰万元整
_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖貮"
_DIGIT_VALUE = {c: "0012234567891234567892"[i] for i, c in enumerate(_DIGITS)}
_CHINESE = re.compile(rf"^([{_DIGITS}十百千万亿拾佰仟萬]+)(?:点([{_DIGITS}]+))?(亿|万|萬)?元?$")
_CHINESE_NUMERAL = re.compile(rf"[{_DIGITS}十百千拾佰仟]")


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
        text = text.removesuffix("整").removesuffix("正")  # 5000万元整: "and no more", as cheques write it
        match = _PATTERN.match(text)
        if match:
            number, suffix = match.groups()
            try:
                amount = Decimal(number) * (_UNITS[suffix] if suffix else unit)
            except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
                raise MoneyError(value, "无法识别的金额", "unreadable amount") from None
        elif _CHINESE_NUMERAL.search(text):
            amount = _chinese_amount(value, text, unit)
        else:
            raise MoneyError(value, "无法识别的金额", "unreadable amount")
    else:
        raise MoneyError(value, "无法识别的金额", "unreadable amount")
    if amount != amount.to_integral_value():
        raise MoneyError(value, "金额须精确到元", "amount must be whole 元")
    if amount < 0 and not allow_negative:
        raise MoneyError(value, "金额不能为负", "amount cannot be negative")
    if abs(amount) >= 10**15:
        raise MoneyError(value, "金额过大", "amount too large")
    return int(amount)


def _chinese_amount(value: object, text: str, column_unit: int) -> Decimal:
    """元 from Chinese numerals ("一百二十万元", "壹仟贰佰万", "一点五亿"): cn2an reads the whole part, the
    digits after 点 are read one by one here, so no float is ever involved; the whole part must come
    back from cn2an as an int (the exactness guard), else the value is refused."""
    import cn2an  # imported only when someone writes money in words

    match = _CHINESE.match(text)
    if not match:
        raise MoneyError(value, "无法识别的金额", "unreadable amount")
    whole, fraction, unit = match.groups()
    if fraction is None and unit is not None:  # 一百二十万: the 万 belongs to the numeral
        whole, unit = whole + unit, None
    says_unit = text.endswith("元") or unit is not None or any(c in whole for c in "万萬亿")
    try:
        number = cn2an.cn2an(whole.replace("萬", "万"), "normal")
    except (ValueError, KeyError, IndexError):
        raise MoneyError(value, "无法识别的金额", "unreadable amount") from None
    if type(number) is not int:
        raise MoneyError(value, "无法精确读取的金额", "amount cannot be read exactly")
    amount = Decimal(number)
    if fraction:
        amount += Decimal("0." + "".join(_DIGIT_VALUE[c] for c in fraction))
    return amount * (_UNITS[unit] if unit else 1 if says_unit else column_unit)


def format_wan(yuan: int) -> str:
    """Format 元 as 万元 for people: 12_000_000 -> "1200万", 355_000 -> "35.5万"."""
    text = f"{Decimal(yuan) / 10_000:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万"
