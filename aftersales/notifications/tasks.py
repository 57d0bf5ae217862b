from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from aftersales.notifications.services import outbox_deliver


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-deliver")
def deliver_outbox_periodically() -> int:
    return outbox_deliver()


@db_task()
def deliver_outbox_now() -> int:
    return outbox_deliver()
