"""Figure 2: reads with a million cases present (run bench_load.py first).

* the default queue: open cases by next due time, a page of 50 — through the selector
  (aftersales.cases.selectors.case_queue, as a dispatcher) and over HTTP (GET /api/v1/cases);
* one case with its clocks and its last 50 events — through the selector path
  (get_case_for_user + case_clocks + case_events) and over HTTP (GET /api/v1/cases/{id}),
  for random cases of the million (most are closed ones nobody read lately: cold pages).

Each figure is the latency distribution of sequential calls (concurrency 1, bounded count).

    .venv/bin/python bench/bench_queries.py --backend sqlite
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import time
from collections.abc import Callable
from typing import Any

from common import PYTHON, ROOT, Server, api_token, django_setup, ms, percentiles, record, say


def timed(call: Callable[[], Any], count: int, warmup: int = 20) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def http(server: Server, token: str, mode: str, duration: float, case_ids: list[str] | None = None
         ) -> dict[str, Any]:
    command = [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--port", str(server.port), "--token", token,
               "--mode", mode, "--concurrency", "1", "--duration", str(duration), "--warmup", "2",
               "--max-requests", "5000"]
    if case_ids:
        command += ["--case-ids", ",".join(case_ids)]
    result: dict[str, Any] = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=duration + 60).stdout)
    result["latency"] = percentiles(result.pop("latencies"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--count", type=int, default=500, help="calls per selector figure")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per HTTP figure")
    args = parser.parse_args()
    django_setup(args.backend, "bulk")
    from django.db import connection

    from aftersales.accounts.models import User
    from aftersales.cases.models import Case
    from aftersales.cases.selectors import (
        QueueFilters,
        case_clocks,
        case_events,
        case_queue,
        get_case_for_user,
    )

    total = Case.objects.count()
    open_cases = Case.objects.filter(status__in=("new", "acknowledged", "in_progress", "waiting_on_customer")).count()
    say(f"[{args.backend}] {total:,} cases, {open_cases:,} open")
    dispatcher = User.objects.get(username="dispatcher")
    figures: dict[str, Any] = {"cases": total, "open_cases": open_cases}

    queue = timed(lambda: case_queue(dispatcher, QueueFilters(), limit=50, offset=0), args.count)
    say(f"[{args.backend}] queue, selector case_queue (page of 50): {ms(queue)}")
    figures["queue_selector"] = queue
    with connection.cursor() as cursor:
        page = case_queue(dispatcher, QueueFilters(), limit=50, offset=0)
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        # The selector's own filter (the open flag and its partial index), not a status list.
        queryset = Case.objects.filter(in_queue=True)
        sql, params = queryset.order_by("queue_at", "number")[:51].query.sql_with_params()
        cursor.execute(explain + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    say(f"[{args.backend}]   plan: {plan[:300]}")
    figures["queue_plan"] = plan
    assert len(page) == 51

    rng = random.Random(7)
    ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[: args.count * 2])
    sample = iter(ids)

    def detail() -> None:
        case = get_case_for_user(dispatcher, next(sample))
        case_clocks(case)
        case_events(case, limit=50)

    detail_stats = timed(detail, args.count, warmup=20)
    say(f"[{args.backend}] one case + clocks + last 50 events, selector path (random cases): {ms(detail_stats)}")
    figures["detail_selector"] = detail_stats

    token = api_token("dispatcher")
    http_ids = [str(pk) for pk in rng.sample(ids, min(len(ids), 400))]
    with Server(args.backend, "bulk", worker_class="sync", threads=1) as server:
        queue_http = http(server, token, "queue", args.duration)
        say(f"[{args.backend}] GET /api/v1/cases over HTTP ({server.label}): {ms(queue_http['latency'])}, "
            f"{queue_http['throughput']:.0f} req/s at concurrency 1")
        detail_http = http(server, token, "detail", args.duration, http_ids)
        say(f"[{args.backend}] GET /api/v1/cases/{{id}} over HTTP ({server.label}, random cases): "
            f"{ms(detail_http['latency'])}, {detail_http['throughput']:.0f} req/s at concurrency 1")
    for name, result in (("queue_http", queue_http), ("detail_http", detail_http)):
        bad = {k: v for k, v in result["statuses"].items() if not str(k).startswith("2")}
        if bad or result["failures"]:
            say(f"[{args.backend}]   {name}: errors {bad}, failures {result['failures']}")
        figures[name] = result["latency"]
    record("queries", args.backend, figures)


if __name__ == "__main__":
    main()
