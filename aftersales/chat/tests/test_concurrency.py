"""Races with real transactions: a double start opens one chat; one message posted twice at the
same moment (a retry racing the original) is stored and recorded on the case once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from aftersales.cases.models import Case, CaseEvent
from aftersales.chat.models import ChatMessage, ChatSession
from aftersales.chat.services import chat_message_post, chat_session_start

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _race(count: int, work: Callable[[], Any]) -> tuple[list[Any], list[Exception]]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_two_starts_at_the_same_moment_open_one_chat_and_one_case(alice):
    # when
    results, errors = _race(3, lambda: chat_session_start(actor=alice))
    # then
    assert errors == []
    assert sorted(created for _session, created in results) == [False, False, True]
    assert len({session.pk for session, _created in results}) == 1
    assert (ChatSession.objects.count(), Case.objects.count()) == (1, 1)


def test_one_message_posted_twice_at_the_same_moment_is_stored_once(alice):
    # given
    session, _created = chat_session_start(actor=alice)
    # when
    results, errors = _race(3, lambda: chat_message_post(actor=alice, session_id=session.pk, body="栏杆不抬",
                                                         client_id="same"))
    # then
    assert errors == []
    assert sorted(created for _message, created in results) == [False, False, True]
    assert ChatMessage.objects.count() == 1
    assert CaseEvent.objects.filter(case_id=session.case_id, kind="customer_replied").count() == 1
