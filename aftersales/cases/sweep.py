"""The SLA sweep: record warnings and breaches exactly once, escalate, notify.

Candidates come from two partial indexes (running clocks not yet warned / not yet breached).
Each batch is claimed under row locks that other sweepers skip (PostgreSQL SKIP LOCKED; on
SQLite the IMMEDIATE transaction holds the database write lock), and the claim re-checks the
mark is still empty, so two sweepers never record the same warning or breach.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aftersales.calendars.models import Calendar
from aftersales.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseClock,
    CaseEvent,
    ClockState,
    EscalationLevel,
    EventKind,
)
from aftersales.cases.notify import clock_notifications, manager_emails
from aftersales.cases.services import case_events_recorded, clocks_sync
from aftersales.contracts.models import SlaPolicy
from aftersales.emergencies.models import EmergencyLevel
from aftersales.notifications.services import Notification, outbox_enqueue


@dataclass(frozen=True)
class SweepResult:
    recomputed: int
    warnings: int
    breaches: int


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = 1000) -> SweepResult:
    now = now or timezone.now()
    recomputed = sla_recompute_stale(now=now)
    warnings = _sweep(kind="warning", now=now, batch_size=batch_size)
    breaches = _sweep(kind="breach", now=now, batch_size=batch_size)
    return SweepResult(recomputed, warnings, breaches)


def _candidates(kind: str, now: dt.datetime) -> Any:
    running = CaseClock.objects.filter(state=ClockState.RUNNING)
    if kind == "warning":
        return running.filter(warning_recorded_at__isnull=True, warn_at__lte=now).order_by("warn_at")
    return running.filter(breach_recorded_at__isnull=True, due_at__lte=now).order_by("due_at")


def _sweep(*, kind: str, now: dt.datetime, batch_size: int) -> int:
    total = 0
    managers = manager_emails()
    mark = "warning_recorded_at" if kind == "warning" else "breach_recorded_at"
    while True:
        with transaction.atomic():
            claimed = list(
                _candidates(kind, now)
                .select_for_update(skip_locked=True)
                .values("id", "case_id", "target", "due_at", "warn_at")[:batch_size]
            )
            if not claimed:
                return total
            ids = [row["id"] for row in claimed]
            updates: dict[str, Any] = {mark: now, "updated_at": now}
            if kind == "breach":
                updates["is_breached"] = True
            CaseClock.objects.filter(pk__in=ids, **{f"{mark}__isnull": True}).update(**updates)
            _record_batch(kind=kind, claimed=claimed, now=now, managers=managers)
            total += len(claimed)
        if len(claimed) < batch_size:
            return total


def _record_batch(*, kind: str, claimed: list[dict[str, Any]], now: dt.datetime, managers: list[str]) -> None:
    by_case: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in claimed:
        by_case[row["case_id"]].append(row)
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(pk__in=sorted(by_case, key=str))
        .order_by("pk")
    )
    events: list[CaseEvent] = []
    notifications: list[Notification] = []
    original = {case.pk: (case.last_event_sequence, case.escalation_level, case.is_breached) for case in cases}
    for case in cases:
        assignee_email = case.assignee.email if case.assignee_id and case.assignee else None
        for row in by_case[case.pk]:
            due = row["due_at"]
            case.last_event_sequence += 1
            event_kind = EventKind.SLA_WARNING if kind == "warning" else EventKind.SLA_BREACHED
            events.append(CaseEvent(
                case=case, sequence=case.last_event_sequence, kind=event_kind, actor=None, at=now,
                status_before=case.status, status_after=case.status,
                data={"target": row["target"], "due_at": due.isoformat() if due else None},
            ))
            if kind == "breach":
                case.is_breached = True
                if case.escalation_level < EscalationLevel.EXPERT:
                    case.last_event_sequence += 1
                    events.append(CaseEvent(
                        case=case, sequence=case.last_event_sequence, kind=EventKind.ESCALATED,
                        actor=None, at=now, status_before=case.status, status_after=case.status,
                        data={"reason": "sla_breach", "target": row["target"],
                              "from_level": case.escalation_level,
                              "to_level": case.escalation_level + 1},
                    ))
                    case.escalation_level += 1
            notifications += clock_notifications(
                case=case, kind=kind, target=row["target"],
                due_iso=timezone.localtime(due).isoformat() if due else "",
                assignee_email=assignee_email, managers=managers,
            )
        case.version += 1
        case.updated_at = now
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    case_events_recorded(events)
    # One UPDATE per kind of change (the rows are locked): far cheaper than bulk_update's CASE WHEN.
    groups: dict[tuple[int, int, bool], list[Any]] = defaultdict(list)
    for case in cases:
        sequence, level, breached = original[case.pk]
        groups[(case.last_event_sequence - sequence, case.escalation_level - level,
                case.is_breached and not breached)].append(case.pk)
    for (more_events, more_levels, breached), ids in groups.items():
        changes: dict[str, Any] = {
            "last_event_sequence": F("last_event_sequence") + more_events,
            "escalation_level": F("escalation_level") + more_levels,
            "version": F("version") + 1, "updated_at": now,
        }
        if breached:
            changes["is_breached"] = True
        for start in range(0, len(ids), 500):
            Case.objects.filter(pk__in=ids[start : start + 500]).update(**changes)
    outbox_enqueue(notifications=notifications)


def sla_recompute_stale(*, now: dt.datetime | None = None) -> int:
    """Re-derive open cases' clocks after a calendar, policy or emergency level changed (a holiday entered
    later, new targets). Each case is recomputed in its own short transaction."""
    now = now or timezone.now()
    recomputed = 0
    for calendar in Calendar.objects.filter(version__gt=F("clocks_version")):
        seen = calendar.version
        recomputed += _recompute(Case.objects.filter(policy__calendar=calendar), now)
        Calendar.objects.filter(pk=calendar.pk, clocks_version__lt=seen).update(clocks_version=seen)
    for policy in SlaPolicy.objects.filter(version__gt=F("clocks_version")):
        seen = policy.version
        recomputed += _recompute(Case.objects.filter(policy=policy), now)
        SlaPolicy.objects.filter(pk=policy.pk, clocks_version__lt=seen).update(clocks_version=seen)
    for level in EmergencyLevel.objects.filter(version__gt=F("clocks_version")):
        seen = level.version
        recomputed += _recompute(Case.objects.filter(fault_class__level=level), now)
        EmergencyLevel.objects.filter(pk=level.pk, clocks_version__lt=seen).update(clocks_version=seen)
    return recomputed


def _recompute(cases: Any, now: dt.datetime) -> int:
    count = 0
    ids = list(cases.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    for case_id in ids:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",)).select_related("policy__calendar").get(pk=case_id)
            )
            clocks_sync(case=case, now=now)
            case.save(update_fields=["next_due_at", "queue_at", "is_breached", "updated_at"])
            count += 1
    return count
