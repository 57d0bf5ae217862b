"""Transactional outbox: enqueue inside the caller's transaction, deliver from workers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from aftersales.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    key: str
    recipient: str
    subject: str
    body: str
    channel: str = "email"


def outbox_enqueue(*, notifications: Iterable[Notification]) -> int:
    """Write notifications in the caller's transaction; an existing key is skipped. Returns
    the number of notifications given (duplicates included)."""
    now = timezone.now()
    rows = [
        OutboxMessage(
            key=n.key,
            channel=n.channel,
            recipient=n.recipient,
            subject=n.subject[:300],
            body=n.body,
            next_attempt_at=now,
            created_at=now,
        )
        for n in notifications
        if n.recipient
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def outbox_deliver(*, batch_size: int = 100, now: dt.datetime | None = None) -> int:
    """Send due messages. Each is claimed under a row lock (skipped by other workers), sent,
    then marked; a crash between send and mark sends it again (at least once)."""
    now = now or timezone.now()
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at")[:batch_size]
            )
            if not batch:
                return delivered
            for message in batch:
                message.attempts += 1
                try:
                    send_mail(
                        message.subject,
                        message.body,
                        settings.DEFAULT_FROM_EMAIL,
                        [message.recipient],
                        fail_silently=False,
                    )
                except Exception as error:  # noqa: BLE001 - any transport failure is retried
                    message.last_error = type(error).__name__
                    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                        message.status = OutboxStatus.FAILED
                    message.next_attempt_at = now + _backoff(message.attempts)
                    logger.warning("outbox message %s failed: %s", message.pk, type(error).__name__)
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = timezone.now()
                    delivered += 1
            OutboxMessage.objects.bulk_update(
                batch, ["attempts", "status", "sent_at", "next_attempt_at", "last_error", "updated_at"]
            )
        if len(batch) < batch_size:
            return delivered
