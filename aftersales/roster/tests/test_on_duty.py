from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.roster.services import is_out_of_hours, on_duty, on_duty_user_ids
from aftersales.roster.tests.factories import at, make_shift, make_team, office_calendar

pytestmark = pytest.mark.django_db


def test_a_night_shift_is_on_duty_across_midnight(field_team, bob, carol):
    # given bob works the night, carol the day
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00", kind="on_call")
    make_shift(field_team, carol, "2026-11-03 08:00", "2026-11-03 20:00")
    # when
    people = on_duty(at=at("2026-11-03 02:30"))
    # then
    assert [(p.username, p.team_code, p.team_kind, p.shift_kind) for p in people] == [
        ("bob", "field-north", "field", "on_call")
    ]
    assert (people[0].starts_at, people[0].ends_at) == (
        at("2026-11-02 20:00"),
        at("2026-11-03 08:00"),
    )


def test_a_holiday_shift_is_on_duty_on_the_holiday(hotline_24x7, agent):
    # given National Day, a public holiday, covered like any other day
    make_shift(hotline_24x7, agent, "2026-10-01 08:00", "2026-10-01 20:00", kind="holiday")
    # then
    assert on_duty_user_ids(at=at("2026-10-01 12:00")) == {agent.pk}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-02 07:59", []),
        ("2026-11-02 08:00", ["bob"]),
        ("2026-11-02 19:59", ["bob"]),
        ("2026-11-02 20:00", ["carol"]),
    ],
)
def test_a_shift_covers_its_start_but_not_its_end(field_team, bob, carol, moment, expected):
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(field_team, carol, "2026-11-02 20:00", "2026-11-03 08:00")
    assert [p.username for p in on_duty(at=at(moment))] == expected


def test_who_is_on_duty_can_be_asked_per_team_and_per_team_kind(
    field_team, hotline_24x7, bob, agent
):
    # given
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(hotline_24x7, agent, "2026-11-02 08:00", "2026-11-02 20:00")
    noon = at("2026-11-02 12:00")
    # then
    assert [p.username for p in on_duty(at=noon)] == ["bob", "agent"]  # by team code
    assert [p.username for p in on_duty(at=noon, team=hotline_24x7)] == ["agent"]
    assert [p.username for p in on_duty(at=noon, kind="field")] == ["bob"]
    assert on_duty(at=noon, kind="expert") == []


def test_a_deactivated_person_or_team_is_not_on_duty(field_team, hotline_24x7, bob, agent):
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(hotline_24x7, agent, "2026-11-02 08:00", "2026-11-02 20:00")
    bob.is_active = False
    bob.save()
    hotline_24x7.is_active = False
    hotline_24x7.save()
    assert on_duty(at=at("2026-11-02 12:00")) == []
    assert on_duty_user_ids(at=at("2026-11-02 12:00")) == set()


def test_on_duty_needs_an_aware_time(db):
    with pytest.raises(ValidationFailed) as refused:
        on_duty(at=dt.datetime(2026, 11, 2, 12))
    assert refused.value.field == "at"


def test_a_team_without_a_calendar_is_never_out_of_hours(hotline_24x7):
    for moment in ("2026-11-02 03:00", "2026-11-07 12:00", "2026-10-01 23:00"):
        assert is_out_of_hours(team=hotline_24x7, at=at(moment)) is False


@pytest.mark.parametrize(
    ("moment", "out_of_hours"),
    [
        ("2026-11-02 09:00", False),  # Monday, opening
        ("2026-11-02 17:59", False),
        ("2026-11-02 18:00", True),  # closing time is out of hours
        ("2026-11-02 08:59", True),
        ("2026-11-07 10:00", True),  # Saturday
        ("2026-10-01 10:00", True),  # National Day, a Thursday
        ("2026-10-10 10:00", False),  # Saturday worked instead of a holiday (调休)
    ],
)
def test_out_of_hours_follows_the_team_calendar(db, moment, out_of_hours):
    team = make_team("hotline", "hotline", calendar=office_calendar())
    assert is_out_of_hours(team=team, at=at(moment)) is out_of_hours


def test_out_of_hours_is_judged_in_the_calendar_time_zone(db):
    team = make_team("hotline", "hotline", calendar=office_calendar())
    # 02:00 UTC is 10:00 in Shanghai
    assert is_out_of_hours(team=team, at=dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)) is False
