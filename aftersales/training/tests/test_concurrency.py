"""Registrations and grants under real concurrency: each thread has its own connection. On
PostgreSQL the registrations wait on the session's row lock; on SQLite they queue on the write
lock. Either way the last seat is taken once and a qualification is granted once."""

from __future__ import annotations

from collections import Counter

import pytest

from aftersales.accounts.models import Role
from aftersales.core.tests.concurrency import run_together
from aftersales.training import services
from aftersales.training.models import Qualification, TrainingAttendance

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)




def test_three_people_racing_for_two_seats_book_two(manager, make_session, make_user):
    # given
    session = make_session(capacity=2)
    people = [make_user(f"eng{index}", Role.ENGINEER) for index in range(3)]

    def register(index):
        services.training_attendee_register(actor=manager, session_id=session.pk, user_id=people[index].pk)
        return "ok"

    # when
    outcomes = run_together(3, register)
    # then
    assert Counter(outcomes) == {"ok": 2, "session_full": 1}
    assert TrainingAttendance.objects.filter(session=session).count() == 2


def test_two_concurrent_grants_make_one_qualification(manager, admin, bob, rsu):
    actors = [manager, admin]
    outcomes = run_together(2, lambda index: services.qualification_grant(
        actor=actors[index], user_id=bob.pk, product_id=rsu.pk)[1])
    assert sorted(outcomes) == [False, True]
    assert Qualification.objects.filter(user=bob, product=rsu).count() == 1
