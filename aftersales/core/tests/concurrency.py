"""Running service calls at the same moment from several threads, each on its own database
connection, for the tests that prove a rule holds under real concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from aftersales.core.errors import Conflict


def run_together(count: int, target: Callable[[int], Any]) -> list[Any]:
    """Call target(0) … target(count - 1) in threads released together; answers what each
    returned, or the code of the Conflict it raised. Any other error fails the test."""
    barrier = threading.Barrier(count)
    outcomes: list[Any] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(target(index))
        except Conflict as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return outcomes
