"""The queue (工单队列): open cases by what breaks next, filtered, refreshed in place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.cases.models import Channel, Status
from aftersales.cases.selectors import QueueFilters, case_queue, clock_summaries
from aftersales.console.forms import QueueFilterForm
from aftersales.console.presenters import COLUMNS, options, queue_rows
from aftersales.console.views.access import staff_only
from aftersales.contracts.models import Severity
from aftersales.customers.models import Customer

PAGE = 50
# What a row of the page shows (console/presenters.py): nothing more is read of each case.
ROW_FIELDS = ("number", "severity", "title", "customer", "status", "assignee", "next_due_at", "is_breached",
              "queue_at")


def _filter_choices(form: QueueFilterForm) -> dict[str, list[dict[str, object]]]:
    """The filter selects, as plain options (Django's widgets render each option by template)."""
    value = form.data.get
    everything = [("", _("全部"))]
    return {
        "status": options([("", _("全部未结")), *Status.choices], value("status")),
        "severity": options([*everything, *Severity.choices], value("severity")),
        "customer": options([*everything, *Customer.objects.order_by("name").values_list("pk", "name")],
                            value("customer")),
        "assignee": options([*everything, *User.objects.filter(role__in=STAFF_ROLES, is_active=True)
                             .order_by("username").values_list("pk", "username")], value("assignee")),
        "breached": options([*everything, ("yes", _("已超时")), ("no", _("未超时"))], value("breached")),
        "channel": options([*everything, *Channel.choices], value("channel")),
    }


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
    cases = case_queue(request.user, filters, limit=PAGE, offset=offset, clock_summary=True, fields=ROW_FIELDS)
    query = request.GET.copy()
    query.pop("offset", None)
    context = {
        "rows": queue_rows(cases[:PAGE], clock_summaries([c.pk for c in cases[:PAGE]]), timezone.now()),
        "columns": COLUMNS, "offset": offset,
        "next_offset": offset + PAGE if len(cases) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "console/_queue_rows.html", context)
    context.update(form=form, choices=_filter_choices(form), q=data.get("q") or "", mine=bool(data.get("mine")))
    return render(request, "console/queue.html", context)
