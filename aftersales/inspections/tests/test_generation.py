from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.cases.models import Case
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.inspections import services
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan
from aftersales.inspections.tests.factories import (
    at,
    checklist,
    field_team,
    make_plan,
    office_calendar,
)
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders.models import WorkOrder

D = dt.date


def test_a_run_plans_and_dispatches_each_period_within_the_horizon_once(plan):
    # when
    planned, dispatched = services.inspections_generate(now=at("2026-11-02 10:00"), horizon_days=7)
    # then
    rows = InspectionOccurrence.objects.filter(plan=plan).order_by("period_start")
    assert (planned, dispatched) == (8, 8)
    assert [r.period_start for r in rows] == [D(2026, 11, 2) + dt.timedelta(days=i) for i in range(8)]
    first = rows[0]
    assert first.status == "scheduled"
    assert first.due_at == at("2026-11-03 00:00")
    assert (first.case.channel, first.case.category, first.case.severity) == ("inspection", "maintenance", "P4")
    assert first.case.asset_id == plan.asset_id
    assert (first.work_order.kind, first.work_order.case_id) == ("inspection", first.case_id)
    assert first.work_order.scheduled_for == at("2026-11-02 09:00")
    assert WorkOrder.objects.filter(kind="inspection").count() == 8
    assert Case.objects.filter(channel="inspection").count() == 8


def test_a_second_run_creates_nothing(plan):
    # given
    services.inspections_generate(now=at("2026-11-02 10:00"))
    # when
    again = services.inspections_generate(now=at("2026-11-02 10:05"))
    # then
    assert again == (0, 0)
    assert InspectionOccurrence.objects.count() == 8
    assert WorkOrder.objects.count() == 8


def test_a_run_after_a_week_of_downtime_catches_up_without_duplicates(plan):
    # given: the scheduler ran on Monday, then nothing ran for a week
    services.inspections_generate(now=at("2026-11-02 10:00"))
    plan.refresh_from_db()
    assert plan.planned_through == D(2026, 11, 9)
    # when
    planned, dispatched = services.inspections_generate(now=at("2026-11-10 08:00"))
    # then: the periods up to the new horizon, each once; the missed ones are dispatched too
    assert (planned, dispatched) == (8, 8)
    starts = list(InspectionOccurrence.objects.values_list("period_start", flat=True).order_by("period_start"))
    assert starts == [D(2026, 11, 2) + dt.timedelta(days=i) for i in range(16)]
    assert WorkOrder.objects.count() == 16
    assert not InspectionOccurrence.objects.filter(status="planned").exists()


def test_planning_twice_from_a_stale_cursor_inserts_nothing(plan):
    # given: a slower scheduler holds the plan as it was before the first run
    stale = InspectionPlan.objects.select_related("team__calendar", "calendar").get(pk=plan.pk)
    services.occurrences_plan(through=D(2026, 11, 9))
    # when
    inserted = services.occurrences_plan(through=D(2026, 11, 9), plans=[stale])
    # then
    assert inserted == 0
    assert InspectionOccurrence.objects.count() == 8
    plan.refresh_from_db()
    assert plan.planned_through == D(2026, 11, 9)


def test_a_working_day_plan_skips_the_national_day_holidays(manager, template, acme_site):
    # given
    team = field_team(office_calendar(), code="office-team")
    plan = make_plan(manager, template=template, team=team, site_id=acme_site.pk, frequency="weekly",
                     day_basis="working", starts_on=D(2026, 9, 28))
    # when
    services.occurrences_plan(through=D(2026, 10, 12))
    # then
    rows = list(InspectionOccurrence.objects.filter(plan=plan).order_by("period_start")
                .values_list("period_start", "scheduled_on", "due_at"))
    assert rows == [
        (D(2026, 9, 28), D(2026, 9, 28), at("2026-10-01 00:00")),
        (D(2026, 10, 5), D(2026, 10, 8), at("2026-10-11 00:00")),
        (D(2026, 10, 12), D(2026, 10, 12), at("2026-10-17 00:00")),
    ]


def test_a_special_period_plan_generates_only_inside_its_dates(manager, template, team, acme_site):
    # given
    plan = make_plan(manager, template=template, team=team, site_id=acme_site.pk, kind="holiday",
                     name="国庆保障巡检", starts_on=D(2026, 10, 1), ends_on=D(2026, 10, 3))
    # when
    services.occurrences_plan(through=D(2026, 10, 31))
    # then
    assert list(InspectionOccurrence.objects.filter(plan=plan).values_list("period_start", flat=True)
                .order_by("period_start")) == [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)]


