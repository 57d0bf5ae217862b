"""HTTP API of the inspections app (/api/v1/); handlers parse, call one service, render.

Plans and templates are written by managers and dispatchers; staff read everything, customer
users read their own organisation's plans and occurrences (others are 404); engineers submit
the checklist of a dispatched occurrence.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from aftersales.core.api_types import page
from aftersales.core.errors import NotFound
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES
from aftersales.inspections import selectors, services
from aftersales.inspections.models import (
    ChecklistTemplate,
    InspectionOccurrence,
    InspectionPlan,
    InspectionResult,
)
from aftersales.inspections.schemas import (
    ChecklistItemOut,
    ItemResultOut,
    OccurrenceOut,
    OccurrencePageOut,
    OccurrenceQuery,
    PlanCreateIn,
    PlanOut,
    PlanUpdateIn,
    ResultIn,
    ResultOut,
    TemplateCreateIn,
    TemplateOut,
)

router = Router(tags=["inspections"])


def _template_out(template: ChecklistTemplate) -> TemplateOut:
    return TemplateOut(id=template.pk, code=template.code, name=template.name, items=[
        ChecklistItemOut(id=i.pk, position=i.position, label=i.label, kind=i.kind, expected_min=i.expected_min,
                         expected_max=i.expected_max, expected_text=i.expected_text, unit=i.unit,
                         is_photo_required=i.is_photo_required)
        for i in template.items.all()
    ])


def _plan_out(plan: InspectionPlan) -> PlanOut:
    return PlanOut(
        id=plan.pk, name=plan.name, kind=plan.kind, customer_id=plan.customer_id, site_id=plan.site_id,
        asset_id=plan.asset_id, frequency=plan.frequency, interval_days=plan.interval_days,
        day_basis=plan.day_basis, calendar=plan.calendar.code if plan.calendar else None,
        template=plan.template.code, team=plan.team.code, starts_on=plan.starts_on, ends_on=plan.ends_on,
        is_active=plan.is_active, version=plan.version,
    )


def _occurrence_out(row: InspectionOccurrence) -> OccurrenceOut:
    return OccurrenceOut(
        id=row.pk, plan_id=row.plan_id, plan=row.plan.name, period_start=row.period_start,
        scheduled_on=row.scheduled_on, due_at=row.due_at, status=row.status, is_overdue=row.overdue_at is not None,
        case_number=row.case.number if row.case else None, work_order_id=row.work_order_id,
        work_order_number=row.work_order.number if row.work_order else None, completed_at=row.completed_at,
    )


def _result_out(result: InspectionResult) -> ResultOut:
    return ResultOut(
        id=result.pk, occurrence_id=result.occurrence_id, submitted_by=result.submitted_by.username,
        submitted_at=result.submitted_at, is_passed=result.is_passed, note=result.note,
        items=[ItemResultOut(item_id=r.item_id, position=r.position, label=r.label, value_number=r.value_number,
                             value_text=r.value_text, is_passed=r.is_passed, note=r.note, photo_id=r.photo_id,
                             case_id=r.case_id, case_number=r.case.number if r.case else None)
               for r in result.items.select_related("case").order_by("position")],
    )


@router.post("/templates", response={201: TemplateOut})
def template_create(request: HttpRequest, payload: TemplateCreateIn) -> Status[TemplateOut]:
    template = services.checklist_template_create(
        actor=request.user, code=payload.code, name=payload.name,
        items=[item.dict() for item in payload.items],
    )
    return Status(201, _template_out(template))


@router.get("/templates", response=list[TemplateOut])
def template_list(request: HttpRequest) -> list[TemplateOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看检查表"))
    return [_template_out(t) for t in ChecklistTemplate.objects.prefetch_related("items").filter(is_active=True)]


@router.post("/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, payload: PlanCreateIn) -> Status[PlanOut]:
    plan = services.plan_create(
        actor=request.user, name=payload.name, kind=payload.kind, site_id=payload.site_id,
        asset_id=payload.asset_id, asset_ids=payload.asset_ids, frequency=payload.frequency,
        interval_days=payload.interval_days, day_basis=payload.day_basis, calendar_code=payload.calendar,
        template_code=payload.template, team_code=payload.team, starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _plan_out(selectors.get_plan_for_user(request.user, plan.pk)))


@router.get("/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> list[PlanOut]:
    return [_plan_out(plan) for plan in selectors.plan_list(user=request.user)]


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_detail(request: HttpRequest, plan_id: uuid.UUID) -> PlanOut:
    return _plan_out(selectors.get_plan_for_user(request.user, plan_id))


@router.patch("/plans/{plan_id}", response=PlanOut)
def plan_update(request: HttpRequest, plan_id: uuid.UUID, payload: PlanUpdateIn) -> PlanOut:
    services.plan_update(
        actor=request.user, plan_id=plan_id, expected_version=payload.expected_version, name=payload.name,
        template_code=payload.template, team_code=payload.team, ends_on=payload.ends_on,
        is_active=payload.is_active,
    )
    return _plan_out(selectors.get_plan_for_user(request.user, plan_id))


@router.delete("/plans/{plan_id}", response=PlanOut)
def plan_deactivate(request: HttpRequest, plan_id: uuid.UUID) -> PlanOut:
    """Plans are never deleted (occurrences keep their history): this deactivates one."""
    services.plan_update(actor=request.user, plan_id=plan_id, is_active=False)
    return _plan_out(selectors.get_plan_for_user(request.user, plan_id))


@router.get("/occurrences", response=OccurrencePageOut)
def occurrence_list(request: HttpRequest, query: Query[OccurrenceQuery]) -> dict[str, Any]:
    rows = selectors.occurrence_list(user=request.user, plan_id=query.plan_id, status=query.status,
                                     scheduled_from=query.scheduled_from, scheduled_to=query.scheduled_to)
    return page(rows, query, _occurrence_out)


@router.get("/occurrences/{occurrence_id}", response=OccurrenceOut)
def occurrence_detail(request: HttpRequest, occurrence_id: uuid.UUID) -> OccurrenceOut:
    return _occurrence_out(selectors.get_occurrence_for_user(request.user, occurrence_id))


@router.post("/occurrences/{occurrence_id}/result", response={201: ResultOut})
def occurrence_submit(request: HttpRequest, occurrence_id: uuid.UUID, payload: ResultIn) -> Status[ResultOut]:
    """The filled checklist; photos are uploaded first to the work order (its photos endpoint)."""
    result = services.inspection_submit(actor=request.user, occurrence_id=occurrence_id,
                                        items=[item.as_answer() for item in payload.items], note=payload.note)
    return Status(201, _result_out(result))


@router.get("/occurrences/{occurrence_id}/result", response=ResultOut)
def occurrence_result(request: HttpRequest, occurrence_id: uuid.UUID) -> ResultOut:
    occurrence = selectors.get_occurrence_for_user(request.user, occurrence_id)
    result = InspectionResult.objects.select_related("submitted_by").filter(occurrence=occurrence).first()
    if result is None:
        raise NotFound(str(_("尚未提交巡检记录")), code="result_not_found")
    return _result_out(result)
