from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.notifications.models import OutboxMessage
from aftersales.roster.models import Shift
from aftersales.roster.services import flag_roster_gaps, roster_gaps, shift_remove
from aftersales.roster.tests.factories import at, make_shift, make_team, office_calendar

pytestmark = pytest.mark.django_db


def _spans(gaps):
    return [(g.starts_at, g.ends_at) for g in gaps]


def _round_the_clock(team, day_person, night_person, first_day, days):
    """Day shifts 08-20 and night shifts 20-08 for `days` days from `first_day`."""
    for offset in range(days):
        day = dt.date.fromisoformat(first_day) + dt.timedelta(days=offset)
        following = day + dt.timedelta(days=1)
        make_shift(team, day_person, f"{day} 08:00", f"{day} 20:00")
        make_shift(team, night_person, f"{day} 20:00", f"{following} 08:00", kind="on_call")


def test_a_7x24_team_with_an_empty_roster_is_one_long_gap(hotline_24x7):
    gaps = roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"))
    assert _spans(gaps) == [(at("2026-11-02 00:00"), at("2026-11-16 00:00"))]
    assert gaps[0].duration == dt.timedelta(days=14)


def test_day_and_night_shifts_over_the_holidays_leave_no_gap(hotline_24x7, agent, bob):
    # given National Day week staffed round the clock
    _round_the_clock(hotline_24x7, agent, bob, "2026-09-30", 8)
    # then
    assert roster_gaps(team=hotline_24x7, start=at("2026-10-01 00:00"), days=7) == []


def test_a_missing_night_shift_is_exactly_the_gap(hotline_24x7, agent, bob):
    # given
    _round_the_clock(hotline_24x7, agent, bob, "2026-11-01", 4)
    night = Shift.objects.get(user=bob, starts_at=at("2026-11-02 20:00"))
    shift_remove(shift_id=night.pk, now=at("2026-11-01 12:00"))
    # when
    gaps = roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"), days=2)
    # then
    assert _spans(gaps) == [(at("2026-11-02 20:00"), at("2026-11-03 08:00"))]
    assert gaps[0].team_code == "hotline"


def test_overlapping_shifts_of_two_people_cover_together(hotline_24x7, agent, bob):
    make_shift(hotline_24x7, agent, "2026-11-02 00:00", "2026-11-02 14:00")
    make_shift(hotline_24x7, bob, "2026-11-02 12:00", "2026-11-03 00:00")
    assert roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"), days=1) == []


def test_gaps_are_clipped_to_the_period_asked(hotline_24x7, agent):
    make_shift(hotline_24x7, agent, "2026-11-02 08:00", "2026-11-02 20:00")
    gaps = roster_gaps(team=hotline_24x7, start=at("2026-11-02 10:00"), days=1)
    assert _spans(gaps) == [(at("2026-11-02 20:00"), at("2026-11-03 10:00"))]


def test_a_deactivated_person_covers_nothing(hotline_24x7, agent):
    make_shift(hotline_24x7, agent, "2026-11-02 00:00", "2026-11-03 00:00")
    agent.is_active = False
    agent.save()
    assert _spans(roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"), days=1)) == [
        (at("2026-11-02 00:00"), at("2026-11-03 00:00"))
    ]


