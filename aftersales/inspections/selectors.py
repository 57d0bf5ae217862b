"""Reads of plans and occurrences, always through the scoping layer (customer users see their
own organisation's; anything else is 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from aftersales.core.scoping import get_scoped_or_404, scope_to_user
from aftersales.inspections.models import (
    OPEN_OCCURRENCE_STATUSES,
    ChecklistTemplate,
    InspectionOccurrence,
    InspectionPlan,
    OccurrenceStatus,
)


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    rows = InspectionPlan.objects.select_related("customer", "site", "asset__product", "template", "team__calendar", "calendar")
    return scope_to_user(rows, user, customer_field="customer_id").order_by("name", "id")


def get_plan_for_user(user: Any, plan_id: Any) -> InspectionPlan:
    return get_scoped_or_404(plan_list(user=user), user, customer_field="customer_id",
                             what="inspection plan", pk=plan_id)


def occurrence_list(*, user: Any, plan_id: Any = None, status: str | None = None,
                    scheduled_from: dt.date | None = None,
                    scheduled_to: dt.date | None = None) -> QuerySet[InspectionOccurrence]:
    rows = InspectionOccurrence.objects.select_related("plan", "work_order", "case")
    rows = scope_to_user(rows, user, customer_field="plan__customer_id")
    if plan_id is not None:
        rows = rows.filter(plan_id=plan_id)
    if status:
        rows = rows.filter(status=status)
    if scheduled_from is not None:
        rows = rows.filter(scheduled_on__gte=scheduled_from)
    if scheduled_to is not None:
        rows = rows.filter(scheduled_on__lte=scheduled_to)
    return rows.order_by("scheduled_on", "id")


def get_occurrence_for_user(user: Any, occurrence_id: Any) -> InspectionOccurrence:
    return get_scoped_or_404(occurrence_list(user=user), user, customer_field="plan__customer_id",
                             what="inspection", pk=occurrence_id)


def occurrence_of_work_order(user: Any, work_order_id: Any) -> InspectionOccurrence | None:
    """The inspection a work order was dispatched for, if any (within the user's scope)."""
    return occurrence_list(user=user).filter(work_order_id=work_order_id).select_related(
        "plan__template").first()


@dataclass(frozen=True)
class PlanSummary:
    """What a list of plans shows of each plan's occurrences."""

    next_on: dt.date | None
    open_count: int
    overdue_count: int
    completed_count: int


def plan_summaries(plan_ids: list[Any], *, today: dt.date) -> dict[Any, PlanSummary]:
    """Per plan of one page: the next open occurrence from today, open, overdue and completed
    counts — one grouped query, whatever the number of occurrences."""
    open_ = Q(status__in=OPEN_OCCURRENCE_STATUSES)
    rows = (
        InspectionOccurrence.objects.filter(plan_id__in=plan_ids).order_by().values("plan_id").annotate(
            next_on=Min("scheduled_on", filter=open_ & Q(scheduled_on__gte=today)),
            open_count=Count("id", filter=open_),
            overdue_count=Count("id", filter=open_ & Q(overdue_at__isnull=False)),
            completed_count=Count("id", filter=Q(status=OccurrenceStatus.COMPLETED)),
        )
    )
    return {row["plan_id"]: PlanSummary(next_on=row["next_on"], open_count=row["open_count"],
                                        overdue_count=row["overdue_count"], completed_count=row["completed_count"])
            for row in rows}


def checklist_templates(*, active_only: bool = False) -> QuerySet[ChecklistTemplate]:
    rows = ChecklistTemplate.objects.prefetch_related("items").order_by("code")
    return rows.filter(is_active=True) if active_only else rows
