"""Reads of work orders, always through the scoping layer: a customer user sees the work orders
of its own organisation's cases only; any other answers 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case as CaseExpression
from django.db.models import F, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from aftersales.cases.selectors import get_case_for_user
from aftersales.core.errors import NotFound
from aftersales.core.scoping import ScopedUser, scope_to_user
from aftersales.workorders.models import (
    OPEN_WORK_ORDER_STATUSES,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPhoto,
)

DETAIL_RELATED = ("case__customer", "case__site", "case__asset__product", "technician", "created_by")


def work_orders_for_user(user: ScopedUser) -> QuerySet[WorkOrder]:
    return scope_to_user(WorkOrder.objects.all(), user, customer_field="case__customer_id")


def get_work_order_for_user(user: ScopedUser, work_order_id: Any) -> WorkOrder:
    try:
        return work_orders_for_user(user).select_related(*DETAIL_RELATED).get(pk=work_order_id)
    except (WorkOrder.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该派工单"), code="work_order_not_found") from None


def work_order_events(work_order: WorkOrder) -> list[WorkOrderEvent]:
    return list(WorkOrderEvent.objects.filter(work_order=work_order).select_related("actor").order_by("sequence"))


def work_order_photos(work_order: WorkOrder) -> list[WorkOrderPhoto]:
    return list(WorkOrderPhoto.objects.filter(work_order=work_order).order_by("created_at"))


def get_work_order_with_events(user: ScopedUser, work_order_id: Any) -> tuple[WorkOrder, list[WorkOrderEvent]]:
    work_order = get_work_order_for_user(user, work_order_id)
    return work_order, work_order_events(work_order)


def get_photo_for_user(user: ScopedUser, work_order_id: Any, photo_id: Any) -> WorkOrderPhoto:
    work_order = get_work_order_for_user(user, work_order_id)
    try:
        return WorkOrderPhoto.objects.get(work_order=work_order, pk=photo_id)
    except (WorkOrderPhoto.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该照片"), code="photo_not_found") from None


def _open_first(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Open work orders first, each group by scheduled time (unscheduled last), then number."""
    return queryset.annotate(
        is_finished=CaseExpression(When(status__in=OPEN_WORK_ORDER_STATUSES, then=Value(0)), default=Value(1),
                          output_field=IntegerField()),
    ).order_by("is_finished", F("scheduled_for").asc(nulls_last=True), "number")


def work_orders_of_case(user: ScopedUser, case_id: Any) -> list[WorkOrder]:
    case = get_case_for_user(user, case_id)
    return work_orders_of_scoped_case(case)


def work_orders_of_scoped_case(case: Any) -> list[WorkOrder]:
    """The work orders of a case the caller has already read through the scoping layer, open
    ones first, each group by scheduled time. A case has a handful: sorted here, which spares
    the case page compiling the ordering expressions."""
    rows = list(WorkOrder.objects.filter(case=case).select_related("technician").only(
        "id", "number", "case_id", "kind", "status", "scheduled_for", "technician_id", "technician__username"))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(rows, key=lambda w: (w.status not in OPEN_WORK_ORDER_STATUSES, w.scheduled_for or far, w.number))


def technician_work_orders(user: ScopedUser, technician_id: Any, *, open_only: bool = False) -> list[WorkOrder]:
    """A technician's work orders ("my work orders"): open first, by scheduled time."""
    queryset = work_orders_for_user(user).filter(technician_id=technician_id)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_WORK_ORDER_STATUSES)
    return list(_open_first(queryset).select_related("case__customer", "case__site", "technician"))


@dataclass(frozen=True)
class WorkOrderFilters:
    case_id: Any = None
    technician_id: Any = None
    status: str | None = None


def work_order_list(user: ScopedUser, filters: WorkOrderFilters, *, limit: int, offset: int) -> list[WorkOrder]:
    """One page, open first by scheduled time; reads `limit + 1` rows so the caller knows whether
    another page exists without counting."""
    queryset = work_orders_for_user(user)
    if filters.case_id:
        queryset = queryset.filter(case_id=filters.case_id)
    if filters.technician_id:
        queryset = queryset.filter(technician_id=filters.technician_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    queryset = _open_first(queryset).select_related("case__customer", "technician")
    return list(queryset[offset : offset + limit + 1])


def open_work_orders_of_cases(user: ScopedUser, case_ids: list[Any]) -> dict[Any, list[WorkOrder]]:
    """The open work orders of these cases (the people committed to them), by case id."""
    found: dict[Any, list[WorkOrder]] = {case_id: [] for case_id in case_ids}
    rows = (work_orders_for_user(user).filter(case_id__in=case_ids, status__in=OPEN_WORK_ORDER_STATUSES)
            .select_related("technician").order_by("created_at"))
    for work_order in rows:
        found[work_order.case_id].append(work_order)
    return found
