from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.roster.services import alert_out_of_hours_cases, flag_roster_gaps


@db_periodic_task(crontab(minute="*"))
@lock_task("roster-out-of-hours")
def alert_out_of_hours() -> tuple[int, int]:
    result = alert_out_of_hours_cases()
    return result.cases, result.notifications


# Early enough for the managers to fill tonight's holes during the working day.
@db_periodic_task(crontab(minute="0", hour="7"))
@lock_task("roster-gaps")
def flag_gaps() -> tuple[int, int]:
    result = flag_roster_gaps()
    return result.gaps, result.notifications
