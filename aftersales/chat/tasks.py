from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from aftersales.chat.services import chat_sessions_expire

# No lock_task: each session is re-checked under its row lock, so overlapping runs end it once.


@db_periodic_task(crontab(minute="*/5"))
def expire_idle_chats_periodically() -> int:
    return chat_sessions_expire()
