"""Chinese, full-width and English numerals and time quantities."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.commitments.numerals import (
    WORKING_DAY_MINUTES,
    Unit,
    find_quantities,
    parse_number,
    parse_quantity,
)

_DIGITS = "零一二三四五六七八九"


def _section(value: int, leading: bool) -> str:
    """An independent oracle: the standard written form of 0 < value < 10000."""
    text, zero = "", False
    for size, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // size % 10
        if digit == 0:
            zero = zero or bool(text)
            continue
        if zero:
            text, zero = text + "零", False
        text += _DIGITS[digit] + unit
    if leading and text.startswith("一十"):
        text = text[1:]
    return text


def _to_chinese(value: int) -> str:
    if value == 0:
        return "零"
    high, low = divmod(value, 10_000)
    if high == 0:
        return _section(low, leading=True)
    text = _section(high, leading=True) + "万"
    if low == 0:
        return text
    return text + ("零" if low < 1000 else "") + _section(low, leading=False)


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_standard_chinese_numeral_parses_to_its_value(value):
    # given
    written = _to_chinese(value)
    # when
    parsed = parse_number(written)
    # then
    assert parsed == value, written


@given(st.integers(min_value=0, max_value=10**9))
def test_full_width_digits_read_like_ascii_digits(value):
    full_width = str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_number(full_width) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十二", 12),
        ("二十四", 24),
        ("两", 2),
        ("两百", 200),
        ("两万五", 25_000),
        ("一百五", 150),
        ("一百零五", 105),
        ("三万零二百", 30_200),
        ("〇", 0),
        ("半", Fraction(1, 2)),
        ("1.5", Fraction(3, 2)),
        ("１．５", Fraction(3, 2)),
        ("２４", 24),
        (" 48 ", 48),
        ("twenty-four", 24),
        ("twelve", 12),
        ("half", Fraction(1, 2)),
        ("an", 1),
    ],
)
def test_written_numbers_have_their_value(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("一二", "two digits in a row"),
        ("十十", "after a smaller or equal unit"),
        ("一十百", "after a smaller or equal unit"),
        ("一千一千", "after a smaller or equal unit"),
        ("零十", "零 before 十"),
        ("百", "without a digit"),
        ("万", "without a digit"),
        ("二〇二四", "misplaced 零"),
        ("一百零", "ends with 零"),
        ("1.2.3", "contains"),
        ("十个", "contains '个'"),
        ("abc", "not an English number word"),
        ("twenty-a", "not an English number word"),
    ],
)
def test_invalid_numbers_raise_a_clear_value_error(text, message):
    with pytest.raises(ValueError, match=message):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "amount", "unit", "minutes"),
    [
        ("半小时", Fraction(1, 2), Unit.HOUR, 30),
        ("一个半小时", Fraction(3, 2), Unit.HOUR, 90),
        ("十分钟", 10, Unit.MINUTE, 10),
        ("两小时", 2, Unit.HOUR, 120),
        ("两个小时", 2, Unit.HOUR, 120),
        ("二十四小时", 24, Unit.HOUR, 1440),
        ("２４小时", 24, Unit.HOUR, 1440),
        ("1.5小时", Fraction(3, 2), Unit.HOUR, 90),
        ("一天", 1, Unit.DAY, 1440),
        ("7日", 7, Unit.DAY, 7 * 1440),
        ("两周", 2, Unit.WEEK, 2 * 7 * 1440),
        ("半个工作日", Fraction(1, 2), Unit.WORKING_DAY, WORKING_DAY_MINUTES // 2),
        ("一个工作日", 1, Unit.WORKING_DAY, WORKING_DAY_MINUTES),
        ("4个工作小时", 4, Unit.WORKING_HOUR, 240),
        ("30 minutes", 30, Unit.MINUTE, 30),
        ("4 hours", 4, Unit.HOUR, 240),
        ("4h", 4, Unit.HOUR, 240),
        ("one and a half hours", Fraction(3, 2), Unit.HOUR, 90),
        ("half a working day", Fraction(1, 2), Unit.WORKING_DAY, WORKING_DAY_MINUTES // 2),
        ("one business day", 1, Unit.WORKING_DAY, WORKING_DAY_MINUTES),
        ("twenty-four hours", 24, Unit.HOUR, 1440),
    ],
)
def test_durations_convert_to_minutes(text, amount, unit, minutes):
    # when
    quantity = parse_quantity(text)
    # then
    assert (quantity.amount, quantity.unit, quantity.minutes()) == (amount, unit, minutes)
    assert quantity.is_working_time == (unit in (Unit.WORKING_DAY, Unit.WORKING_HOUR))


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [
        ("12个月", 12, 360),
        ("一年", 12, 365),
        ("三年", 36, 3 * 365),
        ("半年", 6, Fraction(365, 2)),
        ("两个半月", Fraction(5, 2), 75),
        ("12-month", 12, 360),
        ("2 years", 24, 730),
        ("一个季度", 3, 90),
    ],
)
def test_month_based_periods_convert_to_months(text, months, days):
    quantity = parse_quantity(text)
    assert quantity.months() == months
    assert quantity.days() == days
    with pytest.raises(ValueError, match="month-based"):
        quantity.minutes()


@pytest.mark.parametrize(
    ("text", "lower", "upper", "unit"),
    [
        ("2-4小时", 2, 4, Unit.HOUR),
        ("2～4个工作日", 2, 4, Unit.WORKING_DAY),
        ("1至2天", 1, 2, Unit.DAY),
        ("2 to 4 hours", 2, 4, Unit.HOUR),
        ("2-3 days", 2, 3, Unit.DAY),
    ],
)
def test_ranges_keep_the_upper_bound_and_the_lower_one(text, lower, upper, unit):
    quantity = parse_quantity(text)
    assert (quantity.lower, quantity.amount, quantity.unit, quantity.text) == (
        lower,
        upper,
        unit,
        text,
    )


@pytest.mark.parametrize(
    "text",
    ["", "小时", "3月", "2024年", "十分重要", "4-2小时", "二十四", "24小时内", "a h", "3月5日"],
)
def test_texts_that_are_not_one_quantity_raise_a_value_error(text):
    with pytest.raises(ValueError, match="not a time quantity"):
        parse_quantity(text)


def test_quantities_are_found_with_offsets_and_dates_are_not_quantities():
    # given
    text = "2024年12月31日前，接到报修后半小时内响应，9:00-18:30受理，6日常维护，7日内退货。"
    # when
    found = find_quantities(text)
    # then
    assert [(q.text, q.minutes()) for q in found] == [("半小时", 30), ("7日", 7 * 1440)]
    assert all(text[q.start : q.end] == q.text for q in found)


_WRITTEN = [
    ("半小时", 30),
    ("一个半小时", 90),
    ("十分钟", 10),
    ("两小时", 120),
    ("二十四小时", 1440),
    ("２４小时", 1440),
    ("1.5小时", 90),
    ("一天", 1440),
    ("48小时", 2880),
    ("3天", 4320),
]


@given(
    st.lists(st.sampled_from(_WRITTEN), min_size=1, max_size=6),
    st.sampled_from(["内响应，", "到场；", "以内解决。", "、", "后恢复 "]),
)
def test_every_quantity_in_a_text_is_found_exactly_once(parts, filler):
    # given
    text = "承诺" + "".join(written + filler for written, _ in parts)
    # when
    found = find_quantities(text)
    # then
    assert [(q.text, q.minutes()) for q in found] == parts
    assert all(text[q.start : q.end] == q.text for q in found)
