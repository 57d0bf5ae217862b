from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from aftersales.webhooks.services import deliveries_send


@db_periodic_task(crontab(minute="*"))
@lock_task("webhooks-deliver")
def deliver_webhooks_periodically() -> int:
    return deliveries_send()


@db_task()
def deliver_webhooks_now() -> int:
    return deliveries_send()
