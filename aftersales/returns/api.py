"""HTTP API of returns and exchanges (/api/v1/returns); handlers parse, call one service,
render. Customer users file and read their own organisation's requests (others' answer 404);
decisions, receipt and completion are staff work. Filing honours an Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from aftersales.assets.selectors import get_asset_for_user
from aftersales.contracts.models import Contract
from aftersales.core.api_types import (
    IdempotencyKey,
    created_or_replayed,
    idempotency_key_for_user,
    page,
)
from aftersales.core.errors import ValidationFailed
from aftersales.parts.models import Depot, Part
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnRequest
from aftersales.returns.schemas import (
    CompleteIn,
    DecisionIn,
    PageQuery,
    PolicyCheckOut,
    PolicyCheckQuery,
    PolicyIn,
    PolicyOut,
    ReturnReceiveIn,
    ReturnRequestIn,
    ReturnRequestOut,
    ReturnRequestPageOut,
)

router = Router(tags=["returns"])


def _request_out(row: ReturnRequest) -> dict[str, Any]:
    return dict(
        id=row.pk, asset_id=row.asset_id, asset_serial_number=row.asset.serial_number,
        product_model=row.asset.product.model, case_id=row.case_id, customer_id=row.customer_id,
        kind=row.kind, reason=row.reason, is_quality_fault=row.is_quality_fault,
        requested_at=row.requested_at, requested_by=row.requested_by.username, status=row.status,
        policy_outcome=row.policy_outcome, policy_eligible=row.is_policy_eligible,
        decision=row.decision, decision_reason=row.decision_reason, is_override=row.is_override,
        decided_by=row.decided_by.username if row.decided_by else None, decided_at=row.decided_at,
        return_shipping_paid_by=row.return_shipping_paid_by, chargeable=row.is_chargeable,
        received_at=row.received_at, received_depot_id=row.received_depot_id,
        stock_movement_id=row.stock_movement_id, solution=row.solution,
        completed_at=row.completed_at,
    )


def _detail(request: HttpRequest, request_id: Any) -> dict[str, Any]:
    return _request_out(selectors.get_return_request_for_user(request.user, request_id))


@router.get("", response=ReturnRequestPageOut)
def return_list(
    request: HttpRequest, query: Query[PageQuery],
    status: Literal["requested", "approved", "rejected", "received", "completed"] | None = None,
    kind: Literal["return", "exchange", "repair"] | None = None,
    asset_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None,
) -> Any:
    rows = selectors.return_requests_for_user(
        request.user, status=status, kind=kind, asset_id=asset_id, case_id=case_id
    )
    return page(rows, query, _request_out)


@router.post("", response={200: ReturnRequestOut, 201: ReturnRequestOut})
def return_create(
    request: HttpRequest, payload: ReturnRequestIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """File a request; the policy is checked at once and its answer recorded."""
    created_row, created = services.return_request_open(
        actor=request.user, asset_id=payload.asset_id, kind=payload.kind, reason=payload.reason,
        is_quality_fault=payload.is_quality_fault, case_id=payload.case_id,
        idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=services.request_fingerprint(payload.dict()),
    )
    return created_or_replayed(created, _detail(request, created_row.pk))


@router.get("/policy-check", response=PolicyCheckOut)
def policy_check(request: HttpRequest, query: Query[PolicyCheckQuery]) -> Any:
    """What the policy says for an asset the user may see, on a date (default today)."""
    asset = get_asset_for_user(request.user, query.asset_id)
    check = services.return_policy_check(
        asset=asset, kind=query.kind, is_quality_fault=query.is_quality_fault,
        on=query.on or timezone.localdate(),
    )
    return dict(
        outcome=check.outcome.value, eligible=check.eligible, offered=check.offered,
        chargeable=check.chargeable, return_shipping_paid_by=check.return_shipping_paid_by,
        reasons=[r.value for r in check.reasons], explanation=services.policy_explanation(check),
        window_days=check.window_days, days_since_purchase=check.days_since_purchase,
        warranty_state=check.warranty_state,
    )


@router.post("/policies", response=PolicyOut)
def policy_set(request: HttpRequest, payload: PolicyIn) -> Any:
    """Set the default return policy, or a contract's (managers)."""
    contract = None
    if payload.contract_id is not None:
        contract = Contract.objects.filter(pk=payload.contract_id).first()
        if contract is None:
            raise ValidationFailed(_("没有这个合同"), field="contract_id")
    row = services.return_policy_set(
        actor=request.user, contract=contract, window_days=payload.window_days,
        is_quality_fault_free_in_warranty=payload.is_quality_fault_free_in_warranty,
        is_return_shipping_paid_by_seller=payload.is_return_shipping_paid_by_seller,
    )
    return dict(
        id=row.pk, contract_id=row.contract_id, window_days=row.window_days,
        is_quality_fault_free_in_warranty=row.is_quality_fault_free_in_warranty,
        is_return_shipping_paid_by_seller=row.is_return_shipping_paid_by_seller,
    )


@router.get("/{request_id}", response=ReturnRequestOut)
def return_detail(request: HttpRequest, request_id: uuid.UUID) -> Any:
    return _detail(request, request_id)


@router.post("/{request_id}/decision", response=ReturnRequestOut)
def return_decide(request: HttpRequest, request_id: uuid.UUID, payload: DecisionIn) -> Any:
    """Approve or reject; without `approve` the policy decides. Deciding otherwise is a
    manager's override and needs `reason`."""
    services.return_decide(
        actor=request.user, request_id=request_id, approve=payload.approve, reason=payload.reason,
        chargeable=payload.chargeable, return_shipping_paid_by=payload.return_shipping_paid_by,
    )
    return _detail(request, request_id)


@router.post("/{request_id}/receive", response=ReturnRequestOut)
def return_receive(request: HttpRequest, request_id: uuid.UUID, payload: ReturnReceiveIn) -> Any:
    """The goods are back: a stock movement into the depot (a faulty return by default for a
    quality fault, else a receipt)."""
    depot = Depot.objects.filter(pk=payload.depot_id).first()
    if depot is None:
        raise ValidationFailed(_("没有这个备件库"), field="depot_id")
    part = Part.objects.filter(pk=payload.part_id).first()
    if part is None:
        raise ValidationFailed(_("没有这个备件"), field="part_id")
    services.return_receive(
        actor=request.user, request_id=request_id, depot=depot, part=part, faulty=payload.faulty,
        quantity=payload.quantity, note=payload.note,
    )
    return _detail(request, request_id)


@router.post("/{request_id}/complete", response=ReturnRequestOut)
def return_complete(request: HttpRequest, request_id: uuid.UUID, payload: CompleteIn) -> Any:
    services.return_complete(actor=request.user, request_id=request_id, solution=payload.solution)
    return _detail(request, request_id)
