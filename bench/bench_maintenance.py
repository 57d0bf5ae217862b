"""Issue #5: verifying a chain of 100,000 sealed maintenance logs takes < 10 s.

On a fresh database of its own: --sites sites, then --logs sealed logs spread over them,
built in bulk with each site's chain computed in Python by the same `content_hash` the seal
uses. Then `verify_chain()` walks every chain (the function behind the command and the API)
and must find them intact within the target.

    .venv/bin/python bench/bench_maintenance.py [--backend sqlite|postgresql] [--logs 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import time
import uuid

import common
from common import django_setup, fresh_database, record, say

common.DATABASES.setdefault("maintenance", "bench_maintenance")

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=50)
    args = parser.parse_args()

    migrate = fresh_database(args.backend, "maintenance")
    say(f"[{args.backend}] fresh database migrated in {migrate:.1f} s")
    django_setup(args.backend, "maintenance")
    from django.db import transaction

    from aftersales.accounts.models import Role
    from aftersales.accounts.services import user_create
    from aftersales.customers.services import customer_create, site_create
    from aftersales.maintenance.chain import GENESIS_HASH, content_hash, log_values, verify_chain
    from aftersales.maintenance.models import LogStatus, MaintenanceLog, OwnerSignedVia, PeriodKind

    technician = user_create(username="bench-engineer", password="bench-password-42", role=Role.ENGINEER)
    customer = customer_create(name="基准测试高速公路公司", code="bench")
    sites = [site_create(customer=customer, name=f"第 {n} 收费站") for n in range(1, args.sites + 1)]
    signature = hashlib.sha256(b"bench signature").hexdigest()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    built = time.perf_counter()
    heads = {site.pk: (0, GENESIS_HASH) for site in sites}
    batch: list[MaintenanceLog] = []
    for n in range(args.logs):
        site = sites[n % len(sites)]
        index, previous = heads[site.pk]
        at = start + dt.timedelta(minutes=7 * n)
        log = MaintenanceLog(
            id=uuid.uuid4(), site=site, period_kind=PeriodKind.DAILY, status=LogStatus.SEALED, performed_at=at,
            problem="日常巡检", symptom="无异常", diagnosis="设备运行正常", treatment=f"清洁、紧固、测试（第 {n} 次）",
            state_after="正常", parts_used="", time_spent_minutes=30, technician=technician, technician_name="王工",
            technician_signature_sha256=signature, technician_signed_at=at, owner_name="马建国",
            owner_signature_sha256=signature, owner_signed_at=at, owner_signed_via=OwnerSignedVia.DRAWN,
            created_by=technician, sealed_at=at, chain_index=index + 1, previous_hash=previous,
            created_at=at,
        )
        log.content_hash = content_hash(log_values(log), previous)
        heads[site.pk] = (index + 1, log.content_hash)
        batch.append(log)
        if len(batch) == 5000:
            with transaction.atomic():
                MaintenanceLog.objects.bulk_create(batch, batch_size=1000)
            batch = []
    if batch:
        with transaction.atomic():
            MaintenanceLog.objects.bulk_create(batch, batch_size=1000)
    say(f"[{args.backend}] built {args.logs} sealed logs over {args.sites} sites in "
        f"{time.perf_counter() - built:.1f} s")

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        report = verify_chain()
        timings.append(time.perf_counter() - started)
        assert report.is_intact, report.broken
        assert report.checked == args.logs
        assert report.sites == args.sites
    best = min(timings)
    say(f"[{args.backend}] verify_chain: {report.checked} logs over {report.sites} sites intact; "
        f"{', '.join(f'{t:.2f} s' for t in timings)} (best {best:.2f} s, {args.logs / best:,.0f} logs/s)")
    record("maintenance_verify_chain", args.backend, {"logs": args.logs, "sites": args.sites,
                                                      "seconds": timings})
    assert max(timings) < TARGET_SECONDS, f"verify_chain took {max(timings):.2f} s (target < {TARGET_SECONDS} s)"
    say(f"[{args.backend}] OK: < {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
