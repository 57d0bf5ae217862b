"""HTTP API of substitute units (/api/v1/loans); handlers parse, call one service, render.

Loans are customer data: a customer user lists and reads its own organisation's loans and
gets 404 for others'. The pool, proposals and every change are for service staff.
Creating POSTs honour an Idempotency-Key: a retry returns the first result with status 200.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from aftersales.assets.models import Product
from aftersales.cases.models import Case
from aftersales.core.api_types import (
    IdempotencyKey,
    created_or_replayed,
    idempotency_key_for_user,
    page,
)
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES
from aftersales.loans import selectors, services
from aftersales.loans.models import Loan, SubstituteProposal, SubstituteUnit
from aftersales.loans.schemas import (
    DeclineIn,
    LoanCandidateOut,
    LoanIn,
    LoanOut,
    LoanPageOut,
    LoanReturnIn,
    PageQuery,
    ProposalIn,
    ProposalOut,
    ProposalPageOut,
    UnitIn,
    UnitOut,
    UnitPageOut,
    UnitStatusIn,
)
from aftersales.parts.models import Depot

router = Router(tags=["loans"])


def _staff(request: HttpRequest) -> None:
    require_role(request.user, STAFF_ROLES, doing=gettext_lazy("管理替代设备"))


def _fingerprint(operation: str, payload: Any) -> str:
    return services.request_fingerprint({"operation": operation, **payload.dict()})


def _unit_out(unit: SubstituteUnit) -> dict[str, Any]:
    return dict(
        id=unit.pk, product_id=unit.product_id, product_model=unit.product.model,
        serial_number=unit.serial_number, depot_id=unit.depot_id, depot_code=unit.depot.code,
        status=unit.status, condition_note=unit.condition_note,
    )


def _proposal_out(proposal: SubstituteProposal) -> dict[str, Any]:
    return dict(
        id=proposal.pk, case_id=proposal.case_id, case_number=proposal.case.number,
        unit=_unit_out(proposal.unit), reason=proposal.reason, status=proposal.status,
        proposed_at=proposal.proposed_at,
        proposed_by=proposal.proposed_by.username if proposal.proposed_by else None,
        decided_at=proposal.decided_at, decline_reason=proposal.decline_reason,
    )


def _loan_out(loan: Loan) -> dict[str, Any]:
    now = timezone.now()
    return dict(
        id=loan.pk, unit=_unit_out(loan.unit), case_id=loan.case_id, case_number=loan.case.number,
        customer_id=loan.customer_id, site_id=loan.site_id,
        site_name=loan.site.name if loan.site else None, lent_at=loan.lent_at,
        due_back_at=loan.due_back_at, returned_at=loan.returned_at,
        condition_out=loan.condition_out, condition_in=loan.condition_in,
        returned_faulty=loan.is_returned_faulty, status=loan.display_status(now),
        overdue=loan.is_overdue(now), lent_by=loan.lent_by.username,
        received_by=loan.received_by.username if loan.received_by else None,
    )


def _found(model: Any, pk: Any, field: str, message: str) -> Any:
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed(message, field=field)
    return row


# --- the pool -------------------------------------------------------------------------------


@router.get("/units", response=UnitPageOut)
def unit_list(
    request: HttpRequest, query: Query[PageQuery], product_id: uuid.UUID | None = None,
    depot_id: uuid.UUID | None = None,
    status: Literal["available", "on_loan", "in_repair", "retired"] | None = None,
) -> Any:
    _staff(request)
    rows = selectors.substitute_units(product_id=product_id, depot_id=depot_id, status=status)
    return page(rows, query, _unit_out)


@router.post("/units", response={200: UnitOut, 201: UnitOut})
def unit_create(request: HttpRequest, payload: UnitIn, idempotency_key: str | None = IdempotencyKey) -> Any:
    unit, created = services.substitute_unit_create(
        actor=request.user,
        product=_found(Product, payload.product_id, "product_id", _("没有这个产品")),
        serial_number=payload.serial_number,
        depot=_found(Depot, payload.depot_id, "depot_id", _("没有这个备件库")),
        condition_note=payload.condition_note,
        idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=_fingerprint("unit", payload),
    )
    return created_or_replayed(created, _unit_out(unit))


@router.post("/units/{unit_id}/status", response=UnitOut)
def unit_set_status(request: HttpRequest, unit_id: uuid.UUID, payload: UnitStatusIn) -> Any:
    if not SubstituteUnit.objects.filter(pk=unit_id).exists():
        raise NotFound(_("未找到该替代设备"), code="unit_not_found")
    unit = services.substitute_unit_set_status(
        actor=request.user, unit_id=unit_id, status=payload.status,
        condition_note=payload.condition_note,
    )
    return _unit_out(unit)


@router.get("/candidates", response=list[LoanCandidateOut])
def candidate_list(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """Available units for the case's asset, nearest depot first."""
    _staff(request)
    case = Case.objects.select_related("customer", "site", "asset__site").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("未找到该工单"), code="case_not_found")
    return [
        dict(unit=_unit_out(c.unit), depot_name=c.unit.depot.name, distance_km=c.distance_km,
             is_same_region=c.is_same_region)
        for c in services.substitute_candidates(case)
    ]


