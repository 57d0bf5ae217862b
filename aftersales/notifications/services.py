"""Transactional outbox: enqueue inside the caller's transaction, deliver from workers."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
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


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _send_timeout() -> float:
    """Seconds one SMTP operation may wait: well inside the lease, so a hung mail server makes
    the attempt fail before another worker may take the message."""
    return max(1.0, settings.OUTBOX_LEASE_SECONDS / 4)


def outbox_claim(*, now: dt.datetime) -> OutboxMessage | None:
    """Take the next due message for one attempt, in a short transaction of its own: under a
    row lock other workers skip (PostgreSQL; SQLite's writer lock serialises the claim), count
    the attempt and move next_attempt_at one lease ahead. A worker that dies before marking the
    message leaves it to be taken again once the lease is over: only the message a worker has
    in hand can be sent twice, and it keeps its Message-ID. A message whose attempts are used
    up (its workers died) is given up instead."""
    with transaction.atomic():
        candidates = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
        )
        # The lease runs from the real time: `now` may be earlier (a long run) or later (tests).
        moment = max(now, timezone.now())
        while (message := candidates.first()) is not None:
            message.updated_at = moment
            if message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                message.attempts += 1
                message.next_attempt_at = moment + _lease()
                message.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
                return message
            message.status = OutboxStatus.FAILED
            message.last_error = "abandoned"
            message.save(update_fields=["status", "last_error", "updated_at"])
            logger.warning("outbox message %s given up after %s attempts", message.pk, message.attempts)
    return None


def outbox_mark(*, message: OutboxMessage, error: Exception | None, now: dt.datetime) -> bool:
    """Record the attempt the claim counted: sent, or failed (retried after a backoff, given up
    after OUTBOX_MAX_ATTEMPTS). Nothing is written when another worker has taken the message
    since (the lease ran out). Returns whether the message is now sent."""
    moment = max(now, timezone.now())
    changes: dict[str, object] = {"updated_at": moment}
    if error is None:
        changes.update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    else:
        changes["last_error"] = type(error).__name__
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            changes["status"] = OutboxStatus.FAILED
        changes["next_attempt_at"] = moment + _backoff(message.attempts)
        logger.warning("outbox message %s failed: %s", message.pk, type(error).__name__)
    marked = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts
    ).update(**changes)
    return bool(marked) and error is None


def outbox_deliver(*, now: dt.datetime | None = None) -> int:
    """Send the messages due at `now` one at a time: claim (one short transaction), send
    outside any transaction, mark (another). A crash between the send and the mark sends that
    one message again after the lease, with the same Message-ID; no transaction is open while
    the mail server answers, so on SQLite other writers never wait for it. One SMTP connection
    serves the whole run. Returns how many messages were sent."""
    now = now or timezone.now()
    delivered = 0
    connection = get_connection(timeout=_send_timeout())
    try:
        while True:
            message = outbox_claim(now=now)
            if message is None:
                return delivered
            error: Exception | None = None
            try:
                # Opened here, not by send(): a connection send() opens, it also closes.
                connection.open()
                email = _email(message)
                email.connection = connection
                email.send(fail_silently=False)
            except Exception as failure:  # noqa: BLE001 - any transport failure is retried
                error = failure
                _close_quietly(connection)  # the next message starts on a fresh connection
            delivered += outbox_mark(message=message, error=error, now=now)
    finally:
        _close_quietly(connection)
    return delivered


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110 - a broken connection is dropped either way
        pass