def test_an_inactive_plan_is_neither_planned_nor_dispatched(plan, manager):
    # given
    services.occurrences_plan(through=D(2026, 11, 3))
    services.plan_update(actor=manager, plan_id=plan.pk, is_active=False)
    # when
    result = services.inspections_generate(now=at("2026-11-02 10:00"))
    # then
    assert result == (0, 0)
    assert set(InspectionOccurrence.objects.values_list("status", flat=True)) == {"cancelled"}
    assert WorkOrder.objects.count() == 0


def test_deactivating_an_inactive_plan_is_a_conflict(plan, manager):
    services.plan_update(actor=manager, plan_id=plan.pk, is_active=False)
    with pytest.raises(Conflict) as error:
        services.plan_update(actor=manager, plan_id=plan.pk, is_active=False)
    assert error.value.code == "plan_state"
    plan.refresh_from_db()
    assert (plan.is_active, plan.version) == (False, 2)


def test_ending_a_plan_earlier_cancels_its_later_planned_occurrences(plan, manager):
    services.occurrences_plan(through=D(2026, 11, 9))
    services.plan_update(actor=manager, plan_id=plan.pk, ends_on=D(2026, 11, 5))
    assert InspectionOccurrence.objects.filter(status="planned").count() == 4
    assert InspectionOccurrence.objects.filter(status="cancelled").count() == 4


@pytest.mark.parametrize(("fields", "field"), [
    ({"frequency": "every_n_days"}, "interval_days"),
    ({"day_basis": "working"}, "calendar"),
    ({"kind": "severe_weather"}, "ends_on"),
    ({"ends_on": D(2026, 11, 1)}, "ends_on"),
    ({"frequency": "hourly"}, "frequency"),
    ({"asset_id": None}, "site_id"),
])
def test_plan_validation_names_the_field(manager, template, team, acme_asset, fields, field):
    arguments = {"asset_id": acme_asset.pk, **fields}
    with pytest.raises(ValidationFailed) as error:
        make_plan(manager, template=template, team=team, **arguments)
    assert error.value.field == field
    assert InspectionPlan.objects.count() == 0


def test_a_group_plan_must_hold_one_customers_assets(manager, template, team, acme_asset, globex):
    from aftersales.assets.services import asset_create

    other = asset_create(product=acme_asset.product, serial_number="SN-G1", customer=globex)
    with pytest.raises(ValidationFailed) as error:
        make_plan(manager, template=template, team=team, asset_ids=[acme_asset.pk, other.pk])
    assert error.value.field == "asset_ids"


def test_an_engineer_may_not_create_plans(bob, template, team, acme_asset):
    with pytest.raises(PermissionDenied):
        make_plan(bob, template=template, team=team, asset_id=acme_asset.pk)
    assert InspectionPlan.objects.count() == 0


def test_overdue_occurrences_are_flagged_once_with_one_notification_each(plan):
    # given: two days dispatched, nothing done
    services.occurrences_plan(through=D(2026, 11, 3))
    services.occurrences_dispatch(now=at("2026-11-02 08:00"), horizon_days=1)
    # when
    first = services.occurrences_flag_overdue(now=at("2026-11-04 00:30"))
    again = services.occurrences_flag_overdue(now=at("2026-11-04 00:31"))
    # then
    assert (first, again) == (2, 0)
    messages = OutboxMessage.objects.filter(key__startswith="inspection-overdue:")
    assert messages.count() == 2
    assert {m.recipient for m in messages} == {"manager@example.invalid"}
    assert InspectionOccurrence.objects.filter(overdue_at=at("2026-11-04 00:30")).count() == 2


def test_an_occurrence_not_yet_due_is_not_overdue(plan):
    services.occurrences_plan(through=D(2026, 11, 2))
    assert services.occurrences_flag_overdue(now=at("2026-11-02 23:59")) == 0
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_running_at_once_generate_each_period_once(manager, acme_asset):
    # given
    team = field_team()
    plans = [make_plan(manager, template=checklist(manager, code=f"t{i}"), team=team, asset_id=acme_asset.pk,
                       name=f"计划 {i}") for i in range(3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[tuple[int, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.inspections_generate(now=at("2026-11-02 10:00"), horizon_days=7))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert errors == []
    assert sum(r[0] for r in results) == 24
    assert sum(r[1] for r in results) == 24
    assert InspectionOccurrence.objects.filter(plan__in=plans).count() == 24
    assert WorkOrder.objects.filter(kind="inspection").count() == 24
    assert Case.objects.filter(channel="inspection").count() == 24
    assert not InspectionOccurrence.objects.filter(status="planned").exists()
