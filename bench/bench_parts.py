"""Issue #4: 50 concurrent parts issues against one depot end with exact stock.

On a fresh database (PostgreSQL by default): one depot with --stock units of one part, then
--workers threads, each with its own database connection, released together by a barrier,
each issuing --quantity units to a work order through `parts.services.stock_issue` (the same
function the API calls). Prints the elapsed time, successes, refusals (409 insufficient
stock) and the final stock, and asserts the stock is exact, never negative, and equal to the
sum of its ledger.

    .venv/bin/python bench/bench_parts.py [--backend postgresql] [--stock 30] [--workers 50]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

import common
from common import django_setup, fresh_database, say

common.DATABASES.setdefault("parts", "bench_parts")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--stock", type=int, default=30)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--quantity", type=int, default=1)
    args = parser.parse_args()

    migrate = fresh_database(args.backend, "parts")
    say(f"[{args.backend}] fresh database migrated in {migrate:.1f} s")
    django_setup(args.backend, "parts")
    from django.db import connection

    from aftersales.accounts.models import Role
    from aftersales.accounts.services import user_create
    from aftersales.cases.services import case_open
    from aftersales.core.errors import Conflict
    from aftersales.customers.services import customer_create
    from aftersales.parts import services
    from aftersales.parts.models import Stock, StockMovement
    from aftersales.workorders.models import WorkOrder

    engineer = user_create(
        username="bench-engineer", password="bench-password-42", role=Role.ENGINEER
    )
    customer = customer_create(name="基准测试高速公路公司", code="bench")
    case, _created = case_open(
        actor=engineer,
        customer_id=customer.pk,
        channel="phone",
        category="fault",
        title="收费车道天线故障",
        impact="degraded",
    )
    work_order = WorkOrder.objects.create(number="WO-BENCH-1", case=case)
    depot = services.depot_create(code="bench-depot", name="基准测试备件库")
    part = services.part_create(
        code="RSU-ANT-01", name="ETC 天线板", reorder_point=5, reorder_quantity=20
    )
    services.stock_receive(
        actor=engineer, depot=depot, part=part, quantity=args.stock, reason="期初库存"
    )
    connection.close()

    barrier = threading.Barrier(args.workers)
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            barrier.wait()
            started = time.perf_counter()
            try:
                services.stock_issue(
                    actor=engineer,
                    depot=depot,
                    part=part,
                    quantity=args.quantity,
                    work_order=work_order,
                )
                outcome = "success"
            except Conflict as refusal:
                outcome = refusal.code
            with lock:
                outcomes[outcome] += 1
                latencies.append(time.perf_counter() - started)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(args.workers)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - wall

    stock = Stock.objects.get(depot=depot, part=part)
    successes, refusals = outcomes["success"], outcomes["insufficient_stock"]
    expected_successes = min(args.workers, args.stock // args.quantity)
    mismatches = services.ledger_balance_check()
    issues = StockMovement.objects.filter(kind="issue").count()
    suggestions = part.suggestions.filter(status="open").count()
    say(
        f"[{args.backend}] {args.workers} concurrent issues of {args.quantity} against stock {args.stock}: "
        f"{elapsed * 1000:.0f} ms elapsed, slowest request {max(latencies) * 1000:.0f} ms"
    )
    say(
        f"[{args.backend}] successes {successes}, refusals (409 insufficient_stock) {refusals}, "
        f"other {dict(outcomes - Counter(success=successes, insufficient_stock=refusals))}, errors {len(errors)}"
    )
    say(
        f"[{args.backend}] final stock: on hand {stock.on_hand}, reserved {stock.reserved}, "
        f"available {stock.available}; ledger issues {issues}; ledger mismatches {len(mismatches)}; "
        f"open purchase suggestions {suggestions}"
    )
    assert not errors, errors
    assert successes == expected_successes, (successes, expected_successes)
    assert successes + refusals == args.workers
    assert stock.on_hand == args.stock - successes * args.quantity >= 0
    assert issues == successes
    assert mismatches == []
    assert suggestions == 1
    say(
        f"[{args.backend}] OK: stock exact ({args.stock} - {successes} x {args.quantity} = {stock.on_hand})"
    )


if __name__ == "__main__":
    main()
