from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.customers.services import site_create
from aftersales.inspections.models import InspectionPlan
from aftersales.notifications.models import OutboxMessage
from aftersales.roster.models import Shift
from aftersales.roster.services import shift_add
from aftersales.special_periods import services
from aftersales.special_periods.models import (
    SpecialPeriod,
    SpecialPeriodDuty,
    SpecialPeriodEvent,
    SpecialPeriodPlan,
    StandbyResource,
)
from aftersales.special_periods.tests.factories import NOW, at, make_depot, make_part, make_period

pytestmark = pytest.mark.django_db


def _actions(period):
    return list(SpecialPeriodEvent.objects.filter(period=period).order_by("created_at", "at")
                .values_list("action", flat=True))


def _duty(period, actor, user, starts="2030-02-02 08:00", ends="2030-02-02 20:00", **kw):
    duty, _created = services.period_duty_add(actor=actor, period_id=period.pk, team_code="field-north",
                                              user_id=user.pk, starts_at=at(starts), ends_at=at(ends),
                                              now=at(NOW), **kw)
    return duty


# --- creating and changing -------------------------------------------------------------------


def test_a_period_is_created_in_draft_with_its_sites_teams_and_checklist(period, acme, acme_site, team, checklist):
    assert (period.status, period.kind, period.customer_id, period.checklist_id) == (
        "draft", "holiday", acme.pk, checklist.pk)
    assert list(period.sites.all()) == [acme_site]
    assert list(period.teams.all()) == [team]
    assert period.is_round_the_clock is True
    assert _actions(period) == ["created"]


def test_creating_with_the_same_key_twice_makes_one_period(manager):
    first, created = services.period_create(actor=manager, name="台风应急保障", kind="severe_weather",
                                            starts_at=at("2030-07-01 00:00"), ends_at=at("2030-07-03 00:00"),
                                            idempotency_key="k-1", fingerprint="f", now=at(NOW))
    again, created_again = services.period_create(actor=manager, name="台风应急保障", kind="severe_weather",
                                                  starts_at=at("2030-07-01 00:00"),
                                                  ends_at=at("2030-07-03 00:00"),
                                                  idempotency_key="k-1", fingerprint="f", now=at(NOW))
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(Conflict) as refused:
        services.period_create(actor=manager, name="别的", kind="holiday", starts_at=at("2030-07-01 00:00"),
                               ends_at=at("2030-07-03 00:00"), idempotency_key="k-1", fingerprint="other",
                               now=at(NOW))
    assert refused.value.code == "idempotency_key_reused"
    assert SpecialPeriod.objects.count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": "2030-02-01 00:00"}, "ends_at"),
    ({"kind": "party"}, "kind"),
    ({"name": "  "}, "name"),
    ({"starts_at": "2030-01-01 00:00", "ends_at": "2030-06-01 00:00"}, "ends_at"),
    ({"starts_at": "2030-01-01 00:00", "ends_at": "2030-01-02 00:00"}, "ends_at"),  # over before now
    ({"team_codes": ["nobody"]}, "team_codes"),
    ({"checklist_code": "missing"}, "checklist"),
])
def test_a_period_with_invalid_input_is_refused_naming_the_field(manager, team, changes, field):
    values = {"name": "春节保障", "kind": "holiday", "starts_at": at("2030-02-02 00:00"),
              "ends_at": at("2030-02-09 00:00")}
    values.update({k: at(v) if k.endswith("_at") else v for k, v in changes.items()})
    with pytest.raises(ValidationFailed) as refused:
        services.period_create(actor=manager, now=at(NOW), **values)
    assert refused.value.field == field
    assert SpecialPeriod.objects.count() == 0


def test_sites_of_another_customer_are_refused(manager, acme, globex):
    other = site_create(customer=globex, name="Globex 南站")
    with pytest.raises(ValidationFailed) as refused:
        make_period(manager, customer_id=acme.pk, site_ids=[other.pk])
    assert refused.value.field == "site_ids"
    assert SpecialPeriod.objects.count() == 0


@pytest.mark.parametrize("role_user", ["agent", "bob", "alice"])
def test_only_planners_create_periods(request, role_user):
    user = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        make_period(user)
    assert SpecialPeriod.objects.count() == 0


