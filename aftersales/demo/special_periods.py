"""Demo special periods (特殊时期保障): the coming 春节保障 being prepared — its own checklist,
extra duty with one night still uncovered, a pre-inspection before the holiday, spare parts
(one of them short in the depot), a generator, a vehicle and a person on stand-by — and a
暴雪应急保障 running now. Made through the services, after the roster, depots and parts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.parts.models import Depot, Part
from aftersales.special_periods import services

# 正月初一 of the coming years.
SPRING_FESTIVAL = [dt.date(2026, 2, 17), dt.date(2027, 2, 6), dt.date(2028, 1, 26), dt.date(2029, 2, 13),
                   dt.date(2030, 2, 3), dt.date(2031, 1, 23), dt.date(2032, 2, 11), dt.date(2033, 1, 31)]
# The demo roster is filled for the next two weeks; the holiday's extra duty must not meet it.
ROSTER_FILLED = dt.timedelta(days=16)


def _festival(today: dt.date) -> dt.date:
    coming = [day for day in SPRING_FESTIVAL if day - dt.timedelta(days=1) > today + ROSTER_FILLED]
    return coming[0] if coming else today + dt.timedelta(days=60)


def load_special_periods(*, staff: dict[str, User], sites: list[Any], assets: dict[str, Any]) -> None:
    manager = staff["manager"]
    now = timezone.now()
    zone = timezone.get_current_timezone()
    festival = _festival(timezone.localdate(now))
    starts_at = dt.datetime.combine(festival - dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    ends_at = starts_at + dt.timedelta(days=8)
    spring, _created = services.period_create(
        actor=manager, name=f"{festival.year} 年春节保障", kind="holiday", starts_at=starts_at, ends_at=ends_at,
        customer_id=sites[0].customer_id if sites else None, site_ids=[site.pk for site in sites],
        team_codes=["field-urumqi", "hotline"], now=now,
        note="除夕至正月初七：收费站 7×24 保障，故障 30 分钟内响应，重大故障经理到场。",
    )
    services.period_checklist_create(actor=manager, period_id=spring.pk, name="春节保障检查表", now=now, items=[
        {"label": "备用发电机试机（空载 15 分钟）", "kind": "pass_fail"},
        {"label": "UPS 电池放电测试", "kind": "pass_fail"},
        {"label": "机房温度", "kind": "number", "expected_min": "18", "expected_max": "28", "unit": "℃"},
        {"label": "应急备件到位", "kind": "pass_fail"},
        {"label": "车道设备运行正常", "kind": "pass_fail"},
    ])
    # Extra duty: 12-hour shifts for the field group and the hotline; the field group's last
    # evening is still open, which the readiness panel shows as a gap.
    first_morning = starts_at + dt.timedelta(hours=8)
    shifts = [("hotline", staff["dispatcher"], starts_at, first_morning),
              ("field-urumqi", staff["engineer2"], starts_at, first_morning)]
    for day in range(8):
        morning = first_morning + dt.timedelta(days=day)
        evening = morning + dt.timedelta(hours=12)
        night_end = min(evening + dt.timedelta(hours=12), ends_at)
        shifts += [("hotline", staff["agent"], morning, evening), ("hotline", staff["dispatcher"], evening, night_end),
                   ("field-urumqi", staff["engineer"], morning, evening)]
        if day < 7:
            shifts.append(("field-urumqi", staff["engineer2"], evening, night_end))
    for team_code, user, begin, end in shifts:
        services.period_duty_add(actor=manager, period_id=spring.pk, team_code=team_code, user_id=user.pk,
                                 starts_at=begin, ends_at=end, note="春节值班", now=now)
    if sites:
        services.period_plan_add(actor=manager, period_id=spring.pk, team_code="field-urumqi",
                                 name=f"{sites[0].name}节前保障巡检", site_id=sites[0].pk,
                                 starts_on=festival - dt.timedelta(days=6), ends_on=festival - dt.timedelta(days=2),
                                 now=now)
    depot = Depot.objects.filter(code="urumqi").first()
    for code, quantity in (("RSU-ANT-01", 4), ("UPS-BAT-12", 30)):
        part = Part.objects.filter(code=code).first()
        if depot is not None and part is not None:
            services.period_resource_add(actor=manager, period_id=spring.pk, kind="spare_part", part_id=part.pk,
                                         depot_id=depot.pk, quantity=quantity, now=now)
    rsu = Product.objects.filter(model="RSU-5800").first()
    if rsu is not None:
        services.period_resource_add(actor=manager, period_id=spring.pk, kind="substitute_unit", product_id=rsu.pk,
                                     depot_id=depot.pk if depot else None, quantity=1, now=now)
    services.period_resource_add(actor=manager, period_id=spring.pk, kind="generator",
                                 description="30kW 移动柴油发电机", quantity=1,
                                 location=sites[0].name if sites else "乌鲁木齐中心备件库",
                                 note="油料加满，备用 200L 柴油", now=now)
    services.period_resource_add(actor=manager, period_id=spring.pk, kind="vehicle", description="抢修工程车（新A·G1234）",
                                 location="乌鲁木齐中心备件库", note="已换雪地胎，随车防滑链", now=now)
    services.period_resource_add(actor=manager, period_id=spring.pk, kind="technician", person_id=staff["expert"].pk,
                                 location="远程", note="技术专家电话待命", now=now)

    # A snowstorm now: the existing roster covers it; no pre-inspection was possible.
    storm_start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=6)
    storm, _created = services.period_create(
        actor=manager, name="天山胜利隧道暴雪应急保障", kind="severe_weather", starts_at=storm_start,
        ends_at=storm_start + dt.timedelta(days=2), site_ids=[site.pk for site in sites[1:2]],
        team_codes=["field-urumqi"], now=now, note="气象台发布暴雪橙色预警，隧道口除雪与供电保障。",
    )
    services.period_resource_add(actor=manager, period_id=storm.pk, kind="generator", description="15kW 发电机",
                                 location=sites[1].name if len(sites) > 1 else "", now=now)
    services.period_transition(actor=manager, period_id=storm.pk, action="activate", now=now)
