"""Check a random sample of bulk-loaded cases against the services' own derivation.

For each sampled case: events numbered 1..n starting with 'opened', last_event_sequence = n,
statuses chained event to event and ending in the case's status; and `clocks_sync` (run in a
transaction that is rolled back) changes no stored clock field, mark or case summary field —
except for running clocks whose deadline or warning time fell between the load and now
(their breach/warning is then legitimately the next sweep's business).

    .venv/bin/python bench/check_bulk.py --backend sqlite --sample 2000 --loaded-at 2026-11-24T09:00:00+00:00
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from common import django_setup, record, say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--loaded-at", help="when the load started (ISO 8601); default: an hour ago")
    args = parser.parse_args()
    django_setup(args.backend, "bulk")
    from django.db import transaction
    from django.utils import timezone

    from aftersales.cases.models import Case, CaseClock, CaseEvent, ClockState
    from aftersales.cases.services import CLOCK_FIELDS, clocks_sync

    now = timezone.now()
    loaded_at = dt.datetime.fromisoformat(args.loaded_at) if args.loaded_at else now - dt.timedelta(hours=1)
    window = (loaded_at - dt.timedelta(minutes=2), now)
    started = time.perf_counter()
    ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[: args.sample])
    checked = clocks = skipped = 0
    problems: list[str] = []
    for case in Case.objects.filter(pk__in=ids).select_related("policy__calendar"):
        events = list(CaseEvent.objects.filter(case=case).order_by("sequence"))
        if [e.sequence for e in events] != list(range(1, len(events) + 1)) or events[0].kind != "opened":
            problems.append(f"{case.number}: event sequence")
        if case.last_event_sequence != len(events) or events[-1].status_after != case.status:
            problems.append(f"{case.number}: last_event_sequence/status")
        for previous, event in zip(events, events[1:], strict=False):
            if event.status_before != previous.status_after or event.at < previous.at:
                problems.append(f"{case.number}: event #{event.sequence} does not follow #{previous.sequence}")
        names = (*CLOCK_FIELDS, "warning_recorded_at", "breach_recorded_at")
        stored = {c.target: c for c in CaseClock.objects.filter(case=case)}
        summary = (case.next_due_at, case.queue_at, case.is_breached)
        moving = any(
            c.state == ClockState.RUNNING and any(t is not None and window[0] <= t <= window[1]
                                                  for t in (c.due_at, c.warn_at))
            for c in stored.values()
        )
        with transaction.atomic():
            clocks_sync(case=case, now=now)
            after = {c.target: c for c in CaseClock.objects.filter(case=case)}
            transaction.set_rollback(True)
        if moving:
            skipped += 1
            continue
        for target, clock in stored.items():
            clocks += 1
            for name in names:
                if getattr(clock, name) != getattr(after[target], name):
                    problems.append(f"{case.number} {target}.{name}: stored {getattr(clock, name)!r}, "
                                    f"derived {getattr(after[target], name)!r}")
        if set(after) != set(stored):
            problems.append(f"{case.number}: clock targets {sorted(stored)} vs {sorted(after)}")
        if (case.next_due_at, case.queue_at, case.is_breached) != summary:
            problems.append(f"{case.number}: case summary")
        checked += 1
    seconds = time.perf_counter() - started
    say(f"[{args.backend}] checked {checked} random cases ({clocks} clocks) against clocks_sync: "
        f"{len(problems)} difference(s); {skipped} skipped (a deadline fell between load and check) "
        f"[{seconds:.1f} s]")
    for problem in problems[:20]:
        say(f"    {problem}")
    record("check_bulk", args.backend, {"checked": checked, "clocks": clocks, "differences": len(problems),
                                        "skipped": skipped})
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
