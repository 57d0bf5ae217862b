from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from aftersales.cases import services
from aftersales.cases.models import Case, CaseClock, CaseEvent
from aftersales.cases.schemas import (
    ActionIn,
    CaseCreateIn,
    CaseDetailOut,
    CasePageOut,
    CaseUpdateIn,
    EventPageOut,
)
from aftersales.cases.selectors import (
    QueueFilters,
    case_events,
    case_queue,
    clock_values,
    get_case_for_user,
)
from aftersales.core.api_types import IdempotencyKey
from aftersales.core.errors import ValidationFailed

router = Router(tags=["cases"])


def _clock_out(clock: CaseClock | dict[str, Any]) -> Any:
    if isinstance(clock, dict):  # from selectors.clock_values
        values = dict(clock)
        values["breached"] = values.pop("is_breached")
        return values
    return dict(
        target=clock.target, state=clock.state, target_minutes=clock.target_minutes,
        started_at=clock.started_at, due_at=clock.due_at, calendar_due_at=clock.calendar_due_at,
        agreed_due_at=clock.agreed_due_at, agreed_reason=clock.agreed_reason, warn_at=clock.warn_at,
        met_at=clock.met_at, paused_at=clock.paused_at, breached=clock.is_breached,
    )


def _event_out(event: CaseEvent) -> Any:
    # Plain dicts: the response schema validates them once (a Schema built here would be
    # validated a second time on the way out).
    return dict(
        sequence=event.sequence, kind=event.kind, at=event.at,
        actor=event.actor.username if event.actor_id and event.actor else None,
        status_before=event.status_before, status_after=event.status_after, data=event.data,
    )


def _case_fields(case: Case, clocks: list[Any]) -> dict[str, Any]:
    return dict(
        id=case.pk, number=case.number, channel=case.channel, category=case.category,
        impact=case.impact, severity=case.severity, title=case.title, description=case.description,
        customer_id=case.customer_id, customer_name=case.customer.name, contact_id=case.contact_id,
        site_id=case.site_id, asset_id=case.asset_id, contract_id=case.contract_id,
        policy=case.policy.code, status=case.status, escalation_level=case.escalation_level,
        fault_class=case.fault_class.code if case.fault_class_id and case.fault_class else None,
        emergency_level=case.fault_class.level.level if case.fault_class_id and case.fault_class else None,
        assignee_id=case.assignee_id,
        assignee=case.assignee.username if case.assignee_id and case.assignee else None,
        opened_at=case.opened_at, resolved_at=case.resolved_at, closed_at=case.closed_at,
        next_due_at=case.next_due_at, breached=case.is_breached, version=case.version,
        clocks=[_clock_out(c) for c in clocks],
    )


def _detail(case: Case) -> Any:
    clocks = list(CaseClock.objects.filter(case=case).order_by("target"))
    return dict(**_case_fields(case, clocks), events=[_event_out(e) for e in case_events(case)])


def _etag(response: HttpResponse, case: Case) -> None:
    response["ETag"] = f'"{case.version}"'


