"""The SQLite backend queues writers on a file lock (aftersales.core.db.sqlite3)."""

from __future__ import annotations

import copy
import threading
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is SQLite's"),
]


def _wrapper(alias: str, timeout: float):
    from aftersales.core.db.sqlite3.base import DatabaseWrapper

    settings = copy.deepcopy(connection.settings_dict)
    settings["OPTIONS"]["timeout"] = timeout
    wrapper = DatabaseWrapper(settings, alias=alias)
    wrapper.ensure_connection()
    return wrapper


def test_a_second_writer_waits_for_the_first_and_is_let_in_as_soon_as_it_ends():
    first, second = _wrapper("first", 5), _wrapper("second", 5)
    try:
        first._start_transaction_under_autocommit()
        released_at: list[float] = []

        def finish_first() -> None:
            time.sleep(0.2)
            released_at.append(time.monotonic())
            first._commit()

        threading.Thread(target=finish_first).start()
        started = time.monotonic()
        second._start_transaction_under_autocommit()
        entered = time.monotonic()
        second._commit()
        assert entered - started >= 0.19
        assert entered - released_at[0] < 0.05
    finally:
        first.close()
        second.close()


def test_a_writer_gives_up_after_its_timeout_with_database_is_locked():
    first, second = _wrapper("first", 5), _wrapper("second", 0.1)
    try:
        first._start_transaction_under_autocommit()
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            second._start_transaction_under_autocommit()
        assert 0.09 <= time.monotonic() - started < 1
        first._rollback()
        second._start_transaction_under_autocommit()  # free again after a rollback
        second._rollback()
    finally:
        first.close()
        second.close()
