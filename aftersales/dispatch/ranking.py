"""Who should go (派工排序): technicians scored and sorted for one case. Pure: no ORM.

The score is a sum of named parts so that the dispatcher can see why someone ranks where they
do; the order is not the score alone, though:

1. a technician at capacity comes after everyone with room (listed, marked, not hidden);
2. a technician skilled for the product (the product itself or its category) comes before one
   who is not — no amount of closeness makes up for not knowing the equipment;
3. when the case has an on-site deadline, one projected to arrive in time comes before one who
   would be late — being on duty or a product specialist is worth nothing to a missed deadline;
4. then the higher score, the earlier projected arrival, the fewer open work orders, the name
   and finally the technician's id, so that equal candidates always come out in one order.

Parts of the score (100 at most):

- skill: 40 for the exact product, 25 for its category, 0 otherwise;
- distance: 30 at the site, falling linearly to 0 at `distance_zero_km`, when both the site's
  and the technician's coordinates are known; else 20 in the same region, 0 in another or when
  a region is unknown;
- on duty now: 20;
- load: 10 × the share of capacity still free.

Projected arrival = now + departure delay + drive time (straight-line distance at an average
road speed); without coordinates the drive takes a default, longer for another region.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.utils.translation import gettext as _

EARTH_RADIUS_KM = 6371.0088

SKILL_POINTS_PRODUCT = 40.0
SKILL_POINTS_CATEGORY = 25.0
DISTANCE_POINTS_MAX = 30.0
SAME_REGION_POINTS = 20.0
ON_DUTY_POINTS = 20.0
LOAD_POINTS_MAX = 10.0


class SkillMatch(enum.StrEnum):
    PRODUCT = "product"
    CATEGORY = "category"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"product": _("擅长该产品"), "category": _("擅长该类别"), "none": _("不擅长")}[self.value]


class Proximity(enum.StrEnum):
    """How the distance was judged: measured from coordinates, or only by region."""

    MEASURED = "measured"
    SAME_REGION = "same_region"
    OTHER_REGION = "other_region"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"measured": _("按坐标测距"), "same_region": _("同一地区"),
                "other_region": _("其他地区"), "unknown": _("位置未知")}[self.value]


@dataclass(frozen=True)
class RankingSettings:
    average_speed_kmh: float = 60.0
    departure_delay_minutes: int = 20
    # Drive time when either side has no coordinates, by whether the regions agree.
    same_region_drive_minutes: int = 60
    other_region_drive_minutes: int = 240
    distance_zero_km: float = 300.0

    def __post_init__(self) -> None:
        if self.average_speed_kmh <= 0 or self.distance_zero_km <= 0:
            raise ValueError("average speed and distance_zero_km must be positive")
        if min(self.departure_delay_minutes, self.same_region_drive_minutes,
               self.other_region_drive_minutes) < 0:
            raise ValueError("minutes must not be negative")


@dataclass(frozen=True)
class CaseNeeds:
    """What the case asks of a technician, and by when they should be on site."""

    now: dt.datetime
    product_id: uuid.UUID | None = None
    product_category: str = ""
    latitude: float | None = None
    longitude: float | None = None
    region: str = ""
    on_site_due_at: dt.datetime | None = None


@dataclass(frozen=True)
class Candidate:
    technician_id: uuid.UUID
    user_id: int
    name: str
    region: str = ""
    latitude: float | None = None
    longitude: float | None = None
    product_ids: frozenset[uuid.UUID] = frozenset()
    product_categories: frozenset[str] = frozenset()
    is_on_duty: bool = False
    open_work_orders: int = 0
    capacity: int = 5
    username: str = ""
    team_code: str | None = None


@dataclass(frozen=True)
class ScoreParts:
    skill: float
    distance: float
    on_duty: float
    load: float

    @property
    def total(self) -> float:
        return round(self.skill + self.distance + self.on_duty + self.load, 1)


@dataclass(frozen=True)
class RankedTechnician:
    candidate: Candidate
    rank: int
    score: float
    parts: ScoreParts
    skill_match: SkillMatch
    proximity: Proximity
    distance_km: float | None
    travel_minutes: int
    arrival_at: dt.datetime
    arrives_in_time: bool | None
    margin_minutes: int | None
    is_at_capacity: bool
    reasons: tuple[str, ...] = field(default=())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def skill_match(needs: CaseNeeds, candidate: Candidate) -> SkillMatch:
    if needs.product_id is not None and needs.product_id in candidate.product_ids:
        return SkillMatch.PRODUCT
    if needs.product_category and needs.product_category in candidate.product_categories:
        return SkillMatch.CATEGORY
    return SkillMatch.NONE


def proximity(needs: CaseNeeds, candidate: Candidate) -> tuple[Proximity, float | None]:
    """How near the technician's base is to the site, and the distance when it is measured."""
    if (needs.latitude is not None and needs.longitude is not None
            and candidate.latitude is not None and candidate.longitude is not None):
        distance = haversine_km(needs.latitude, needs.longitude, candidate.latitude,
                                candidate.longitude)
        return Proximity.MEASURED, distance
    if not needs.region or not candidate.region:
        return Proximity.UNKNOWN, None
    if needs.region == candidate.region:
        return Proximity.SAME_REGION, None
    return Proximity.OTHER_REGION, None


