from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.parts.services import parts_delivery_sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("parts-delivery-sweep")
def sweep_parts_deliveries() -> int:
    return parts_delivery_sweep()
