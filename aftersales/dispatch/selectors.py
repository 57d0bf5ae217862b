"""Reads for dispatch (派工调度): the technicians ranked for one case.

Ranking a case costs a fixed number of queries, whatever the number of technicians and work
orders: the case with its site and product, its on-site clock, the technicians, who is skilled
for the product (by the roster profile's products or a valid qualification, 上岗资质), who is
on duty, and the open work orders per technician.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.cases.models import Case, CaseClock, ClockState, ClockTarget
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import Role
from aftersales.core.scoping import get_scoped_or_404
from aftersales.customers.models import Site
from aftersales.dispatch.ranking import (
    Candidate,
    CaseNeeds,
    RankedTechnician,
    RankingSettings,
    rank,
)
from aftersales.roster.models import Technician
from aftersales.roster.selectors import on_duty_user_ids, require_aware
from aftersales.training.selectors import valid_qualifications
from aftersales.workorders.models import OPEN_WORK_ORDER_STATUSES, WorkOrder

# Who may see the ranked list: the hotline sees it too, to tell a caller who is coming.
READ_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
MAX_LIMIT = 100
# A deadline only means something while the clock can still be met or missed.
DEADLINE_STATES = frozenset({ClockState.RUNNING, ClockState.PAUSED})


@dataclass(frozen=True)
class Ranking:
    case_id: uuid.UUID
    case_number: str
    needs: CaseNeeds
    product_name: str
    site_name: str
    on_site_clock_state: str | None
    candidates_total: int
    items: list[RankedTechnician]


def ranking_settings() -> RankingSettings:
    """The travel assumptions; settings may override each (DISPATCH_* names)."""
    defaults = RankingSettings()
    return RankingSettings(
        average_speed_kmh=float(
            getattr(settings, "DISPATCH_AVERAGE_SPEED_KMH", defaults.average_speed_kmh)
        ),
        departure_delay_minutes=int(
            getattr(settings, "DISPATCH_DEPARTURE_DELAY_MINUTES", defaults.departure_delay_minutes)
        ),
        same_region_drive_minutes=int(
            getattr(settings, "DISPATCH_SAME_REGION_DRIVE_MINUTES",
                    defaults.same_region_drive_minutes)
        ),
        other_region_drive_minutes=int(
            getattr(settings, "DISPATCH_OTHER_REGION_DRIVE_MINUTES",
                    defaults.other_region_drive_minutes)
        ),
        distance_zero_km=float(
            getattr(settings, "DISPATCH_DISTANCE_ZERO_KM", defaults.distance_zero_km)
        ),
    )


def get_case_for_dispatch(actor: User, case_id: Any, *, roles: Iterable[str], doing: str) -> Case:
    """The case with its site, asset and product, if the actor may see it (404 otherwise) and
    has one of `roles` (403 otherwise; after the 404, so ids of other customers leak nothing)."""
    case = get_scoped_or_404(
        Case.objects.select_related("site", "asset__product", "asset__site"),
        actor,
        customer_field="customer_id",
        what="case",
        pk=case_id,
    )
    require_role(actor, roles, doing=doing)
    return case


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def site_and_product(case: Case) -> tuple[Site | None, Product | None]:
    """The case's site (its own, else its asset's) and its asset's product."""
    asset = case.asset
    site = case.site or (asset.site if asset is not None else None)
    return site, asset.product if asset is not None else None


def case_needs(case: Case, *, now: dt.datetime) -> tuple[CaseNeeds, str | None]:
    """What the case asks for, and the state of its on-site clock (None without one).

    The coordinates count only as a pair.
    """
    site, product = site_and_product(case)
    clock = (
        CaseClock.objects.filter(case=case, target=ClockTarget.ON_SITE)
        .values_list("state", "due_at")
        .first()
    )
    state, due_at = clock if clock is not None else (None, None)
    latitude = _float(site.latitude) if site else None
    longitude = _float(site.longitude) if site else None
    if latitude is None or longitude is None:
        latitude = longitude = None
    needs = CaseNeeds(
        now=now,
        product_id=product.pk if product else None,
        product_category=product.category if product else "",
        latitude=latitude,
        longitude=longitude,
        region=site.region if site else "",
        on_site_due_at=due_at if state in DEADLINE_STATES else None,
    )
    return needs, state


