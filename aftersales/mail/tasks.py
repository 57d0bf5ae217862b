from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from aftersales.mail.services import mailboxes_poll


@db_periodic_task(crontab(minute="*"))
@lock_task("mail-poll")
def poll_mailboxes_periodically() -> int:
    # One poller at a time: two would fetch the same UIDs (harmless, deduped, but wasted).
    return mailboxes_poll()
