from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.roster.models import Shift
from aftersales.roster.services import shift_add, shift_remove
from aftersales.roster.tests.factories import at, make_shift, make_team

pytestmark = pytest.mark.django_db


def test_a_shift_puts_a_staff_member_on_duty_for_a_team(field_team, bob):
    # when
    shift = make_shift(
        field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00", kind="on_call", note="夜间备班"
    )
    # then
    shift.refresh_from_db()
    assert (shift.team, shift.user, shift.kind, shift.note) == (
        field_team,
        bob,
        "on_call",
        "夜间备班",
    )
    assert (shift.starts_at, shift.ends_at) == (at("2026-11-02 20:00"), at("2026-11-03 08:00"))


def test_an_overlapping_shift_of_the_same_person_is_refused_naming_the_shift_in_the_way(
    field_team, bob
):
    # given
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    # when
    with pytest.raises(Conflict) as refused:
        make_shift(field_team, bob, "2026-11-02 19:00", "2026-11-03 08:00")
    # then
    assert refused.value.status == 409
    assert refused.value.code == "shift_overlap"
    assert refused.value.field == "starts_at"
    assert refused.value.detail == "与已有班次重叠：北区现场组 2026-11-02 08:00 至 2026-11-02 20:00"
    assert Shift.objects.count() == 1


def test_a_person_cannot_be_on_duty_for_two_teams_at_once(field_team, hotline_24x7, bob):
    make_shift(hotline_24x7, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    with pytest.raises(Conflict):
        make_shift(field_team, bob, "2026-11-02 10:00", "2026-11-02 12:00")
    assert Shift.objects.count() == 1


def test_a_shift_may_start_when_the_previous_one_ends(field_team, bob):
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00")
    assert Shift.objects.filter(user=bob).count() == 2


def test_two_people_may_be_on_duty_at_the_same_time(field_team, bob, carol):
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(field_team, carol, "2026-11-02 08:00", "2026-11-02 20:00")
    assert Shift.objects.count() == 2


@pytest.mark.parametrize(
    ("starts", "ends", "code", "field"),
    [
        (at("2026-11-02 20:00"), at("2026-11-02 20:00"), "invalid_range", "ends_at"),
        (at("2026-11-02 20:00"), at("2026-11-02 08:00"), "invalid_range", "ends_at"),
        (at("2026-11-01 00:00"), at("2026-11-15 00:01"), "shift_too_long", "ends_at"),
        (dt.datetime(2026, 11, 2, 8), at("2026-11-02 20:00"), "naive_datetime", "starts_at"),
        (at("2026-11-02 08:00"), dt.datetime(2026, 11, 2, 20), "naive_datetime", "ends_at"),
    ],
)
def test_an_invalid_time_range_is_refused_naming_the_field(
    field_team, bob, starts, ends, code, field
):
    with pytest.raises(ValidationFailed) as refused:
        shift_add(team=field_team, user_id=bob.pk, starts_at=starts, ends_at=ends)
    assert (refused.value.status, refused.value.code, refused.value.field) == (422, code, field)
    assert Shift.objects.count() == 0


def test_a_fourteen_day_shift_is_the_longest_allowed(field_team, bob):
    make_shift(field_team, bob, "2026-11-01 00:00", "2026-11-15 00:00")
    assert Shift.objects.count() == 1


def test_a_customer_user_cannot_be_put_on_duty(field_team, alice):
    with pytest.raises(ValidationFailed) as refused:
        make_shift(field_team, alice, "2026-11-02 08:00", "2026-11-02 20:00")
    assert (refused.value.code, refused.value.field) == ("not_staff", "user_id")
    assert Shift.objects.count() == 0


def test_an_inactive_user_cannot_be_put_on_duty(field_team, bob):
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationFailed) as refused:
        make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    assert refused.value.field == "user_id"


def test_an_unknown_shift_kind_is_refused(field_team, bob):
    with pytest.raises(ValidationFailed) as refused:
        make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00", kind="nap")
    assert refused.value.field == "kind"


def test_an_inactive_team_gets_no_new_shifts(bob):
    team = make_team("old", "field")
    team.is_active = False
    team.save()
    with pytest.raises(ValidationFailed) as refused:
        make_shift(team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    assert (refused.value.code, refused.value.field) == ("team_inactive", "team")


def test_the_database_refuses_a_shift_that_ends_before_it_starts(field_team, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(
            team=field_team,
            user=bob,
            starts_at=at("2026-11-02 20:00"),
            ends_at=at("2026-11-02 08:00"),
        )


def test_a_shift_that_has_not_ended_can_be_removed(field_team, bob):
    # given
    shift = make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    # when a running shift is removed (the person went home ill)
    shift_remove(shift_id=shift.pk, now=at("2026-11-02 12:00"))
    # then
    assert Shift.objects.count() == 0


def test_a_shift_that_has_ended_stays_as_history(field_team, bob):
    shift = make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    with pytest.raises(Conflict) as refused:
        shift_remove(shift_id=shift.pk, now=at("2026-11-02 20:00"))
    assert refused.value.code == "shift_ended"
    assert Shift.objects.count() == 1


def test_removing_an_unknown_shift_is_not_found(db):
    with pytest.raises(NotFound):
        shift_remove(shift_id="00000000-0000-0000-0000-000000000000", now=at("2026-11-02 12:00"))
