from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.roster.models import Shift
from aftersales.roster.tests.factories import make_shift


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_overlapping_shifts_of_one_person_let_exactly_one_in(field_team, bob):
    # given four planners booking bob for overlapping nights at the same moment
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[Exception] = []

    def book(hour: int) -> None:
        try:
            barrier.wait()
            make_shift(field_team, bob, f"2026-11-02 {hour}:00", "2026-11-03 08:00")
            outcomes.append("added")
        except Conflict:
            outcomes.append("conflict")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(hour,)) for hour in (18, 19, 20, 21)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert errors == []
    assert sorted(outcomes) == ["added", "conflict", "conflict", "conflict"]
    assert Shift.objects.filter(user=bob).count() == 1
