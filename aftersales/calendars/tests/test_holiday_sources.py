"""The statutory holiday source: CN days off and 调休 adjusted working weekends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.calendars.holiday_sources import SOURCES, source_day_kind


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2026, 10, 1), id="National Day 2026"),
        pytest.param(dt.date(2026, 10, 7), id="last day of Golden Week 2026"),
        pytest.param(dt.date(2026, 9, 25), id="Mid-Autumn 2026 (a Friday)"),
        pytest.param(dt.date(2026, 2, 17), id="Spring Festival 2026"),
        pytest.param(dt.date(2026, 1, 1), id="New Year 2026"),
        pytest.param(dt.date(2026, 1, 2), id="New Year bridge 2026"),
        pytest.param(dt.date(2025, 10, 8), id="last day of Golden Week 2025"),
        pytest.param(dt.date(2027, 10, 1), id="National Day 2027"),
    ],
)
def test_a_statutory_day_off_is_a_holiday(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind is False


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2026, 10, 4), id="Sunday inside Golden Week 2026"),
        pytest.param(dt.date(2025, 10, 4), id="Saturday inside Golden Week 2025"),
        pytest.param(dt.date(2025, 10, 5), id="Sunday inside Golden Week 2025"),
        pytest.param(dt.date(2026, 2, 15), id="Sunday opening Spring Festival 2026"),
        pytest.param(dt.date(2026, 2, 21), id="Saturday inside Spring Festival 2026"),
        pytest.param(dt.date(2025, 2, 1), id="Saturday inside Spring Festival 2025"),
        pytest.param(dt.date(2026, 9, 26), id="Saturday after the Mid-Autumn Friday 2026"),
        pytest.param(dt.date(2026, 6, 20), id="Saturday after the Dragon Boat Friday 2026"),
        pytest.param(dt.date(2026, 1, 3), id="Saturday after the New Year bridge 2026"),
        pytest.param(dt.date(2027, 1, 2), id="Saturday after New Year 2027"),
    ],
)
def test_a_weekend_day_inside_a_holiday_break_is_a_holiday(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind is False


@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param(dt.date(2026, 10, 1), dt.date(2026, 10, 7), id="Golden Week 2026"),
        pytest.param(dt.date(2025, 10, 1), dt.date(2025, 10, 8), id="Golden Week 2025"),
        pytest.param(dt.date(2026, 2, 15), dt.date(2026, 2, 23), id="Spring Festival 2026"),
        pytest.param(dt.date(2025, 1, 28), dt.date(2025, 2, 4), id="Spring Festival 2025"),
        pytest.param(dt.date(2026, 5, 1), dt.date(2026, 5, 5), id="Labour Day 2026"),
    ],
)
def test_every_day_of_an_announced_break_is_a_holiday_and_the_days_around_it_are_not(
    first: dt.date, last: dt.date
) -> None:
    # given
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]

    # when
    kinds = [source_day_kind("CN", day) for day in days]
    before, after = source_day_kind("CN", first - dt.timedelta(days=1)), source_day_kind("CN", last + dt.timedelta(days=1))

    # then
    assert kinds == [False] * len(days)
    assert before is not False
    assert after is not False


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2022, 12, 31), id="2023 break 2022-12-31..2023-01-02"),
        pytest.param(dt.date(2023, 12, 30), id="2024 break 2023-12-30..2024-01-01, Saturday"),
        pytest.param(dt.date(2023, 12, 31), id="2024 break 2023-12-30..2024-01-01, Sunday"),
        pytest.param(dt.date(2028, 12, 30), id="weekend before Monday 2029-01-01, Saturday"),
    ],
)
def test_a_weekend_before_new_years_day_in_the_previous_year_is_inside_the_break(
    day: dt.date,
) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind is False


def test_no_weekend_day_next_to_a_day_off_is_left_to_the_weekly_rule() -> None:
    # given: every day from 2022 to 2028, New Year's Eves included
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=k) for k in range(7 * 365 + 2)]
    kinds = {day: source_day_kind("CN", day) for day in days}

    # when: weekend days the source leaves to the weekly rule although a neighbour is a day off
    stranded = [
        day
        for day in days[1:-1]
        if day.weekday() >= 5
        and kinds[day] is None
        and False in (kinds[day - dt.timedelta(days=1)], kinds[day + dt.timedelta(days=1)])
    ]

    # then: a 7x24 calendar never works a lone weekend day in the middle of a break
    assert stranded == []


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2026, 9, 20), id="Sunday before Golden Week 2026"),
        pytest.param(dt.date(2026, 10, 10), id="Saturday after Golden Week 2026"),
        pytest.param(dt.date(2026, 1, 4), id="Sunday after New Year 2026"),
        pytest.param(dt.date(2025, 9, 28), id="Sunday before Golden Week 2025"),
        pytest.param(dt.date(2025, 10, 11), id="Saturday after Golden Week 2025"),
    ],
)
def test_an_adjusted_working_weekend_day_is_a_working_day(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind is True


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2026, 9, 15), id="an ordinary Tuesday"),
        pytest.param(dt.date(2026, 9, 19), id="an ordinary Saturday"),
        pytest.param(dt.date(2026, 10, 8), id="the Thursday after Golden Week"),
        pytest.param(dt.date(2026, 10, 11), id="the Sunday after the working Saturday"),
        pytest.param(dt.date(2025, 1, 25), id="a Saturday a few days before Spring Festival"),
        pytest.param(dt.date(2025, 12, 31), id="New Year's Eve"),
    ],
)
def test_an_ordinary_day_is_left_to_the_weekly_rule(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind is None


def test_the_2026_adjusted_working_days_are_exactly_the_announced_ones() -> None:
    # given
    year_2026 = [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(365)]

    # when
    working_by_decree = [day for day in year_2026 if source_day_kind("CN", day) is True]

    # then: the State Council's 2026 schedule
    assert working_by_decree == [
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]


@settings(max_examples=300, database=None)
@given(day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_only_weekend_days_are_ever_declared_working_days(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("CN", day)

    # then
    assert kind in (True, False, None)
    if kind is True:
        assert day.weekday() >= 5


@settings(max_examples=50, database=None)
@given(day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_no_source_means_every_day_follows_the_weekly_rule(day: dt.date) -> None:
    # given / when
    kind = source_day_kind("", day)

    # then
    assert kind is None


@pytest.mark.parametrize("source", ["US", "cn", "China", " CN", "CN "])
def test_an_unknown_source_raises_value_error(source: str) -> None:
    # given
    day = dt.date(2026, 10, 1)

    # when / then
    with pytest.raises(ValueError, match="unknown holiday source"):
        source_day_kind(source, day)


def test_cn_is_the_only_listed_source() -> None:
    # given / when / then
    assert SOURCES == ("CN",)
