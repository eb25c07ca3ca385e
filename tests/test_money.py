from decimal import Decimal

import pytest

from zwxm.money import MoneyError, format_wan, parse_money


@pytest.mark.parametrize("text, expected", [
    (1200, 1200),
    ("1200万元", 12_000_000),
    ("2,000万", 20_000_000),
    ("１２０万", 1_200_000),
    ("35.5万", 355_000),
    ("0.5亿元", 50_000_000),
    ("  88 元 ", 88),
    ("1,234,567", 1_234_567),
    (Decimal("12.0"), 12),
    ("￥500", 500),
])
def test_reads_what_people_write(text, expected):
    assert parse_money(text) == expected


def test_column_unit_applies_only_without_suffix():
    assert parse_money("120.5", unit=10_000) == 1_205_000
    assert parse_money("120元", unit=10_000) == 120


@pytest.mark.parametrize("bad", ["abc", "12万万", "", "1.2.3万", True, None, float("nan"), [1]])
def test_unreadable_amounts_are_refused_with_the_value(bad):
    with pytest.raises(MoneyError) as info:
        parse_money(bad)
    assert info.value.value is bad or info.value.value == bad


def test_negative_refused_unless_allowed():
    with pytest.raises(MoneyError, match="负"):
        parse_money("-3万")
    assert parse_money("-3万", allow_negative=True) == -30_000


def test_fractions_of_a_yuan_are_refused_not_rounded():
    with pytest.raises(MoneyError, match="精确到元"):
        parse_money("12.34")
    assert parse_money("12.3456万") == 123_456


def test_absurdly_large_refused():
    with pytest.raises(MoneyError, match="过大"):
        parse_money("1" + "0" * 16)


def test_format_wan():
    assert format_wan(12_000_000) == "1200万"
    assert format_wan(355_000) == "35.5万"
    assert format_wan(0) == "0万"


@pytest.mark.parametrize("text, expected", [
    ("5000万元整", 50_000_000),
    ("人民币壹仟贰佰万元", 12_000_000),
    ("一百二十万元", 1_200_000),
    ("0.5亿", 50_000_000),
    ("一点五亿元", 150_000_000),
    ("壹佰贰拾万元整", 1_200_000),
    ("叁拾伍万伍仟元", 355_000),
    ("二十万零五百元", 200_500),
    ("人民币 伍仟万元整", 50_000_000),
])
def test_reads_money_written_in_words_exactly(text, expected):
    assert parse_money(text) == expected


def test_a_column_unit_applies_to_words_without_a_unit():
    assert parse_money("一百二十", unit=10_000) == 1_200_000
    assert parse_money("一点五", unit=10_000) == 15_000
    assert parse_money("一百二十元", unit=10_000) == 120


@pytest.mark.parametrize("bad", ["一点二三四五六七八九万", "一点五", "万", "一二三万", "约六百万", "一百二十万元整整"])
def test_words_that_are_not_whole_yuan_or_not_numbers_are_refused_naming_the_value(bad):
    with pytest.raises(MoneyError) as caught:
        parse_money(bad)
    assert caught.value.value == bad