@router.post("", response={200: CaseDetailOut, 201: CaseDetailOut})
def case_create(
    request: HttpRequest, response: HttpResponse, payload: CaseCreateIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Status[CaseDetailOut]:
    """File a case. With an Idempotency-Key, a repeat (even a concurrent one) returns the
    first case with status 200 instead of creating another."""
    data = payload.dict()
    filed = services.case_file(
        actor=request.user, customer_id=data["customer_id"], channel=data["channel"],
        category=data["category"], title=data["title"], description=data["description"],
        impact=data["impact"], severity=data["severity"], contact_id=data["contact_id"],
        site_id=data["site_id"], asset_id=data["asset_id"], policy_code=data["policy"],
        assignee_id=data["assignee_id"], fault_class=data["fault_class"], idempotency_key=idempotency_key,
        fingerprint=services.request_fingerprint(data) if idempotency_key else "",
    )
    if not filed.created:
        case = get_case_for_user(request.user, filed.case.pk)
        _etag(response, case)
        return Status(200, _detail(case))
    # Answered from the rows just written: nothing is read back.
    _etag(response, filed.case)
    return Status(201, dict(
        **_case_fields(filed.case, sorted(filed.clocks, key=lambda c: c.target)),
        events=[_event_out(e) for e in filed.events],
    ))


class QueueQuery(Schema):
    status: Literal["new", "acknowledged", "in_progress", "waiting_on_customer", "resolved", "closed"] | None = None
    severity: Literal["P1", "P2", "P3", "P4"] | None = None
    customer: uuid.UUID | None = None
    assignee: int | None = None
    breached: bool | None = None
    channel: str | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


@router.get("", response=CasePageOut)
def case_list(request: HttpRequest, query: Query[QueueQuery]) -> CasePageOut:
    """The queue: open cases (unless a status is given) ordered by the next due time."""
    filters = QueueFilters(
        status=query.status, severity=query.severity, customer_id=query.customer,
        assignee_id=query.assignee, breached=query.breached, channel=query.channel,
    )
    rows = case_queue(request.user, filters, limit=query.limit, offset=query.offset, clock_summary=True)
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    clocks = clock_values([c.pk for c in rows])
    body = {
        "items": [_case_fields(c, clocks[c.pk]) for c in rows],
        "limit": query.limit, "offset": query.offset,
        "next_offset": query.offset + query.limit if has_more else None,
    }
    # Written out directly: validating 50 cases with 200 clocks through the response schema
    # costs more than reading them. test_queue checks the output equals the schema's.
    return HttpResponse(json.dumps(_jsonable(body), ensure_ascii=False),  # type: ignore[return-value]
                        content_type="application/json; charset=utf-8")


def _jsonable(value: Any) -> Any:
    """What the response schemas make of our values: local ISO 8601 times, UUIDs as text."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@router.get("/{case_id}", response=CaseDetailOut)
def case_detail(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID) -> CaseDetailOut:
    case = get_case_for_user(request.user, case_id)
    _etag(response, case)
    return _detail(case)


def _if_match(value: str | None) -> int:
    if not value:
        raise ValidationFailed(
            _("修改工单须在 If-Match 中带上它的 ETag（版本）"), code="if_match_required",
            field="If-Match",
        )
    cleaned = value.strip().removeprefix("W/").strip('"')
    try:
        return int(cleaned)
    except ValueError:
        raise ValidationFailed(_("If-Match 须为工单的 ETag"), field="If-Match") from None


@router.patch("/{case_id}", response=CaseDetailOut)
def case_update(
    request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, payload: CaseUpdateIn,
    if_match: str | None = Header(default=None, alias="If-Match"),
) -> CaseDetailOut:
    changes = payload.dict(exclude_unset=True)
    case = services.case_update(
        actor=request.user, case_id=case_id, expected_version=_if_match(if_match), changes=changes
    )
    case = get_case_for_user(request.user, case.pk)
    _etag(response, case)
    return _detail(case)


@router.get("/{case_id}/events", response=EventPageOut)
def case_event_list(
    request: HttpRequest, case_id: uuid.UUID, before_sequence: int | None = None, limit: int = 50
) -> EventPageOut:
    case = get_case_for_user(request.user, case_id)
    limit = max(1, min(limit, 200))
    events = case_events(case, limit=limit, before_sequence=before_sequence)
    oldest = events[0].sequence if events else None
    return dict(  # type: ignore[return-value]
        items=[_event_out(e) for e in events],
        next_before_sequence=oldest if oldest is not None and oldest > 1 and len(events) == limit else None,
    )


ActionName = Literal[
    "acknowledge", "respond", "assign", "escalate", "wait_on_customer", "resume", "check_in",
    "resolve", "restore", "agree_deadline", "confirm_closure", "reopen", "note", "customer_reply",
]


@router.post("/{case_id}/actions/{action}", response=CaseDetailOut)
def case_action(
    request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, action: ActionName,
    payload: ActionIn | None = None,
) -> CaseDetailOut:
    """Perform an action; 409 when the case's status does not allow it."""
    data = payload or ActionIn()
    case = services.case_act(
        actor=request.user, case_id=case_id, action=action, message=data.message,
        assignee_id=data.assignee_id, reason=data.reason, note=data.note, resolution=data.resolution,
        target=data.target, due_at=data.due_at, contact_id=data.contact_id,
    )
    case = get_case_for_user(request.user, case.pk)
    _etag(response, case)
    return _detail(case)