def open_work_order_counts() -> dict[int, int]:
    """Open work orders per technician (user id), in one grouped query.

    Served by workorder_tech_status_idx (technician, status): the groups come in index order.
    """
    rows = (
        WorkOrder.objects.filter(status__in=sorted(OPEN_WORK_ORDER_STATUSES), technician__isnull=False)
        .order_by()
        .values("technician_id")
        .annotate(open_count=Count("*"))
        .values_list("technician_id", "open_count")
    )
    return {technician_id: count for technician_id, count in rows if technician_id is not None}


def dispatch_candidates(*, now: dt.datetime, product_id: uuid.UUID | None = None) -> list[Candidate]:
    """Every active technician as ranking sees them: skills, base, duty and load.

    `product_ids` holds only `product_id`, for those who have it: the one product a ranking
    asks about, so that a technician's other products are never read. A technician has it
    through the roster profile's products, or through a valid qualification for it (training).

    The same technicians as `roster.selectors.technicians_for()` (active profile, active user),
    read as plain values: that selector builds three model instances per technician, which for
    2,000 technicians alone takes longer than the 100 ms a ranking may take.
    """
    rows = list(
        Technician.objects.filter(is_active=True, user__is_active=True)
        .annotate(
            latitude=Cast("base_latitude", FloatField()),
            longitude=Cast("base_longitude", FloatField()),
        )
        .order_by("user__username")
        .values_list(
            "pk", "user_id", "user__username", "user__first_name", "user__last_name",
            "team__code", "region", "latitude", "longitude", "product_categories",
            "max_concurrent_work_orders",
        )
    )
    skilled: set[uuid.UUID] = set()
    if product_id is not None:
        # Skilled by the roster profile or by a valid qualification: one query for both.
        by_profile = (
            Technician.products.through.objects.filter(product_id=product_id)
            .order_by()
            .values_list("technician_id", flat=True)
        )
        by_qualification = (
            Technician.objects.filter(
                user_id__in=valid_qualifications(product_id, now).order_by().values("user_id")
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        skilled = set(by_profile.union(by_qualification))
    has_product = frozenset({product_id}) if product_id is not None else frozenset()
    on_duty = on_duty_user_ids(at=now)
    load = open_work_order_counts()
    return [
        Candidate(
            technician_id=technician_id,
            user_id=user_id,
            # As User.get_full_name(), falling back to the username like the roster does.
            name=f"{first_name} {last_name}".strip() or username,
            username=username,
            team_code=team_code,
            region=region,
            latitude=latitude,
            longitude=longitude,
            product_ids=has_product if technician_id in skilled else frozenset(),
            # Categories are stored as text by the roster; anything else never matches one.
            product_categories=frozenset(categories or ()),
            is_on_duty=user_id in on_duty,
            open_work_orders=load.get(user_id, 0),
            capacity=capacity,
        )
        for (technician_id, user_id, username, first_name, last_name, team_code, region, latitude,
             longitude, categories, capacity) in rows
    ]


def rank_technicians(
    *,
    actor: User,
    case_id: Any,
    now: dt.datetime | None = None,
    limit: int = 20,
    ranking: RankingSettings | None = None,
) -> Ranking:
    """The technicians for a case, best first (rules in `dispatch.ranking`), at most `limit`."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            _("limit 须在 1 到 %(max)s 之间") % {"max": MAX_LIMIT}, field="limit"
        )
    if now is not None:
        require_aware(now, field="now")
    now = now or timezone.now()
    case = get_case_for_dispatch(actor, case_id, roles=READ_ROLES, doing=_("查看派工候选人"))
    needs, clock_state = case_needs(case, now=now)
    candidates = dispatch_candidates(now=now, product_id=needs.product_id)
    site, product = site_and_product(case)
    return Ranking(
        case_id=case.pk,
        case_number=case.number,
        needs=needs,
        product_name=str(product) if product else "",
        site_name=site.name if site else "",
        on_site_clock_state=clock_state,
        candidates_total=len(candidates),
        items=rank(needs, candidates, settings=ranking or ranking_settings(), limit=limit),
    )
