"""Transactional outbox: enqueue inside the caller's transaction, deliver from workers."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
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
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    from_email: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


def fixed_message_id(key: str) -> str:
    """The Message-ID of the e-mail with this outbox key: the same for every write and every
    retry of the same notification."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.MAIL_MESSAGE_ID_DOMAIN}>"


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
            message_id=n.message_id or (fixed_message_id(n.key) if n.channel == "email" else ""),
            in_reply_to=n.in_reply_to,
            references=n.references,
            from_email=n.from_email,
            headers=dict(n.headers),
            next_attempt_at=now,
            created_at=now,
        )
        for n in notifications
        if n.recipient
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _email(message: OutboxMessage) -> EmailMessage:
    headers = dict(message.headers or {})
    if message.message_id:
        headers["Message-ID"] = message.message_id
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    return EmailMessage(message.subject, message.body, message.from_email or settings.DEFAULT_FROM_EMAIL,
                        [message.recipient], headers=headers)


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
                    _email(message).send(fail_silently=False)
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
