"""HTTP API of special periods (/api/v1/special-periods); handlers parse, call one service, render.

Staff only: a customer user is refused (403) before anything is looked up, so ids leak
nothing. Every staff member reads; admins, managers and dispatchers prepare and run periods.
Creating POSTs honour an Idempotency-Key: a retry returns the first result with status 200.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from aftersales.core.api_types import (
    IdempotencyKey,
    created_or_replayed,
    idempotency_key_for_user,
    page,
)
from aftersales.core.permissions import require_role
from aftersales.special_periods import selectors, services
from aftersales.special_periods.models import (
    SpecialPeriod,
    SpecialPeriodDuty,
    SpecialPeriodEvent,
    SpecialPeriodPlan,
    StandbyResource,
)
from aftersales.special_periods.schemas import (
    ChecklistIn,
    ChecklistOut,
    DutyIn,
    DutyOut,
    PageQuery,
    PeriodEventOut,
    PeriodIn,
    PeriodOut,
    PeriodPageOut,
    PeriodPlanOut,
    PeriodTransitionIn,
    PeriodUpdateIn,
    PlanIn,
    ReadinessOut,
    ResourceIn,
    ResourceOut,
)

router = Router(tags=["special-periods"])


def _reader(request: HttpRequest) -> None:
    require_role(request.user, services.READING_ROLES, doing=gettext_lazy("查看特殊时期保障"))


def _fingerprint(operation: str, period_id: Any, payload: Any) -> str:
    return services.request_fingerprint({"operation": operation, "period_id": period_id, **payload.dict()})


def _key(request: HttpRequest, value: str | None) -> str | None:
    return idempotency_key_for_user(request, value)


def _period(request: HttpRequest, period_id: uuid.UUID) -> SpecialPeriod:
    _reader(request)
    return selectors.period_detail(period_id)


def _period_out(period: SpecialPeriod) -> dict[str, Any]:
    return dict(
        id=period.pk, name=period.name, kind=period.kind, kind_label=str(period.get_kind_display()),
        status=period.status, status_label=str(period.get_status_display()), starts_at=period.starts_at,
        ends_at=period.ends_at, customer_id=period.customer_id,
        customer_name=period.customer.name if period.customer else None,
        sites=[dict(id=s.pk, name=s.name) for s in sorted(period.sites.all(), key=lambda s: s.name)],
        teams=[dict(code=t.code, name=t.name) for t in sorted(period.teams.all(), key=lambda t: t.code)],
        is_round_the_clock=period.is_round_the_clock,
        checklist_code=period.checklist.code if period.checklist else None,
        checklist_name=period.checklist.name if period.checklist else None, note=period.note,
        created_by=period.created_by.username, activated_at=period.activated_at,
        finished_at=period.finished_at, version=period.version,
    )


def _duty_out(duty: SpecialPeriodDuty) -> dict[str, Any]:
    shift = duty.shift
    return dict(id=duty.pk, shift_id=shift.pk, team_code=shift.team.code, team_name=shift.team.name,
                user_id=shift.user.pk, username=shift.user.username, starts_at=shift.starts_at,
                ends_at=shift.ends_at, note=shift.note)


def _plan_out(link: SpecialPeriodPlan) -> dict[str, Any]:
    plan = link.plan
    return dict(id=link.pk, plan_id=plan.pk, name=plan.name, kind=plan.kind,
                site_name=plan.site.name if plan.site else None, team_code=plan.team.code,
                checklist_code=plan.template.code, frequency=plan.frequency, starts_on=plan.starts_on,
                ends_on=plan.ends_on, is_active=plan.is_active)


def _resource_out(resource: StandbyResource) -> dict[str, Any]:
    return dict(
        id=resource.pk, kind=resource.kind, kind_label=str(resource.get_kind_display()),
        description=resource.description, quantity=resource.quantity, location=resource.location,
        depot_id=resource.depot_id, depot_code=resource.depot.code if resource.depot else None,
        part_id=resource.part_id, part_code=resource.part.code if resource.part else None,
        product_id=resource.product_id, product_model=resource.product.model if resource.product else None,
        person=resource.person.username if resource.person else None, note=resource.note,
    )


def _event_out(event: SpecialPeriodEvent) -> dict[str, Any]:
    return dict(action=event.action, action_label=str(event.get_action_display()),
                from_status=event.from_status, to_status=event.to_status, actor=event.actor.username,
                at=event.at, detail=event.detail)


# --- periods ---------------------------------------------------------------------------------


@router.get("", response=PeriodPageOut)
def period_list(
    request: HttpRequest, query: Query[PageQuery],
    status: Literal["draft", "active", "closed", "cancelled"] | None = None,
    kind: Literal["holiday", "major_event", "severe_weather"] | None = None,
    customer_id: uuid.UUID | None = None,
) -> Any:
    """Periods, latest start first."""
    _reader(request)
    rows = selectors.period_list(status=status, kind=kind, customer_id=customer_id) \
        .prefetch_related("sites", "teams")
    return page(rows, query, _period_out)


@router.post("", response={200: PeriodOut, 201: PeriodOut})
def period_create(request: HttpRequest, payload: PeriodIn, idempotency_key: str | None = IdempotencyKey) -> Any:
    period, created = services.period_create(
        actor=request.user, name=payload.name, kind=payload.kind, starts_at=payload.starts_at,
        ends_at=payload.ends_at, customer_id=payload.customer_id, site_ids=payload.site_ids,
        team_codes=payload.team_codes, checklist_code=payload.checklist_code,
        is_round_the_clock=payload.is_round_the_clock, note=payload.note,
        idempotency_key=_key(request, idempotency_key), fingerprint=_fingerprint("period", None, payload),
    )
    return created_or_replayed(created, _period_out(selectors.period_detail(period.pk)))


@router.get("/{period_id}", response=PeriodOut)
def period_detail(request: HttpRequest, period_id: uuid.UUID) -> Any:
    return _period_out(_period(request, period_id))


@router.patch("/{period_id}", response=PeriodOut)
def period_update(request: HttpRequest, period_id: uuid.UUID, payload: PeriodUpdateIn) -> Any:
    _period(request, period_id)
    changes = payload.dict(exclude_unset=True)
    expected_version = changes.pop("expected_version", None)
    services.period_update(actor=request.user, period_id=period_id, changes=changes,
                           expected_version=expected_version)
    return _period_out(selectors.period_detail(period_id))


def _transition(request: HttpRequest, period_id: uuid.UUID, action: str, reason: str = "") -> Any:
    _period(request, period_id)
    services.period_transition(actor=request.user, period_id=period_id, action=action, reason=reason)
    return _period_out(selectors.period_detail(period_id))


@router.post("/{period_id}/activate", response=PeriodOut)
def period_activate(request: HttpRequest, period_id: uuid.UUID) -> Any:
    """draft → active; the people on extra duty or stand-by are told (once). Otherwise 409."""
    return _transition(request, period_id, "activate")


@router.post("/{period_id}/close", response=PeriodOut)
def period_close(request: HttpRequest, period_id: uuid.UUID) -> Any:
    """active → closed. Otherwise 409."""
    return _transition(request, period_id, "close")


@router.post("/{period_id}/cancel", response=PeriodOut)
def period_cancel(request: HttpRequest, period_id: uuid.UUID, payload: PeriodTransitionIn) -> Any:
    """draft or active → cancelled, with a reason: the extra duty not yet begun leaves the
    roster and the pre-inspection plans stop. Otherwise 409."""
    return _transition(request, period_id, "cancel", payload.reason)


@router.get("/{period_id}/events", response=list[PeriodEventOut])
def period_events(request: HttpRequest, period_id: uuid.UUID) -> Any:
    return [_event_out(e) for e in selectors.period_events(_period(request, period_id))]


@router.get("/{period_id}/readiness", response=ReadinessOut)
def period_readiness(request: HttpRequest, period_id: uuid.UUID) -> Any:
    """Is the company ready for the period: duty gaps, pre-inspections, parts, substitute units."""
    ready = selectors.period_readiness(_period(request, period_id))
    return dict(
        at=ready.at, is_ready=ready.is_ready, reasons=ready.reasons,
        duty=dict(state=ready.duty.state, reasons=ready.duty.reasons, duty_count=ready.duty.duty_count,
                  people_count=ready.duty.people_count,
                  teams=[dict(team_code=t.team_code, team_name=t.team_name, gap_minutes=t.gap_minutes,
                              gaps=[dict(starts_at=g.starts_at, ends_at=g.ends_at) for g in t.gaps])
                         for t in ready.duty.teams]),
        inspections=dict(
            state=ready.inspections.state, reasons=ready.inspections.reasons,
            plan_count=ready.inspections.plan_count, planned=ready.inspections.planned,
            done=ready.inspections.done, overdue=ready.inspections.overdue,
            cancelled=ready.inspections.cancelled,
            failed_items=[vars(item) for item in ready.inspections.failed_items]),
        parts=dict(state=ready.parts.state, reasons=ready.parts.reasons,
                   lines=[dict(part_code=line.part_code, part_name=line.part_name, depot_code=line.depot_code,
                               required=line.required, available=line.available, shortage=line.shortage)
                          for line in ready.parts.lines]),
        substitute_units=dict(
            state=ready.units.state, reasons=ready.units.reasons, pool_available=ready.units.pool_available,
            lines=[dict(description=line.description, depot_name=line.depot_name, required=line.required,
                        available=line.available, shortage=line.shortage) for line in ready.units.lines]),
    )


@router.post("/{period_id}/checklist", response={201: ChecklistOut})
def period_checklist_create(request: HttpRequest, period_id: uuid.UUID, payload: ChecklistIn) -> Any:
    """Make the period's own checklist (its pre-inspections use it)."""
    _period(request, period_id)
    template = services.period_checklist_create(
        actor=request.user, period_id=period_id, name=payload.name,
        items=[item.dict() for item in payload.items],
    )
    return Status(201, dict(code=template.code, name=template.name))


