"""HTTP API of the dispatch app (/api/v1/dispatch); handlers parse, call one service, render.

A case out of the user's scope is 404 for everyone; a role that may not dispatch gets 403.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from aftersales.core.api_types import IdempotencyKey
from aftersales.dispatch import services
from aftersales.dispatch.ranking import RankedTechnician
from aftersales.dispatch.schemas import AssignIn, AssignmentOut, CandidatesQuery, RankingOut
from aftersales.dispatch.selectors import Ranking, rank_technicians

router = Router(tags=["dispatch"])


def _candidate_out(item: RankedTechnician) -> dict[str, Any]:
    candidate = item.candidate
    return dict(
        rank=item.rank, technician_id=candidate.technician_id, user_id=candidate.user_id,
        username=candidate.username, name=candidate.name, team=candidate.team_code,
        region=candidate.region, score=item.score,
        score_parts=dict(skill=item.parts.skill, distance=item.parts.distance,
                         on_duty=item.parts.on_duty, load=item.parts.load),
        skill_match=item.skill_match.value, proximity=item.proximity.value,
        distance_km=item.distance_km, is_on_duty=candidate.is_on_duty,
        open_work_orders=candidate.open_work_orders, capacity=candidate.capacity,
        is_at_capacity=item.is_at_capacity, travel_minutes=item.travel_minutes,
        arrival_at=item.arrival_at, arrives_in_time=item.arrives_in_time,
        margin_minutes=item.margin_minutes, reasons=list(item.reasons),
    )


def _ranking_out(ranking: Ranking) -> dict[str, Any]:
    needs = ranking.needs
    return dict(
        case_id=ranking.case_id, case_number=ranking.case_number, product_id=needs.product_id,
        product=ranking.product_name, product_category=needs.product_category,
        site=ranking.site_name, region=needs.region, latitude=needs.latitude,
        longitude=needs.longitude, on_site_clock_state=ranking.on_site_clock_state,
        on_site_due_at=needs.on_site_due_at, now=needs.now,
        candidates_total=ranking.candidates_total,
        items=[_candidate_out(item) for item in ranking.items],
    )


@router.get("/cases/{case_id}/candidates", response=RankingOut)
def candidates(request: HttpRequest, case_id: uuid.UUID, query: Query[CandidatesQuery]) -> dict[str, Any]:
    """Technicians for the case, best first, each with the parts of its score, the reasons and
    the projected arrival against the on-site deadline."""
    return _ranking_out(rank_technicians(actor=request.user, case_id=case_id, limit=query.limit))


@router.post("/cases/{case_id}/assign", response={200: AssignmentOut, 201: AssignmentOut})
def assign(
    request: HttpRequest, case_id: uuid.UUID, payload: AssignIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Status[AssignmentOut]:
    """Create a work order for the case, assigned to the chosen technician, who is notified.
    With an Idempotency-Key, a repeat returns the first work order with status 200."""
    assignment = services.dispatch_assign(
        actor=request.user, case_id=case_id, technician_id=payload.technician_id,
        kind=payload.kind, scheduled_for=payload.scheduled_for, summary=payload.summary,
        idempotency_key=idempotency_key,
    )
    work_order, technician = assignment.work_order, assignment.technician
    user = technician.user
    return Status(201 if assignment.created else 200, dict(
        work_order_id=work_order.pk, number=work_order.number, case_id=work_order.case_id,
        kind=work_order.kind, status=work_order.status, technician_id=technician.pk,
        technician_user_id=user.pk, technician=user.get_full_name() or user.username,
        scheduled_for=work_order.scheduled_for, created=assignment.created,
    ))
