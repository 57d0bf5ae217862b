"""Reads of special periods, and their readiness (保障准备情况): is the company ready for it?

Readiness has four parts, each ok or warning with its reasons, and one overall verdict:

- duty cover: the roster's gaps (`roster.selectors.gaps_between`) in the period for each team
  involved (the period's teams and those of its extra duty), around the clock unless the
  period follows the teams' calendars;
- pre-inspections: the occurrences of its plans — planned, done, overdue — and the failed
  checklist items, with the cases they opened;
- stand-by spare parts: held quantity wanted against what the depot has available now;
- substitute units: wanted against the units available in the pool.

Staff data: no customer scoping; the callers let only staff in.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.cases.models import OPEN_STATUSES, Case
from aftersales.inspections.models import (
    OPEN_OCCURRENCE_STATUSES,
    InspectionItemResult,
    InspectionOccurrence,
    OccurrenceStatus,
)
from aftersales.loans.selectors import substitute_units
from aftersales.parts.services import stock_available
from aftersales.roster.models import Team
from aftersales.roster.selectors import Gap, gaps_between
from aftersales.special_periods.models import (
    ResourceKind,
    SpecialPeriod,
    SpecialPeriodDuty,
    SpecialPeriodEvent,
    SpecialPeriodPlan,
    StandbyResource,
)
from aftersales.special_periods.services import get_period

OK = "ok"
WARNING = "warning"


def period_list(*, status: str | None = None, kind: str | None = None, customer_id: Any = None,
                text: str = "") -> QuerySet[SpecialPeriod]:
    """Current and coming periods first (by start), then the rest."""
    rows = SpecialPeriod.objects.select_related("customer", "checklist", "created_by")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if text:
        rows = rows.filter(name__icontains=text)
    return rows.order_by("-starts_at", "name", "pk")


def period_detail(period_id: Any) -> SpecialPeriod:
    return get_period(period_id)


def period_duties(period: SpecialPeriod) -> QuerySet[SpecialPeriodDuty]:
    return (SpecialPeriodDuty.objects.filter(period=period).select_related("shift__team", "shift__user")
            .order_by("shift__starts_at", "shift__team__code", "pk"))


def period_plans(period: SpecialPeriod) -> QuerySet[SpecialPeriodPlan]:
    return (SpecialPeriodPlan.objects.filter(period=period)
            .select_related("plan__site", "plan__team", "plan__template").order_by("plan__starts_on", "pk"))


def period_resources(period: SpecialPeriod) -> QuerySet[StandbyResource]:
    return (StandbyResource.objects.filter(period=period)
            .select_related("depot", "part", "product", "person").order_by("kind", "created_at", "pk"))


def period_events(period: SpecialPeriod) -> QuerySet[SpecialPeriodEvent]:
    return SpecialPeriodEvent.objects.filter(period=period).select_related("actor").order_by("created_at", "at")


# --- readiness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCover:
    team_id: uuid.UUID
    team_code: str
    team_name: str
    gaps: list[Gap]

    @property
    def gap_minutes(self) -> int:
        return int(sum((gap.duration for gap in self.gaps), dt.timedelta()).total_seconds() // 60)


@dataclass(frozen=True)
class DutyReadiness:
    state: str
    reasons: list[str]
    teams: list[TeamCover]
    duty_count: int
    people_count: int


@dataclass(frozen=True)
class FailedItem:
    label: str
    plan_name: str
    case_id: uuid.UUID | None
    case_number: str | None
    case_is_open: bool


@dataclass(frozen=True)
class InspectionReadiness:
    state: str
    reasons: list[str]
    plan_count: int
    planned: int
    done: int
    overdue: int
    cancelled: int
    failed_items: list[FailedItem]

    @property
    def open_failures(self) -> int:
        return sum(1 for item in self.failed_items if item.case_is_open or item.case_id is None)


@dataclass(frozen=True)
class PartLine:
    resource_id: uuid.UUID
    part_code: str
    part_name: str
    depot_code: str
    depot_name: str
    required: int
    available: int

    @property
    def shortage(self) -> int:
        return max(0, self.required - self.available)


@dataclass(frozen=True)
class PartsReadiness:
    state: str
    reasons: list[str]
    lines: list[PartLine]


@dataclass(frozen=True)
class UnitLine:
    resource_id: uuid.UUID | None
    description: str
    depot_name: str | None
    required: int
    available: int

    @property
    def shortage(self) -> int:
        return max(0, self.required - self.available)


@dataclass(frozen=True)
class UnitsReadiness:
    state: str
    reasons: list[str]
    lines: list[UnitLine]
    pool_available: int


@dataclass(frozen=True)
class Readiness:
    at: dt.datetime
    duty: DutyReadiness
    inspections: InspectionReadiness
    parts: PartsReadiness
    units: UnitsReadiness
    other_resources: list[StandbyResource] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [*self.duty.reasons, *self.inspections.reasons, *self.parts.reasons, *self.units.reasons]

    @property
    def is_ready(self) -> bool:
        return all(part.state == OK for part in (self.duty, self.inspections, self.parts, self.units))


def _state(reasons: list[str]) -> str:
    return WARNING if reasons else OK


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _duty_readiness(period: SpecialPeriod) -> DutyReadiness:
    duties = list(SpecialPeriodDuty.objects.filter(period=period).values_list("shift__team_id", "shift__user_id"))
    team_ids = {team_id for team_id, _user in duties} | set(period.teams.values_list("pk", flat=True))
    teams = list(Team.objects.select_related("calendar").filter(pk__in=team_ids).order_by("code"))
    covers = []
    reasons = []
    for team in teams:
        if period.is_round_the_clock:
            # The roster's gap logic with the team's 7×24 promise (a team without a calendar).
            team = copy.copy(team)
            team.calendar = None
        gaps = gaps_between(team=team, start=period.starts_at, end=period.ends_at)
        cover = TeamCover(team_id=team.pk, team_code=team.code, team_name=team.name, gaps=gaps)
        covers.append(cover)
        if gaps:
            reasons.append(_("%(team)s 有 %(count)s 处值班空档（共 %(hours)s 小时），最早 %(start)s 至 %(end)s") % {
                "team": team.name, "count": len(gaps), "hours": round(cover.gap_minutes / 60, 1),
                "start": _local(gaps[0].starts_at), "end": _local(gaps[0].ends_at)})
    if not teams:
        reasons.append(_("未指定保障值班组，也没有安排加班值班"))
    return DutyReadiness(state=_state(reasons), reasons=reasons, teams=covers, duty_count=len(duties),
                         people_count=len({user for _team, user in duties}))


def _inspection_readiness(period: SpecialPeriod, now: dt.datetime) -> InspectionReadiness:
    plan_ids = list(SpecialPeriodPlan.objects.filter(period=period).values_list("plan_id", flat=True))
    counts = InspectionOccurrence.objects.filter(plan_id__in=plan_ids).aggregate(
        planned=Count("pk", filter=Q(status__in=OPEN_OCCURRENCE_STATUSES)),
        done=Count("pk", filter=Q(status=OccurrenceStatus.COMPLETED)),
        overdue=Count("pk", filter=Q(status__in=OPEN_OCCURRENCE_STATUSES, due_at__lt=now)),
        cancelled=Count("pk", filter=Q(status=OccurrenceStatus.CANCELLED)),
    )
    failed = list(
        InspectionItemResult.objects.filter(result__occurrence__plan_id__in=plan_ids, is_passed=False)
        .select_related("result__occurrence__plan", "case").order_by("result__submitted_at", "position")
    )
    items = [
        FailedItem(label=item.label, plan_name=item.result.occurrence.plan.name, case_id=item.case_id,
                   case_number=item.case.number if item.case else None,
                   case_is_open=_is_open(item.case))
        for item in failed
    ]
    reasons = []
    if not plan_ids:
        reasons.append(_("还没有安排保障预检"))
    if counts["overdue"]:
        reasons.append(_("%(count)s 次预检已超期未完成") % {"count": counts["overdue"]})
    unresolved = [item for item in items if item.case_is_open or item.case_id is None]
    if unresolved:
        reasons.append(_("%(count)s 项预检不合格尚未处理完毕") % {"count": len(unresolved)})
    return InspectionReadiness(
        state=_state(reasons), reasons=reasons, plan_count=len(plan_ids), planned=counts["planned"],
        done=counts["done"], overdue=counts["overdue"], cancelled=counts["cancelled"], failed_items=items,
    )


def _is_open(case: Case | None) -> bool:
    return case is not None and case.status in OPEN_STATUSES


def _parts_readiness(resources: list[StandbyResource]) -> PartsReadiness:
    lines = []
    reasons = []
    for resource in resources:
        if resource.kind != ResourceKind.SPARE_PART or resource.part is None or resource.depot is None:
            continue
        available = stock_available(depot=resource.depot, part=resource.part) if resource.depot.is_active else 0
        line = PartLine(resource_id=resource.pk, part_code=resource.part.code, part_name=resource.part.name,
                        depot_code=resource.depot.code, depot_name=resource.depot.name,
                        required=resource.quantity, available=available)
        lines.append(line)
        if line.shortage:
            reasons.append(_("%(depot)s 的备件 %(part)s 需备 %(required)s，可用 %(available)s，缺 %(short)s") % {
                "depot": line.depot_name, "part": line.part_code, "required": line.required,
                "available": line.available, "short": line.shortage})
    return PartsReadiness(state=_state(reasons), reasons=reasons, lines=lines)


def _units_readiness(resources: list[StandbyResource]) -> UnitsReadiness:
    lines = []
    reasons = []
    for resource in resources:
        if resource.kind != ResourceKind.SUBSTITUTE_UNIT:
            continue
        available = substitute_units(product_id=resource.product_id, depot_id=resource.depot_id,
                                     status="available").filter(depot__is_active=True).count()
        line = UnitLine(resource_id=resource.pk, description=resource.description,
                        depot_name=resource.depot.name if resource.depot else None,
                        required=resource.quantity, available=available)
        lines.append(line)
        if line.shortage:
            reasons.append(_("替代设备 %(unit)s 需备 %(required)s 台，可用 %(available)s 台") % {
                "unit": line.description, "required": line.required, "available": line.available})
    pool = substitute_units(status="available").filter(depot__is_active=True).count()
    return UnitsReadiness(state=_state(reasons), reasons=reasons, lines=lines, pool_available=pool)


def period_readiness(period: SpecialPeriod, *, now: dt.datetime | None = None) -> Readiness:
    """Whether the company is ready for the period, as of `now`."""
    now = now or timezone.now()
    resources = list(period_resources(period))
    return Readiness(
        at=now, duty=_duty_readiness(period), inspections=_inspection_readiness(period, now),
        parts=_parts_readiness(resources), units=_units_readiness(resources),
        other_resources=[r for r in resources
                         if r.kind not in (ResourceKind.SPARE_PART, ResourceKind.SUBSTITUTE_UNIT)],
    )
