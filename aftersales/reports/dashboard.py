"""The manager dashboard (经理看板): figures of the moment, each one an index range count.

- Open cases by clock state come from the queue's own partial index (`case_open_queue_idx`,
  on `queue_at` where `in_queue`): `queue_at` is the case's next running deadline (the end of
  time when no clock runs), so overdue / at risk / on track / paused are four ranges of it.
- The backlog trend is exact without a daily snapshot: the backlog at the end of day D is
  open now − opened after D + resolved after D (a case is resolved after it is opened).
- Breaches this week are breached clocks whose due time fell this week (a clock breaches at its
  due time).

Two of these ranges need indexes the cases app does not have yet (see
docs/decisions/0013-reports.md): `Case.resolved_at` and breached `CaseClock.due_at`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from aftersales.cases.models import QUEUE_END, Case, CaseClock
from aftersales.inspections.models import InspectionOccurrence
from aftersales.parts.models import OPEN_REQUEST_STATUSES, PartsRequest
from aftersales.reports.sql import fetch, local_day, param

RISK_WINDOW = dt.timedelta(hours=4)
TREND_DAYS = 30
FAULT_CLASS_DAYS = 7
AT_RISK_LIST = 10
TOP_FAULT_CLASSES = 5


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def clock_states(now: dt.datetime) -> dict[str, int]:
    open_cases = Case.objects.filter(in_queue=True)
    soon = now + RISK_WINDOW
    return {
        "overdue": open_cases.filter(queue_at__lt=now).count(),
        "at_risk": open_cases.filter(queue_at__gte=now, queue_at__lt=soon).count(),
        "on_track": open_cases.filter(queue_at__gte=soon, queue_at__lt=QUEUE_END).count(),
        "not_running": open_cases.filter(queue_at__gte=QUEUE_END).count(),
    }


def at_risk_cases(now: dt.datetime, *, limit: int = AT_RISK_LIST) -> list[Case]:
    """The open cases whose next deadline comes within the risk window, soonest first."""
    return list(Case.objects.filter(in_queue=True, queue_at__gte=now, queue_at__lt=now + RISK_WINDOW)
                .select_related("customer").only("number", "title", "severity", "queue_at", "customer__name")
                .order_by("queue_at", "number")[:limit])


def breaches_this_week(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    week_start = _day_start(today - dt.timedelta(days=today.weekday()))
    return CaseClock.objects.filter(is_breached=True, due_at__gte=week_start, due_at__lt=now).count()


def _per_day(column: str, since: dt.datetime) -> dict[str, int]:
    table = Case._meta.db_table
    day = local_day(column)
    return {str(d): n for d, n in fetch(
        f"SELECT {day}, COUNT(*) FROM {table} WHERE {column} >= %s GROUP BY 1", [param(since)])}  # noqa: S608 - our names; values are parameters


def backlog_trend(now: dt.datetime, *, days: int = TREND_DAYS) -> list[dict[str, Any]]:
    """[{day, open}] for the last `days` local days, the open backlog at each day's end (today:
    now)."""
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    since = _day_start(first + dt.timedelta(days=1))
    open_now = Case.objects.filter(in_queue=True).count()
    opened, resolved = _per_day("opened_at", since), _per_day("resolved_at", since)
    trend = []
    # Walking back from today: the backlog at the end of day D adds back what was resolved
    # after D and takes away what was opened after D.
    backlog = open_now
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        trend.append({"day": day, "open": backlog})
        backlog += resolved.get(day.isoformat(), 0) - opened.get(day.isoformat(), 0)
    trend.reverse()
    return trend


def parts_late(now: dt.datetime) -> int:
    return PartsRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, due_at__lt=now).count()


def inspections_overdue(now: dt.datetime) -> int:
    # The statuses as literals: SQLite matches the partial index of the overdue scan only then.
    table = InspectionOccurrence._meta.db_table
    rows = fetch(f"SELECT COUNT(*) FROM {table} WHERE status IN ('planned', 'scheduled') AND due_at < %s",  # noqa: S608 - our names; values are parameters
                 [param(now)])
    return int(rows[0][0])


def top_fault_classes(now: dt.datetime, *, days: int = FAULT_CLASS_DAYS,
                      limit: int = TOP_FAULT_CLASSES) -> list[dict[str, Any]]:
    rows = (Case.objects.filter(opened_at__gte=now - dt.timedelta(days=days), fault_class__isnull=False)
            .values("fault_class__code", "fault_class__name").order_by()
            .annotate(n=Count("id")).order_by("-n", "fault_class__code")[:limit])
    return [{"code": r["fault_class__code"], "name": r["fault_class__name"], "cases": r["n"]} for r in rows]


def dashboard(*, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    states = clock_states(now)
    return {
        "now": now,
        "clock_states": states,
        "open": sum(states.values()),
        "opened_today": Case.objects.filter(opened_at__gte=_day_start(today)).count(),
        "breaches_this_week": breaches_this_week(now),
        "at_risk": at_risk_cases(now),
        "trend": backlog_trend(now),
        "parts_late": parts_late(now),
        "inspections_overdue": inspections_overdue(now),
        "fault_classes": top_fault_classes(now),
    }
