"""HTTP API of complaints (/api/v1/complaints); handlers parse, call one service, render.

Customer users file complaints for their own organisation and read their own (others are
404); staff handle them: root cause, corrective/preventive actions, trend and evaluations."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Status

from aftersales.cases.services import request_fingerprint
from aftersales.complaints import selectors, services
from aftersales.complaints.evaluation import Figures, evaluation_figures, evaluation_subjects
from aftersales.complaints.models import Complaint, CorrectiveAction, QualityEvaluation
from aftersales.complaints.schemas import (
    ActionCompleteIn,
    ActionCreateIn,
    ActionOut,
    ActionVerifyIn,
    ComplaintCountsOut,
    ComplaintCreateIn,
    ComplaintOut,
    ComplaintPageOut,
    ComplaintQuery,
    ComputeQuery,
    EvaluationOut,
    EvaluationQuery,
    PeriodQuery,
    RootCauseIn,
    TrendOut,
)
from aftersales.core.api_types import created_or_replayed, page
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES

# The complaint's case is filed with the client's key under this prefix (cases keep keys of
# up to 200 characters), so it never meets a key the client used for an ordinary case.
KEY_PREFIX = "complaint:"

router = Router(tags=["complaints"])
MAX_PERIOD_DAYS = 3 * 366


def _action_out(action: CorrectiveAction) -> ActionOut:
    return ActionOut(
        id=action.pk, kind=action.kind, description=action.description, owner=action.owner.username,
        due_on=action.due_on, status=action.status, is_overdue=action.is_overdue(), done_at=action.done_at,
        done_note=action.done_note, verified_at=action.verified_at,
        verified_by=action.verified_by.username if action.verified_by else None,
        verification_note=action.verification_note,
    )


def _complaint_out(complaint: Complaint) -> ComplaintOut:
    now = timezone.now()
    case = complaint.case
    return ComplaintOut(
        id=complaint.pk, case_id=case.pk, case_number=case.number, case_status=case.status, title=case.title,
        customer_id=complaint.customer_id, channel=complaint.channel, severity=complaint.severity,
        subject_case_id=complaint.subject_case_id, subject_work_order_id=complaint.subject_work_order_id,
        subject_technician=complaint.subject_technician.username if complaint.subject_technician else None,
        subject_team=complaint.subject_team.name if complaint.subject_team else None,
        filed_at=complaint.filed_at, acknowledge_due_at=complaint.acknowledge_due_at,
        resolve_due_at=complaint.resolve_due_at, acknowledged_at=complaint.acknowledged_at,
        resolved_at=complaint.resolved_at, closed_at=complaint.closed_at,
        is_acknowledge_breached=complaint.acknowledge_breached(now),
        is_resolve_breached=complaint.resolve_breached(now),
        root_cause_category=complaint.root_cause_category, root_cause=complaint.root_cause,
        version=complaint.version, actions=[_action_out(a) for a in selectors.complaint_actions(complaint)],
    )


def _check_period(start: Any, end: Any) -> None:
    if end <= start:
        raise ValidationFailed(str(_("结束日期须晚于开始日期")), field="end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(str(_("期间最长三年")), field="end")


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


@router.post("", response={200: ComplaintOut, 201: ComplaintOut})
def complaint_create(request: HttpRequest, payload: ComplaintCreateIn,
                     idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", min_length=1,
                                                          max_length=200 - len(KEY_PREFIX)),
                     ) -> Status[ComplaintOut]:
    """File a complaint (a case of category complaint). With an Idempotency-Key a repeat
    returns the first complaint with status 200."""
    data = payload.dict()
    complaint, created = services.complaint_file(
        actor=request.user, **data,
        idempotency_key=f"{KEY_PREFIX}{idempotency_key}" if idempotency_key else None,
        fingerprint=request_fingerprint(data) if idempotency_key else "",
    )
    return created_or_replayed(created, _complaint_out(selectors.get_complaint_for_user(request.user, complaint.pk)))


@router.get("", response=ComplaintPageOut)
def complaint_list(request: HttpRequest, query: Query[ComplaintQuery]) -> dict[str, Any]:
    rows = selectors.complaint_list(user=request.user, status=query.status).prefetch_related(
        "actions__owner", "actions__verified_by")
    return page(rows, query, _complaint_out)


@router.get("/trend", response=TrendOut)
def complaint_trend(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    require_role(request.user, STAFF_ROLES, doing=str(_("查看投诉趋势")))
    _check_period(query.start, query.end)
    return selectors.complaint_trend(start=query.start, end=query.end)


@router.get("/counts", response=ComplaintCountsOut)
def complaint_counts(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    require_role(request.user, STAFF_ROLES, doing=str(_("查看投诉统计")))
    _check_period(query.start, query.end)
    return selectors.complaint_counts(start=query.start, end=query.end)


def _evaluation_out(row: QualityEvaluation) -> EvaluationOut:
    decided = row.clocks_met + row.clocks_breached
    return EvaluationOut(
        subject_kind=row.subject_kind, subject_name=row.subject_name, team_id=row.team_id,
        technician_id=row.technician_id, period_start=row.period_start, period_end=row.period_end,
        clocks_met=row.clocks_met, clocks_breached=row.clocks_breached,
        sla_rate=str(round(Decimal(row.clocks_met) / decided, 4)) if decided else None,
        work_orders_done=row.work_orders_done, complaints=row.complaints,
        satisfaction_average=_text(row.satisfaction_average), satisfaction_responses=row.satisfaction_responses,
        score=_text(row.score), parts=row.parts, note=row.note, is_snapshot=True,
    )


@router.get("/evaluations", response=list[EvaluationOut])
def evaluation_list(request: HttpRequest, query: Query[EvaluationQuery]) -> list[EvaluationOut]:
    require_role(request.user, STAFF_ROLES, doing=str(_("查看服务质量评价")))
    rows = selectors.evaluation_list(period_start=query.period_start, subject_kind=query.subject_kind)
    return [_evaluation_out(row) for row in rows[:500]]


@router.get("/evaluations/compute", response=list[EvaluationOut])
def evaluation_compute(request: HttpRequest, query: Query[ComputeQuery]) -> list[EvaluationOut]:
    """The evaluation of every team and technician for any period, computed now, not stored."""
    require_role(request.user, STAFF_ROLES, doing=str(_("查看服务质量评价")))
    _check_period(query.start, query.end)
    result = []
    for subject in evaluation_subjects():
        if query.subject_kind and subject.kind != query.subject_kind:
            continue
        figures: Figures = evaluation_figures(subject=subject, start=query.start, end=query.end)
        result.append(EvaluationOut(
            subject_kind=subject.kind, subject_name=subject.name, team_id=subject.team_id,
            technician_id=subject.technician_id, period_start=query.start, period_end=query.end,
            clocks_met=figures.clocks_met, clocks_breached=figures.clocks_breached,
            sla_rate=_text(figures.sla_rate), work_orders_done=figures.work_orders_done,
            complaints=figures.complaints, satisfaction_average=_text(figures.satisfaction_average),
            satisfaction_responses=figures.satisfaction_responses, score=_text(figures.score),
            parts=figures.parts, note=figures.note, is_snapshot=False,
        ))
    return result


@router.get("/{complaint_id}", response=ComplaintOut)
def complaint_detail(request: HttpRequest, complaint_id: uuid.UUID) -> ComplaintOut:
    return _complaint_out(selectors.get_complaint_for_user(request.user, complaint_id))


@router.put("/{complaint_id}/root-cause", response=ComplaintOut)
def complaint_root_cause(request: HttpRequest, complaint_id: uuid.UUID, payload: RootCauseIn) -> ComplaintOut:
    services.complaint_set_root_cause(actor=request.user, complaint_id=complaint_id, category=payload.category,
                                      text=payload.text, expected_version=payload.expected_version)
    return _complaint_out(selectors.get_complaint_for_user(request.user, complaint_id))


@router.post("/{complaint_id}/actions", response={201: ActionOut})
def action_create(request: HttpRequest, complaint_id: uuid.UUID, payload: ActionCreateIn) -> Status[ActionOut]:
    action = services.action_add(actor=request.user, complaint_id=complaint_id, kind=payload.kind,
                                 description=payload.description, owner_id=payload.owner_id, due_on=payload.due_on)
    return Status(201, _action_out(action))


@router.post("/actions/{action_id}/complete", response=ActionOut)
def action_complete(request: HttpRequest, action_id: uuid.UUID, payload: ActionCompleteIn) -> ActionOut:
    return _action_out(services.action_complete(actor=request.user, action_id=action_id, note=payload.note))


@router.post("/actions/{action_id}/verify", response=ActionOut)
def action_verify(request: HttpRequest, action_id: uuid.UUID, payload: ActionVerifyIn) -> ActionOut:
    return _action_out(services.action_verify(actor=request.user, action_id=action_id, accepted=payload.accepted,
                                              note=payload.note))
