"""The queue (工单队列): open cases by what breaks next, filtered, refreshed in place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.cases.selectors import QueueFilters, case_queue
from aftersales.console.forms import QueueFilterForm
from aftersales.console.views.access import staff_only

PAGE = 50


@login_required
@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    breached = {"yes": True, "no": False}.get(data.get("breached") or "")
    filters = QueueFilters(
        status=data.get("status") or None, severity=data.get("severity") or None,
        customer_id=data["customer"].pk if data.get("customer") else None,
        assignee_id=request.user.pk if data.get("mine") else (data["assignee"].pk if data.get("assignee") else None),
        breached=breached, channel=data.get("channel") or None, text=data.get("q") or "",
    )
    offset = data.get("offset") or 0
    rows = case_queue(request.user, filters, limit=PAGE, offset=offset)
    query = request.GET.copy()
    query.pop("offset", None)
    context = {
        "form": form, "cases": rows[:PAGE], "now": timezone.now(), "offset": offset,
        "next_offset": offset + PAGE if len(rows) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
    }
    template = "console/_queue_rows.html" if request.htmx and not request.htmx.boosted else "console/queue.html"
    return render(request, template, context)
