"""Reads of depots, stock, the ledger, parts requests and suggestions. Staff data only: the
API lets no customer user reach these."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from aftersales.core.errors import NotFound
from aftersales.parts.models import (
    Depot,
    MovementKind,
    Part,
    PartsRequest,
    PurchaseSuggestion,
    Stock,
    StockMovement,
)


def get_depot(depot_id: Any) -> Depot:
    try:
        return Depot.objects.get(pk=depot_id)
    except (Depot.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该备件库"), code="depot_not_found") from None


def get_part(part_id: Any) -> Part:
    try:
        return Part.objects.get(pk=part_id)
    except (Part.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该备件"), code="part_not_found") from None


def get_parts_request(request_id: Any) -> PartsRequest:
    try:
        return PartsRequest.objects.select_related("part", "depot", "calendar").get(pk=request_id)
    except (PartsRequest.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该备件申请"), code="parts_request_not_found") from None


def parts_search(*, text: str = "", kind: str | None = None) -> QuerySet[Part]:
    parts = Part.objects.all()
    if text:
        parts = parts.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if kind:
        parts = parts.filter(kind=kind)
    return parts.order_by("code")


def depot_stock(
    *,
    depot: Depot,
    part_id: Any = None,
    kind: str | None = None,
    text: str = "",
    at_or_below_reorder_point: bool = False,
) -> QuerySet[Stock]:
    rows = Stock.objects.filter(depot=depot).select_related("part")
    if part_id is not None:
        rows = rows.filter(part_id=part_id)
    if kind:
        rows = rows.filter(part__kind=kind)
    if text:
        rows = rows.filter(Q(part__code__icontains=text) | Q(part__name__icontains=text))
    if at_or_below_reorder_point:
        rows = rows.filter(on_hand__lte=F("reserved") + F("part__reorder_point"))
    return rows.order_by("part__code")


def ledger(
    *, depot_id: Any = None, part_id: Any = None, work_order_id: Any = None, kind: str | None = None
) -> QuerySet[StockMovement]:
    """Newest first."""
    rows = StockMovement.objects.select_related("depot", "part", "actor", "work_order")
    if depot_id is not None:
        rows = rows.filter(depot_id=depot_id)
    if part_id is not None:
        rows = rows.filter(part_id=part_id)
    if work_order_id is not None:
        rows = rows.filter(work_order_id=work_order_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-id")


def parts_requests(
    *,
    status: str | None = None,
    depot_id: Any = None,
    work_order_id: Any = None,
    breached: bool | None = None,
) -> QuerySet[PartsRequest]:
    rows = PartsRequest.objects.select_related("part", "depot", "calendar")
    if status:
        rows = rows.filter(status=status)
    if depot_id is not None:
        rows = rows.filter(depot_id=depot_id)
    if work_order_id is not None:
        rows = rows.filter(work_order_id=work_order_id)
    if breached is not None:
        rows = rows.filter(is_breached=breached)
    return rows.order_by("due_at", "created_at")


def purchase_suggestions(
    *, status: str | None = None, depot_id: Any = None
) -> QuerySet[PurchaseSuggestion]:
    rows = PurchaseSuggestion.objects.select_related("depot", "part")
    if status:
        rows = rows.filter(status=status)
    if depot_id is not None:
        rows = rows.filter(depot_id=depot_id)
    return rows.order_by("-created_at")


def parts_delivery_report(
    *, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, dict[str, int]]:
    """Requests opened in [start, end), counted by part kind and delivery state (met, breached,
    running, overdue, cancelled) — the figures the reports show next to the case clocks."""
    counts: dict[str, Counter[str]] = {}
    rows = PartsRequest.objects.filter(
        requested_at__gte=start, requested_at__lt=end
    ).select_related("part")
    for request in rows.only("status", "due_at", "delivered_at", "part__kind"):
        counts.setdefault(request.part.kind, Counter())[request.delivery_state(now).value] += 1
    return {kind: dict(counter) for kind, counter in sorted(counts.items())}


def work_order_parts_lines(work_order: Any) -> list[tuple[str, str, int, Decimal | None]]:
    """The parts issued to a work order as its report lists them: code, name, quantity, and the
    amount charged (None: free of charge, in warranty)."""
    rows = (
        StockMovement.objects.filter(work_order=work_order, kind=MovementKind.ISSUE)
        .order_by("id")
        .values_list("part__code", "part__name", "quantity", "is_chargeable", "amount")
    )
    return [(code, name, quantity, amount if chargeable else None)
            for code, name, quantity, chargeable, amount in rows]


def open_parts_requests_of_cases(case_ids: list[Any]) -> dict[Any, list[PartsRequest]]:
    """The parts still on their way to these cases, by case id."""
    found: dict[Any, list[PartsRequest]] = {case_id: [] for case_id in case_ids}
    for request in (PartsRequest.objects.filter(case_id__in=case_ids, is_open=True)
                    .select_related("part").order_by("due_at")):
        found[request.case_id].append(request)
    return found
