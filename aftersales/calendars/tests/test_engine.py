"""Business-time arithmetic, checked against an independent minute-by-minute oracle.

The oracle below knows nothing about the engine: it walks UTC minutes one at a time, converts
each to the calendar's wall clock and asks "is this local minute working?" straight from the
calendar's definition (time zone, weekly hours, day kind). All instants are compared in UTC:
two aware datetimes in the same zone compare by wall clock and ignore `fold`, and an instant
inside a repeated (fall-back) hour never compares equal to another zone's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aftersales.calendars.engine import (
    BusinessCalendar,
    CalendarError,
    add_business_time,
    add_business_us,
    business_time_between,
    business_us_between,
    business_us_outside_pauses,
    due_after_pauses,
    format_hhmm,
    parse_hhmm,
    validate_intervals,
)
from aftersales.calendars.holiday_sources import source_day_kind

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")
DST_ZONES = ZONES[1:]

NINE_TO_SIX = ((540, 1080),)
LUNCH_BREAK = ((540, 720), (780, 1080))
MON_FRI_NINE_TO_SIX = (NINE_TO_SIX,) * 5 + ((), ())
MON_FRI_LUNCH_BREAK = (LUNCH_BREAK,) * 5 + ((), ())

# The wall-clock minutes where the zones above skip or repeat time (Berlin 02:00-03:00,
# New York 01:00-03:00, Lord Howe 01:30-02:30). Interval boundaries are drawn from here
# often, so the properties probe boundaries inside a DST gap or a repeated hour.
DST_NIGHT = range(60, 181)

Weekly = tuple[tuple[tuple[int, int], ...], ...] | None
DayKind = Callable[[dt.date], "bool | None"]


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC)


def us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def no_exceptions(_day: dt.date) -> bool | None:
    return None


def china(day: dt.date) -> bool | None:
    return source_day_kind("CN", day)


def china_with(exceptions: Mapping[dt.date, bool]) -> DayKind:
    """Hand-entered exceptions first, then the statutory CN source (as the services layer does)."""

    def day_kind(day: dt.date) -> bool | None:
        if day in exceptions:
            return exceptions[day]
        return source_day_kind("CN", day)

    return day_kind


def calendar(zone: ZoneInfo | str, weekly: Weekly = None, day_kind: DayKind = no_exceptions) -> BusinessCalendar:
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return BusinessCalendar(timezone=tz, weekly=weekly, day_kind=day_kind)


# --------------------------------------------------------------------------------------------
# The oracle
# --------------------------------------------------------------------------------------------


class Oracle:
    """Steps minute by minute over UTC; reads only the calendar's definition."""

    LIMIT = 400 * 1440  # minutes; a scenario that needs more is a broken test, not a result

    def __init__(self, zone: str, weekly: Weekly, day_kind: DayKind) -> None:
        self.tz = ZoneInfo(zone)
        self.weekly = weekly
        self.day_kind = day_kind
        self._hours: dict[dt.date, tuple[tuple[int, int], ...]] = {}

    def _hours_of(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        hours = self._hours.get(day)
        if hours is None:
            kind = self.day_kind(day)
            if kind is False:
                hours = ()
            elif self.weekly is None:
                hours = ((0, 1440),)
            else:
                hours = self.weekly[day.weekday()]
                if kind is True and not hours:
                    hours = next(day_hours for day_hours in self.weekly if day_hours)
            self._hours[day] = hours
        return hours

    def is_working(self, minute: dt.datetime) -> bool:
        local = minute.astimezone(self.tz)
        of_day = local.hour * 60 + local.minute
        return any(start <= of_day < end for start, end in self._hours_of(local.date()))

    def due(
        self,
        start: dt.datetime,
        minutes: int,
        pauses: Sequence[tuple[dt.datetime, dt.datetime | None]] = (),
    ) -> dt.datetime | None:
        """End of the `minutes`-th working, unpaused minute at or after `start`; None when an
        open pause begins first."""
        assert (start.second, start.microsecond) == (0, 0), "the oracle steps whole minutes"
        t = utc(start)
        counted = 0
        for _ in range(self.LIMIT):
            if counted == minutes:
                return t
            if any(a <= t and b is None for a, b in pauses):
                return None
            paused = any(a <= t < b for a, b in pauses if b is not None)
            if not paused and self.is_working(t):
                counted += 1
            t += MINUTE
        raise AssertionError("oracle ran out of minutes: the scenario is too sparse")

    def count(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working minutes in [start, end)."""
        t, end, counted = utc(start), utc(end), 0
        while t < end:
            counted += self.is_working(t)
            t += MINUTE
        return counted


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

SPAN_START = dt.datetime(2025, 1, 1, tzinfo=UTC)
SPAN_MINUTES = int((dt.datetime(2027, 12, 1, tzinfo=UTC) - SPAN_START) / MINUTE)

# Starts near days that matter for CN calendars: 调休 weekends, Golden Week, Spring Festival.
NOTABLE_CN_DAYS = tuple(
    dt.datetime(*ymd, tzinfo=UTC)
    for ymd in (
        (2025, 1, 24), (2025, 9, 26), (2025, 9, 30), (2025, 10, 10),
        (2026, 2, 13), (2026, 2, 27), (2026, 9, 18), (2026, 9, 24), (2026, 9, 30),
        (2026, 10, 9), (2027, 2, 4), (2027, 9, 30),
    )
)  # fmt: skip


@cache
def transitions(zone: str) -> tuple[dt.datetime, ...]:
    """UTC instants (to the half hour) where the zone's offset changes in 2025-2027."""
    tz, found = ZoneInfo(zone), []
    t = SPAN_START
    previous = t.astimezone(tz).utcoffset()
    while t < dt.datetime(2028, 1, 1, tzinfo=UTC):
        offset = t.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(t)
            previous = offset
        t += 30 * MINUTE
    return tuple(found)


def starts_near_dst(zone: str) -> st.SearchStrategy[dt.datetime]:
    """Up to two days before (or a few hours after) one of the zone's DST changes."""
    return st.builds(
        lambda moment, m: moment + m * MINUTE,
        st.sampled_from(transitions(zone)),
        st.integers(-2 * 1440, 360),
    )


def starts(zone: str) -> st.SearchStrategy[dt.datetime]:
    anywhere = st.integers(0, SPAN_MINUTES).map(lambda m: SPAN_START + m * MINUTE)
    near_cn = st.builds(
        lambda day, m: day + m * MINUTE, st.sampled_from(NOTABLE_CN_DAYS), st.integers(-2880, 2880)
    )
    options = [anywhere, near_cn]
    if transitions(zone):
        options.append(starts_near_dst(zone))
    return st.one_of(options)


REALISTIC_DAYS = (
    NINE_TO_SIX,
    LUNCH_BREAK,  # lunch break
    ((480, 720), (720, 1020)),  # touching intervals (merged by the engine)
    ((0, 360), (1320, 1440)),  # a night shift around midnight
    ((420, 660), (840, 1080), (1140, 1320)),  # split shifts
    ((0, 1440),),
    ((510, 525),),  # a quarter of an hour
)


def working_day_hours() -> st.SearchStrategy[tuple[tuple[int, int], ...]]:
    """A day with at least one interval: a realistic shape or random sorted boundaries, many
    of them in the night hours where DST changes happen."""

    def pairs(boundaries: list[int]) -> tuple[tuple[int, int], ...]:
        ordered = sorted(boundaries)
        return tuple(zip(ordered[::2], ordered[1::2], strict=False))

    boundary = st.one_of(st.integers(0, 1440), st.sampled_from(DST_NIGHT))
    random_day = st.lists(boundary, min_size=2, max_size=8, unique=True).map(pairs)
    return st.one_of(st.sampled_from(REALISTIC_DAYS), random_day)


def weeklies() -> st.SearchStrategy[Weekly]:
    """24x7, a Mon-Fri office week, or seven independent days (some empty, not all)."""
    office_week = working_day_hours().map(lambda day: (day,) * 5 + ((), ()))
    day = st.one_of(st.just(()), working_day_hours())
    any_week = st.tuples(*[day] * 7).filter(any)
    return st.one_of(st.none(), office_week, any_week)


def weekly_minutes(weekly: Weekly) -> int:
    if weekly is None:
        return 7 * 1440
    return sum(end - start for day in weekly for start, end in day)


@dataclass
class Scenario:
    zone: str
    weekly: Weekly
    holidays: str
    exceptions: dict[dt.date, bool]
    start: dt.datetime
    minutes: int

    def day_kind(self) -> DayKind:
        if self.holidays == "none":
            return no_exceptions
        if self.holidays == "CN":
            return china
        return china_with(self.exceptions)

    def calendar(self) -> BusinessCalendar:
        return calendar(self.zone, self.weekly, self.day_kind())

    def oracle(self) -> Oracle:
        return Oracle(self.zone, self.weekly, self.day_kind())

    def durations_us(self, weeks: int) -> st.SearchStrategy[int]:
        """Microsecond durations up to `weeks` weeks' worth of this calendar's working time
        (a sparse calendar cannot absorb days of working time within the engine's ten years)."""
        return st.integers(0, weeks * weekly_minutes(self.weekly) * 60 * 10**6)


MAX_TARGET = 2500  # minutes of working time


@st.composite
def scenarios(
    draw: st.DrawFn,
    zones: Sequence[str] = ZONES,
    max_target: int = MAX_TARGET,
    around_dst: bool = False,
) -> Scenario:
    zone = draw(st.sampled_from(zones))
    if around_dst:
        # DST changes happen on Sundays: give every day (Sunday included) the same hours.
        weekly = draw(st.one_of(st.none(), working_day_hours().map(lambda day: (day,) * 7)))
        start = draw(starts_near_dst(zone))
    else:
        weekly = draw(weeklies())
        start = draw(starts(zone))
    holidays = draw(st.sampled_from(("none", "CN", "CN+hand")))
    exceptions: dict[dt.date, bool] = {}
    if holidays == "CN+hand":
        first_day = start.astimezone(ZoneInfo(zone)).date()
        offsets = draw(st.dictionaries(st.integers(-1, 21), st.booleans(), max_size=6))
        exceptions = {first_day + dt.timedelta(days=k): kind for k, kind in offsets.items()}
    # Two weeks' worth of working time at most, so the minute-by-minute oracle stays quick.
    # (Zero is covered by explicit examples; left to itself hypothesis draws it too often.)
    minutes = draw(st.integers(1, min(max_target, 2 * weekly_minutes(weekly))))
    return Scenario(zone, weekly, holidays, exceptions, start, minutes)


PROPERTY = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --------------------------------------------------------------------------------------------
# Properties against the oracle
# --------------------------------------------------------------------------------------------


@PROPERTY
@given(scenario=scenarios())
def test_adding_business_minutes_lands_where_the_minute_by_minute_oracle_does(
    scenario: Scenario,
) -> None:
    # given
    business_calendar = scenario.calendar()
    duration = scenario.minutes * MINUTE

    # when
    due = add_business_time(business_calendar, scenario.start, duration)

    # then
    expected = scenario.oracle().due(scenario.start, scenario.minutes)
    assert expected is not None
    assert utc(due) == expected
    assert business_time_between(business_calendar, scenario.start, due) == duration


@PROPERTY
@given(scenario=scenarios(), span=st.integers(0, 8000))
def test_business_time_between_counts_the_minutes_the_oracle_counts(
    scenario: Scenario, span: int
) -> None:
    # given
    end = scenario.start + span * MINUTE

    # when
    between = business_time_between(scenario.calendar(), scenario.start, end)

    # then
    assert between == scenario.oracle().count(scenario.start, end) * MINUTE


@settings(PROPERTY, max_examples=100)
@given(scenario=scenarios(zones=DST_ZONES, max_target=1500, around_dst=True))
def test_deadlines_around_dst_changes_agree_with_the_oracle(scenario: Scenario) -> None:
    # given: a start shortly before a DST change, hours often bounded inside the changing hour
    business_calendar = scenario.calendar()

    # when
    due = add_business_time(business_calendar, scenario.start, scenario.minutes * MINUTE)

    # then
    assert utc(due) == scenario.oracle().due(scenario.start, scenario.minutes)
    assert business_time_between(business_calendar, scenario.start, due) == scenario.minutes * MINUTE


@settings(PROPERTY, max_examples=60)
@given(scenario=scenarios(zones=("Asia/Shanghai",), max_target=1500))
def test_shanghai_calendars_with_cn_holidays_agree_with_the_oracle(scenario: Scenario) -> None:
    # given: a DST-free zone where every calendar is layered on the CN holiday source
    scenario.holidays = "CN+hand" if scenario.exceptions else "CN"
    business_calendar = scenario.calendar()

    # when
    due = add_business_time(business_calendar, scenario.start, scenario.minutes * MINUTE)

    # then
    assert utc(due) == scenario.oracle().due(scenario.start, scenario.minutes)


@settings(PROPERTY, max_examples=200)
@given(
    zone=st.sampled_from(ZONES),
    start_minute=st.integers(0, SPAN_MINUTES),
    start_offset=st.integers(0, 60 * 10**6 - 1),
    duration=st.integers(0, 30 * 86_400 * 10**6).map(lambda n: dt.timedelta(microseconds=n)),
)
def test_a_24x7_calendar_without_holidays_counts_elapsed_time_even_across_dst(
    zone: str, start_minute: int, start_offset: int, duration: dt.timedelta
) -> None:
    # given
    start = SPAN_START + start_minute * MINUTE + dt.timedelta(microseconds=start_offset)
    business_calendar = calendar(zone)

    # when
    due = add_business_time(business_calendar, start, duration)

    # then
    assert utc(due) == start + duration
    assert business_time_between(business_calendar, start, start + duration) == duration


@settings(PROPERTY, max_examples=150)
@given(scenario=scenarios(), start_offset=st.integers(0, 60 * 10**6 - 1), data=st.data())
def test_business_time_between_a_start_and_its_due_is_the_duration_added(
    scenario: Scenario, start_offset: int, data: st.DataObject
) -> None:
    # given: any start (not minute aligned) and any duration to the microsecond
    duration_us = data.draw(scenario.durations_us(weeks=3))
    start = scenario.start + dt.timedelta(microseconds=start_offset)
    duration = dt.timedelta(microseconds=duration_us)
    business_calendar = scenario.calendar()

    # when
    due = add_business_time(business_calendar, start, duration)

    # then
    assert utc(due) >= start
    assert business_time_between(business_calendar, start, due) == duration


@settings(PROPERTY, max_examples=150)
@given(scenario=scenarios(), data=st.data())
def test_adding_two_durations_one_after_the_other_equals_adding_their_sum(
    scenario: Scenario, data: st.DataObject
) -> None:
    # given
    first_us = data.draw(scenario.durations_us(weeks=2))
    second_us = data.draw(scenario.durations_us(weeks=2))
    business_calendar = scenario.calendar()
    first, second = dt.timedelta(microseconds=first_us), dt.timedelta(microseconds=second_us)

    # when
    stepwise = add_business_time(
        business_calendar, add_business_time(business_calendar, scenario.start, first), second
    )
    at_once = add_business_time(business_calendar, scenario.start, first + second)

    # then
    assert utc(stepwise) == utc(at_once)


@settings(PROPERTY, max_examples=150)
@given(scenario=scenarios(), span_minutes=st.integers(0, 20_000))
def test_the_due_of_the_time_worked_until_an_end_is_never_after_that_end(
    scenario: Scenario, span_minutes: int
) -> None:
    # given
    business_calendar = scenario.calendar()
    end = scenario.start + span_minutes * MINUTE
    worked = business_time_between(business_calendar, scenario.start, end)

    # when
    due = add_business_time(business_calendar, scenario.start, worked)

    # then: the same amount is reached at `end` or earlier, and no working time lies between
    assert utc(due) <= end
    assert business_time_between(business_calendar, due, end) == dt.timedelta(0)


# --------------------------------------------------------------------------------------------
# Pauses
# --------------------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=150)
@given(
    scenario=scenarios(),
    pause_offset=st.integers(0, 20_000),
    pause_length=st.integers(0, 20_000),
)
def test_a_closed_pause_before_the_due_pushes_it_back_by_the_business_time_inside_the_pause(
    scenario: Scenario, pause_offset: int, pause_length: int
) -> None:
    # given
    business_calendar = scenario.calendar()
    start, duration = us(scenario.start), scenario.minutes * 60 * 10**6
    unpaused = add_business_us(business_calendar, start, duration)
    pause_start = start + pause_offset * 60 * 10**6
    pause_end = pause_start + pause_length * 60 * 10**6

    # when
    due = due_after_pauses(business_calendar, start, duration, [(pause_start, pause_end)])

    # then
    if pause_start < unpaused:
        inside = business_us_between(business_calendar, pause_start, pause_end)
        assert due == add_business_us(business_calendar, start, duration + inside)
    else:
        assert due == unpaused


@settings(PROPERTY, max_examples=150)
@given(scenario=scenarios(), pause_offset=st.integers(0, 20_000))
def test_an_open_pause_leaves_the_due_unknown_only_when_it_starts_before_the_due(
    scenario: Scenario, pause_offset: int
) -> None:
    # given
    business_calendar = scenario.calendar()
    start, duration = us(scenario.start), scenario.minutes * 60 * 10**6
    unpaused = add_business_us(business_calendar, start, duration)
    pause_start = start + pause_offset * 60 * 10**6

    # when
    due = due_after_pauses(business_calendar, start, duration, [(pause_start, None)])

    # then
    assert due == (None if pause_start < unpaused else unpaused)


@st.composite
def pause_lists(draw: st.DrawFn, start: dt.datetime) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Sorted, non-overlapping (possibly touching) pauses; the first may begin before `start`,
    the last may still be open."""
    cursor = start + draw(st.integers(-600, 3000)) * MINUTE
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
    for _ in range(draw(st.integers(0, 4))):
        begin = cursor + draw(st.integers(0, 3000)) * MINUTE
        end = begin + draw(st.integers(1, 3000)) * MINUTE
        pauses.append((begin, end))
        cursor = end
    if pauses and draw(st.booleans()):
        pauses[-1] = (pauses[-1][0], None)
    return pauses


@settings(PROPERTY, max_examples=100)
@given(scenario=scenarios(max_target=1500), data=st.data())
def test_due_after_several_pauses_matches_the_oracle_that_skips_paused_minutes(
    scenario: Scenario, data: st.DataObject
) -> None:
    # given
    pauses = data.draw(pause_lists(scenario.start))
    business_calendar = scenario.calendar()
    pauses_us = [(us(a), None if b is None else us(b)) for a, b in pauses]

    # when
    due = due_after_pauses(
        business_calendar, us(scenario.start), scenario.minutes * 60 * 10**6, pauses_us
    )

    # then
    expected = scenario.oracle().due(scenario.start, scenario.minutes, pauses)
    assert due == (None if expected is None else us(expected))


@settings(PROPERTY, max_examples=100)
@given(scenario=scenarios(max_target=1500), data=st.data(), length=st.integers(0, 6000))
def test_working_time_outside_pauses_matches_the_oracle_counting_unpaused_minutes(
    scenario: Scenario, data: st.DataObject, length: int
) -> None:
    # given
    pauses = data.draw(pause_lists(scenario.start))
    business_calendar = scenario.calendar()
    end = scenario.start + length * MINUTE
    pauses_us = [(us(a), None if b is None else us(b)) for a, b in pauses]

    # when
    elapsed = business_us_outside_pauses(business_calendar, us(scenario.start), us(end), pauses_us)

    # then
    oracle = scenario.oracle()
    expected, t = 0, utc(scenario.start)
    while t < utc(end):
        paused = any(a <= t and (b is None or t < b) for a, b in pauses)
        expected += not paused and oracle.is_working(t)
        t += MINUTE
    assert elapsed == expected * 60 * 10**6


@settings(PROPERTY, max_examples=100)
@given(scenario=scenarios(max_target=1500), data=st.data())
def test_the_working_time_up_to_a_paused_due_is_the_duration(scenario: Scenario, data: st.DataObject) -> None:
    # given
    pauses = data.draw(pause_lists(scenario.start))
    business_calendar = scenario.calendar()
    start, duration = us(scenario.start), scenario.minutes * 60 * 10**6
    pauses_us = [(us(a), None if b is None else us(b)) for a, b in pauses]
    due = due_after_pauses(business_calendar, start, duration, pauses_us)
    assume(due is not None)
    assert due is not None

    # when / then
    assert business_us_outside_pauses(business_calendar, start, due, pauses_us) == duration


@settings(PROPERTY, max_examples=50)
@given(scenario=scenarios())
def test_without_pauses_the_due_is_the_plain_business_time_sum(scenario: Scenario) -> None:
    # given
    business_calendar = scenario.calendar()
    start, duration = us(scenario.start), scenario.minutes * 60 * 10**6

    # when
    due = due_after_pauses(business_calendar, start, duration, [])

    # then
    assert due == add_business_us(business_calendar, start, duration)


def test_a_pause_during_working_hours_is_added_back_to_the_deadline() -> None:
    # given: Monday 2026-09-14 09:00, four working hours, paused 10:00-14:00
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china)
    start = us(dt.datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI))
    pause = (us(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)), us(dt.datetime(2026, 9, 14, 14, 0, tzinfo=SHANGHAI)))

    # when
    due = due_after_pauses(business_calendar, start, 4 * 3600 * 10**6, [pause])

    # then
    assert due == us(dt.datetime(2026, 9, 14, 17, 0, tzinfo=SHANGHAI))


def test_a_pause_outside_working_hours_does_not_move_the_deadline() -> None:
    # given: Friday 2026-09-11 17:00, two working hours, paused over the weekend
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china)
    start = us(dt.datetime(2026, 9, 11, 17, 0, tzinfo=SHANGHAI))
    pause = (us(dt.datetime(2026, 9, 12, 8, 0, tzinfo=SHANGHAI)), us(dt.datetime(2026, 9, 13, 20, 0, tzinfo=SHANGHAI)))

    # when
    due = due_after_pauses(business_calendar, start, 2 * 3600 * 10**6, [pause])

    # then: Monday 10:00, as without the pause
    assert due == us(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    ("pause_from", "expected"),
    [
        pytest.param(dt.datetime(2026, 9, 14, 10, 0), None, id="open pause before the deadline"),
        pytest.param(dt.datetime(2026, 9, 14, 8, 0), None, id="open pause before the start"),
        pytest.param(dt.datetime(2026, 9, 14, 13, 0), dt.datetime(2026, 9, 14, 13, 0), id="open pause exactly at the deadline"),
        pytest.param(dt.datetime(2026, 9, 14, 15, 0), dt.datetime(2026, 9, 14, 13, 0), id="open pause after the deadline"),
    ],
)
def test_an_open_pause_makes_the_deadline_unknown_only_if_it_starts_before_the_deadline(
    pause_from: dt.datetime, expected: dt.datetime | None
) -> None:
    # given: Monday 2026-09-14 09:00 plus four working hours is 13:00
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china)
    start = us(dt.datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI))

    # when
    due = due_after_pauses(
        business_calendar, start, 4 * 3600 * 10**6, [(us(pause_from.replace(tzinfo=SHANGHAI)), None)]
    )

    # then
    assert due == (None if expected is None else us(expected.replace(tzinfo=SHANGHAI)))


# --------------------------------------------------------------------------------------------
# Exact examples
# --------------------------------------------------------------------------------------------


def test_a_24x7_deadline_runs_through_midnight_into_the_next_day() -> None:
    # given
    business_calendar = calendar(SHANGHAI)
    start = dt.datetime(2026, 9, 30, 23, 50, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, start, 30 * MINUTE)

    # then
    assert due.isoformat() == "2026-10-01T00:20:00+08:00"


def test_a_24x7_calendar_with_cn_holidays_sleeps_through_golden_week() -> None:
    # given: the State Council's Golden Week 2026 is 10-01..10-07
    business_calendar = calendar(SHANGHAI, None, china)
    start = dt.datetime(2026, 9, 30, 23, 50, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, start, 30 * MINUTE)

    # then
    assert due.isoformat() == "2026-10-08T00:20:00+08:00"


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(dt.datetime(2026, 9, 18, 17, 0), 8, "2026-09-20T16:00:00+08:00", id="Friday into the 调休 working Sunday"),
        pytest.param(dt.datetime(2026, 9, 30, 17, 0), 8, "2026-10-08T16:00:00+08:00", id="over Golden Week"),
        pytest.param(dt.datetime(2026, 10, 9, 17, 0), 8, "2026-10-10T16:00:00+08:00", id="Friday into the 调休 working Saturday"),
        pytest.param(dt.datetime(2026, 9, 24, 17, 0), 8, "2026-09-28T16:00:00+08:00", id="over the Mid-Autumn Friday"),
        pytest.param(dt.datetime(2026, 9, 14, 9, 0), 9, "2026-09-14T18:00:00+08:00", id="due exactly at closing stays that day"),
        pytest.param(dt.datetime(2026, 9, 12, 10, 0), 1, "2026-09-14T10:00:00+08:00", id="start on a Saturday waits for Monday"),
        pytest.param(dt.datetime(2026, 9, 14, 7, 0), 1, "2026-09-14T10:00:00+08:00", id="start before opening waits for opening"),
        pytest.param(dt.datetime(2026, 9, 14, 18, 0), 0, "2026-09-14T18:00:00+08:00", id="zero duration is the start itself"),
    ],
)
def test_a_nine_to_six_calendar_with_cn_holidays_meets_the_spec_deadlines(
    start: dt.datetime, hours: int, expected: str
) -> None:
    # given
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china)

    # when
    due = add_business_time(business_calendar, start.replace(tzinfo=SHANGHAI), hours * HOUR)

    # then
    assert due.isoformat() == expected


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(dt.datetime(2026, 9, 14, 11, 30), 60, "2026-09-14T13:30:00+08:00", id="over lunch"),
        pytest.param(dt.datetime(2026, 9, 14, 11, 30), 30, "2026-09-14T12:00:00+08:00", id="due at the start of lunch"),
        pytest.param(dt.datetime(2026, 9, 14, 12, 15), 1, "2026-09-14T13:01:00+08:00", id="start during lunch"),
        pytest.param(dt.datetime(2026, 9, 14, 17, 0), 8 * 60, "2026-09-15T17:00:00+08:00", id="into the next day"),
    ],
)
def test_a_lunch_break_is_not_working_time(start: dt.datetime, minutes: int, expected: str) -> None:
    # given: Mon-Fri 09:00-12:00 and 13:00-18:00
    business_calendar = calendar(SHANGHAI, MON_FRI_LUNCH_BREAK, china)

    # when
    due = add_business_time(business_calendar, start.replace(tzinfo=SHANGHAI), minutes * MINUTE)

    # then
    assert due.isoformat() == expected


def test_split_shifts_and_a_night_shift_add_up_across_midnight() -> None:
    # given: every day 00:00-06:00 and 22:00-24:00 (a night shift), no holidays
    night = ((0, 360), (1320, 1440))
    business_calendar = calendar(SHANGHAI, (night,) * 7)
    start = dt.datetime(2026, 9, 14, 21, 0, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, start, 5 * HOUR)

    # then: 22:00-24:00 is two hours, then three more after midnight
    assert due.isoformat() == "2026-09-15T03:00:00+08:00"
    assert business_time_between(business_calendar, start, due) == 5 * HOUR


def test_touching_intervals_behave_like_one_interval() -> None:
    # given
    touching = calendar(SHANGHAI, (((540, 720), (720, 1080)),) * 7)
    single = calendar(SHANGHAI, (NINE_TO_SIX,) * 7)
    start = dt.datetime(2026, 9, 14, 11, 0, tzinfo=SHANGHAI)

    # when
    due_touching = add_business_time(touching, start, 3 * HOUR)
    due_single = add_business_time(single, start, 3 * HOUR)

    # then
    assert due_touching.isoformat() == due_single.isoformat() == "2026-09-14T14:00:00+08:00"


def test_the_result_is_expressed_in_the_calendars_time_zone() -> None:
    # given: a start given in UTC
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX)
    start = dt.datetime(2026, 9, 14, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai

    # when
    due = add_business_time(business_calendar, start, HOUR)

    # then
    assert due.tzinfo == SHANGHAI
    assert due.isoformat() == "2026-09-14T10:00:00+08:00"


def test_business_time_between_is_zero_when_the_end_is_not_after_the_start() -> None:
    # given
    business_calendar = calendar(SHANGHAI)
    start = dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)

    # when
    backwards = business_time_between(business_calendar, start, start - HOUR)
    empty = business_time_between(business_calendar, start, start)

    # then
    assert backwards == empty == dt.timedelta(0)


def test_business_time_between_counts_the_nine_to_six_golden_week_as_zero() -> None:
    # given
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china)

    # when
    worked = business_time_between(
        business_calendar,
        dt.datetime(2026, 9, 28, 0, 0, tzinfo=SHANGHAI),
        dt.datetime(2026, 10, 12, 0, 0, tzinfo=SHANGHAI),
    )

    # then: Mon 28, Tue 29, Wed 30, then Thu 8, Fri 9, Sat 10 (调休) -> six days of nine hours
    assert worked == 6 * 9 * HOUR


# --------------------------------------------------------------------------------------------
# Daylight saving time
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(dt.datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), 60, "2026-03-29T03:30:00+02:00", id="Berlin spring forward"),
        pytest.param(dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN), 60, "2026-10-25T02:30:00+01:00", id="Berlin fall back"),
        pytest.param(dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN), 1, "2026-10-25T02:31:00+01:00", id="Berlin second 02:30"),
        pytest.param(dt.datetime(2026, 3, 8, 1, 59, tzinfo=NEW_YORK), 2, "2026-03-08T03:01:00-04:00", id="New York spring forward"),
        pytest.param(dt.datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK), 120, "2026-11-01T01:30:00-05:00", id="New York fall back"),
        pytest.param(dt.datetime(2026, 10, 4, 1, 45, tzinfo=LORD_HOWE), 30, "2026-10-04T02:45:00+11:00", id="Lord Howe 30-minute spring forward"),
        pytest.param(dt.datetime(2026, 4, 5, 1, 45, tzinfo=LORD_HOWE), 30, "2026-04-05T01:45:00+10:30", id="Lord Howe 30-minute fall back"),
    ],
)
def test_a_24x7_calendar_counts_real_elapsed_time_over_a_dst_change(
    start: dt.datetime, minutes: int, expected: str
) -> None:
    # given
    business_calendar = calendar(start.tzinfo)

    # when
    due = add_business_time(business_calendar, start, minutes * MINUTE)

    # then
    assert due.isoformat() == expected


@pytest.mark.parametrize(
    ("zone", "day", "expected_hours"),
    [
        pytest.param(BERLIN, dt.date(2026, 3, 29), 23, id="Berlin short day"),
        pytest.param(BERLIN, dt.date(2026, 10, 25), 25, id="Berlin long day"),
        pytest.param(NEW_YORK, dt.date(2026, 3, 8), 23, id="New York short day"),
        pytest.param(NEW_YORK, dt.date(2026, 11, 1), 25, id="New York long day"),
        pytest.param(LORD_HOWE, dt.date(2026, 10, 4), 23.5, id="Lord Howe short day"),
        pytest.param(LORD_HOWE, dt.date(2026, 4, 5), 24.5, id="Lord Howe long day"),
        pytest.param(SHANGHAI, dt.date(2026, 3, 29), 24, id="Shanghai has no DST"),
    ],
)
def test_a_24x7_day_with_a_dst_change_is_as_long_as_it_really_is(
    zone: ZoneInfo, day: dt.date, expected_hours: float
) -> None:
    # given
    business_calendar = calendar(zone)
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)

    # when
    worked = business_time_between(business_calendar, midnight, next_midnight)

    # then
    assert worked == dt.timedelta(hours=expected_hours)


def test_office_hours_are_unaffected_by_a_night_time_dst_change() -> None:
    # given: New York, Mon-Fri 09:00-18:00; DST starts on Sunday 2026-03-08
    business_calendar = calendar(NEW_YORK, MON_FRI_NINE_TO_SIX)
    friday_five_pm = dt.datetime(2026, 3, 6, 17, 0, tzinfo=NEW_YORK)

    # when
    due = add_business_time(business_calendar, friday_five_pm, 2 * HOUR)

    # then
    assert due.isoformat() == "2026-03-09T10:00:00-04:00"
    assert business_time_between(
        business_calendar, friday_five_pm, dt.datetime(2026, 3, 13, 17, 0, tzinfo=NEW_YORK)
    ) == 5 * 9 * HOUR


@pytest.mark.parametrize(
    ("zone", "day", "interval", "expected_minutes"),
    [
        # boundaries exactly at the change
        pytest.param("Europe/Berlin", dt.date(2026, 3, 29), (120, 240), 60, id="Berlin opens at the missing 02:00"),
        pytest.param("Europe/Berlin", dt.date(2026, 3, 29), (0, 120), 120, id="Berlin closes at the missing 02:00"),
        pytest.param("Europe/Berlin", dt.date(2026, 10, 25), (0, 120), 120, id="Berlin closes at the first 02:00"),
        pytest.param("Europe/Berlin", dt.date(2026, 10, 25), (180, 300), 120, id="Berlin opens at 03:00 after the repeat"),
        pytest.param("America/New_York", dt.date(2026, 11, 1), (120, 600), 480, id="New York opens at 02:00 after the repeat"),
        pytest.param("Australia/Lord_Howe", dt.date(2026, 10, 4), (150, 240), 90, id="Lord Howe opens at 02:30 after the gap"),
        # boundaries inside a gap: only the wall-clock minutes that exist are worked
        pytest.param("Europe/Berlin", dt.date(2026, 3, 29), (150, 200), 20, id="Berlin 02:30-03:20 works 03:00-03:20"),
        pytest.param("Europe/Berlin", dt.date(2026, 3, 29), (90, 150), 30, id="Berlin 01:30-02:30 works 01:30-02:00"),
        pytest.param("Europe/Berlin", dt.date(2026, 3, 29), (130, 170), 0, id="Berlin 02:10-02:50 does not exist"),
        pytest.param("America/New_York", dt.date(2026, 3, 8), (150, 200), 20, id="New York 02:30-03:20 works 03:00-03:20"),
        pytest.param("Australia/Lord_Howe", dt.date(2026, 10, 4), (130, 200), 50, id="Lord Howe 02:10-03:20 works 02:30-03:20"),
        # boundaries inside a repeated hour: repeated wall-clock minutes count each time
        pytest.param("Europe/Berlin", dt.date(2026, 10, 25), (0, 150), 180, id="Berlin 00:00-02:30 on the long day"),
        pytest.param("Europe/Berlin", dt.date(2026, 10, 25), (150, 1440), 1320, id="Berlin 02:30-24:00 on the long day"),
        pytest.param("America/New_York", dt.date(2026, 11, 1), (90, 600), 540, id="New York 01:30-10:00 on the long day"),
        pytest.param("Australia/Lord_Howe", dt.date(2026, 4, 5), (100, 200), 120, id="Lord Howe 01:40-03:20 on the long day"),
        pytest.param("Australia/Lord_Howe", dt.date(2026, 4, 5), (95, 110), 30, id="Lord Howe 01:35-01:50 happens twice"),
    ],
)
def test_interval_boundaries_around_a_dst_change_follow_the_wall_clock(
    zone: str, day: dt.date, interval: tuple[int, int], expected_minutes: int
) -> None:
    # given: the interval on that weekday only, and a window around the whole day
    weekly = tuple((interval,) if weekday == day.weekday() else () for weekday in range(7))
    business_calendar = calendar(zone, weekly)
    tz = ZoneInfo(zone)
    window_start = dt.datetime(day.year, day.month, day.day, tzinfo=tz) - 2 * HOUR
    window_end = window_start + 28 * HOUR
    assert expected_minutes == Oracle(zone, weekly, no_exceptions).count(window_start, window_end)

    # when
    worked = business_time_between(business_calendar, window_start, window_end)

    # then
    assert worked == expected_minutes * MINUTE


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(dt.datetime(2026, 3, 29, 0, 0), 10, "2026-03-29T03:10:00+02:00", id="opening inside the gap opens when the clock jumps"),
        pytest.param(dt.datetime(2026, 10, 25, 0, 0), 10, "2026-10-25T02:40:00+02:00", id="first 02:30 of the long day"),
        pytest.param(dt.datetime(2026, 10, 25, 0, 0), 40, "2026-10-25T02:40:00+01:00", id="second 02:30 of the long day"),
    ],
)
def test_a_deadline_on_a_dst_day_follows_the_wall_clock_opening(
    start: dt.datetime, minutes: int, expected: str
) -> None:
    # given: Berlin, every day 02:30-06:00
    business_calendar = calendar(BERLIN, (((150, 360),),) * 7)

    # when
    due = add_business_time(business_calendar, start.replace(tzinfo=BERLIN), minutes * MINUTE)

    # then
    assert due.isoformat() == expected


# --------------------------------------------------------------------------------------------
# Hand-entered exceptions on top of the CN source
# --------------------------------------------------------------------------------------------

GOLDEN_WEEK_2027 = {dt.date(2027, 10, day): False for day in range(1, 8)}


def test_hand_entered_holidays_are_skipped_by_the_deadline() -> None:
    # given: 2027-10-01..07 declared days off by hand
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china_with(GOLDEN_WEEK_2027))
    start = dt.datetime(2027, 9, 30, 17, 0, tzinfo=SHANGHAI)  # a Thursday

    # when
    due = add_business_time(business_calendar, start, 8 * HOUR)

    # then: one hour on the 30th, seven on Friday the 8th
    assert due.isoformat() == "2027-10-08T16:00:00+08:00"


def test_hand_entered_holidays_count_as_no_business_time() -> None:
    # given
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china_with(GOLDEN_WEEK_2027))

    # when
    worked = business_time_between(
        business_calendar,
        dt.datetime(2027, 10, 1, 0, 0, tzinfo=SHANGHAI),
        dt.datetime(2027, 10, 8, 0, 0, tzinfo=SHANGHAI),
    )

    # then
    assert worked == dt.timedelta(0)


def test_a_hand_entered_saturday_workday_uses_the_first_weekdays_hours() -> None:
    # given: Monday has no hours, Tuesday 10:00-16:00, Wednesday 08:00-12:00;
    # Saturday 2027-10-09 declared a working day by hand
    weekly = ((), ((600, 960),), ((480, 720),), (), (), (), ())
    business_calendar = calendar(
        SHANGHAI, weekly, china_with({**GOLDEN_WEEK_2027, dt.date(2027, 10, 9): True})
    )
    friday = dt.datetime(2027, 10, 8, 12, 0, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, friday, 90 * MINUTE)

    # then: Saturday from 10:00 (Tuesday's hours), not Wednesday's 08:00
    assert due.isoformat() == "2027-10-09T11:30:00+08:00"
    assert business_time_between(
        business_calendar,
        dt.datetime(2027, 10, 9, 0, 0, tzinfo=SHANGHAI),
        dt.datetime(2027, 10, 10, 0, 0, tzinfo=SHANGHAI),
    ) == 6 * HOUR


def test_a_hand_entered_workday_on_a_weekday_keeps_that_weekdays_own_hours() -> None:
    # given: 2027-10-05 (a Tuesday, a CN day off) declared a working day by hand
    weekly = (((480, 720),), ((780, 1020),), (), (), (), (), ())
    business_calendar = calendar(SHANGHAI, weekly, china_with({dt.date(2027, 10, 5): True}))
    assert source_day_kind("CN", dt.date(2027, 10, 5)) is False

    # when
    due = add_business_time(business_calendar, dt.datetime(2027, 10, 5, 0, 0, tzinfo=SHANGHAI), HOUR)

    # then: Tuesday's 13:00-17:00, not Monday's hours
    assert due.isoformat() == "2027-10-05T14:00:00+08:00"


def test_a_hand_entered_holiday_overrides_a_cn_adjusted_working_sunday() -> None:
    # given: 2026-09-20 is a 调休 working Sunday, declared a day off by hand
    business_calendar = calendar(
        SHANGHAI, MON_FRI_NINE_TO_SIX, china_with({dt.date(2026, 9, 20): False})
    )
    friday = dt.datetime(2026, 9, 18, 17, 0, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, friday, 8 * HOUR)

    # then: Monday 2026-09-21 instead of the Sunday
    assert due.isoformat() == "2026-09-21T16:00:00+08:00"


def test_a_24x7_calendar_honours_hand_entered_holidays() -> None:
    # given: 24x7 with 2027-10-01..07 off by hand
    business_calendar = calendar(SHANGHAI, None, china_with(GOLDEN_WEEK_2027))
    start = dt.datetime(2027, 9, 30, 23, 0, tzinfo=SHANGHAI)

    # when
    due = add_business_time(business_calendar, start, 2 * HOUR)

    # then
    assert due.isoformat() == "2027-10-08T01:00:00+08:00"


def test_forgetting_the_cache_picks_up_changed_exceptions() -> None:
    # given: a calendar whose exceptions change after it has been used
    exceptions: dict[dt.date, bool] = {}
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, china_with(exceptions))
    start = dt.datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI)
    assert add_business_time(business_calendar, start, HOUR).isoformat() == "2026-09-14T10:00:00+08:00"
    exceptions[dt.date(2026, 9, 14)] = False

    # when
    business_calendar.forget_cache()
    due = add_business_time(business_calendar, start, HOUR)

    # then
    assert due.isoformat() == "2026-09-15T10:00:00+08:00"


# --------------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------------

NAIVE = dt.datetime(2026, 9, 14, 9, 0)
AWARE = dt.datetime(2026, 9, 14, 9, 0, tzinfo=SHANGHAI)


def test_adding_to_a_naive_start_raises() -> None:
    # given
    business_calendar = calendar(SHANGHAI)

    # when / then
    with pytest.raises(CalendarError, match="带时区"):
        add_business_time(business_calendar, NAIVE, HOUR)


@pytest.mark.parametrize(("start", "end"), [(NAIVE, AWARE), (AWARE, NAIVE), (NAIVE, NAIVE)])
def test_measuring_between_naive_datetimes_raises(start: dt.datetime, end: dt.datetime) -> None:
    # given
    business_calendar = calendar(SHANGHAI)

    # when / then
    with pytest.raises(CalendarError, match="带时区"):
        business_time_between(business_calendar, start, end)


@pytest.mark.parametrize("duration", [-MINUTE, -dt.timedelta(microseconds=1), -dt.timedelta(days=3)])
def test_adding_a_negative_duration_raises(duration: dt.timedelta) -> None:
    # given
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX)

    # when / then
    with pytest.raises(CalendarError, match="负数"):
        add_business_time(business_calendar, AWARE, duration)
    with pytest.raises(CalendarError, match="负数"):
        add_business_us(business_calendar, us(AWARE), duration // dt.timedelta(microseconds=1))


def test_a_calendar_error_is_a_value_error() -> None:
    # given / when / then
    assert issubclass(CalendarError, ValueError)


def test_a_weekly_table_of_seven_empty_days_raises() -> None:
    # given
    empty_week: Weekly = ((),) * 7

    # when / then
    with pytest.raises(CalendarError, match="没有任何时段"):
        calendar(SHANGHAI, empty_week)


@pytest.mark.parametrize("days", [0, 1, 6, 8])
def test_a_weekly_table_without_exactly_seven_days_raises(days: int) -> None:
    # given
    weekly = (NINE_TO_SIX,) * days

    # when / then
    with pytest.raises(CalendarError, match="7 天"):
        calendar(SHANGHAI, weekly)


INVALID_INTERVALS = [
    pytest.param(((540, 720), (700, 1080)), id="overlapping"),
    pytest.param(((780, 1080), (540, 720)), id="unsorted"),
    pytest.param(((540, 720), (540, 720)), id="repeated"),
    pytest.param(((1000, 1441),), id="end after 24:00"),
    pytest.param(((600, 600),), id="empty"),
    pytest.param(((700, 600),), id="start after end"),
    pytest.param(((-1, 60),), id="negative start"),
    pytest.param(((1440, 1440),), id="starts at 24:00"),
]


@pytest.mark.parametrize("intervals", INVALID_INTERVALS)
def test_invalid_intervals_are_rejected(intervals: tuple[tuple[int, int], ...]) -> None:
    # given / when / then
    with pytest.raises(CalendarError):
        validate_intervals(intervals)


@pytest.mark.parametrize("intervals", INVALID_INTERVALS)
def test_a_calendar_with_an_invalid_interval_cannot_be_built(
    intervals: tuple[tuple[int, int], ...],
) -> None:
    # given
    weekly = (NINE_TO_SIX, intervals, (), (), (), (), ())

    # when / then
    with pytest.raises(CalendarError):
        calendar(SHANGHAI, weekly)


@pytest.mark.parametrize(
    "intervals",
    [
        pytest.param((), id="no hours"),
        pytest.param(((0, 1440),), id="the whole day"),
        pytest.param(((540, 720), (720, 1080)), id="touching"),
        pytest.param(((0, 1), (1439, 1440)), id="first and last minute"),
    ],
)
def test_valid_intervals_are_accepted(intervals: tuple[tuple[int, int], ...]) -> None:
    # given / when
    validate_intervals(intervals)

    # then: no exception was raised


def test_a_calendar_with_no_working_day_in_ten_years_raises_instead_of_looping() -> None:
    # given: every day a holiday
    business_calendar = calendar(SHANGHAI, MON_FRI_NINE_TO_SIX, lambda _day: False)

    # when / then
    with pytest.raises(CalendarError, match="十年内"):
        add_business_time(business_calendar, AWARE, MINUTE)
    assert add_business_time(business_calendar, AWARE, dt.timedelta(0)) == AWARE


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:00", 0), ("09:00", 540), ("09:30", 570), ("12:59", 779), ("23:59", 1439), ("24:00", 1440)],
)
def test_parse_hhmm_reads_a_time_of_day_as_minutes(text: str, minutes: int) -> None:
    # given / when
    parsed = parse_hhmm(text)

    # then
    assert parsed == minutes


@pytest.mark.parametrize(
    "text", ["25:00", "9", "12:60", "24:01", "24:30", "-1:00", "", ":", "ab:cd", "09:00:00", "9.5:00"]
)
def test_parse_hhmm_rejects_what_is_not_a_time_of_day(text: str) -> None:
    # given / when / then
    with pytest.raises(CalendarError):
        parse_hhmm(text)


@given(minute=st.integers(0, 1440))
@settings(database=None)
def test_formatting_then_parsing_a_minute_gives_it_back(minute: int) -> None:
    # given / when
    text = format_hhmm(minute)

    # then
    assert parse_hhmm(text) == minute
    assert len(text) == 5


def test_calendar_errors_speak_the_users_language() -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(CalendarError, match="must not be negative"):
        add_business_time(BusinessCalendar(timezone=ZoneInfo("UTC")), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.timedelta(minutes=-1))
    with translation.override("en"), pytest.raises(CalendarError, match="must look like HH:MM"):
        parse_hhmm("9h")
