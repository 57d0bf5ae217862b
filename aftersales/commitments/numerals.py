"""Chinese and English numerals and time quantities, as written in commitment documents.

Pure functions, no Django. Amounts are exact `Fraction`s ("一个半小时" is 3/2 hour), so a
caller converts to whole minutes, days or months once, at the end, with its own rounding.

- `parse_number("二十四")` → 24; digits may be ASCII or full-width ("２４", "１．５").
- `parse_quantity("一个半小时")` → 3/2 hour; "2-4小时" → 4 hours with lower bound 2.
- `find_quantities(text)` → every quantity in a text with its offsets, left to right.

Invalid input raises `ValueError` naming the text and what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

# A working day in working minutes, used only when a document states a target in working days
# ("半个工作日"). The real length comes from the business calendar the policy is applied to;
# the parsed item keeps the written amount and unit so the applier can do better.
WORKING_DAY_MINUTES = 8 * 60

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_ZH_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_EN_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
}
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

_ARABIC_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_number(text: str) -> Fraction:
    """The value of one written number: Arabic (ASCII or full-width, with an optional decimal
    part), Chinese (〇一二三四五六七八九十百千万亿 and 两, 零 as a placeholder, colloquial
    "一百五" = 150), "半" (1/2), or an English word ("twenty-four", "half", "a").

    Raises ValueError when the text is not exactly one such number.
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"not a number: {text!r} is empty")
    normalised = stripped.translate(_FULL_WIDTH)
    if _ARABIC_RE.fullmatch(normalised):
        return Fraction(normalised)
    if stripped == "半":
        return Fraction(1, 2)
    lowered = stripped.lower()
    if re.fullmatch(r"[a-z]+(?:[-\s][a-z]+)*", lowered):
        return Fraction(_parse_english(lowered, text))
    return Fraction(_parse_chinese(stripped, text))


def _parse_english(lowered: str, original: str) -> int | Fraction:
    if lowered in ("half", "a half", "half a", "half an"):
        return Fraction(1, 2)
    if lowered in _EN_WORDS:
        return _EN_WORDS[lowered]
    parts = re.split(r"[-\s]", lowered)
    if len(parts) == 2 and parts[0] in _EN_TENS and parts[1] in _EN_WORDS:
        unit = _EN_WORDS[parts[1]]
        if 1 <= unit <= 9 and parts[1] not in ("a", "an"):
            return _EN_WORDS[parts[0]] + unit
    raise ValueError(f"not a number: {original!r} is not an English number word")


def _parse_chinese(text: str, original: str) -> int:
    """Positional Chinese numeral. Within each 万/亿 section the small units (千百十) must
    strictly descend, and two digits may only meet across 零."""
    total = 0  # completed 亿/万 sections
    section = 0  # value of the current section
    digit: int | None = None  # the digit waiting for its unit
    zero_pending = False  # a 零 was written since the last unit
    last_small_unit = 100_000  # larger than any small unit
    last_big_unit = 10**12
    last_unit_value = 0  # the most recent unit, for colloquial "一百五" = 150
    for position, char in enumerate(text):
        if char in _ZH_DIGITS:
            value = _ZH_DIGITS[char]
            if value == 0:
                if digit is not None or zero_pending:
                    raise ValueError(f"invalid Chinese numeral {original!r}: misplaced 零")
                zero_pending = True
                continue
            if digit is not None:
                raise ValueError(
                    f"invalid Chinese numeral {original!r}: two digits in a row at {position}"
                )
            digit = value
            continue
        if char in _ZH_SMALL_UNITS:
            unit = _ZH_SMALL_UNITS[char]
            if unit >= last_small_unit:
                raise ValueError(
                    f"invalid Chinese numeral {original!r}: {char} after a smaller or equal unit"
                )
            if zero_pending and digit is None:
                raise ValueError(f"invalid Chinese numeral {original!r}: 零 before {char}")
            if digit is None:
                # "十二" = 12: only 十 may stand without a digit, and only to begin a section.
                if char != "十" or section != 0:
                    raise ValueError(
                        f"invalid Chinese numeral {original!r}: {char} without a digit"
                    )
                digit = 1
            section += digit * unit
            digit = None
            zero_pending = False
            last_small_unit = unit
            last_unit_value = unit
            continue
        if char in _ZH_BIG_UNITS:
            unit = _ZH_BIG_UNITS[char]
            if unit >= last_big_unit:
                raise ValueError(
                    f"invalid Chinese numeral {original!r}: {char} after a smaller or equal unit"
                )
            if digit is not None:
                section += digit
            if section == 0:
                raise ValueError(f"invalid Chinese numeral {original!r}: {char} without a digit")
            total += section * unit
            section = 0
            digit = None
            zero_pending = False
            last_small_unit = 100_000
            last_big_unit = unit
            last_unit_value = unit
            continue
        raise ValueError(f"not a number: {original!r} contains {char!r}")
    if digit is not None:
        if last_unit_value >= 100 and not zero_pending and _ends_with_unit_then_digit(text):
            # Colloquial "一百五" = 150, "两万五" = 25000: the digit counts in the next unit down.
            digit *= last_unit_value // 10
        section += digit
    elif zero_pending:
        if section or total:
            raise ValueError(f"invalid Chinese numeral {original!r}: ends with 零")
        return 0  # "零" or "〇" alone
    return total + section


