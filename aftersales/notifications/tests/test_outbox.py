from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from aftersales.notifications.models import OutboxMessage, OutboxStatus
from aftersales.notifications.services import Notification, outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db


def _note(key="k1"):
    return Notification(key=key, recipient="ops@example.invalid", subject="超时", body="正文")


def test_the_same_key_is_written_once():
    outbox_enqueue(notifications=[_note(), _note()])
    outbox_enqueue(notifications=[_note()])
    assert OutboxMessage.objects.count() == 1


def _failing_change():
    with transaction.atomic():
        outbox_enqueue(notifications=[_note()])
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_leaves_no_notification():
    with pytest.raises(RuntimeError):
        _failing_change()
    assert not OutboxMessage.objects.exists()


def test_a_failing_transport_is_retried_later_then_given_up(settings):
    settings.EMAIL_BACKEND = "aftersales.notifications.tests.failing_backend.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    outbox_enqueue(notifications=[_note()])
    assert outbox_deliver() == 0
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 1, "ConnectionRefusedError")
    assert outbox_deliver(now=message.next_attempt_at) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)


def test_delivery_sends_pending_messages_once():
    outbox_enqueue(notifications=[_note("a"), _note("b")])
    assert outbox_deliver() == 2
    assert outbox_deliver() == 0
    assert [m.subject for m in mail.outbox] == ["超时", "超时"]
