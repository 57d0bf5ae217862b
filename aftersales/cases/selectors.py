"""Reads of cases, always through the scoping layer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from aftersales.cases.models import Case, CaseClock, CaseEvent
from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user

CASE_NUMBER = re.compile(r"^AS\d", re.IGNORECASE)


def cases_for_user(user: ScopedUser) -> QuerySet[Case]:
    return scope_to_user(Case.objects.all(), user, customer_field="customer_id")


def get_case_for_user(user: ScopedUser, case_id: Any) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("customer", "policy", "assignee"),
        user, customer_field="customer_id", what="case", pk=case_id,
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    severity: str | None = None
    customer_id: Any = None
    assignee_id: Any = None
    breached: bool | None = None
    channel: str | None = None
    open_only: bool = True
    text: str = ""


def case_queue(user: ScopedUser, filters: QueueFilters, *, limit: int, offset: int) -> list[Case]:
    """Cases ordered by what breaks next (paused and clockless cases last).

    Reads `limit + 1` rows so the caller knows whether another page exists without counting.
    """
    queryset = cases_for_user(user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif filters.open_only:
        queryset = queryset.filter(in_queue=True)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.customer_id:
        queryset = queryset.filter(customer_id=filters.customer_id)
    if filters.assignee_id:
        queryset = queryset.filter(assignee_id=filters.assignee_id)
    if filters.breached is not None:
        queryset = queryset.filter(is_breached=filters.breached)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    text = filters.text.strip()
    if text:
        if CASE_NUMBER.match(text):
            # A number or its beginning: a range on the unique index, not a LIKE.
            queryset = queryset.filter(number__gte=text.upper(), number__lt=text.upper() + "\uffff")
        else:
            queryset = queryset.filter(title__icontains=text)
    queryset = (
        queryset.select_related("customer", "assignee", "policy")
        .prefetch_related(Prefetch("clocks", queryset=CaseClock.objects.order_by("target")))
        .order_by("queue_at", "number")
    )
    return list(queryset[offset : offset + limit + 1])


def case_events(case: Case, *, limit: int = 50, before_sequence: int | None = None) -> list[CaseEvent]:
    """The newest `limit` events (before a sequence number, for paging back), oldest first."""
    queryset = CaseEvent.objects.filter(case=case).select_related("actor")
    if before_sequence is not None:
        queryset = queryset.filter(sequence__lt=before_sequence)
    return list(reversed(queryset.order_by("-sequence")[:limit]))


def case_clocks(case: Case) -> list[CaseClock]:
    return list(CaseClock.objects.filter(case=case).order_by("target"))
