from __future__ import annotations

import datetime as dt

import pytest

from aftersales.calendars.engine import BusinessCalendar
from aftersales.calendars.holiday_sources import source_day_kind
from aftersales.inspections.periods import Period, plan_periods
from aftersales.inspections.tests.factories import SHANGHAI

D = dt.date
OFFICE = BusinessCalendar(timezone=SHANGHAI, weekly=tuple([((540, 1080),)] * 5 + [(), ()]),
                          day_kind=lambda day: source_day_kind("CN", day))


def working(day: dt.date) -> bool:
    return bool(OFFICE.hours_on(day))


def periods(frequency: str, *, starts_on: dt.date, through: dt.date, after: dt.date | None = None,
            is_working=None, interval_days=None, ends_on=None) -> list[Period]:
    return plan_periods(frequency=frequency, interval_days=interval_days, starts_on=starts_on, ends_on=ends_on,
                        is_working=is_working, after=after, through=through)


def test_daily_calendar_days_are_every_day_after_the_cursor():
    # when
    found = periods("daily", starts_on=D(2026, 11, 2), after=D(2026, 11, 3), through=D(2026, 11, 6))
    # then
    assert [p.start for p in found] == [D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6)]
    assert found[0] == Period(start=D(2026, 11, 4), scheduled_on=D(2026, 11, 4), due_on=D(2026, 11, 4))


def test_daily_working_days_skip_the_national_day_holiday_and_keep_the_adjusted_saturday():
    found = periods("daily", starts_on=D(2026, 9, 30), through=D(2026, 10, 12), is_working=working)
    assert [p.start for p in found] == [D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10),
                                        D(2026, 10, 12)]


def test_weekly_working_periods_are_scheduled_on_the_first_working_day_of_the_week():
    found = periods("weekly", starts_on=D(2026, 9, 28), through=D(2026, 10, 12), is_working=working)
    assert found == [
        Period(start=D(2026, 9, 28), scheduled_on=D(2026, 9, 28), due_on=D(2026, 9, 30)),
        Period(start=D(2026, 10, 5), scheduled_on=D(2026, 10, 8), due_on=D(2026, 10, 10)),
        Period(start=D(2026, 10, 12), scheduled_on=D(2026, 10, 12), due_on=D(2026, 10, 16)),
    ]


@pytest.mark.parametrize(("frequency", "starts", "through", "expected"), [
    ("monthly", D(2026, 1, 15), D(2026, 2, 28), [(D(2026, 1, 1), D(2026, 1, 15), D(2026, 1, 31)),
                                 (D(2026, 2, 1), D(2026, 2, 1), D(2026, 2, 28))]),
    ("quarterly", D(2026, 2, 10), D(2026, 4, 30), [(D(2026, 1, 1), D(2026, 2, 10), D(2026, 3, 31)),
                                   (D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30))]),
    ("yearly", D(2026, 3, 1), D(2026, 4, 30), [(D(2026, 1, 1), D(2026, 3, 1), D(2026, 12, 31))]),
])
def test_calendar_periods_align_to_months_quarters_and_years(frequency, starts, through, expected):
    found = periods(frequency, starts_on=starts, through=through)
    assert [(p.start, p.scheduled_on, p.due_on) for p in found] == expected


def test_every_n_days_counts_from_the_start_and_ends_with_the_plan():
    found = periods("every_n_days", interval_days=3, starts_on=D(2026, 11, 2), through=D(2026, 11, 30),
                    ends_on=D(2026, 11, 9))
    assert [(p.start, p.due_on) for p in found] == [(D(2026, 11, 2), D(2026, 11, 4)),
                                                    (D(2026, 11, 5), D(2026, 11, 7)),
                                                    (D(2026, 11, 8), D(2026, 11, 9))]


def test_every_n_working_days_counts_only_working_days():
    found = periods("every_n_days", interval_days=2, starts_on=D(2026, 9, 29), through=D(2026, 10, 12),
                    is_working=working)
    assert [p.start for p in found] == [D(2026, 9, 29), D(2026, 10, 8), D(2026, 10, 10)]
