"""A worker killed with -9 leaves its task locks behind (they never expire in SQLite or Redis
storage): the next worker to start clears them, so the sweep and the other periodic tasks run
again."""

from __future__ import annotations

from django.conf import settings
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey import HUEY


def test_a_starting_worker_clears_the_locks_a_killed_one_left():
    lock = HUEY.lock_task("sla-sweep")
    lock.__enter__()  # held, as by a worker killed in the middle of a sweep
    assert HUEY.is_locked("sla-sweep")
    config = ConsumerConfig(**settings.HUEY["consumer"])
    config.validate()
    HUEY.create_consumer(**config.values)
    assert not HUEY.is_locked("sla-sweep")
