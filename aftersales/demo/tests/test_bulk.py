"""Bulk demo cases look exactly like cases the services produced."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.calendars.services import business_calendar
from aftersales.cases import services
from aftersales.cases.clocks import derive_clocks, event_records
from aftersales.cases.models import (
    OPEN_STATUSES,
    QUEUE_END,
    Case,
    CaseClock,
    CaseEvent,
    ClockState,
    ClosureConsent,
    EventKind,
    Status,
)
from aftersales.cases.selectors import QueueFilters, case_queue
from aftersales.cases.services import CLOCK_FIELDS, clocks_sync
from aftersales.cases.transitions import TRANSITIONS
from aftersales.contracts.services import policy_targets
from aftersales.demo.bulk import load_bulk_cases
from aftersales.demo.loader import load_demo

COUNT = 300
SWEEP_KINDS = {EventKind.SLA_WARNING, EventKind.SLA_BREACHED}
MARKS = ("warning_recorded_at", "breach_recorded_at")


@pytest.fixture
def loaded() -> dict[str, Any]:
    load_demo(password="x" * 10)
    demo_ids = set(Case.objects.values_list("pk", flat=True))
    now = timezone.now()
    count = load_bulk_cases(count=COUNT, progress=False, now=now, seed=20261124)
    bulk = Case.objects.exclude(pk__in=demo_ids)
    return {"count": count, "now": now, "bulk": bulk, "demo_ids": demo_ids}


def _clock_state(case: Case) -> dict[str, tuple[Any, ...]]:
    return {
        clock.target: tuple(getattr(clock, name) for name in (*CLOCK_FIELDS, *MARKS))
        for clock in CaseClock.objects.filter(case=case)
    }


@pytest.mark.django_db
def test_count_and_event_sequences(loaded: dict[str, Any]) -> None:
    bulk = loaded["bulk"]
    assert loaded["count"] == COUNT
    assert bulk.count() == COUNT
    stats = bulk.annotate(
        n=Count("events"), first=Min("events__sequence"), last=Max("events__sequence"),
    ).values_list("last_event_sequence", "n", "first", "last")
    for last_event_sequence, n, first, last in stats:
        assert (first, last, n) == (1, n, last_event_sequence)
    opened = CaseEvent.objects.filter(case__in=bulk, sequence=1).values_list("kind", flat=True)
    assert set(opened) == {EventKind.OPENED}
    assert len(opened) == COUNT


@pytest.mark.django_db
def test_histories_follow_the_state_machine(loaded: dict[str, Any]) -> None:
    allowed = {(before, after) for table in TRANSITIONS.values() for before, after in table.items()}
    events_by_case: dict[Any, list[CaseEvent]] = {}
    for event in CaseEvent.objects.filter(case__in=loaded["bulk"]).order_by("case", "sequence"):
        events_by_case.setdefault(event.case_id, []).append(event)
    cases = {case.pk: case for case in loaded["bulk"]}
    for case_id, events in events_by_case.items():
        case = cases[case_id]
        status = Status.NEW
        assert events[0].status_after == Status.NEW
        for previous, event in zip(events, events[1:], strict=False):
            assert event.at >= previous.at
            assert event.status_before == status
            if event.kind not in SWEEP_KINDS and event.actor_id is not None:
                assert (event.status_before, event.status_after) in allowed
            status = event.status_after
        assert status == case.status
        assert case.opened_at == events[0].at
        assert case.number.startswith("AS")
        consents = ClosureConsent.objects.filter(case=case).count()
        closures = sum(1 for e in events if e.kind == EventKind.CLOSURE_CONSENTED)
        assert consents == closures
        assert (case.closed_at is not None) == (case.status == Status.CLOSED)
        assert (case.resolved_at is not None) == (case.status in (Status.RESOLVED, Status.CLOSED))
        assigned = [e for e in events if e.kind == EventKind.ASSIGNED]
        if assigned:
            assert case.assignee is not None
            assert assigned[-1].data["assignee"] == case.assignee.username
        escalations = sum(1 for e in events if e.kind == EventKind.ESCALATED)
        assert case.escalation_level == 1 + escalations


@pytest.mark.django_db
def test_every_status_and_some_breaches(loaded: dict[str, Any]) -> None:
    statuses = Counter(loaded["bulk"].values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.CLOSED] > COUNT / 2
    assert loaded["bulk"].filter(status__in=OPEN_STATUSES, is_breached=True).exists()
    assert loaded["bulk"].filter(status=Status.CLOSED, is_breached=True).exists()
    assert loaded["bulk"].filter(is_breached=False).count() > COUNT / 2
    assert CaseEvent.objects.filter(case__in=loaded["bulk"], kind=EventKind.SLA_BREACHED).exists()
    oldest = loaded["bulk"].aggregate(Min("opened_at"))["opened_at__min"]
    assert loaded["now"] - oldest <= dt.timedelta(days=366)
    assert loaded["now"] - oldest > dt.timedelta(days=200)


@pytest.mark.django_db
def test_stored_clocks_equal_the_derivation(loaded: dict[str, Any]) -> None:
    now = loaded["now"]
    for case in loaded["bulk"].select_related("policy__calendar"):
        stored = _clock_state(case)
        summary = (case.next_due_at, case.queue_at, case.is_breached)
        # The pure derivation over the stored events...
        rows = CaseEvent.objects.filter(case=case).order_by("sequence").values_list("kind", "at", "data")
        values = derive_clocks(
            events=event_records(rows), category=case.category,
            targets=policy_targets(case.policy, case.severity),
            calendar=business_calendar(case.policy.calendar),
            warning_percent=case.policy.warning_percent, now=now,
        )
        assert {v.target: tuple(getattr(v, n) for n in CLOCK_FIELDS) for v in values} == {
            target: state[: len(CLOCK_FIELDS)] for target, state in stored.items()
        }, case.number
        # ...and the service that stores it change nothing, marks and case summary included.
        with transaction.atomic():
            clocks_sync(case=case, now=now)
            assert _clock_state(case) == stored, case.number
            assert (case.next_due_at, case.queue_at, case.is_breached) == summary, case.number
            transaction.set_rollback(True)
        a_minute_ago = now - dt.timedelta(minutes=1)
        for clock in CaseClock.objects.filter(case=case, state=ClockState.RUNNING):
            # A sweep runs every minute: what was due a minute ago is recorded, nothing later.
            for mark, moment in (("breach_recorded_at", clock.due_at), ("warning_recorded_at", clock.warn_at)):
                assert moment is not None
                if moment < a_minute_ago:
                    assert getattr(clock, mark) is not None, (case.number, clock.target, mark)
                if moment > now:
                    assert getattr(clock, mark) is None, (case.number, clock.target, mark)


@pytest.mark.django_db
def test_queue_returns_open_cases_by_due_time(loaded: dict[str, Any]) -> None:
    staff = User.objects.get(username="dispatcher")
    page = case_queue(staff, QueueFilters(), limit=20, offset=0)
    assert len(page) == 21
    assert all(case.status in OPEN_STATUSES for case in page)
    keys = [(case.queue_at, case.number) for case in page]
    assert keys == sorted(keys)
    assert page[0].queue_at < QUEUE_END
    open_bulk = loaded["bulk"].filter(status__in=OPEN_STATUSES)
    everything = case_queue(staff, QueueFilters(), limit=1000, offset=0)
    assert set(open_bulk.values_list("pk", flat=True)) <= {case.pk for case in everything}
    for case in open_bulk:
        running = CaseClock.objects.filter(case=case, state=ClockState.RUNNING).aggregate(Min("due_at"))
        assert case.next_due_at == running["due_at__min"]
        assert case.queue_at == (case.next_due_at or QUEUE_END)


@pytest.mark.django_db
def test_numbers_do_not_collide_with_the_services(loaded: dict[str, Any]) -> None:
    agent = User.objects.get(username="agent")
    customer = loaded["bulk"].first().customer
    case, created = services.case_open(
        actor=agent, customer_id=customer.pk, channel="phone", category="fault", title="新报修",
        impact="degraded",
    )
    assert created
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


@pytest.mark.django_db
def test_sweep_records_nothing_new_right_after_loading(loaded: dict[str, Any]) -> None:
    from aftersales.cases.sweep import sla_sweep

    # The sweep runs every minute: a minute before loading, everything due was recorded.
    # (Only the demo's own cases, filed through the services and never swept, may be due.)
    then = loaded["now"] - dt.timedelta(minutes=1)
    result = sla_sweep(now=then)
    swept = CaseEvent.objects.filter(case__in=loaded["bulk"], at=then, kind__in=SWEEP_KINDS)
    assert not swept.exists()
    assert result.recomputed == 0


@pytest.mark.django_db
def test_unswept_cases_leave_breaches_to_the_sweep() -> None:
    from aftersales.cases.sweep import sla_sweep

    load_demo(password="x" * 10)
    demo_ids = set(Case.objects.values_list("pk", flat=True))
    now = timezone.now()
    load_bulk_cases(count=40, progress=False, now=now, seed=1, days=60,
                    statuses={Status.IN_PROGRESS: 1.0}, record_sweeps=False)
    bulk = Case.objects.exclude(pk__in=demo_ids)
    assert set(bulk.values_list("status", flat=True)) == {Status.IN_PROGRESS}
    overdue = CaseClock.objects.filter(case__in=bulk, state=ClockState.RUNNING, due_at__lte=now,
                                       breach_recorded_at__isnull=True).count()
    assert overdue > 0
    assert not CaseEvent.objects.filter(case__in=bulk, kind__in=SWEEP_KINDS).exists()
    result = sla_sweep(now=now)
    assert result.breaches >= overdue
    assert CaseEvent.objects.filter(case__in=bulk, kind=EventKind.SLA_BREACHED).count() == overdue