def travel_minutes(kind: Proximity, distance_km: float | None, settings: RankingSettings) -> int:
    """Departure delay plus drive time, rounded up to whole minutes."""
    if kind is Proximity.MEASURED and distance_km is not None:
        drive = distance_km / settings.average_speed_kmh * 60
    elif kind is Proximity.SAME_REGION:
        drive = settings.same_region_drive_minutes
    else:
        drive = settings.other_region_drive_minutes
    # The tolerance keeps float noise (100 km at 60 km/h = 100.00000000000001) from adding a minute.
    return settings.departure_delay_minutes + math.ceil(drive - 1e-6)


def _distance_points(kind: Proximity, distance_km: float | None, settings: RankingSettings) -> float:
    if kind is Proximity.MEASURED and distance_km is not None:
        return round(DISTANCE_POINTS_MAX * max(0.0, 1 - distance_km / settings.distance_zero_km), 1)
    if kind is Proximity.SAME_REGION:
        return SAME_REGION_POINTS
    return 0.0


def _load_points(candidate: Candidate) -> float:
    if candidate.capacity <= 0:
        return 0.0
    free = max(0, candidate.capacity - candidate.open_work_orders)
    return round(LOAD_POINTS_MAX * free / candidate.capacity, 1)


_SKILL_POINTS = {
    SkillMatch.PRODUCT: SKILL_POINTS_PRODUCT,
    SkillMatch.CATEGORY: SKILL_POINTS_CATEGORY,
    SkillMatch.NONE: 0.0,
}


class _Evaluation(NamedTuple):
    """A candidate's figures; a plain tuple, as every candidate gets one and few are shown."""

    skill_match: SkillMatch
    proximity: Proximity
    distance_km: float | None
    skill_points: float
    distance_points: float
    on_duty_points: float
    load_points: float
    score: float
    travel_minutes: int
    arrival_at: dt.datetime
    arrives_in_time: bool | None
    margin_minutes: int | None
    is_at_capacity: bool


def _evaluate(needs: CaseNeeds, candidate: Candidate, settings: RankingSettings) -> _Evaluation:
    skill = skill_match(needs, candidate)
    kind, measured = proximity(needs, candidate)
    # Points and travel time follow from the distance as shown (0.1 km), so they can be checked.
    distance = round(measured, 1) if measured is not None else None
    skill_points = _SKILL_POINTS[skill]
    distance_points = _distance_points(kind, distance, settings)
    on_duty_points = ON_DUTY_POINTS if candidate.is_on_duty else 0.0
    load_points = _load_points(candidate)
    minutes = travel_minutes(kind, distance, settings)
    arrival = needs.now + dt.timedelta(minutes=minutes)
    in_time: bool | None = None
    margin: int | None = None
    if needs.on_site_due_at is not None:
        in_time = arrival <= needs.on_site_due_at
        # Floor: a margin of 0 means "just in time", -1 "up to a minute late".
        margin = math.floor((needs.on_site_due_at - arrival).total_seconds() / 60)
    return _Evaluation(
        skill, kind, distance, skill_points, distance_points, on_duty_points, load_points,
        round(skill_points + distance_points + on_duty_points + load_points, 1), minutes, arrival,
        in_time, margin, candidate.open_work_orders >= candidate.capacity,
    )


def _order(
    figures: _Evaluation, candidate: Candidate
) -> tuple[bool, bool, bool, float, dt.datetime, int, str, uuid.UUID]:
    """The sort key: the rules of the module docstring, in their order."""
    return (
        figures.is_at_capacity,
        figures.skill_match is SkillMatch.NONE,
        figures.arrives_in_time is False,
        -figures.score,
        figures.arrival_at,
        candidate.open_work_orders,
        candidate.name,
        candidate.technician_id,
    )


