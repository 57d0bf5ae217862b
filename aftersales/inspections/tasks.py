from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.inspections.services import inspections_generate, occurrences_flag_overdue


@db_periodic_task(crontab(minute="*/5"))
@lock_task("inspections-generate")
def generate_inspections() -> tuple[int, int]:
    """Plan occurrences up to the horizon and dispatch the due ones; safe if run twice."""
    return inspections_generate()


@db_periodic_task(crontab(minute="*"))
@lock_task("inspections-overdue")
def flag_overdue_inspections() -> int:
    return occurrences_flag_overdue()
