"""Figure 3: the SLA sweep with a million cases present (run bench_load.py first).

1. A sweep with nothing due: one sweep first records whatever fell due since the load (the
   demo's own cases), then --runs sweeps are timed.
2. A sweep that finds ~100,000 newly breached clocks: bulk cases that have been in progress
   for 1 to 60 days, loaded *without* the sweep's marks (load_bulk_cases(record_sweeps=False)),
   so their overdue running clocks await the next sweep. Then one `sla_sweep()` is timed; it
   records the warnings and the breaches (events, escalations, outbox rows). The time of each
   pass (warnings, breaches) is reported too.

    .venv/bin/python bench/bench_sweep.py --backend sqlite [--breaches 100000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import django_setup, percentiles, record, say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--breaches", type=int, default=100_000)
    args = parser.parse_args()
    django_setup(args.backend, "bulk")
    from django.utils import timezone

    from aftersales.cases import sweep as sweep_module
    from aftersales.cases.models import CaseClock, CaseEvent, ClockState, EventKind, Status
    from aftersales.cases.sweep import sla_sweep
    from aftersales.demo.bulk import load_bulk_cases
    from aftersales.notifications.models import OutboxMessage

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    first = sla_sweep()
    say(f"[{args.backend}] settling sweep: {first} in {time.perf_counter() - started:.2f} s")
    samples = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = sla_sweep()
        samples.append(time.perf_counter() - started)
        assert result.warnings == 0 and result.breaches == 0 or result.warnings + result.breaches < 10
    idle = percentiles(samples)
    say(f"[{args.backend}] sweep with nothing due ({args.runs} runs): median {idle['p50'] * 1000:.1f} ms, "
        f"p95 {idle['p95'] * 1000:.1f} ms, max {idle['max'] * 1000:.1f} ms")
    figures["idle"] = idle

    def overdue() -> int:
        return CaseClock.objects.filter(state=ClockState.RUNNING, breach_recorded_at__isnull=True,
                                        due_at__lte=timezone.now()).count()

    # Load unswept, long-open cases until about --breaches clocks are overdue.
    loaded = 0
    started = time.perf_counter()
    per_case = None
    while True:
        missing = args.breaches - overdue()
        if missing <= 0:
            break
        chunk = 20_000 if per_case is None else max(1000, int(missing / per_case) + 200)
        before = overdue()
        load_bulk_cases(count=chunk, progress=False, days=60, statuses={Status.IN_PROGRESS: 1.0},
                        record_sweeps=False)
        loaded += chunk
        per_case = max(0.1, (overdue() - before) / chunk)
        if loaded > 5 * args.breaches:
            raise SystemExit("could not make enough overdue clocks")
    due = overdue()
    say(f"[{args.backend}] loaded {loaded:,} unswept in-progress cases in {time.perf_counter() - started:.0f} s: "
        f"{due:,} running clocks past due await the sweep")

    passes: dict[str, float] = {}
    original = sweep_module._sweep

    def timed_pass(*, kind: str, **kwargs: Any) -> int:
        begun = time.perf_counter()
        try:
            return original(kind=kind, **kwargs)
        finally:
            passes[kind] = time.perf_counter() - begun

    sweep_module._sweep = timed_pass  # time each pass; the sweep itself is unchanged
    events0 = {k: CaseEvent.objects.filter(kind=k).count()
               for k in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED, EventKind.ESCALATED)}
    outbox0 = OutboxMessage.objects.count()
    started = time.perf_counter()
    result = sla_sweep()
    seconds = time.perf_counter() - started
    sweep_module._sweep = original
    events = {k: CaseEvent.objects.filter(kind=k).count() - v for k, v in events0.items()}
    outbox = OutboxMessage.objects.count() - outbox0
    say(f"[{args.backend}] sweep recording {result.breaches:,} breaches and {result.warnings:,} warnings: "
        f"{seconds:.1f} s (breach pass {passes.get('breach', 0):.1f} s, warning pass "
        f"{passes.get('warning', 0):.1f} s, {result.breaches / passes.get('breach', seconds):,.0f} breaches/s)")
    say(f"[{args.backend}]   wrote {events[EventKind.SLA_BREACHED]:,} sla_breached + "
        f"{events[EventKind.ESCALATED]:,} escalated + {events[EventKind.SLA_WARNING]:,} sla_warning events, "
        f"{outbox:,} outbox rows")
    figures["breach"] = {"overdue_clocks": due, "breaches": result.breaches, "warnings": result.warnings,
                         "seconds": seconds, "breach_pass": passes.get("breach"),
                         "warning_pass": passes.get("warning"), "events": {str(k): v for k, v in events.items()},
                         "outbox_rows": outbox}
    record("sweep", args.backend, figures)


if __name__ == "__main__":
    main()
