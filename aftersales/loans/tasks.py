from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.loans.services import loans_flag_overdue, propose_substitutes


@db_periodic_task(crontab(minute="*/5"))
@lock_task("substitute-proposals")
def scan_substitute_proposals() -> int:
    return propose_substitutes()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("overdue-loans")
def scan_overdue_loans() -> int:
    return loans_flag_overdue()
