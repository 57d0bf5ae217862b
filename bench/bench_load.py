"""Figure 5: `aftersales demo --cases 1000000` on a freshly migrated database.

Times the command end to end (Django start-up, the demo company, drawing, deriving and writing
the bulk cases), then counts what it wrote and checks a random sample (check_bulk.py).

    .venv/bin/python bench/bench_load.py --backend sqlite [--cases 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess

from common import PYTHON, ROOT, VAR, bench_env, django_setup, fresh_database, record, run_demo, say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=2000, help="cases to verify afterwards (0: none)")
    args = parser.parse_args()

    migrate = fresh_database(args.backend, "bulk")
    loaded_at = dt.datetime.now(dt.UTC)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = run_demo(args.backend, "bulk", cases=args.cases)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)

    django_setup(args.backend, "bulk")
    from django.db import connection

    from aftersales.cases.models import Case, CaseClock, CaseEvent, ClosureConsent

    counts = {
        "cases": Case.objects.count(), "events": CaseEvent.objects.count(),
        "clocks": CaseClock.objects.count(), "consents": ClosureConsent.objects.count(),
    }
    if connection.vendor == "sqlite":
        size = sum(p.stat().st_size for p in VAR.glob("bench.sqlite3*"))
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    say(f"[{args.backend}] aftersales demo --cases {args.cases:,}: {seconds:.1f} s wall "
        f"({args.cases / seconds:,.0f} cases/s; {cpu:.0f} s CPU in its processes), migrate {migrate:.1f} s before")
    say(f"[{args.backend}]   wrote {counts['cases']:,} cases, {counts['events']:,} events, "
        f"{counts['clocks']:,} clocks, {counts['consents']:,} consents; database {size / 1e9:.2f} GB")
    record("load", args.backend, {"cases": args.cases, "seconds": seconds, "cpu_seconds": cpu,
                                  "counts": counts, "bytes": size, "loaded_at": loaded_at.isoformat()})
    if args.check:
        subprocess.run([PYTHON, str(ROOT / "bench" / "check_bulk.py"), "--backend", args.backend,
                        "--sample", str(args.check), "--loaded-at", loaded_at.isoformat()],
                       check=True, env=bench_env(args.backend, "bulk"), cwd=ROOT)


if __name__ == "__main__":
    main()
