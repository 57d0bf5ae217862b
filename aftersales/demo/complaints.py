"""Demo complaints (投诉): one closed after its corrective action was verified, one still open
with an overdue preventive action; and last month's service-quality evaluations."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.cases import services as case_services
from aftersales.complaints import services
from aftersales.customers.models import Customer


def load_complaints(*, staff: dict[str, User]) -> None:
    """Call after the field service (teams and technicians exist)."""
    now = timezone.now()
    agent, dispatcher, manager = staff["agent"], staff["dispatcher"], staff["manager"]

    # Closed: the engineer came late; the dispatcher changed how night calls are assigned.
    filed = now - dt.timedelta(days=20)
    late, _created = services.complaint_file(
        actor=agent, customer_id=Customer.objects.get(code="xjgl-kashi").pk, channel="phone",
        severity="serious", title="工程师到场严重超时",
        description="客户反映：喀什站 OTN 故障报修后，工程师比约定时间晚到 3 小时，影响夜间通行。",
        subject_technician_id=staff["engineer2"].pk, now=filed,
    )
    case_services.case_acknowledge(actor=agent, case_id=late.case_id, now=filed + dt.timedelta(minutes=40))
    services.complaint_set_root_cause(
        actor=manager, complaint_id=late.pk, category="response_delay",
        text="夜间派工仍按白天路线估算到场时间，未考虑南疆夜间路况与值班工程师所在位置。",
        now=filed + dt.timedelta(hours=5),
    )
    action = services.action_add(
        actor=manager, complaint_id=late.pk, kind="corrective", owner_id=dispatcher.pk,
        description="夜间派工改为按值班工程师实时位置估算到场时间，超出承诺时提前告知客户。",
        due_on=timezone.localdate(filed + dt.timedelta(days=7)), now=filed + dt.timedelta(hours=5),
    )
    services.action_complete(actor=dispatcher, action_id=action.pk, note="派工规则已更新并培训调度员",
                             now=filed + dt.timedelta(days=5))
    services.action_verify(actor=manager, action_id=action.pk, note="抽查近两周夜间派工 12 单，均按时到场",
                           now=filed + dt.timedelta(days=12))
    case_services.case_resolve(actor=agent, case_id=late.case_id, resolution="已向客户致歉并说明整改措施",
                               now=filed + dt.timedelta(days=12, hours=1))
    case_services.case_confirm_closure(actor=agent, case_id=late.case_id,
                                       note="机电科负责人电话确认整改有效，同意关闭",
                                       now=filed + dt.timedelta(days=13))

    # Open: a repeat fault after a repair; the preventive action is overdue.
    filed = now - dt.timedelta(days=10)
    repeat, _created = services.complaint_file(
        actor=agent, customer_id=Customer.objects.get(code="xjjt-urumqi").pk, channel="phone",
        title="RSU 维修后一周内再次故障", subject_technician_id=staff["engineer"].pk,
        description="客户反映：乌鲁木齐北收费站 RSU 上周维修后再次掉线，要求说明原因。", now=filed,
    )
    case_services.case_acknowledge(actor=agent, case_id=repeat.case_id, now=filed + dt.timedelta(hours=2))
    services.complaint_set_root_cause(
        actor=manager, complaint_id=repeat.pk, category="workmanship",
        text="天线馈线接头未按规范做防水处理，雨后受潮导致信号衰减。", now=filed + dt.timedelta(days=1),
    )
    services.action_add(
        actor=manager, complaint_id=repeat.pk, kind="preventive", owner_id=staff["engineer"].pk,
        description="排查全部 RSU 馈线接头防水，并把防水处理加入维修检查表。",
        due_on=timezone.localdate(now - dt.timedelta(days=3)), now=filed + dt.timedelta(days=1),
    )

    services.evaluations_snapshot_last_month(now=now)
