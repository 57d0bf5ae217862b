"""Prometheus metrics: per-request ones recorded by the middleware, state ones computed at scrape.

Several gunicorn workers answer /metrics in turn; with PROMETHEUS_MULTIPROC_DIR set (before
the process starts: prometheus_client reads it at import) every worker writes its samples to
files there and each scrape sums them, so any worker gives the same answer. Without it (one
process: `make run`, tests) the samples live in the process.

The state gauges (queue depths, sweep lag, clocks) are read from the database and the task
queue at scrape time, by whichever worker answers: nothing per-process to add up.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from aftersales.cases.models import CaseClock, ClockState
from aftersales.notifications.models import OutboxMessage, OutboxStatus

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"

# Created without a registry: the scrape builds its own (see `scrape_registry`).
REQUEST_LATENCY = Histogram(
    "aftersales_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name (never the path with its ids), method and "
    "status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)
SERVER_ERRORS = Counter(
    "aftersales_http_server_errors",
    "HTTP responses with a 5xx status (and unhandled exceptions), by route name and method.",
    ["route", "method"],
    registry=None,
)


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def request_observe(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    REQUEST_LATENCY.labels(route=route, method=method, status=status_class(status)).observe(seconds)
    if status >= 500:
        SERVER_ERRORS.labels(route=route, method=method).inc()


def clock_state(*, now: dt.datetime) -> dict[str, Any]:
    """One query over running clocks (see docs/deployment.md for the exact meanings):

    - at_risk: past the warning time, not yet due;
    - breached: past the due time and still running (the case is open and not met);
    - oldest_unrecorded: the earliest warning or due time that has passed but that the sweep has
      not recorded yet (its two partial indexes' candidates); the sweep lag is now minus this.
    """
    row = CaseClock.objects.filter(state=ClockState.RUNNING).aggregate(
        at_risk=Count("id", filter=Q(warn_at__lte=now, due_at__gt=now)),
        breached=Count("id", filter=Q(due_at__lte=now)),
        oldest_warning=Min("warn_at", filter=Q(warning_recorded_at__isnull=True, warn_at__lte=now)),
        oldest_breach=Min("due_at", filter=Q(breach_recorded_at__isnull=True, due_at__lte=now)),
    )
    marks = [m for m in (row["oldest_warning"], row["oldest_breach"]) if m is not None]
    return {
        "at_risk": row["at_risk"],
        "breached": row["breached"],
        "oldest_unrecorded": min(marks) if marks else None,
    }


def outbox_depth() -> dict[str, int]:
    counts = {OutboxStatus.PENDING.value: 0, OutboxStatus.FAILED.value: 0}
    rows = (
        OutboxMessage.objects.filter(status__in=list(counts))
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def task_queue_depth(huey: Any) -> dict[str, int]:
    """Tasks waiting in the Huey storage: queued (`pending`) and scheduled for later (retries
    with a delay, `schedule()`d tasks)."""
    return {"pending": int(huey.storage.queue_size()), "scheduled": int(huey.storage.schedule_size())}


class StateCollector(Collector):
    """Gauges computed at scrape time. A source that does not answer gives `..._up 0` instead of
    failing the whole scrape (the request metrics are still worth having)."""

    def __init__(self, huey: Any) -> None:
        self.huey = huey

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("aftersales_state_source_up",
                               "1 when the source of the state gauges answered this scrape.",
                               labels=["source"])
        now = timezone.now()
        try:
            outbox = outbox_depth()
            clocks = clock_state(now=now)
        except Exception:  # noqa: BLE001 - a broken database must not break the scrape
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            outbox_gauge = GaugeMetricFamily("aftersales_outbox_messages",
                                             "Outbox notifications not delivered, by status.",
                                             labels=["status"])
            for status, count in sorted(outbox.items()):
                outbox_gauge.add_metric([status], count)
            yield outbox_gauge
            oldest = clocks["oldest_unrecorded"]
            lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
            yield GaugeMetricFamily("aftersales_sla_sweep_lag_seconds",
                                    "Seconds since the oldest warning or due time that passed "
                                    "without the sweep recording it (0 when none).", value=lag)
            yield GaugeMetricFamily("aftersales_sla_clocks_at_risk",
                                    "Running SLA clocks past their warning time, not yet due.",
                                    value=clocks["at_risk"])
            yield GaugeMetricFamily("aftersales_sla_clocks_breached",
                                    "Running SLA clocks past their due time (open, not met).",
                                    value=clocks["breached"])
        try:
            depth = task_queue_depth(self.huey)
        except Exception:  # noqa: BLE001 - same: an unreachable queue is reported, not raised
            up.add_metric(["task_queue"], 0)
        else:
            up.add_metric(["task_queue"], 1)
            queue_gauge = GaugeMetricFamily("aftersales_task_queue_depth",
                                            "Tasks waiting in the task queue (Huey), by state.",
                                            labels=["state"])
            for state, count in sorted(depth.items()):
                queue_gauge.add_metric([state], count)
            yield queue_gauge
        yield up


def scrape_registry(huey: Any) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_directory():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
    else:
        registry.register(REQUEST_LATENCY)
        registry.register(SERVER_ERRORS)
    registry.register(StateCollector(huey))
    return registry
