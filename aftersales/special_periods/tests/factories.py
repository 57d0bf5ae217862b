"""Builders for the special-period tests: a spring-festival period in 2030, teams, depots."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.inspections.services import checklist_template_create
from aftersales.parts.models import Depot, Part
from aftersales.parts.services import depot_create, part_create, stock_receive
from aftersales.roster.models import Team
from aftersales.roster.services import team_create
from aftersales.special_periods import services
from aftersales.special_periods.models import SpecialPeriod

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Preparations happen in January; the period is the 2030 spring festival week.
NOW = "2030-01-20 10:00"
STARTS, ENDS = "2030-02-02 00:00", "2030-02-09 00:00"


def at(text: str) -> dt.datetime:
    """'2030-02-02 08:00' in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_team(code: str = "field-north", **kw: Any) -> Team:
    return team_create(code=code, name=kw.pop("name", "北区现场组"), kind="field", **kw)


def make_checklist(actor: Any, code: str = "spring") -> Any:
    return checklist_template_create(actor=actor, code=code, name="春节保障检查表", items=[
        {"label": "备用发电机试机", "kind": "pass_fail"},
        {"label": "应急备件到位", "kind": "pass_fail"},
    ])


def make_period(actor: Any, *, starts: str = STARTS, ends: str = ENDS, now: str = NOW, **kw: Any) -> SpecialPeriod:
    kw.setdefault("name", "2030 年春节保障")
    kw.setdefault("kind", "holiday")
    period, _created = services.period_create(actor=actor, starts_at=at(starts), ends_at=at(ends),
                                              now=at(now), **kw)
    return period


def make_depot(code: str = "bj-1") -> Depot:
    return depot_create(code=code, name=f"{code} 备件库")


def make_part(code: str = "RSU-ANT-01", *, depot: Depot | None = None, stock: int = 0) -> Part:
    part = part_create(code=code, name="RSU 天线板卡")
    if depot is not None and stock:
        stock_receive(actor=None, depot=depot, part=part, quantity=stock, reason="期初入库")
    return part
