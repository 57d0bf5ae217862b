from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user
from aftersales.returns.models import ReturnRequest

_RELATED = ("asset__product", "customer", "case", "requested_by", "decided_by", "received_depot",
            "stock_movement")


def return_requests_for_user(
    user: ScopedUser, *, status: str | None = None, kind: str | None = None, asset_id: Any = None,
    case_id: Any = None,
) -> QuerySet[ReturnRequest]:
    rows = scope_to_user(
        ReturnRequest.objects.select_related(*_RELATED), user, customer_field="customer_id"
    )
    if status is not None:
        rows = rows.filter(status=status)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if asset_id is not None:
        rows = rows.filter(asset_id=asset_id)
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    return rows.order_by("-requested_at", "pk")


def get_return_request_for_user(user: ScopedUser, request_id: Any) -> ReturnRequest:
    return get_scoped_or_404(
        ReturnRequest.objects.select_related(*_RELATED), user, customer_field="customer_id",
        what="return request", pk=request_id,
    )
