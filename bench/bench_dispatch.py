"""Issue #4: ranking technicians for a case with 2,000 technicians and 50,000 open work orders
in < 100 ms.

On a fresh database of its own (`bench_dispatch`): --technicians technicians in 20 regions
(most with base coordinates, skills for a few of 40 products or their categories, a third on
shift now), --cases open P1 cases at sites with and without coordinates, --open-work-orders
open work orders (bulk_create, over every open status, a tenth unassigned) and a fifth as many
closed or cancelled ones. Then times `dispatch.selectors.rank_technicians` (the function the
API calls) for random cases and prints p50/p95/max, the queries per call and where the time
goes.

    .venv/bin/python bench/bench_dispatch.py [--backend sqlite|postgresql] [--calls 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import common
from common import django_setup, fresh_database, percentiles, say

common.DATABASES.setdefault("dispatch", "bench_dispatch")

REGIONS = [
    ("北京", 39.90, 116.40), ("天津", 39.08, 117.20), ("石家庄", 38.04, 114.51),
    ("太原", 37.87, 112.55), ("济南", 36.65, 117.12), ("郑州", 34.75, 113.62),
    ("西安", 34.34, 108.94), ("南京", 32.06, 118.80), ("合肥", 31.82, 117.23),
    ("上海", 31.23, 121.47), ("杭州", 30.27, 120.15), ("武汉", 30.59, 114.31),
    ("长沙", 28.23, 112.94), ("南昌", 28.68, 115.86), ("福州", 26.07, 119.30),
    ("广州", 23.13, 113.26), ("南宁", 22.82, 108.37), ("成都", 30.57, 104.07),
    ("重庆", 29.56, 106.55), ("昆明", 25.04, 102.71),
]
CATEGORIES = ["路侧单元", "车道控制器", "摄像机", "称重设备", "费额显示器", "自动栏杆", "服务器",
              "交换机"]
OPEN_STATUSES = ["scheduled", "travelling", "on_site", "work_done"]


def _near(rng: random.Random, latitude: float, longitude: float, spread: float) -> tuple[Decimal, Decimal]:
    return (Decimal(f"{latitude + rng.uniform(-spread, spread):.6f}"),
            Decimal(f"{longitude + rng.uniform(-spread, spread):.6f}"))


def populate(args: argparse.Namespace, now: dt.datetime) -> tuple[Any, list[Any]]:
    """Fill the database; returns the dispatcher and the cases to rank."""
    from aftersales.accounts.models import Role, User
    from aftersales.accounts.services import user_create
    from aftersales.assets.models import Product
    from aftersales.assets.services import asset_create
    from aftersales.cases.services import case_open
    from aftersales.contracts.services import contract_create
    from aftersales.customers.services import customer_create, site_create
    from aftersales.roster.models import Shift, Team, Technician
    from aftersales.workorders.models import WorkOrder

    rng = random.Random(args.seed)
    started = time.perf_counter()
    dispatcher = user_create(username="bench-dispatcher", password="bench-password-42",
                             role=Role.DISPATCHER)
    agent = user_create(username="bench-agent", password="bench-password-42", role=Role.AGENT)

    products = Product.objects.bulk_create([
        Product(model=f"BENCH-{number:03d}", name=f"基准产品 {number}",
                category=CATEGORIES[number % len(CATEGORIES)])
        for number in range(40)
    ])
    teams = Team.objects.bulk_create([
        Team(code=f"field-{number:02d}", name=f"{region}现场组", kind="field", region=region)
        for number, (region, _lat, _lon) in enumerate(REGIONS)
    ])

    users = User.objects.bulk_create([
        User(username=f"tech{number:04d}", first_name=f"工程师{number:04d}", role=Role.ENGINEER,
             email=f"tech{number:04d}@example.invalid", password="!")  # noqa: S106 - unusable
        for number in range(args.technicians)
    ], batch_size=1000)
    technicians = []
    for number, user in enumerate(users):
        region_number = number % len(REGIONS)
        region, latitude, longitude = REGIONS[region_number]
        base = _near(rng, latitude, longitude, 1.5) if rng.random() < 0.9 else (None, None)
        technicians.append(Technician(
            user=user, team=teams[region_number], region=region, base_latitude=base[0],
            base_longitude=base[1],
            product_categories=rng.sample(CATEGORIES, rng.randint(0, 2)),
            max_concurrent_work_orders=rng.randint(10, 40),
        ))
    Technician.objects.bulk_create(technicians, batch_size=1000)
    Through = Technician.products.through
    Through.objects.bulk_create([
        Through(technician_id=technician.pk, product_id=product.pk)
        for technician in technicians
        for product in rng.sample(products, rng.randint(1, 5))
    ], batch_size=2000)
    # A third on a shift around now; the rest on shifts earlier today or tomorrow.
    shifts = []
    for number, (user, technician) in enumerate(zip(users, technicians, strict=True)):
        offset = dt.timedelta(hours=-4) if number % 3 == 0 else dt.timedelta(hours=rng.choice([-14, 10]))
        shifts.append(Shift(team=technician.team, user=user, starts_at=now + offset,
                            ends_at=now + offset + dt.timedelta(hours=8)))
    Shift.objects.bulk_create(shifts, batch_size=2000)
    say(f"  {args.technicians} technicians, {Through.objects.count()} skills, "
        f"{len(shifts)} shifts ({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    customer = customer_create(name="基准测试高速公路集团", code="bench")
    contract_create(number="HT-BENCH-1", customer=customer, tier_code="diamond",
                    starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2035, 12, 31))
    cases = []
    for number in range(args.cases):
        region, latitude, longitude = REGIONS[number % len(REGIONS)]
        # Every fifth site has no coordinates: the region decides for it.
        lat, lon = _near(rng, latitude, longitude, 1.0) if number % 5 else (None, None)
        site = site_create(customer=customer, name=f"{region}收费站 {number}", region=region,
                           latitude=lat, longitude=lon)
        asset = asset_create(product=rng.choice(products), serial_number=f"SN-{number:05d}",
                             customer=customer, site=site)
        case, _created = case_open(
            actor=agent, customer_id=customer.pk, channel="phone", category="fault",
            title="收费车道 ETC 天线故障", impact="outage", site_id=site.pk, asset_id=asset.pk,
            now=now - dt.timedelta(minutes=rng.randint(0, 180)),
        )
        cases.append(case)
    say(f"  {len(cases)} open P1 cases with sites, assets and clocks "
        f"({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    closed = args.open_work_orders // 5
    rows = []
    for number in range(args.open_work_orders + closed):
        is_open = number < args.open_work_orders
        technician = None if is_open and rng.random() < 0.1 else rng.choice(users)
        rows.append(WorkOrder(
            number=f"WO-BENCH-{number:07d}", case=rng.choice(cases),
            status=rng.choice(OPEN_STATUSES) if is_open else rng.choice(["closed", "cancelled"]),
            technician=technician, created_by=dispatcher,
        ))
    WorkOrder.objects.bulk_create(rows, batch_size=2000)
    say(f"  {args.open_work_orders} open and {closed} closed work orders "
        f"({time.perf_counter() - started:.1f} s)")
    return dispatcher, cases


def analyze(backend: str) -> None:
    """What a running database has: statistics, and on PostgreSQL a visibility map (vacuum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE")


def timed(calls: int, action: Callable[[], Any]) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--technicians", type=int, default=2000)
    parser.add_argument("--open-work-orders", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    migrate = fresh_database(args.backend, "dispatch")
    say(f"[{args.backend}] fresh database {common.DATABASES['dispatch']} migrated in {migrate:.1f} s")
    django_setup(args.backend, "dispatch")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aftersales.dispatch import selectors
    from aftersales.dispatch.ranking import rank
    from aftersales.roster.selectors import on_duty_user_ids, technicians_for

    now = timezone.now().replace(microsecond=0)
    dispatcher, cases = populate(args, now)
    analyze(args.backend)

    rng = random.Random(args.seed + 1)
    picks = [rng.choice(cases).pk for _ in range(args.calls)]

    def rank_one(case_id: Any) -> Any:
        return selectors.rank_technicians(actor=dispatcher, case_id=case_id, now=now,
                                          limit=args.limit)

    for case_id in picks[:10]:  # warm-up: connections, caches, translations
        rank_one(case_id)
    with CaptureQueriesContext(connection) as queries:
        ranking = rank_one(picks[0])
    samples = []
    for case_id in picks:
        started = time.perf_counter()
        rank_one(case_id)
        samples.append(time.perf_counter() - started)
    stats = percentiles(samples)
    say(f"[{args.backend}] rank_technicians over {ranking.candidates_total} technicians, "
        f"limit {args.limit}, {len(queries)} queries per call, {args.calls} calls on random cases:")
    say(f"[{args.backend}]   p50 {stats['p50'] * 1000:.1f} ms, p95 {stats['p95'] * 1000:.1f} ms, "
        f"max {stats['max'] * 1000:.1f} ms, mean {stats['mean'] * 1000:.1f} ms  (target p95 < 100 ms: "
        f"{'met' if stats['p95'] < 0.1 else 'MISSED'})")
    best = ranking.items[0]
    say(f"[{args.backend}]   e.g. {ranking.case_number}: #1 {best.candidate.username} score "
        f"{best.score} ({best.skill_match.value}, {best.distance_km} km, "
        f"{best.travel_minutes} min, in time {best.arrives_in_time})")

    # Where the time goes, each part on its own (median of 50).
    case = selectors.get_case_for_dispatch(dispatcher, picks[0], roles=selectors.READ_ROLES,
                                           doing="bench")
    needs, _state = selectors.case_needs(case, now=now)
    candidates = selectors.dispatch_candidates(now=now, product_id=needs.product_id)
    parts = {
        "case + on-site clock": lambda: selectors.case_needs(
            selectors.get_case_for_dispatch(dispatcher, picks[0], roles=selectors.READ_ROLES,
                                            doing="bench"), now=now),
        "dispatch_candidates (4 q.)": lambda: selectors.dispatch_candidates(
            now=now, product_id=needs.product_id),
        "  of which on_duty_user_ids": lambda: on_duty_user_ids(at=now),
        "  of which open counts": selectors.open_work_order_counts,
        "rank() (pure)": lambda: rank(needs, candidates, settings=selectors.ranking_settings(),
                                      limit=args.limit),
        "(roster technicians_for)": technicians_for,
    }
    for label, action in parts.items():
        say(f"[{args.backend}]   {label:<28} median {statistics.median(timed(50, action)) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
