"""Reads of the roster: who is on duty, where the roster has holes, who can repair what.

Roster data is the service company's own (no customer's rows), so there is no customer
scoping here; the API lets only staff roles in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.assets.models import Product
from aftersales.calendars.engine import from_us, to_us
from aftersales.calendars.services import business_calendar
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.roster.models import Shift, Team, Technician

MAX_GAP_DAYS = 60


@dataclass(frozen=True)
class OnDuty:
    user_id: int
    username: str
    name: str
    team_id: uuid.UUID
    team_code: str
    team_kind: str
    shift_id: uuid.UUID
    shift_kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Gap:
    """A stretch in which a team needs cover and nobody is on duty: [starts_at, ends_at)."""

    team_id: uuid.UUID
    team_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


@dataclass(frozen=True)
class TechnicianSkills:
    """An active technician as dispatch ranking sees it: ORM-free, skills resolved."""

    technician_id: uuid.UUID
    user_id: int
    username: str
    name: str
    team_id: uuid.UUID | None
    team_code: str | None
    region: str
    base_latitude: Decimal | None
    base_longitude: Decimal | None
    product_ids: frozenset[uuid.UUID]
    product_categories: frozenset[str]
    max_concurrent_work_orders: int

    def is_skilled_for(self, product: Product) -> bool:
        return product.pk in self.product_ids or (
            bool(product.category) and product.category in self.product_categories
        )


def require_aware(moment: dt.datetime, *, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed(
            _("%(field)s 须带时区偏移，例如 2026-10-01T08:00:00+08:00") % {"field": field},
            code="naive_datetime",
            field=field,
        )


def get_team(code: str) -> Team:
    team = Team.objects.select_related("calendar").filter(code=code).first()
    if team is None:
        raise NotFound(_("没有代码为“%(code)s”的值班组") % {"code": code}, code="team_not_found")
    return team


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("calendar").order_by("code")


def _display_name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def on_duty(*, at: dt.datetime, team: Team | None = None, kind: str | None = None) -> list[OnDuty]:
    """Who is on duty at `at`, one entry per person (a person's shifts never overlap).

    `kind` is the team kind (hotline, field, expert). Inactive users and teams do not count.
    """
    require_aware(at, field="at")
    shifts = Shift.objects.filter(
        starts_at__lte=at, ends_at__gt=at, user__is_active=True, team__is_active=True
    ).select_related("team", "user")
    if team is not None:
        shifts = shifts.filter(team=team)
    if kind is not None:
        shifts = shifts.filter(team__kind=kind)
    return [
        OnDuty(
            user_id=shift.user.pk,
            username=shift.user.username,
            name=_display_name(shift.user),
            team_id=shift.team.pk,
            team_code=shift.team.code,
            team_kind=shift.team.kind,
            shift_id=shift.pk,
            shift_kind=shift.kind,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
        )
        for shift in shifts.order_by("team__code", "user__username")
    ]


def on_duty_user_ids(*, at: dt.datetime) -> set[int]:
    require_aware(at, field="at")
    return set(
        Shift.objects.filter(
            starts_at__lte=at, ends_at__gt=at, user__is_active=True, team__is_active=True
        ).values_list("user_id", flat=True)
    )


def is_out_of_hours(*, team: Team, at: dt.datetime) -> bool:
    """Whether `at` lies outside the team's working hours.

    A team without a calendar is staffed 7×24, so for it nothing is out of hours.
    """
    require_aware(at, field="at")
    if team.calendar is None:
        return False
    calendar = business_calendar(team.calendar)
    moment = to_us(at)
    # A day's windows end by its local midnight, so the local date of `at` has the only
    # windows that can contain it.
    day = from_us(moment, calendar.timezone).date()
    return not any(start <= moment < end for start, end in calendar.windows_on(day))


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _needed_cover(team: Team, start_us: int, end_us: int) -> list[tuple[int, int]]:
    if team.calendar is None:
        return [(start_us, end_us)]
    calendar = business_calendar(team.calendar)
    day = from_us(start_us, calendar.timezone).date()
    last_day = from_us(end_us, calendar.timezone).date()
    needed: list[tuple[int, int]] = []
    while day <= last_day:
        for window_start, window_end in calendar.windows_on(day):
            begin, finish = max(window_start, start_us), min(window_end, end_us)
            if finish > begin:
                needed.append((begin, finish))
        day += dt.timedelta(days=1)
    # Windows that meet at midnight are one stretch, so a gap is never split by the date.
    return _merge(needed)


def gaps_between(*, team: Team, start: dt.datetime, end: dt.datetime) -> list[Gap]:
    """Gaps of `team` within [start, end), clipped to it."""
    start_us, end_us = to_us(start), to_us(end)
    covered = _merge(
        [
            (to_us(starts_at), to_us(ends_at))
            for starts_at, ends_at in Shift.objects.filter(
                team=team, user__is_active=True, starts_at__lt=end, ends_at__gt=start
            ).values_list("starts_at", "ends_at")
        ]
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    gaps: list[Gap] = []
    index = 0
    for need_start, need_end in _needed_cover(team, start_us, end_us):
        cursor = need_start
        # Both lists are sorted and disjoint: one pass over the cover serves every window.
        while index < len(covered) and covered[index][1] <= cursor:
            index += 1
        probe = index
        while cursor < need_end:
            if probe < len(covered) and covered[probe][0] <= cursor:
                cursor = max(cursor, covered[probe][1])
                probe += 1
                continue
            gap_end = min(need_end, covered[probe][0]) if probe < len(covered) else need_end
            gaps.append(
                Gap(
                    team_id=team.pk,
                    team_code=team.code,
                    starts_at=from_us(cursor, zone),
                    ends_at=from_us(gap_end, zone),
                )
            )
            cursor = gap_end
    return gaps


def roster_gaps(*, team: Team, start: dt.datetime, days: int = 14) -> list[Gap]:
    """Stretches of the `days` after `start` in which the team needs cover and nobody is on
    duty. Cover is needed 7×24, or in the team calendar's working hours when it has one."""
    require_aware(start, field="start")
    if not 1 <= days <= MAX_GAP_DAYS:
        raise ValidationFailed(
            _("days 须在 1 到 %(max)s 之间") % {"max": MAX_GAP_DAYS}, field="days"
        )
    return gaps_between(team=team, start=start, end=start + dt.timedelta(days=days))


def shift_page(
    *,
    team: Team | None = None,
    user_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Shift]:
    """Shifts that overlap [start, end), by start time; one row more than `limit` when there
    are more."""
    shifts = Shift.objects.select_related("team", "user")
    if team is not None:
        shifts = shifts.filter(team=team)
    if user_id is not None:
        shifts = shifts.filter(user_id=user_id)
    if start is not None:
        require_aware(start, field="start")
        shifts = shifts.filter(ends_at__gt=start)
    if end is not None:
        require_aware(end, field="end")
        shifts = shifts.filter(starts_at__lt=end)
    return list(shifts.order_by("starts_at", "team__code", "pk")[offset : offset + limit + 1])


def get_technician(technician_id: Any) -> Technician:
    try:
        return (
            Technician.objects.select_related("user", "team")
            .prefetch_related("products")
            .get(pk=technician_id)
        )
    except (Technician.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该工程师档案"), code="technician_not_found") from None


def technician_list(
    *, team: Team | None = None, region: str | None = None, is_active: bool | None = None
) -> QuerySet[Technician]:
    technicians = Technician.objects.select_related("user", "team").prefetch_related("products")
    if team is not None:
        technicians = technicians.filter(team=team)
    if region:
        technicians = technicians.filter(region=region)
    if is_active is not None:
        technicians = technicians.filter(is_active=is_active)
    return technicians.order_by("user__username")


def technicians_for(
    *, product: Product | None = None, region: str | None = None
) -> list[TechnicianSkills]:
    """Active technicians (active users too), with their skills; with `product`, only those
    skilled for it (the product itself or its category); with `region`, only that region."""
    technicians = Technician.objects.filter(is_active=True, user__is_active=True).select_related(
        "user", "team"
    )
    if region:
        technicians = technicians.filter(region=region)
    rows = list(technicians.order_by("user__username"))
    # One query for every technician's products: prefetching would build model instances.
    products: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for technician_id, product_id in Technician.products.through.objects.filter(
        technician_id__in=[row.pk for row in rows]
    ).values_list("technician_id", "product_id"):
        products[technician_id].add(product_id)
    skills = [
        TechnicianSkills(
            technician_id=row.pk,
            user_id=row.user.pk,
            username=row.user.username,
            name=_display_name(row.user),
            team_id=row.team.pk if row.team else None,
            team_code=row.team.code if row.team else None,
            region=row.region,
            base_latitude=row.base_latitude,
            base_longitude=row.base_longitude,
            product_ids=frozenset(products[row.pk]),
            product_categories=frozenset(str(c) for c in row.product_categories),
            max_concurrent_work_orders=row.max_concurrent_work_orders,
        )
        for row in rows
    ]
    if product is not None:
        skills = [skill for skill in skills if skill.is_skilled_for(product)]
    return skills
