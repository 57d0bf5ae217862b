"""Delivery one message at a time: a worker that dies leaves at most the message in its hands
to be sent again (after the lease, with the same Message-ID), and no transaction is open
while the mail server answers. The kill -9 test with real processes is in
aftersales/operations/tests/test_faults.py."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from aftersales.notifications.models import OutboxMessage, OutboxStatus
from aftersales.notifications.services import (
    Notification,
    outbox_claim,
    outbox_deliver,
    outbox_enqueue,
    outbox_mark,
)
from aftersales.notifications.tests import recording_backend


def _enqueue(*keys: str) -> None:
    outbox_enqueue(notifications=[Notification(key=key, recipient=f"{key}@example.invalid", subject="通知",
                                               body="正文") for key in keys])


@pytest.mark.django_db
def test_a_claimed_message_waits_for_its_lease_then_is_sent_again_with_its_message_id(settings):
    # given a worker that claimed a message and died before marking it
    settings.OUTBOX_LEASE_SECONDS = 120
    _enqueue("a", "b", "c")
    claimed = outbox_claim(now=OutboxMessage.objects.get(key="c").next_attempt_at)
    assert claimed is not None
    claimed.refresh_from_db()
    lease_end = claimed.next_attempt_at
    # when other workers deliver, before and after the lease
    before = outbox_deliver(now=lease_end - dt.timedelta(seconds=1))
    sent_before = [m.extra_headers["Message-ID"] for m in mail.outbox]
    after = outbox_deliver(now=lease_end)
    # then the others go at once, the claimed one only after its lease, once
    assert (before, after) == (2, 1)
    assert claimed.message_id not in sent_before
    assert mail.outbox[-1].extra_headers["Message-ID"] == claimed.message_id
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == (OutboxStatus.SENT, 2)
    assert outbox_deliver(now=lease_end + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_late_mark_of_a_worker_whose_lease_ran_out_changes_nothing():
    # given worker A's lease ran out and worker B took the message
    _enqueue("a")
    first = outbox_claim(now=OutboxMessage.objects.get().next_attempt_at)
    assert first is not None
    first_lease_end = OutboxMessage.objects.get().next_attempt_at
    second = outbox_claim(now=first_lease_end)
    assert second is not None
    # when A, then B, report
    late = outbox_mark(message=first, error=ConnectionResetError(), now=first_lease_end)
    on_time = outbox_mark(message=second, error=None, now=first_lease_end)
    # then only B's outcome counts
    assert (late, on_time) == (False, True)
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")


@pytest.mark.django_db
def test_a_message_whose_attempts_ran_out_in_dead_workers_is_given_up_and_the_others_are_sent(settings):
    # given a message two workers claimed and died with (two attempts allowed)
    settings.OUTBOX_MAX_ATTEMPTS = 2
    _enqueue("poison")
    moment = OutboxMessage.objects.get().next_attempt_at
    for _attempt in range(2):
        assert outbox_claim(now=moment) is not None
        moment = OutboxMessage.objects.get().next_attempt_at
    _enqueue("fine")
    # when
    sent = outbox_deliver(now=moment)
    # then
    assert sent == 1
    assert dict(OutboxMessage.objects.values_list("key", "status")) == {
        "poison": OutboxStatus.FAILED, "fine": OutboxStatus.SENT}
    assert OutboxMessage.objects.get(key="poison").last_error == "abandoned"
    assert [m.to for m in mail.outbox] == [["fine@example.invalid"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_transaction_is_open_while_the_mail_server_answers(settings):
    # given (SQLite: an open write transaction would hold every other writer up)
    settings.EMAIL_BACKEND = "aftersales.notifications.tests.recording_backend.RecordingBackend"
    recording_backend.open_transaction_at_send.clear()
    _enqueue("a", "b")
    # when
    assert outbox_deliver() == 2
    # then
    assert recording_backend.open_transaction_at_send == [False, False]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class _SessionCounter:
    sessions: int = 0
    messages: list[bytes] = field(default_factory=list)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,  # noqa: N802 - aiosmtpd's name
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def counting_smtp(settings: Any) -> Iterator[_SessionCounter]:
    handler = _SessionCounter()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


@pytest.mark.django_db
def test_one_smtp_connection_serves_a_whole_run(counting_smtp):
    _enqueue(*(f"m{n}" for n in range(5)))
    assert outbox_deliver() == 5
    assert (counting_smtp.sessions, len(counting_smtp.messages)) == (1, 5)
