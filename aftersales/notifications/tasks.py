from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from aftersales.notifications.services import outbox_deliver

# No lock_task: each message is claimed on its own (outbox_claim), so runs that overlap never
# send one message twice. A Huey lock would also outlive a worker killed while holding it
# (SqliteHuey locks have no expiry), stopping delivery until the locks were flushed.


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_periodically() -> int:
    return outbox_deliver()


@db_task()
def deliver_outbox_now() -> int:
    return outbox_deliver()