# --- extra duty ------------------------------------------------------------------------------


@router.get("/{period_id}/duty", response=list[DutyOut])
def duty_list(request: HttpRequest, period_id: uuid.UUID) -> Any:
    return [_duty_out(d) for d in selectors.period_duties(_period(request, period_id))]


@router.post("/{period_id}/duty", response={200: DutyOut, 201: DutyOut})
def duty_add(request: HttpRequest, period_id: uuid.UUID, payload: DutyIn,
             idempotency_key: str | None = IdempotencyKey) -> Any:
    """Put a person on extra duty; a clash with another of their shifts is 409."""
    period = _period(request, period_id)
    duty, created = services.period_duty_add(
        actor=request.user, period_id=period.pk, team_code=payload.team_code, user_id=payload.user_id,
        starts_at=payload.starts_at, ends_at=payload.ends_at, note=payload.note,
        idempotency_key=_key(request, idempotency_key), fingerprint=_fingerprint("duty", period.pk, payload),
    )
    return created_or_replayed(created, _duty_out(selectors.period_duties(period).get(pk=duty.pk)))


@router.delete("/{period_id}/duty/{duty_id}", response={204: None})
def duty_remove(request: HttpRequest, period_id: uuid.UUID, duty_id: uuid.UUID) -> Any:
    _period(request, period_id)
    services.period_duty_remove(actor=request.user, period_id=period_id, duty_id=duty_id)
    return Status(204, None)


