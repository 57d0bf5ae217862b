"""Builders for maintenance-log tests."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from aftersales.maintenance import services
from aftersales.maintenance.models import MaintenanceLog
from aftersales.workorders.tests.factories import signature_png

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def draft(actor: Any, site: Any, **fields: Any) -> MaintenanceLog:
    fields.setdefault("period_kind", "monthly")
    fields.setdefault("performed_at", T0)
    fields.setdefault("problem", "收费车道 ETC 天线信号弱")
    fields.setdefault("symptom", "车辆通过时偶发读卡失败")
    fields.setdefault("diagnosis", "天线馈线接头氧化")
    fields.setdefault("treatment", "更换馈线接头并重新校准")
    fields.setdefault("state_after", "读卡成功率恢复 99.9%")
    fields.setdefault("parts_used", "馈线接头 N-JK ×2")
    fields.setdefault("time_spent_minutes", 45)
    return services.maintenance_log_create(actor=actor, site_id=site.pk, **fields)


def technician_signed(actor: Any, site: Any, **fields: Any) -> MaintenanceLog:
    log = draft(actor, site, **fields)
    return services.maintenance_log_technician_sign(actor=actor, log_id=log.pk, signature_png=signature_png(),
                                                    signer_name="王工")


def sealed(actor: Any, site: Any, **fields: Any) -> MaintenanceLog:
    log = technician_signed(actor, site, **fields)
    return services.maintenance_log_owner_sign(actor=actor, log_id=log.pk, signer_name="马建国",
                                               signature_png=signature_png())


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """Drop the sealed-row triggers for the block (inside the test's transaction, which rolls
    back, so later tests see them again), to edit as an attacker with database access would."""
    guard = importlib.import_module("aftersales.maintenance.migrations.0002_refuse_sealed_changes")
    forward, backward = guard.STATEMENTS[connection.vendor]
    with connection.cursor() as cursor:
        for statement in backward:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in forward:
                cursor.execute(statement)
