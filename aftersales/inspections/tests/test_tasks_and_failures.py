from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from aftersales.core.errors import ValidationFailed
from aftersales.inspections import services, tasks
from aftersales.inspections.models import InspectionOccurrence
from aftersales.inspections.tests.factories import at
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders.models import WorkOrder


def test_the_database_refuses_a_second_occurrence_for_the_same_period(plan):
    # given
    services.occurrences_plan(through=dt.date(2026, 11, 2))
    first = InspectionOccurrence.objects.get()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionOccurrence.objects.create(plan=plan, period_start=first.period_start,
                                            scheduled_on=first.scheduled_on, due_at=first.due_at)
    assert InspectionOccurrence.objects.count() == 1


def test_the_periodic_tasks_generate_and_flag(plan):
    # given: the scheduler runs on Wednesday 2026-11-04 at 10:00; Monday's and Tuesday's are late
    with time_machine.travel(at("2026-11-04 10:00"), tick=False):
        # when
        generated = tasks.generate_inspections.call_local()
        flagged = tasks.flag_overdue_inspections.call_local()
    # then: Monday to the horizon (Wednesday + 7 days)
    assert generated == (10, 10)
    assert flagged == 2
    assert OutboxMessage.objects.filter(key__startswith="inspection-overdue:").count() == 2


def test_an_occurrence_that_cannot_be_dispatched_keeps_its_reason_and_others_go_on(plan, monkeypatch):
    # given: opening the case fails for Monday's occurrence only
    services.occurrences_plan(through=dt.date(2026, 11, 3))
    real_case_open = services.case_open

    def failing_case_open(**fields):
        if "2026-11-02" in fields["title"]:
            raise ValidationFailed("客户已停用", field="customer_id")
        return real_case_open(**fields)

    monkeypatch.setattr(services, "case_open", failing_case_open)
    # when
    dispatched = services.occurrences_dispatch(now=at("2026-11-02 08:00"), horizon_days=1)
    # then
    assert dispatched == 1
    monday, tuesday = InspectionOccurrence.objects.order_by("period_start")
    assert (monday.status, monday.dispatch_error, monday.work_order_id) == ("planned", "客户已停用", None)
    assert tuesday.status == "scheduled"
    assert WorkOrder.objects.count() == 1
    # and the next run, with the cause gone, dispatches it
    monkeypatch.setattr(services, "case_open", real_case_open)
    assert services.occurrences_dispatch(now=at("2026-11-02 08:05"), horizon_days=1) == 1
    monday.refresh_from_db()
    assert (monday.status, monday.dispatch_error) == ("scheduled", "")
