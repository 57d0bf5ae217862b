"""Demo maintenance log books (维修保养记录): a month of sealed daily, weekly and monthly logs of
two toll stations, one correction, one log waiting for the owner's signature through the
e-mailed link and one draft — all through the services, signatures drawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.demo.field_service import demo_signature
from aftersales.maintenance import services as logs

DAILY = [  # problem, symptom, diagnosis, treatment, state after
    ("日常巡检：车道设备", "各车道设备运行正常", "无异常", "清洁读卡器、检查线缆", "正常"),
    ("日常巡检：机房环境", "机房温度 27℃ 偏高", "空调滤网积灰", "清洗滤网", "温度降至 23℃"),
    ("日常巡检：UPS", "UPS 告警灯闪烁", "电池自检提示内阻偏高", "记录数据，列入月度更换计划", "运行正常，持续观察"),
]


def load_maintenance(*, staff: dict[str, User], engineers: list[User], sites: list[Any], assets: dict[str, Any]) -> None:
    now = timezone.now()
    engineer = engineers[0]
    start = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=30)
    for site in sites:
        for day in range(0, 30, 3):
            problem, symptom, diagnosis, treatment, state_after = DAILY[day // 3 % len(DAILY)]
            kind = "monthly" if day == 0 else ("weekly" if day % 7 == 0 else "daily")
            _sealed(engineer, site, start + dt.timedelta(days=day), kind, problem=problem, symptom=symptom,
                    diagnosis=diagnosis, treatment=treatment, state_after=state_after,
                    parts_used="UPS 12V 蓄电池 ×2" if kind == "monthly" else "")
    first = sites[0]
    wrong = _sealed(engineer, first, start + dt.timedelta(days=29), "daily", problem="日常巡检：车道设备",
                    symptom="3 号车道栏杆机抬杆慢", diagnosis="电机皮带松", treatment="调整皮带", state_after="正常")
    correction = logs.maintenance_log_correct(actor=engineer, log_id=wrong.pk,
                                              treatment="调整皮带张紧度并更换皮带（原记录漏记更换）")
    _sign_both(engineer, correction)
    waiting = logs.maintenance_log_create(
        actor=engineer, site_id=first.pk, period_kind="daily", performed_at=now - dt.timedelta(hours=3),
        problem="日常巡检：情报板", symptom="情报板局部像素不亮", diagnosis="模组故障",
        treatment="更换 1 块 LED 模组", state_after="显示正常", time_spent_minutes=50)
    logs.maintenance_log_technician_sign(actor=engineer, log_id=waiting.pk, signature_png=demo_signature(),
                                         signer_name=engineer.first_name or engineer.username)
    logs.maintenance_log_send_owner_link(actor=engineer, log_id=waiting.pk, email="majg@xjjt.invalid")
    logs.maintenance_log_create(actor=engineers[1], site_id=first.pk, period_kind="daily",
                                performed_at=now - dt.timedelta(hours=1), problem="日常巡检：监控",
                                symptom="隧道 2 号摄像机画面偏暗")


def _sealed(engineer: User, site: Any, when: dt.datetime, kind: str, **content: str) -> Any:
    log = logs.maintenance_log_create(actor=engineer, site_id=site.pk, period_kind=kind, performed_at=when,
                                      time_spent_minutes=40, **content)
    return _sign_both(engineer, log, when + dt.timedelta(minutes=40))


def _sign_both(engineer: User, log: Any, when: dt.datetime | None = None) -> Any:
    logs.maintenance_log_technician_sign(actor=engineer, log_id=log.pk, signature_png=demo_signature(),
                                         signer_name=engineer.first_name or engineer.username, now=when)
    return logs.maintenance_log_owner_sign(actor=engineer, log_id=log.pk, signer_name="马建国",
                                           signature_png=demo_signature(), now=when)


def load_inspections(*, staff: dict[str, User], engineers: list[User], sites: list[Any], assets: dict[str, Any]) -> None:
    """A daily inspection of a toll station (working days, with its checklist), a monthly one of
    the tunnel's cameras, a holiday special-period plan; the scheduler's first run; one
    inspection done with a failed item (which opened a case), one left overdue."""
    from aftersales.inspections import services as inspections
    from aftersales.inspections.models import InspectionOccurrence, OccurrenceStatus

    manager = staff["manager"]
    now = timezone.now()
    inspections.checklist_template_create(actor=manager, code="toll-daily", name="收费站日常巡检表", items=[
        {"label": "车道设备运行正常", "kind": "pass_fail"},
        {"label": "机房温度", "kind": "number", "expected_min": "18", "expected_max": "28", "unit": "℃"},
        {"label": "UPS 输出电压", "kind": "number", "expected_min": "215", "expected_max": "225", "unit": "V"},
        {"label": "消防设施", "kind": "text", "expected_text": "完好"},
    ])
    inspections.checklist_template_create(actor=manager, code="holiday", name="节假日保障检查表", items=[
        {"label": "备用发电机试机", "kind": "pass_fail"},
        {"label": "应急备件到位", "kind": "pass_fail"},
    ])
    today = timezone.localdate(now)
    station, tunnel = sites[0], sites[1]
    daily = inspections.plan_create(actor=manager, name="乌鲁木齐北收费站日常巡检", frequency="daily",
                                    template_code="toll-daily", team_code="field-urumqi", site_id=station.pk,
                                    starts_on=today - dt.timedelta(days=3), day_basis="working",
                                    calendar_code="cn-office")
    inspections.plan_create(actor=manager, name="天山胜利隧道摄像机月度维护", frequency="monthly",
                            template_code="toll-daily", team_code="field-urumqi",
                            asset_ids=[assets["CAMHD-2404-1190"].pk], starts_on=today.replace(day=1))
    inspections.plan_create(actor=manager, name="元旦保障", frequency="daily", template_code="holiday",
                            team_code="field-urumqi", site_id=tunnel.pk, kind="holiday",
                            starts_on=dt.date(today.year + 1, 1, 1) - dt.timedelta(days=2),
                            ends_on=dt.date(today.year + 1, 1, 1))
    inspections.inspections_generate(now=now)
    done = (InspectionOccurrence.objects.filter(plan=daily, status=OccurrenceStatus.SCHEDULED)
            .order_by("scheduled_on").first())
    if done is not None:
        items = {i.label: i.pk for i in daily.template.items.all()}
        inspections.inspection_submit(actor=engineers[0], occurrence_id=done.pk, note="UPS 电压偏低，已报修", items=[
            {"item_id": items["车道设备运行正常"], "is_passed": True},
            {"item_id": items["机房温度"], "value": "24"},
            {"item_id": items["UPS 输出电压"], "value": "208"},
            {"item_id": items["消防设施"], "value": "完好"},
        ])
    inspections.occurrences_flag_overdue(now=now)
