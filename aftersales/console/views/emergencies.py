"""The emergency view (应急指挥): active emergency cases with the people and parts committed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.cases.selectors import active_emergencies, clock_summaries
from aftersales.console.views.access import staff_only
from aftersales.parts.selectors import open_parts_requests_of_cases
from aftersales.workorders.selectors import open_work_orders_of_cases


@login_required
@staff_only
def emergency_board(request: HttpRequest) -> HttpResponse:
    try:
        max_level = min(9, max(1, int(request.GET.get("level", "1"))))
    except ValueError:
        max_level = 1
    cases = active_emergencies(request.user, max_level=max_level)
    ids = [case.pk for case in cases]
    work_orders = open_work_orders_of_cases(request.user, ids)
    parts = open_parts_requests_of_cases(ids)
    clocks = clock_summaries(ids)
    rows = [{"case": case, "work_orders": work_orders[case.pk], "parts_requests": parts[case.pk],
             "clocks": [c for c in clocks[case.pk] if c.state != "not_required"]} for case in cases]
    return render(request, "console/emergencies.html",
                  {"rows": rows, "max_level": max_level, "levels": range(1, 5), "now": timezone.now()})
