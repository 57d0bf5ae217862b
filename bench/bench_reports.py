"""Issue #6, figure 2 (reports): the manager dashboard (< 500 ms with 1.2 M cases), the
compliance report of a contract with 100,000 cases in a year (< 2 s), and the Excel export of
100,000 rows (< 20 s, streamed, peak memory < 300 MB).

On a fresh database: the demo company and --cases bulk cases (`aftersales demo --cases N`,
opened over the last 365 days). The contract with the most cases of the last year is the one
reported on; when it has fewer than --contract-cases, cases of the year from other contracts
are moved onto it (only `contract_id` changes; their clocks stay as derived) until it has; when
it has more, a random sample of the excess leaves it (no contract).

Measured in this process, without HTTP (the pages through Django's test client, signed in as a
manager): the dashboard's figures and its page, the compliance figures and page, each
--repeat times (p50/p95/p99). The Excel export of the compliance report (one row per case in
its 工单明细 sheet, plus the breaches) runs in a child process that only does that, so its
peak RSS (VmHWM) is the export's own; the workbook is read back to count its rows.

    .venv/bin/python bench/bench_reports.py [--backend sqlite|postgresql] [--cases 1200000]
        [--contract-cases 100000] [--repeat 20] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from typing import Any

import common
from common import (
    PYTHON,
    bench_env,
    django_setup,
    fresh_database,
    ms,
    percentiles,
    record,
    run_demo,
    say,
)

common.DATABASES.setdefault("reports", "bench_reports")
DASHBOARD_TARGET_S = 0.5
COMPLIANCE_TARGET_S = 2.0
EXPORT_TARGET_S = 20.0
EXPORT_MEMORY_TARGET_MB = 300.0


def _timed(function: Any, repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def _period() -> tuple[dt.date, dt.date]:
    from django.utils import timezone

    today = timezone.localdate()
    return today - dt.timedelta(days=364), today


def _recorded_contract(backend: str) -> str | None:
    """The contract a previous run reported on (var/bench-results.json), for --reuse."""
    if not common.RESULTS.exists():
        return None
    figures = json.loads(common.RESULTS.read_text()).get(backend, {}).get("reports", {})
    return figures.get("contract_id")


def _concentrate(target: int, recorded: str | None = None) -> tuple[Any, int]:
    """The contract with the most cases of the last year (or `recorded`, the one of a previous
    run), topped up or trimmed to `target` cases."""
    from django.db import connection
    from django.db.models import Count

    from aftersales.cases.models import Case, CaseClock
    from aftersales.contracts.models import Contract
    from aftersales.reports.compliance import Period
    from aftersales.reports.sql import key, param

    start, end = _period()
    period = Period(start, end)
    in_year = Case.objects.filter(opened_at__gte=period.since, opened_at__lt=period.until)
    if recorded is not None and Contract.objects.filter(pk=recorded).exists():
        top = {"contract": recorded, "n": in_year.filter(contract_id=recorded).count()}
    else:
        top = (in_year.filter(contract__isnull=False).values("contract").order_by().annotate(n=Count("id"))
               .order_by("-n").first())
    if top is None:
        raise SystemExit("no case of the demo has a contract: load the demo first")
    contract = Contract.objects.select_related("customer").get(pk=top["contract"])
    have = top["n"]
    table = Case._meta.db_table
    # A random sample (random() on both databases) moves in or leaves, so the contract's year
    # keeps cases spread over every month. Not ORDER BY id: ids are UUIDv7, in opening order,
    # which would keep only the latest weeks.
    if have < target:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET contract_id = %s WHERE id IN (SELECT id FROM {table} "  # noqa: S608
                f"WHERE opened_at >= %s AND opened_at < %s AND (contract_id IS NULL OR contract_id <> %s) "
                f"ORDER BY random() LIMIT %s)",
                [key(contract.pk), param(period.since), param(period.until), key(contract.pk), target - have])
        have = in_year.filter(contract=contract).count()
    elif have > target:
        # Too many (the demo's biggest customer has half the cases): the excess leaves the
        # contract (no contract).
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET contract_id = NULL WHERE id IN (SELECT id FROM {table} "  # noqa: S608
                f"WHERE opened_at >= %s AND opened_at < %s AND contract_id = %s ORDER BY random() LIMIT %s)",
                [param(period.since), param(period.until), key(contract.pk), have - target])
        have = in_year.filter(contract=contract).count()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load or a big UPDATE: statistics, and the
        # visibility map that index-only counts need. Measuring while it runs measures it.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for name in (table, CaseClock._meta.db_table):
                cursor.execute(f"VACUUM (ANALYZE) {name}")
        say(f"VACUUM (ANALYZE) of the case tables in {time.perf_counter() - started:.1f} s")
    return contract, have


PROPOSED_INDEXES = (
    # Case.resolved_at, for the backlog trend (resolved per day of the last 30 days).
    "CREATE INDEX IF NOT EXISTS case_resolved_idx ON cases_case (resolved_at)",
    # Breached clocks by due time, for "breaches this week".
    "CREATE INDEX IF NOT EXISTS clock_breached_due_idx ON cases_caseclock (due_at) WHERE is_breached",
)


def _create_proposed_indexes() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in PROPOSED_INDEXES:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
    say(f"proposed indexes created in {time.perf_counter() - started:.1f} s")


def _peak_mb() -> float:
    """This process's peak RSS: VmHWM (reset by exec, unlike ru_maxrss, which keeps the
    parent's peak of before the fork), else ru_maxrss."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _anon_mb() -> float | None:
    """Anonymous (heap) memory now; on SQLite the rest of the RSS is the database file mapped
    by `PRAGMA mmap_size` (up to 256 MB), pages the kernel can drop."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def export_child(backend: str, contract_id: str) -> None:
    """The child process: stream the compliance workbook to a temporary file; print JSON."""
    django_setup(backend, "reports")
    import io
    import tempfile

    from django.utils import timezone
    from openpyxl import load_workbook

    from aftersales.contracts.models import Contract
    from aftersales.reports.compliance import Period, compliance_report
    from aftersales.reports.exports import compliance_xlsx

    start, end = _period()
    contract = Contract.objects.select_related("customer", "tier__policy", "policy_override").get(pk=contract_id)
    before_mb = _peak_mb()
    started = time.perf_counter()
    report = compliance_report(contract=contract, period=Period(start, end), now=timezone.now())
    size = 0
    with tempfile.TemporaryFile() as handle:
        for chunk in compliance_xlsx(report):
            size += len(chunk)
            handle.write(chunk)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
        anon_mb = _anon_mb()
        handle.seek(0)
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
        rows = sum(1 for _ in workbook["工单明细"].iter_rows(values_only=True)) - 1
        breaches = sum(1 for _ in workbook["超时明细"].iter_rows(values_only=True)) - 1
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "before_mb": before_mb, "anon_mb": anon_mb,
                      "bytes": size,
                      "rows": rows, "breach_rows": breaches}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--cases", type=int, default=1_200_000)
    parser.add_argument("--contract-cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--contract", metavar="ID",
                        help="report on this contract (default: with --reuse the previous run's, else the one "
                             "with the most cases of the last year)")
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="first create, in this benchmark database only, the two indexes that "
                             "docs/decisions/0013-reports.md proposes to the cases app")
    parser.add_argument("--export-child", metavar="CONTRACT_ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.backend, args.export_child)
        return

    if not args.reuse:
        migrate = fresh_database(args.backend, "reports")
        say(f"[{args.backend}] fresh database migrated in {migrate:.1f} s")
        seconds = run_demo(args.backend, "reports", cases=args.cases)
        say(f"[{args.backend}] demo with {args.cases:,} bulk cases loaded in {seconds:.1f} s")
    django_setup(args.backend, "reports")
    from django.test import Client
    from django.utils import timezone

    from aftersales.accounts.models import Role, User
    from aftersales.cases.models import Case
    from aftersales.reports.compliance import Period, compliance_report
    from aftersales.reports.dashboard import dashboard

    if args.proposed_indexes:
        _create_proposed_indexes()
    contract, in_contract = _concentrate(args.contract_cases,
                                         args.contract or (_recorded_contract(args.backend) if args.reuse else None))
    total = Case.objects.count()
    say(f"[{args.backend}] {total:,} cases; contract {contract.number} has {in_contract:,} cases in the last year")
    manager = User.objects.filter(role=Role.MANAGER).order_by("username").first()
    if manager is None:
        raise SystemExit("the demo has no manager")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    start, end = _period()
    period = Period(start, end)
    query = {"contract": str(contract.pk), "start": start.isoformat(), "end": end.isoformat()}

    def page(path: str, data: dict[str, str] | None = None) -> None:
        response = client.get(path, data or {})
        assert response.status_code == 200, response.status_code

    figures = dashboard(now=timezone.now())
    page("/console/reports/dashboard/")  # warm-up: templates, translations, pygal
    say(f"[{args.backend}] dashboard: {figures['open']:,} open, {figures['breaches_this_week']:,} breaches this "
        f"week, {figures['parts_late']} parts late, {figures['inspections_overdue']} inspections overdue")
    dashboard_selector = _timed(lambda: dashboard(now=timezone.now()), args.repeat)
    dashboard_page = _timed(lambda: page("/console/reports/dashboard/"), args.repeat)
    verdict = "OK" if dashboard_page["p95"] < DASHBOARD_TARGET_S else "TOO SLOW"
    say(f"[{args.backend}] dashboard figures: {ms(dashboard_selector)}")
    say(f"[{args.backend}] dashboard page:    {ms(dashboard_page)} (target p95 < 500 ms: {verdict})")

    report = compliance_report(contract=contract, period=period, now=timezone.now())
    say(f"[{args.backend}] compliance: {report.cases:,} cases, {report.breaches_total:,} breached clocks, "
        f"{len(report.rows)} target rows")
    page("/console/reports/compliance/", query)  # warm-up
    repeat = max(3, args.repeat // 4)
    compliance_selector = _timed(lambda: compliance_report(contract=contract, period=period, now=timezone.now()),
                                 repeat)
    compliance_page = _timed(lambda: page("/console/reports/compliance/", query), repeat)
    verdict = "OK" if compliance_page["p95"] < COMPLIANCE_TARGET_S else "TOO SLOW"
    say(f"[{args.backend}] compliance figures: {ms(compliance_selector)}")
    say(f"[{args.backend}] compliance page:    {ms(compliance_page)} (target < 2 s: {verdict})")

    child = subprocess.run([PYTHON, __file__, "--backend", args.backend, "--export-child", str(contract.pk)],
                           env=bench_env(args.backend, "reports"), check=True, capture_output=True, text=True)
    export = json.loads(child.stdout.strip().splitlines()[-1])
    verdict = ("OK" if export["seconds"] < EXPORT_TARGET_S and export["peak_mb"] < EXPORT_MEMORY_TARGET_MB
               else "MISSED")
    say(f"[{args.backend}] Excel export: {export['rows']:,} case rows + {export['breach_rows']:,} breach rows, "
        f"{export['bytes'] / 1e6:.1f} MB in {export['seconds']:.1f} s, peak RSS {export['peak_mb']:.0f} MB "
        f"(after set-up {export['before_mb']:.0f} MB; heap at the end {export['anon_mb'] or 0:.0f} MB, the rest "
        f"is file-backed pages such as shared libraries; target < 20 s and < 300 MB: {verdict})")
    record("reports", args.backend, {
        "cases": total, "contract_id": str(contract.pk), "contract_cases": in_contract,
        "dashboard_selector_p95_ms": round(dashboard_selector["p95"] * 1000, 1),
        "dashboard_page_p95_ms": round(dashboard_page["p95"] * 1000, 1),
        "compliance_selector_p95_ms": round(compliance_selector["p95"] * 1000, 1),
        "compliance_page_p95_ms": round(compliance_page["p95"] * 1000, 1),
        "export_rows": export["rows"], "export_seconds": round(export["seconds"], 2),
        "export_peak_mb": round(export["peak_mb"]),
    })


if __name__ == "__main__":
    sys.exit(main())
