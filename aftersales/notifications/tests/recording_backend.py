from __future__ import annotations

from typing import Any

from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

# Whether a transaction was open on the default database at each send (reset by the test).
open_transaction_at_send: list[bool] = []


class RecordingBackend(EmailBackend):
    """The test mailbox backend that also notes whether the sender held a transaction open."""

    def send_messages(self, messages: Any) -> int:
        open_transaction_at_send.append(connection.in_atomic_block)
        return super().send_messages(messages)
