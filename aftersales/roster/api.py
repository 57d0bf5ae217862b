"""HTTP API of the roster app (/api/v1/); handlers parse, call one service, render.

Only staff see the roster: a customer user is refused (403), like other staff-only actions.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from aftersales.core.api_types import InputDateTime
from aftersales.core.permissions import require_role
from aftersales.core.roles import CONFIGURING_ROLES, STAFF_ROLES, Role
from aftersales.roster import selectors, services
from aftersales.roster.models import Shift, Team, Technician
from aftersales.roster.schemas import (
    GapListOut,
    GapOut,
    OnDutyListOut,
    OnDutyOut,
    ShiftCreateIn,
    ShiftOut,
    ShiftPageOut,
    TeamCreateIn,
    TeamKindIn,
    TeamOut,
    TechnicianCreateIn,
    TechnicianOut,
    TechnicianUpdateIn,
)

router = Router(tags=["roster"])
# Who plans shifts: the configuring roles and the dispatchers who run the day.
ROSTER_ROLES = frozenset({*CONFIGURING_ROLES, Role.DISPATCHER})


def _staff(request: HttpRequest) -> None:
    require_role(request.user, STAFF_ROLES, doing=_("查看值班表"))


def _team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.pk,
        code=team.code,
        name=team.name,
        kind=team.kind,
        region=team.region,
        calendar=team.calendar.code if team.calendar else None,
        is_active=team.is_active,
    )


def _shift_out(shift: Shift) -> ShiftOut:
    return ShiftOut(
        id=shift.pk,
        team=shift.team.code,
        user_id=shift.user.pk,
        username=shift.user.username,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        kind=shift.kind,
        note=shift.note,
    )


def _technician_out(technician: Technician) -> TechnicianOut:
    user = technician.user
    return TechnicianOut(
        id=technician.pk,
        user_id=user.pk,
        username=user.username,
        name=user.get_full_name() or user.username,
        team=technician.team.code if technician.team else None,
        region=technician.region,
        base_latitude=technician.base_latitude,
        base_longitude=technician.base_longitude,
        product_ids=sorted((p.pk for p in technician.products.all()), key=str),
        product_categories=list(technician.product_categories),
        max_concurrent_work_orders=technician.max_concurrent_work_orders,
        is_active=technician.is_active,
    )


# -- teams ---------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut])
def team_list(request: HttpRequest) -> list[TeamOut]:
    _staff(request)
    return [_team_out(team) for team in selectors.team_list()[:500]]


@router.post("/teams", response={201: TeamOut})
def team_create(request: HttpRequest, payload: TeamCreateIn) -> Status[TeamOut]:
    require_role(request.user, CONFIGURING_ROLES, doing=_("设置值班组"))
    team = services.team_create(
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        region=payload.region,
        calendar_code=payload.calendar,
    )
    return Status(201, _team_out(selectors.get_team(team.code)))


# -- shifts --------------------------------------------------------------------------------


class ShiftQuery(Schema):
    team: str | None = Field(default=None, description="team code")
    user_id: int | None = None
    start: InputDateTime | None = Field(default=None, description="shifts ending after this")
    end: InputDateTime | None = Field(default=None, description="shifts starting before this")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


@router.get("/shifts", response=ShiftPageOut)
def shift_list(request: HttpRequest, query: Query[ShiftQuery]) -> ShiftPageOut:
    """Shifts overlapping [start, end), by start time."""
    _staff(request)
    rows = selectors.shift_page(
        team=selectors.get_team(query.team) if query.team else None,
        user_id=query.user_id,
        start=query.start,
        end=query.end,
        limit=query.limit,
        offset=query.offset,
    )
    has_more = len(rows) > query.limit
    return ShiftPageOut(
        items=[_shift_out(shift) for shift in rows[: query.limit]],
        limit=query.limit,
        offset=query.offset,
        next_offset=query.offset + query.limit if has_more else None,
    )


@router.post("/shifts", response={201: ShiftOut})
def shift_create(request: HttpRequest, payload: ShiftCreateIn) -> Status[ShiftOut]:
    """Put a person on duty. 409 `shift_overlap` when it overlaps one of their shifts."""
    require_role(request.user, ROSTER_ROLES, doing=_("排班"))
    shift = services.shift_add(
        team=selectors.get_team(payload.team),
        user_id=payload.user_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        kind=payload.kind,
        note=payload.note,
    )
    return Status(201, _shift_out(Shift.objects.select_related("team", "user").get(pk=shift.pk)))


@router.delete("/shifts/{shift_id}", response={204: None})
def shift_delete(request: HttpRequest, shift_id: uuid.UUID) -> Status[None]:
    """Remove a shift that has not ended (409 `shift_ended` otherwise)."""
    require_role(request.user, ROSTER_ROLES, doing=_("排班"))
    services.shift_remove(shift_id=shift_id)
    return Status(204, None)


# -- who is on duty, where the holes are ---------------------------------------------------


class OnDutyQuery(Schema):
    at: InputDateTime | None = Field(default=None, description="default: now")
    team: str | None = Field(default=None, description="team code")
    kind: TeamKindIn | None = Field(default=None, description="team kind")


@router.get("/on-duty", response=OnDutyListOut)
def on_duty(request: HttpRequest, query: Query[OnDutyQuery]) -> OnDutyListOut:
    _staff(request)
    at = query.at or timezone.now()
    people = services.on_duty(
        at=at, team=selectors.get_team(query.team) if query.team else None, kind=query.kind
    )
    return OnDutyListOut(
        at=at,
        items=[
            OnDutyOut(
                user_id=p.user_id,
                username=p.username,
                name=p.name,
                team=p.team_code,
                team_kind=p.team_kind,
                shift_id=p.shift_id,
                shift_kind=p.shift_kind,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
            )
            for p in people
        ],
    )


class GapQuery(Schema):
    team: str = Field(description="team code")
    start: InputDateTime | None = Field(default=None, description="default: now")
    days: int = Field(default=14, ge=1, le=selectors.MAX_GAP_DAYS)


@router.get("/gaps", response=GapListOut)
def roster_gaps(request: HttpRequest, query: Query[GapQuery]) -> GapListOut:
    """Stretches of the next `days` in which the team needs cover and nobody is on duty."""
    _staff(request)
    team = selectors.get_team(query.team)
    start = query.start or timezone.now()
    gaps = services.roster_gaps(team=team, start=start, days=query.days)
    return GapListOut(
        team=team.code,
        start=start,
        days=query.days,
        items=[
            GapOut(
                starts_at=g.starts_at,
                ends_at=g.ends_at,
                minutes=int(g.duration.total_seconds() // 60),
            )
            for g in gaps
        ],
    )


# -- technicians ---------------------------------------------------------------------------


@router.get("/technicians", response=list[TechnicianOut])
def technician_list(
    request: HttpRequest,
    team: str | None = None,
    region: str | None = None,
    is_active: bool | None = None,
) -> list[TechnicianOut]:
    _staff(request)
    technicians = selectors.technician_list(
        team=selectors.get_team(team) if team else None, region=region, is_active=is_active
    )
    return [_technician_out(t) for t in technicians[:2000]]


@router.post("/technicians", response={201: TechnicianOut})
def technician_create(request: HttpRequest, payload: TechnicianCreateIn) -> Status[TechnicianOut]:
    require_role(request.user, CONFIGURING_ROLES, doing=_("维护工程师档案"))
    technician = services.technician_create(
        user_id=payload.user_id,
        team_code=payload.team,
        region=payload.region,
        base_latitude=payload.base_latitude,
        base_longitude=payload.base_longitude,
        product_ids=payload.product_ids,
        product_categories=payload.product_categories,
        max_concurrent_work_orders=payload.max_concurrent_work_orders,
        is_active=payload.is_active,
    )
    return Status(201, _technician_out(selectors.get_technician(technician.pk)))


@router.patch("/technicians/{technician_id}", response=TechnicianOut)
def technician_update(
    request: HttpRequest, technician_id: uuid.UUID, payload: TechnicianUpdateIn
) -> TechnicianOut:
    require_role(request.user, CONFIGURING_ROLES, doing=_("维护工程师档案"))
    services.technician_update(
        technician_id=technician_id, changes=payload.dict(exclude_unset=True)
    )
    return _technician_out(selectors.get_technician(technician_id))
