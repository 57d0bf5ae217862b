"""Builders for work-order tests: cases, work orders in any status, images."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image, ImageDraw

from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderStatus

T0 = at("2026-11-02 10:00")


def signature_png(width: int = 400, height: int = 160, *, blank: bool = False, transparent: bool = True) -> bytes:
    """A drawn signature as a canvas exports it: dark strokes on a transparent (or white) pad."""
    background = (0, 0, 0, 0) if transparent else (255, 255, 255, 255)
    image = Image.new("RGBA", (width, height), background)
    if not blank:
        draw = ImageDraw.Draw(image)
        draw.line([(20, height - 40), (width // 3, 30), (width // 2, height - 30), (width - 30, 40)],
                  fill=(20, 20, 80, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def photo_bytes(format: str = "JPEG") -> bytes:
    image = Image.new("RGB", (64, 48), (120, 140, 160))
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def open_case(agent: Any, customer: Any, *, when: dt.datetime = T0, **fields: Any) -> Any:
    fields.setdefault("impact", "outage")
    case, _created = case_services.case_open(
        actor=agent, customer_id=customer.pk, channel="phone", category="fault", title="收费车道 ETC 天线故障",
        now=when, **fields,
    )
    return case


# How to bring a fresh work order into each status, as service calls after creation.
def _travel(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_start_travel(actor=actor, work_order_id=work_order.pk, now=when)


def _check_in(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_check_in(actor=actor, work_order_id=work_order.pk, now=when)


def _findings(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_record(actor=actor, work_order_id=work_order.pk, diagnosis="天线板卡损坏",
                               work_performed="更换天线板卡并复测", result="fixed", time_spent_minutes=45, now=when)


def _complete(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_complete(actor=actor, work_order_id=work_order.pk, now=when)


def _sign(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_sign(actor=actor, work_order_id=work_order.pk, signature_png=signature_png(),
                             signer_name="马建国", now=when)


def _close(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_close(actor=actor, work_order_id=work_order.pk, now=when)


def _cancel(actor: Any, work_order: WorkOrder, when: dt.datetime) -> None:
    services.work_order_cancel(actor=actor, work_order_id=work_order.pk, reason="客户已自行恢复", now=when)


PATHS = {
    WorkOrderStatus.SCHEDULED: [],
    WorkOrderStatus.TRAVELLING: [_travel],
    WorkOrderStatus.ON_SITE: [_travel, _check_in, _findings],
    WorkOrderStatus.WORK_DONE: [_travel, _check_in, _findings, _complete],
    WorkOrderStatus.SIGNED: [_travel, _check_in, _findings, _complete, _sign],
    WorkOrderStatus.CLOSED: [_travel, _check_in, _findings, _complete, _sign, _close],
    WorkOrderStatus.CANCELLED: [_cancel],
}


def work_order_in(status: str, *, actor: Any, case: Any, technician: Any, start: dt.datetime = T0) -> WorkOrder:
    work_order, _created = services.work_order_create(
        actor=actor, case_id=case.pk, kind="repair", technician_id=technician.pk,
        scheduled_for=start + dt.timedelta(hours=1), summary="更换 ETC 天线", now=start,
    )
    for minutes, step in enumerate(PATHS[status], start=1):
        step(actor, work_order, start + dt.timedelta(minutes=10 * minutes))
    work_order.refresh_from_db()
    assert work_order.status == status
    return work_order