def test_another_team_s_shift_does_not_cover(hotline_24x7, field_team, bob):
    make_shift(field_team, bob, "2026-11-02 00:00", "2026-11-03 00:00")
    assert len(roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"), days=1)) == 1


def test_a_team_with_a_calendar_needs_cover_in_its_working_hours_only(db, agent):
    # given an office-hours team, Monday 2026-11-02 covered, Tuesday not
    team = make_team("office-desk", "hotline", calendar=office_calendar())
    make_shift(team, agent, "2026-11-02 09:00", "2026-11-02 18:00")
    # when
    gaps = roster_gaps(team=team, start=at("2026-11-02 00:00"), days=2)
    # then
    assert _spans(gaps) == [(at("2026-11-03 09:00"), at("2026-11-03 18:00"))]


def test_a_calendar_team_needs_no_cover_on_holidays_but_does_on_an_adjusted_saturday(db):
    # given the week of 2026-10-05: holidays Mon-Wed, working Thu-Fri and Saturday 10-10 (调休)
    team = make_team("office-desk", "hotline", calendar=office_calendar())
    # when
    gaps = roster_gaps(team=team, start=at("2026-10-05 00:00"), days=7)
    # then
    assert [g.starts_at for g in gaps] == [
        at("2026-10-08 09:00"),
        at("2026-10-09 09:00"),
        at("2026-10-10 09:00"),
    ]


def test_a_partly_covered_working_day_has_gaps_around_the_shift(db, agent):
    team = make_team("office-desk", "hotline", calendar=office_calendar())
    make_shift(team, agent, "2026-11-02 11:00", "2026-11-02 15:00")
    gaps = roster_gaps(team=team, start=at("2026-11-02 00:00"), days=1)
    assert _spans(gaps) == [
        (at("2026-11-02 09:00"), at("2026-11-02 11:00")),
        (at("2026-11-02 15:00"), at("2026-11-02 18:00")),
    ]


@pytest.mark.parametrize("days", [0, -1, 61])
def test_the_horizon_must_be_between_one_and_sixty_days(hotline_24x7, days):
    with pytest.raises(ValidationFailed) as refused:
        roster_gaps(team=hotline_24x7, start=at("2026-11-02 00:00"), days=days)
    assert refused.value.field == "days"


def test_the_start_must_be_aware(hotline_24x7):
    with pytest.raises(ValidationFailed) as refused:
        roster_gaps(team=hotline_24x7, start=dt.datetime(2026, 11, 2))
    assert refused.value.field == "start"


# -- flagging to managers ------------------------------------------------------------------


@pytest.fixture
def managers(make_user):
    return [make_user("manager", "manager"), make_user("manager2", "manager")]


def _covered_fortnight(team, day_person, night_person):
    _round_the_clock(team, day_person, night_person, "2026-11-01", 20)


def test_each_gap_is_flagged_once_to_each_manager(hotline_24x7, managers, agent, bob):
    # given two weeks round the clock except one night
    _covered_fortnight(hotline_24x7, agent, bob)
    night = Shift.objects.get(user=bob, starts_at=at("2026-11-05 20:00"))
    shift_remove(shift_id=night.pk, now=at("2026-11-02 06:00"))
    # when
    result = flag_roster_gaps(now=at("2026-11-02 07:00"))
    # then
    assert (result.gaps, result.notifications) == (1, 2)
    messages = list(
        OutboxMessage.objects.order_by("recipient").values_list("recipient", "subject", "body")
    )
    subject = "【值班缺口】400 热线 2026-11-05 20:00 至 2026-11-06 08:00 无人值班"
    body = "值班组 400 热线（hotline）在 2026-11-05 20:00 至 2026-11-06 08:00 没有安排值班人员，请补排班次。"
    assert messages == [
        ("manager2@example.invalid", subject, body),
        ("manager@example.invalid", subject, body),
    ]


def test_a_rerun_and_the_next_day_s_run_flag_nothing_new(hotline_24x7, managers, agent, bob):
    # given
    _covered_fortnight(hotline_24x7, agent, bob)
    night = Shift.objects.get(user=bob, starts_at=at("2026-11-05 20:00"))
    shift_remove(shift_id=night.pk, now=at("2026-11-02 06:00"))
    flag_roster_gaps(now=at("2026-11-02 07:00"))
    # when
    flag_roster_gaps(now=at("2026-11-02 07:00"))
    flag_roster_gaps(now=at("2026-11-03 07:00"))
    flag_roster_gaps(now=at("2026-11-05 21:00"))  # the gap is running now
    # then
    assert OutboxMessage.objects.count() == 2


def test_a_new_gap_is_flagged_on_the_next_run(hotline_24x7, managers, agent, bob):
    _covered_fortnight(hotline_24x7, agent, bob)
    assert flag_roster_gaps(now=at("2026-11-02 07:00")).gaps == 0
    day = Shift.objects.get(user=agent, starts_at=at("2026-11-10 08:00"))
    shift_remove(shift_id=day.pk, now=at("2026-11-02 12:00"))
    flag_roster_gaps(now=at("2026-11-03 07:00"))
    assert set(OutboxMessage.objects.values_list("subject", flat=True)) == {
        "【值班缺口】400 热线 2026-11-10 08:00 至 2026-11-10 20:00 无人值班"
    }


def test_the_open_end_of_the_roster_is_flagged_once_as_it_moves(hotline_24x7, managers, agent, bob):
    # given shifts up to 2026-11-10 08:00 only
    _round_the_clock(hotline_24x7, agent, bob, "2026-11-01", 9)
    # when the horizon moves on by a day
    first = flag_roster_gaps(now=at("2026-11-02 07:00"))
    flag_roster_gaps(now=at("2026-11-03 07:00"))
    # then the one gap, from the roster's end, is told once per manager
    assert (first.gaps, OutboxMessage.objects.count()) == (1, 2)


def test_only_managers_hear_of_gaps_and_inactive_teams_are_not_checked(hotline_24x7, managers, bob):
    hotline_24x7.is_active = False
    hotline_24x7.save()
    make_team("field-south", "field")  # empty roster
    result = flag_roster_gaps(now=at("2026-11-02 07:00"))
    assert result.gaps == 1
    assert set(OutboxMessage.objects.values_list("recipient", flat=True)) == {
        "manager@example.invalid",
        "manager2@example.invalid",
    }