# --- pre-inspection plans --------------------------------------------------------------------


@router.get("/{period_id}/plans", response=list[PeriodPlanOut])
def plan_list(request: HttpRequest, period_id: uuid.UUID) -> Any:
    return [_plan_out(link) for link in selectors.period_plans(_period(request, period_id))]


@router.post("/{period_id}/plans", response={200: PeriodPlanOut, 201: PeriodPlanOut})
def plan_add(request: HttpRequest, period_id: uuid.UUID, payload: PlanIn,
             idempotency_key: str | None = IdempotencyKey) -> Any:
    """A pre-inspection plan with the period's kind and checklist, before or during the period."""
    period = _period(request, period_id)
    link, created = services.period_plan_add(
        actor=request.user, period_id=period.pk, team_code=payload.team_code, name=payload.name,
        site_id=payload.site_id, asset_ids=payload.asset_ids, frequency=payload.frequency,
        interval_days=payload.interval_days, starts_on=payload.starts_on, ends_on=payload.ends_on,
        idempotency_key=_key(request, idempotency_key), fingerprint=_fingerprint("plan", period.pk, payload),
    )
    return created_or_replayed(created, _plan_out(selectors.period_plans(period).get(pk=link.pk)))


# --- stand-by resources ----------------------------------------------------------------------


@router.get("/{period_id}/resources", response=list[ResourceOut])
def resource_list(request: HttpRequest, period_id: uuid.UUID) -> Any:
    return [_resource_out(r) for r in selectors.period_resources(_period(request, period_id))]


@router.post("/{period_id}/resources", response={200: ResourceOut, 201: ResourceOut})
def resource_add(request: HttpRequest, period_id: uuid.UUID, payload: ResourceIn,
                 idempotency_key: str | None = IdempotencyKey) -> Any:
    period = _period(request, period_id)
    resource, created = services.period_resource_add(
        actor=request.user, period_id=period.pk, kind=payload.kind, description=payload.description,
        quantity=payload.quantity, location=payload.location, depot_id=payload.depot_id,
        part_id=payload.part_id, product_id=payload.product_id, person_id=payload.person_id,
        note=payload.note, idempotency_key=_key(request, idempotency_key),
        fingerprint=_fingerprint("resource", period.pk, payload),
    )
    return created_or_replayed(created, _resource_out(selectors.period_resources(period).get(pk=resource.pk)))


@router.delete("/{period_id}/resources/{resource_id}", response={204: None})
def resource_remove(request: HttpRequest, period_id: uuid.UUID, resource_id: uuid.UUID) -> Any:
    _period(request, period_id)
    services.period_resource_remove(actor=request.user, period_id=period_id, resource_id=resource_id)
    return Status(204, None)