def _ranked(figures: _Evaluation, candidate: Candidate, *, rank: int = 0,
            reasons: tuple[str, ...] = ()) -> RankedTechnician:
    return RankedTechnician(
        candidate=candidate,
        rank=rank,
        score=figures.score,
        parts=ScoreParts(skill=figures.skill_points, distance=figures.distance_points,
                         on_duty=figures.on_duty_points, load=figures.load_points),
        skill_match=figures.skill_match,
        proximity=figures.proximity,
        distance_km=figures.distance_km,
        travel_minutes=figures.travel_minutes,
        arrival_at=figures.arrival_at,
        arrives_in_time=figures.arrives_in_time,
        margin_minutes=figures.margin_minutes,
        is_at_capacity=figures.is_at_capacity,
        reasons=reasons,
    )


def score(needs: CaseNeeds, candidate: Candidate, settings: RankingSettings) -> RankedTechnician:
    """One candidate scored, without its rank and reasons (see `rank`)."""
    return _ranked(_evaluate(needs, candidate, settings), candidate)


def reasons(item: RankedTechnician, needs: CaseNeeds) -> tuple[str, ...]:
    """Why the technician stands where they do, one sentence per part, in the dispatcher's words."""
    candidate = item.candidate
    said: list[str] = []
    if item.skill_match is SkillMatch.PRODUCT:
        said.append(_("擅长该产品（+%(points)s）") % {"points": _points(item.parts.skill)})
    elif item.skill_match is SkillMatch.CATEGORY:
        said.append(_("擅长该产品类别“%(category)s”（+%(points)s）")
                    % {"category": needs.product_category, "points": _points(item.parts.skill)})
    elif needs.product_id is None and not needs.product_category:
        said.append(_("服务工单未关联设备，无法按技能匹配"))
    else:
        said.append(_("不擅长该产品或类别"))
    if item.proximity is Proximity.MEASURED:
        said.append(_("距站点约 %(km)s 公里（+%(points)s）")
                    % {"km": item.distance_km, "points": _points(item.parts.distance)})
    elif item.proximity is Proximity.SAME_REGION:
        said.append(_("与站点同在“%(region)s”，无坐标（+%(points)s）")
                    % {"region": needs.region, "points": _points(item.parts.distance)})
    elif item.proximity is Proximity.OTHER_REGION:
        said.append(_("常驻“%(region)s”，与站点不在同一地区")
                    % {"region": candidate.region})
    else:
        said.append(_("站点或工程师的位置未知"))
    if candidate.is_on_duty:
        said.append(_("正在值班（+%(points)s）") % {"points": _points(item.parts.on_duty)})
    else:
        said.append(_("当前不在班"))
    if item.is_at_capacity:
        said.append(_("已满负荷：%(open)s/%(capacity)s 张在办派工单，排在最后")
                    % {"open": candidate.open_work_orders, "capacity": candidate.capacity})
    else:
        said.append(_("在办派工单 %(open)s/%(capacity)s（+%(points)s）")
                    % {"open": candidate.open_work_orders, "capacity": candidate.capacity,
                       "points": _points(item.parts.load)})
    if item.arrives_in_time is True:
        said.append(_("预计 %(minutes)s 分钟到场，早于到场时限 %(margin)s 分钟")
                    % {"minutes": item.travel_minutes, "margin": item.margin_minutes})
    elif item.arrives_in_time is False:
        said.append(_("预计 %(minutes)s 分钟到场，将超出到场时限 %(late)s 分钟")
                    % {"minutes": item.travel_minutes, "late": -(item.margin_minutes or 0)})
    else:
        said.append(_("预计 %(minutes)s 分钟到场（无到场时限）")
                    % {"minutes": item.travel_minutes})
    return tuple(said)


def _points(value: float) -> str:
    return f"{value:g}"


def rank(
    needs: CaseNeeds,
    candidates: Iterable[Candidate],
    *,
    settings: RankingSettings | None = None,
    limit: int | None = None,
) -> list[RankedTechnician]:
    """The candidates in dispatch order (see the module docstring), the first `limit` of them,
    numbered from 1 and with their reasons. Precondition: `needs.now` is timezone-aware."""
    settings = settings or RankingSettings()
    evaluated = [(_evaluate(needs, candidate, settings), candidate) for candidate in candidates]
    evaluated.sort(key=lambda pair: _order(*pair))
    if limit is not None:
        evaluated = evaluated[:limit]
    ranked: list[RankedTechnician] = []
    for position, (figures, candidate) in enumerate(evaluated, start=1):
        item = _ranked(figures, candidate, rank=position)
        # Reasons are text for people: built only for those shown.
        ranked.append(replace(item, reasons=reasons(item, needs)))
    return ranked
