"""Figure 4: deadline computations per second in the working-hours CN calendar.

'cn-office' (created by the migrations): Mon–Fri 09:00–12:00 and 13:00–18:00, CN statutory
holidays and adjusted working days. `add_business_time` with starts spread over 2025–2027
(any time of day, weekends and holidays included) and durations from 1 minute to 120 working
hours (the policies' targets: 30 min .. 120 h). Reported: the first pass over fresh starts
(day windows being computed and cached) and the best of --repeat warm passes.

    .venv/bin/python bench/bench_calendar.py --backend sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from common import django_setup, record, say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    django_setup(args.backend, "http")
    from aftersales.calendars.engine import add_business_time
    from aftersales.calendars.models import Calendar
    from aftersales.calendars.services import business_calendar

    calendar = business_calendar(Calendar.objects.get(code="cn-office"))
    calendar.forget_cache()
    rng = random.Random(2026)
    tz = calendar.timezone
    origin = dt.datetime(2025, 1, 1, tzinfo=tz)
    span = int((dt.datetime(2028, 1, 1, tzinfo=tz) - origin).total_seconds())
    targets = [30, 60, 120, 240, 480, 960, 1440, 2400, 3840, 4800, 7200]
    work = []
    for _ in range(args.count):
        start = origin + dt.timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000))
        minutes = rng.choice(targets) if rng.random() < 0.7 else rng.randint(1, 7200)
        work.append((start, dt.timedelta(minutes=minutes)))

    def one_pass() -> float:
        started = time.perf_counter()
        for start, duration in work:
            add_business_time(calendar, start, duration)
        return args.count / (time.perf_counter() - started)

    cold = one_pass()
    warm = max(one_pass() for _ in range(args.repeat))
    say(f"[{args.backend}] add_business_time on cn-office: {warm:,.0f}/s warm (best of {args.repeat}), "
        f"{cold:,.0f}/s first pass ({args.count:,} varied starts and durations)")
    record("calendar", args.backend, {"per_second": warm, "first_pass_per_second": cold, "count": args.count})


if __name__ == "__main__":
    main()
