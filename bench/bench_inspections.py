"""Issue #5: generating a year of daily inspection plans for 10,000 assets (< 60 s).

On a fresh database: one customer with --assets assets, one daily plan per asset (a year from
2027-01-01), then `inspections.services.occurrences_plan` — the scheduler's first step, the
same function the periodic task calls — inserts every (plan, day) occurrence. Prints the time,
the rows per second, a second run (which must insert nothing: exactly once per period), and
the cost of the second step, opening the case and work order of one occurrence
(`occurrences_dispatch`), which the scheduler does only for the horizon (7 days), never a year
ahead.

    .venv/bin/python bench/bench_inspections.py [--backend sqlite|postgresql] [--assets 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import common
from common import django_setup, fresh_database, record, say

common.DATABASES.setdefault("inspections", "bench_inspections")
TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--dispatch", type=int, default=200, help="occurrences dispatched to time step 2")
    args = parser.parse_args()

    migrate = fresh_database(args.backend, "inspections")
    say(f"[{args.backend}] fresh database migrated in {migrate:.1f} s")
    django_setup(args.backend, "inspections")
    from django.db import transaction

    from aftersales.accounts.models import Role
    from aftersales.accounts.services import user_create
    from aftersales.assets.models import Asset
    from aftersales.assets.services import product_create
    from aftersales.customers.services import customer_create, site_create
    from aftersales.inspections import services
    from aftersales.inspections.models import InspectionOccurrence, InspectionPlan
    from aftersales.roster.services import team_create

    started = time.perf_counter()
    manager = user_create(username="bench-manager", password="bench-password-42", role=Role.MANAGER,
                          email="bench-manager@example.invalid")
    customer = customer_create(name="基准测试高速公路公司", code="bench")
    site = site_create(customer=customer, name="基准收费站")
    product = product_create(model="RSU-B", name="ETC 路侧单元")
    team = team_create(code="bench-field", name="基准现场组", kind="field", calendar_code=None)
    template = services.checklist_template_create(actor=manager, code="bench-daily", name="日常巡检", items=[
        {"label": "外观完好", "kind": "pass_fail"},
        {"label": "供电电压", "kind": "number", "expected_min": "11.5", "expected_max": "13.5"},
    ])
    first_day = dt.date(2027, 1, 1)
    with transaction.atomic():
        assets = Asset.objects.bulk_create(
            [Asset(product=product, serial_number=f"SN-{i:06d}", customer=customer, site=site)
             for i in range(args.assets)], batch_size=2000)
        InspectionPlan.objects.bulk_create(
            [InspectionPlan(name=f"日检 SN-{i:06d}", customer=customer, site=site, asset=asset, frequency="daily",
                            template=template, team=team, starts_on=first_day, created_by=manager)
             for i, asset in enumerate(assets)], batch_size=2000)
    say(f"[{args.backend}] {args.assets:,} assets and daily plans set up in {time.perf_counter() - started:.1f} s")

    through = first_day + dt.timedelta(days=args.days - 1)
    started = time.perf_counter()
    inserted = services.occurrences_plan(through=through)
    elapsed = time.perf_counter() - started
    total = InspectionOccurrence.objects.count()
    expected = args.assets * args.days
    assert inserted == total == expected, (inserted, total, expected)
    verdict = "OK" if elapsed < TARGET_SECONDS else "TOO SLOW"
    say(f"[{args.backend}] planned {inserted:,} occurrences ({args.assets:,} plans x {args.days} days) "
        f"in {elapsed:.1f} s = {inserted / elapsed:,.0f} rows/s (target < {TARGET_SECONDS:.0f} s: {verdict})")

    started = time.perf_counter()
    again = services.occurrences_plan(through=through)
    second = time.perf_counter() - started
    assert again == 0
    assert InspectionOccurrence.objects.count() == expected
    say(f"[{args.backend}] second run inserted {again} rows in {second:.1f} s (exactly once per period)")

    # Step 2 for a slice: a catch-up run that dispatches the first --dispatch due occurrences.
    from django.utils import timezone

    now = dt.datetime.combine(first_day, dt.time(8), tzinfo=timezone.get_default_timezone())
    started = time.perf_counter()
    dispatched = services.occurrences_dispatch(now=now, horizon_days=0, limit=args.dispatch)
    dispatch_seconds = time.perf_counter() - started
    say(f"[{args.backend}] dispatched {dispatched} occurrences (case + inspection work order each) in "
        f"{dispatch_seconds:.1f} s = {dispatch_seconds / max(dispatched, 1) * 1000:.1f} ms each; "
        f"a 7-day horizon of {args.assets:,} daily plans is {args.assets * 8:,} work orders on the first run, "
        f"then {args.assets:,} a day")
    record("inspections_generate", args.backend, {
        "assets": args.assets, "days": args.days, "occurrences": inserted, "seconds": round(elapsed, 2),
        "rows_per_second": round(inserted / elapsed), "second_run_seconds": round(second, 2),
        "dispatch_ms_each": round(dispatch_seconds / max(dispatched, 1) * 1000, 1),
    })


if __name__ == "__main__":
    main()
