from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.complaints.services import evaluations_snapshot_last_month


@db_periodic_task(crontab(day="1", hour="2", minute="30"))
@lock_task("complaints-quality-evaluation")
def evaluate_service_quality() -> int:
    """Store last month's service-quality evaluations; safe if run twice (unique per period)."""
    return evaluations_snapshot_last_month()
