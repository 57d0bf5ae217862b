"""Dispatch test data: candidates as plain values, and technicians, sites and cases in the database.

Places: the site is the Beijing north toll station; one degree of latitude is 111.195 km.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import Role
from aftersales.accounts.services import user_create
from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.dispatch.ranking import Candidate, CaseNeeds
from aftersales.roster.models import Technician
from aftersales.roster.services import technician_create

T0 = at("2026-11-02 10:00")
SITE_LATITUDE, SITE_LONGITUDE = 39.9, 116.4
KM_PER_DEGREE_LATITUDE = 111.195
PRODUCT_ID = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
OTHER_PRODUCT_ID = uuid.UUID("00000000-0000-0000-0000-0000000000bb")


def needs(**fields: Any) -> CaseNeeds:
    """A case at the site, for the product (category 路侧单元), due on site 4 hours after T0."""
    values: dict[str, Any] = dict(
        now=T0, product_id=PRODUCT_ID, product_category="路侧单元", latitude=SITE_LATITUDE,
        longitude=SITE_LONGITUDE, region="北京", on_site_due_at=T0 + dt.timedelta(hours=4),
    )
    values.update(fields)
    return CaseNeeds(**values)


def candidate(name: str, number: int = 1, *, km_north: float | None = None, **fields: Any) -> Candidate:
    """A technician `km_north` kilometres due north of the site (no coordinates when None)."""
    values: dict[str, Any] = dict(
        technician_id=uuid.UUID(int=number), user_id=number, name=name, region="北京",
        capacity=5,
    )
    if km_north is not None:
        values.update(latitude=SITE_LATITUDE + km_north / KM_PER_DEGREE_LATITUDE,
                      longitude=SITE_LONGITUDE)
    values.update(fields)
    return Candidate(**values)


def make_technician(username: str, *, role: str = Role.ENGINEER, km_north: float | None = None,
                    **fields: Any) -> Technician:
    user = user_create(username=username, password="correct-horse-42", role=role,  # noqa: S106
                       email=f"{username}@example.invalid", first_name=fields.pop("first_name", ""))
    if km_north is not None:
        fields["base_latitude"] = Decimal(str(round(SITE_LATITUDE + km_north / KM_PER_DEGREE_LATITUDE, 6)))
        fields["base_longitude"] = Decimal(str(SITE_LONGITUDE))
    fields.setdefault("region", "北京")
    return technician_create(user_id=user.pk, **fields)


def open_case(agent: Any, customer: Any, *, when: dt.datetime = T0, **fields: Any) -> Any:
    """A P1 outage (on diamond: on site within 4 hours, 7x24)."""
    fields.setdefault("impact", "outage")
    case, _created = case_services.case_open(
        actor=agent, customer_id=customer.pk, channel="phone", category="fault",
        title="收费车道 ETC 天线故障", now=when, **fields,
    )
    return case