# --- proposals ------------------------------------------------------------------------------


@router.get("/proposals", response=ProposalPageOut)
def proposal_list(
    request: HttpRequest, query: Query[PageQuery],
    status: Literal["open", "accepted", "declined"] | None = None, case_id: uuid.UUID | None = None,
) -> Any:
    _staff(request)
    rows = selectors.substitute_proposals(status=status, case_id=case_id).select_related("proposed_by")
    return page(rows, query, _proposal_out)


@router.post("/proposals", response={200: ProposalOut, 201: ProposalOut})
def proposal_create(
    request: HttpRequest, payload: ProposalIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """Propose a unit for a case by hand (the repair takes the customer's unit away)."""
    proposal, created = services.substitute_propose(
        actor=request.user, case_id=payload.case_id, reason=payload.reason, unit_id=payload.unit_id,
        idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=_fingerprint("proposal", payload),
    )
    return created_or_replayed(created, _proposal_out(
        selectors.substitute_proposals().select_related("proposed_by").get(pk=proposal.pk)
    ))


@router.post("/proposals/{proposal_id}/decline", response=ProposalOut)
def proposal_decline(request: HttpRequest, proposal_id: uuid.UUID, payload: DeclineIn) -> Any:
    services.substitute_decline(actor=request.user, proposal_id=proposal_id, reason=payload.reason)
    return _proposal_out(
        selectors.substitute_proposals().select_related("proposed_by").get(pk=proposal_id)
    )


# --- loans ----------------------------------------------------------------------------------


@router.get("", response=LoanPageOut)
def loan_list(
    request: HttpRequest, query: Query[PageQuery],
    status: Literal["out", "returned", "overdue"] | None = None, case_id: uuid.UUID | None = None,
) -> Any:
    """Loans, newest first; a customer user sees its own organisation's only."""
    rows = selectors.loans_for_user(request.user, status=status, case_id=case_id, now=timezone.now())
    return page(rows, query, _loan_out)


@router.post("", response={200: LoanOut, 201: LoanOut})
def loan_create(request: HttpRequest, payload: LoanIn, idempotency_key: str | None = IdempotencyKey) -> Any:
    """Lend a unit: from a proposal, or for a case and a unit. 409 when the unit is not
    available (already on loan, in repair)."""
    loan, created = services.loan_out(
        actor=request.user, proposal_id=payload.proposal_id, case_id=payload.case_id,
        unit_id=payload.unit_id, due_back_at=payload.due_back_at,
        condition_out=payload.condition_out,
        idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=_fingerprint("loan", payload),
    )
    return created_or_replayed(
        created, _loan_out(selectors.get_loan_for_user(request.user, loan.pk))
    )


@router.get("/{loan_id}", response=LoanOut)
def loan_detail(request: HttpRequest, loan_id: uuid.UUID) -> Any:
    return _loan_out(selectors.get_loan_for_user(request.user, loan_id))


@router.post("/{loan_id}/return", response=LoanOut)
def loan_return(request: HttpRequest, loan_id: uuid.UUID, payload: LoanReturnIn) -> Any:
    selectors.get_loan_for_user(request.user, loan_id)  # 404 before 403 for others' loans
    services.loan_return(
        actor=request.user, loan_id=loan_id, condition_in=payload.condition_in, faulty=payload.faulty
    )
    return _loan_out(selectors.get_loan_for_user(request.user, loan_id))