def test_an_update_bumps_the_version_and_a_stale_one_is_refused(period, manager):
    updated = services.period_update(actor=manager, period_id=period.pk, expected_version=1,
                                     changes={"name": "2030 春节保障（修订）", "is_round_the_clock": False},
                                     now=at(NOW))
    assert (updated.name, updated.version, updated.is_round_the_clock) == ("2030 春节保障（修订）", 2, False)
    with pytest.raises(PreconditionFailed):
        services.period_update(actor=manager, period_id=period.pk, expected_version=1,
                               changes={"name": "旧的"}, now=at(NOW))
    period.refresh_from_db()
    assert (period.name, period.version) == ("2030 春节保障（修订）", 2)
    assert _actions(period) == ["created", "updated"]


def test_an_unknown_period_is_not_found(manager):
    with pytest.raises(NotFound) as refused:
        services.period_transition(actor=manager, period_id="not-a-uuid", action="activate")
    assert refused.value.code == "special_period_not_found"


# --- transitions -----------------------------------------------------------------------------


def test_a_period_is_activated_then_closed(period, manager):
    services.period_transition(actor=manager, period_id=period.pk, action="activate", now=at(NOW))
    closed = services.period_transition(actor=manager, period_id=period.pk, action="close",
                                        now=at("2030-02-09 08:00"))
    assert (closed.status, closed.activated_at, closed.finished_at) == ("closed", at(NOW), at("2030-02-09 08:00"))
    assert _actions(period) == ["created", "activated", "closed"]
    assert list(SpecialPeriodEvent.objects.filter(action="closed").values_list("from_status", "to_status")) == [
        ("active", "closed")]


