"""The dispatch page (派工): the technicians ranked for a case, and assignment in one click."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.console.views.access import staff_only
from aftersales.core.errors import DomainError
from aftersales.dispatch.selectors import rank_technicians
from aftersales.dispatch.services import dispatch_assign


def _page(request: HttpRequest, case_id: uuid.UUID, *, error: str = "", status: int = 200) -> HttpResponse:
    ranking = rank_technicians(actor=request.user, case_id=case_id)
    return render(request, "console/dispatch.html", {
        "ranking": ranking, "error": error, "now": timezone.now(), "idempotency_key": uuid.uuid4().hex,
    }, status=status)


def _key(value: str) -> str | None:
    """The form's own key (one per rendered form and technician), or none at all."""
    value = value.strip()[:64]
    return f"console-dispatch:{value}" if value else None


@login_required
@staff_only
def dispatch_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _page(request, case_id)


@require_POST
@login_required
@staff_only
def dispatch_assign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    try:
        assignment = dispatch_assign(
            actor=request.user, case_id=case_id, technician_id=request.POST.get("technician", ""),
            summary=request.POST.get("summary", "")[:5000],
            idempotency_key=_key(request.POST.get("idempotency_key", "")),
        )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _page(request, case_id, error=refused.detail, status=refused.status)
    messages.success(request, _("已派工：%(number)s → %(name)s") % {
        "number": assignment.work_order.number, "name": assignment.technician.user.username})
    return HttpResponseRedirect(reverse("console:work_order", args=[assignment.work_order.pk]))
