"""Stock invariants under real concurrency: every thread has its own database connection.

On PostgreSQL the threads contend for the stock row lock; on SQLite they queue on the write
lock. Both must end with exact stock, never negative."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.parts import services
from aftersales.parts.models import Stock, StockMovement
from aftersales.parts.tests.factories import make_depot, make_part, make_work_order, stock_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run(count, target):
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(index):
        try:
            barrier.wait()
            target(index)
            outcomes.append("ok")
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
    return Counter(outcomes)


def test_fifty_parallel_issues_against_one_depot_end_with_exact_stock(agent, acme):
    # given 30 units, 5 of them reserved for the first work order
    depot, part = make_depot(), make_part()
    work_orders = [make_work_order(agent, acme) for _ in range(5)]
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=30)
    services.stock_reserve(
        actor=agent, depot=depot, part=part, quantity=5, work_order=work_orders[0]
    )

    # when 50 threads each issue one unit to the other work orders
    def issue(index):
        services.stock_issue(
            actor=agent, depot=depot, part=part, quantity=1, work_order=work_orders[1 + index % 4]
        )

    outcomes = _run(50, issue)
    # then exactly the 25 available were issued, the reservation is intact, nothing negative
    assert outcomes == {"ok": 25, "insufficient_stock": 25}
    assert stock_of(depot, part) == (5, 5, 0)
    assert StockMovement.objects.filter(kind="issue").count() == 25
    assert not Stock.objects.filter(on_hand__lt=0).exists()
    assert sorted(
        StockMovement.objects.filter(kind="issue").values_list("on_hand_after", flat=True)
    ) == list(range(5, 30))
    assert services.ledger_balance_check() == []


def test_concurrent_retries_with_one_key_move_stock_once(agent, acme):
    depot, part = make_depot(), make_part()
    work_order = make_work_order(agent, acme)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    results = []

    def issue(_index):
        results.append(
            services.stock_issue(
                actor=agent,
                depot=depot,
                part=part,
                quantity=4,
                work_order=work_order,
                idempotency_key="same",
                fingerprint="f",
            )
        )

    assert _run(6, issue) == {"ok": 6}
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert len({r.movements[0].pk for r in results}) == 1
    assert stock_of(depot, part) == (6, 0, 0)


def test_transfers_in_both_directions_at_once_never_deadlock_and_balance(agent):
    north, south, part = make_depot(), make_depot(code="sh-1", name="上海备件库"), make_part()
    services.stock_receive(actor=agent, depot=north, part=part, quantity=20)
    services.stock_receive(actor=agent, depot=south, part=part, quantity=20)

    def transfer(index):
        source, target = (north, south) if index % 2 else (south, north)
        services.stock_transfer(
            actor=agent, from_depot=source, to_depot=target, part=part, quantity=3
        )

    assert _run(20, transfer) == {"ok": 20}
    assert stock_of(north, part)[0] + stock_of(south, part)[0] == 40
    assert stock_of(north, part) == (20, 0, 0)
    assert services.ledger_balance_check() == []