@pytest.mark.parametrize(("steps", "action"), [
    ([], "close"),
    (["activate"], "activate"),
    (["activate", "close"], "activate"),
    (["activate", "close"], "cancel"),
])
def test_a_transition_not_in_the_table_is_a_conflict(period, manager, steps, action):
    for step in steps:
        services.period_transition(actor=manager, period_id=period.pk, action=step, now=at(NOW))
    before = SpecialPeriod.objects.get(pk=period.pk)
    with pytest.raises(Conflict) as refused:
        services.period_transition(actor=manager, period_id=period.pk, action=action, reason="x", now=at(NOW))
    assert refused.value.code == "invalid_transition"
    after = SpecialPeriod.objects.get(pk=period.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_a_period_that_is_over_cannot_be_activated(period, manager):
    with pytest.raises(Conflict) as refused:
        services.period_transition(actor=manager, period_id=period.pk, action="activate",
                                   now=at("2030-02-10 00:00"))
    assert refused.value.code == "period_over"
    assert SpecialPeriod.objects.get(pk=period.pk).status == "draft"


def test_cancelling_needs_a_reason(period, manager):
    with pytest.raises(ValidationFailed) as refused:
        services.period_transition(actor=manager, period_id=period.pk, action="cancel", reason=" ", now=at(NOW))
    assert refused.value.field == "reason"
    assert SpecialPeriod.objects.get(pk=period.pk).status == "draft"


def test_activating_tells_each_person_on_extra_duty_once(period, manager, bob, agent):
    # given bob on two extra shifts and the agent on stand-by
    _duty(period, manager, bob)
    _duty(period, manager, bob, "2030-02-03 08:00", "2030-02-03 20:00")
    services.period_resource_add(actor=manager, period_id=period.pk, kind="technician", person_id=agent.pk,
                                 now=at(NOW))
    # when
    services.period_transition(actor=manager, period_id=period.pk, action="activate", now=at(NOW))
    # then
    messages = list(OutboxMessage.objects.filter(key__startswith=f"special-period:{period.pk}:")
                    .order_by("recipient").values_list("recipient", "subject"))
    assert [recipient for recipient, _subject in messages] == ["agent@example.invalid", "bob@example.invalid"]
    assert all("2030 年春节保障" in subject for _recipient, subject in messages)
    body = OutboxMessage.objects.get(recipient="bob@example.invalid").body
    assert "2030-02-02 08:00" in body
    assert "2030-02-03 08:00" in body


def test_cancelling_gives_back_future_duty_and_stops_the_plans(period, manager, bob, team, acme_site):
    # given a shift that is over by the time of cancelling and one still to come, and a plan
    past = _duty(period, manager, bob, "2030-02-02 08:00", "2030-02-02 20:00")
    future = _duty(period, manager, bob, "2030-02-05 08:00", "2030-02-05 20:00")
    link, _ = services.period_plan_add(actor=manager, period_id=period.pk, team_code=team.code,
                                       site_id=acme_site.pk, starts_on=dt.date(2030, 1, 30),
                                       ends_on=dt.date(2030, 2, 6), now=at(NOW))
    # when
    services.period_transition(actor=manager, period_id=period.pk, action="cancel", reason="活动取消",
                               now=at("2030-02-03 09:00"))
    # then
    assert list(Shift.objects.values_list("pk", flat=True)) == [past.shift_id]
    assert list(SpecialPeriodDuty.objects.values_list("pk", flat=True)) == [past.pk]
    assert not SpecialPeriodDuty.objects.filter(pk=future.pk).exists()
    assert InspectionPlan.objects.get(pk=link.plan_id).is_active is False
    assert SpecialPeriodEvent.objects.get(action="cancelled").detail == "活动取消"


# --- checklist -------------------------------------------------------------------------------


def test_the_period_gets_its_own_checklist(manager):
    period = make_period(manager)
    template = services.period_checklist_create(actor=manager, period_id=period.pk, name="暴雪保障检查表",
                                                items=[{"label": "除雪设备就位"}], now=at(NOW))
    period.refresh_from_db()
    assert period.checklist == template
    assert list(template.items.values_list("label", "kind")) == [("除雪设备就位", "pass_fail")]
    assert template.code.startswith("sp-")


# --- extra duty ------------------------------------------------------------------------------


def test_extra_duty_is_a_holiday_shift_on_the_roster(period, manager, bob, team):
    duty = _duty(period, manager, bob)
    shift = duty.shift
    assert (shift.team, shift.user, shift.kind, shift.note) == (team, bob, "holiday", "2030 年春节保障")
    assert (shift.starts_at, shift.ends_at) == (at("2030-02-02 08:00"), at("2030-02-02 20:00"))
    assert _actions(period) == ["created", "duty_added"]


def test_extra_duty_overlapping_another_shift_is_the_rosters_conflict(period, manager, bob, team):
    shift_add(team=team, user_id=bob.pk, starts_at=at("2030-02-02 06:00"), ends_at=at("2030-02-02 10:00"))
    with pytest.raises(Conflict) as refused:
        _duty(period, manager, bob)
    assert (refused.value.code, refused.value.field) == ("shift_overlap", "starts_at")
    assert SpecialPeriodDuty.objects.count() == 0
    assert Shift.objects.count() == 1
    assert _actions(period) == ["created"]


def test_extra_duty_outside_the_period_is_refused(period, manager, bob):
    with pytest.raises(ValidationFailed) as refused:
        _duty(period, manager, bob, "2030-02-10 08:00", "2030-02-10 20:00")
    assert refused.value.field == "starts_at"
    assert Shift.objects.count() == 0


def test_extra_duty_with_the_same_key_is_added_once(period, manager, bob):
    first = _duty(period, manager, bob, idempotency_key="d-1", fingerprint="f")
    again = _duty(period, manager, bob, idempotency_key="d-1", fingerprint="f")
    assert first.pk == again.pk
    assert Shift.objects.count() == 1


def test_extra_duty_of_a_closed_period_is_refused(period, manager, bob):
    services.period_transition(actor=manager, period_id=period.pk, action="cancel", reason="取消", now=at(NOW))
    with pytest.raises(Conflict) as refused:
        _duty(period, manager, bob)
    assert refused.value.code == "period_not_open"
    assert Shift.objects.count() == 0


def test_removing_extra_duty_takes_it_off_the_roster_but_not_once_it_is_over(period, manager, bob):
    duty = _duty(period, manager, bob)
    with pytest.raises(Conflict):
        services.period_duty_remove(actor=manager, period_id=period.pk, duty_id=duty.pk,
                                    now=at("2030-02-03 00:00"))
    assert Shift.objects.count() == 1
    services.period_duty_remove(actor=manager, period_id=period.pk, duty_id=duty.pk, now=at(NOW))
    assert (Shift.objects.count(), SpecialPeriodDuty.objects.count()) == (0, 0)
    assert _actions(period)[-1] == "duty_removed"
    with pytest.raises(NotFound):
        services.period_duty_remove(actor=manager, period_id=period.pk, duty_id=duty.pk, now=at(NOW))


# --- pre-inspection plans --------------------------------------------------------------------


def test_a_pre_inspection_plan_has_the_periods_kind_and_checklist(period, manager, team, acme_site, checklist):
    link, created = services.period_plan_add(actor=manager, period_id=period.pk, team_code=team.code,
                                             site_id=acme_site.pk, starts_on=dt.date(2030, 1, 30),
                                             ends_on=dt.date(2030, 2, 1), now=at(NOW))
    plan = link.plan
    assert created is True
    assert (plan.kind, plan.template, plan.site, plan.team, plan.frequency) == (
        "holiday", checklist, acme_site, team, "daily")
    assert (plan.starts_on, plan.ends_on, plan.name) == (dt.date(2030, 1, 30), dt.date(2030, 2, 1),
                                                         "2030 年春节保障 预检")


@pytest.mark.parametrize(("fields", "field"), [
    ({"ends_on": dt.date(2030, 2, 10)}, "ends_on"),
    ({"starts_on": dt.date(2029, 11, 1)}, "starts_on"),
    ({"team_code": "nobody"}, "team"),
    ({"site_id": "other"}, "site_id"),
])
def test_a_plan_out_of_the_period_is_refused(period, manager, team, acme_site, acme, fields, field):
    values = {"team_code": team.code, "site_id": acme_site.pk, "starts_on": dt.date(2030, 1, 30),
              "ends_on": dt.date(2030, 2, 1)}
    if fields.get("site_id") == "other":
        fields = {"site_id": site_create(customer=acme, name="不在保障范围的站").pk}
    values.update(fields)
    with pytest.raises(ValidationFailed) as refused:
        services.period_plan_add(actor=manager, period_id=period.pk, now=at(NOW), **values)
    assert refused.value.field == field
    assert (SpecialPeriodPlan.objects.count(), InspectionPlan.objects.count()) == (0, 0)


def test_a_plan_needs_the_periods_checklist(manager, team, acme_site):
    period = make_period(manager)
    with pytest.raises(ValidationFailed) as refused:
        services.period_plan_add(actor=manager, period_id=period.pk, team_code=team.code, site_id=acme_site.pk,
                                 starts_on=dt.date(2030, 1, 30), ends_on=dt.date(2030, 2, 1), now=at(NOW))
    assert refused.value.field == "checklist"


# --- stand-by resources ----------------------------------------------------------------------


def test_a_spare_part_is_held_in_a_depot_once(period, manager):
    depot, part = make_depot(), make_part()
    resource, _ = services.period_resource_add(actor=manager, period_id=period.pk, kind="spare_part",
                                               part_id=part.pk, depot_id=depot.pk, quantity=4, now=at(NOW))
    assert (resource.description, resource.quantity, resource.depot, resource.part) == (
        "RSU-ANT-01 RSU 天线板卡", 4, depot, part)
    with pytest.raises(Conflict) as refused:
        services.period_resource_add(actor=manager, period_id=period.pk, kind="spare_part", part_id=part.pk,
                                     depot_id=depot.pk, quantity=2, now=at(NOW))
    assert (refused.value.code, refused.value.field) == ("resource_exists", "part_id")
    assert StandbyResource.objects.get().quantity == 4


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "spare_part"}, "part_id"),
    ({"kind": "spare_part", "part": True}, "depot_id"),
    ({"kind": "technician"}, "person_id"),
    ({"kind": "technician", "person_id": 999_999}, "person_id"),
    ({"kind": "generator"}, "description"),
    ({"kind": "generator", "description": "发电机", "quantity": 0}, "quantity"),
    ({"kind": "rocket", "description": "x"}, "kind"),
    ({"kind": "vehicle", "description": "抢修车", "depot_id": "nope"}, "depot_id"),
])
def test_a_resource_missing_what_its_kind_needs_is_refused(period, manager, fields, field):
    if fields.pop("part", False):
        fields["part_id"] = make_part().pk
    with pytest.raises(ValidationFailed) as refused:
        services.period_resource_add(actor=manager, period_id=period.pk, now=at(NOW), **fields)
    assert refused.value.field == field
    assert StandbyResource.objects.count() == 0


def test_a_resource_is_removed(period, manager):
    resource, _ = services.period_resource_add(actor=manager, period_id=period.pk, kind="generator",
                                               description="30kW 柴油发电机", location="北收费站", now=at(NOW))
    services.period_resource_remove(actor=manager, period_id=period.pk, resource_id=resource.pk, now=at(NOW))
    assert StandbyResource.objects.count() == 0
    assert _actions(period) == ["created", "resource_added", "resource_removed"]
    with pytest.raises(NotFound):
        services.period_resource_remove(actor=manager, period_id=period.pk, resource_id=resource.pk)
