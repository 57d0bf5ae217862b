from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.surveys.services import return_visits_generate


@db_periodic_task(crontab(minute="20"))
@lock_task("return-visits-generate")
def generate_return_visits() -> int:
    """Make the return visits of the current period; safe if run twice (unique per period)."""
    return return_visits_generate()
