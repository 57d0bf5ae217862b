"""Reads of plans and occurrences, always through the scoping layer (customer users see their
own organisation's; anything else is 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from aftersales.core.scoping import get_scoped_or_404, scope_to_user
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    rows = InspectionPlan.objects.select_related("customer", "site", "asset", "template", "team", "calendar")
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