def _ends_with_unit_then_digit(text: str) -> bool:
    return len(text) >= 2 and text[-2] in ("百", "千", "万", "亿") and text[-1] in _ZH_DIGITS


class Unit(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    WORKING_HOUR = "working_hour"
    WORKING_DAY = "working_day"


_MINUTES_PER_UNIT = {
    Unit.MINUTE: 1,
    Unit.HOUR: 60,
    Unit.DAY: 24 * 60,
    Unit.WEEK: 7 * 24 * 60,
    Unit.WORKING_HOUR: 60,
    Unit.WORKING_DAY: WORKING_DAY_MINUTES,
}
_MONTHS_PER_UNIT = {Unit.MONTH: 1, Unit.QUARTER: 3, Unit.YEAR: 12}

_ZH_UNITS = {
    "分钟": Unit.MINUTE,
    "分种": Unit.MINUTE,
    "小时": Unit.HOUR,
    "钟头": Unit.HOUR,
    "工作小时": Unit.WORKING_HOUR,
    "工作日": Unit.WORKING_DAY,
    "天": Unit.DAY,
    "日": Unit.DAY,
    "周": Unit.WEEK,
    "星期": Unit.WEEK,
    "礼拜": Unit.WEEK,
    "月": Unit.MONTH,
    "季度": Unit.QUARTER,
    "年": Unit.YEAR,
}
_EN_UNITS = {
    "minute": Unit.MINUTE,
    "min": Unit.MINUTE,
    "hour": Unit.HOUR,
    "hr": Unit.HOUR,
    "h": Unit.HOUR,
    "day": Unit.DAY,
    "week": Unit.WEEK,
    "month": Unit.MONTH,
    "quarter": Unit.QUARTER,
    "year": Unit.YEAR,
    "working hour": Unit.WORKING_HOUR,
    "business hour": Unit.WORKING_HOUR,
    "working day": Unit.WORKING_DAY,
    "business day": Unit.WORKING_DAY,
}


@dataclass(frozen=True)
class Quantity:
    """A written amount of time. `start`/`end` are offsets into the text it was found in."""

    amount: Fraction
    unit: Unit
    text: str
    start: int = 0
    end: int = 0
    lower: Fraction | None = None  # lower bound of a range ("2-4小时"); amount is the upper

    @property
    def is_working_time(self) -> bool:
        return self.unit in (Unit.WORKING_HOUR, Unit.WORKING_DAY)

    @property
    def is_month_based(self) -> bool:
        return self.unit in _MONTHS_PER_UNIT

    def minutes(self) -> Fraction:
        """Length in minutes (working minutes for working units). Month-based units have no
        fixed length in minutes and raise ValueError."""
        if self.unit in _MONTHS_PER_UNIT:
            raise ValueError(f"{self.text!r} is month-based and has no fixed length in minutes")
        return self.amount * _MINUTES_PER_UNIT[self.unit]

    def days(self) -> Fraction:
        """Length in days; a month counts 30 days and a year 365, as in return windows."""
        if self.unit is Unit.YEAR:
            return self.amount * 365
        if self.unit in _MONTHS_PER_UNIT:
            return self.amount * _MONTHS_PER_UNIT[self.unit] * 30
        if self.is_working_time:
            raise ValueError(f"{self.text!r} is in working time and has no length in days")
        return self.minutes() / (24 * 60)

    def months(self) -> Fraction:
        """Length in months, for month-based units only."""
        if self.unit not in _MONTHS_PER_UNIT:
            raise ValueError(f"{self.text!r} is not month-based")
        return self.amount * _MONTHS_PER_UNIT[self.unit]


_ZH_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?|[〇零一二两三四五六七八九十百千万]+"
_RANGE_SEPARATOR = r"\s*(?:-|－|~|～|—|–|至|到)\s*"
_ZH_UNIT = r"分钟|分种|工作小时|小时|钟头|工作日|天|日|星期|礼拜|周|季度|月|年"
_ZH_QUANTITY_RE = re.compile(
    rf"""(?<![0-9０-９.．第统唯同单])(?<![0-9]:)
    (?:(?P<lower>{_ZH_NUM})\s*(?:个)?{_RANGE_SEPARATOR})?
    (?:(?P<number>{_ZH_NUM})\s*(?P<counter>个)?\s*(?P<and_half>半)?(?:个)?|(?P<half>半)(?P<half_counter>个)?)
    \s*(?P<unit>{_ZH_UNIT})""",
    re.VERBOSE,
)
_EN_NUMBER = (
    r"\d+(?:\.\d+)?|one\s+and\s+a\s+half|half\s+an?|half|an?|"
    rf"(?:{'|'.join(_EN_TENS)})(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen"
)
_EN_QUANTITY_RE = re.compile(
    rf"""(?<![\w.])
    (?:(?P<lower>\d+(?:\.\d+)?)\s*(?:-|–|to)\s*)?
    (?P<number>{_EN_NUMBER})
    \s*-?\s*
    (?P<unit>(?:working|business)\s+(?:days?|hours?)|minutes?|mins?|hours?|hrs?|h|days?|
       weeks?|months?|quarters?|years?)\b""",
    re.VERBOSE | re.IGNORECASE,
)


def _zh_quantity(match: re.Match[str]) -> Quantity | None:
    unit_text = match["unit"]
    unit = _ZH_UNITS[unit_text]
    following = match.string[match.end() : match.end() + 1]
    preceding = match.string[match.start() - 1 : match.start()] if match.start() else ""
    number_text = match["number"]
    if number_text is not None:
        number_normalised = number_text.translate(_FULL_WIDTH)
        # "2024年", "12月31日", "5日" after a month are dates, not lengths of time.
        if unit is Unit.YEAR and (
            len(number_normalised) >= 3 or (following != "" and following in "度级底初")
        ):
            return None
        if unit is Unit.MONTH and not match["counter"]:
            return None  # "3月" is March; a length of months is written "3个月"
        if (
            unit is Unit.DAY
            and unit_text == "日"
            and (preceding == "月" or (following != "" and following in "常期志报程"))
        ):
            return None  # "3月5日" is a date; "6日常维护" is a heading number and 日常
    try:
        if match["half"]:
            amount = Fraction(1, 2)
        else:
            amount = parse_number(number_text)
            if match["and_half"]:
                amount += Fraction(1, 2)
        lower = parse_number(match["lower"]) if match["lower"] else None
    except ValueError:
        return None
    if lower is not None and lower >= amount:
        return None
    return Quantity(
        amount=amount, unit=unit, text=match[0], start=match.start(), end=match.end(), lower=lower
    )


def _en_quantity(match: re.Match[str]) -> Quantity | None:
    unit_text = re.sub(r"\s+", " ", match["unit"].lower())
    if unit_text.endswith("s") and unit_text not in ("hrs", "mins"):
        unit_text = unit_text[:-1]
    unit_text = {"hrs": "hr", "mins": "min"}.get(unit_text, unit_text)
    number_text = re.sub(r"\s+", " ", match["number"].lower())
    if unit_text == "h" and not number_text[0].isdigit():
        return None  # "an h" is not English; "4h" is
    try:
        if number_text == "one and a half":
            amount = Fraction(3, 2)
        else:
            amount = parse_number(number_text)
        lower = parse_number(match["lower"]) if match["lower"] else None
    except ValueError:
        return None
    if lower is not None and lower >= amount:
        return None
    return Quantity(
        amount=amount,
        unit=_EN_UNITS[unit_text],
        text=match[0],
        start=match.start(),
        end=match.end(),
        lower=lower,
    )


def find_quantities(text: str) -> list[Quantity]:
    """Every time quantity in `text`, left to right, without overlaps."""
    found: list[Quantity] = []
    for match in _ZH_QUANTITY_RE.finditer(text):
        quantity = _zh_quantity(match)
        if quantity is not None:
            found.append(quantity)
    for match in _EN_QUANTITY_RE.finditer(text):
        quantity = _en_quantity(match)
        if quantity is not None:
            found.append(quantity)
    found.sort(key=lambda quantity: (quantity.start, -quantity.end))
    result: list[Quantity] = []
    for quantity in found:
        if result and quantity.start < result[-1].end:
            continue
        result.append(quantity)
    return result


def parse_quantity(text: str) -> Quantity:
    """The one quantity that `text` consists of ("一个半小时", "２４小时", "2-4 hours").

    Raises ValueError when the text is not exactly one time quantity.
    """
    stripped = text.strip()
    quantities = find_quantities(stripped)
    if len(quantities) != 1 or quantities[0].start != 0 or quantities[0].end != len(stripped):
        raise ValueError(f"not a time quantity: {text!r}")
    return quantities[0]
