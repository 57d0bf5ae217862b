"""The return pages (退换货): requests by status, a request with the policy's answer and its
steps (decide, receive, complete), and filing a request for an asset.

Who may do what is the returns services' own role sets: admins, managers, dispatchers and
agents decide (only managers and admins against the policy, with a reason); these and the
engineers file, receive and complete. Other staff get the console's 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.assets.selectors import get_asset_for_user
from aftersales.cases.selectors import cases_for_user
from aftersales.console.forms_parts import depot_choices, part_choices
from aftersales.console.forms_returns import (
    CompleteForm,
    DecisionForm,
    ReceiveForm,
    ReturnFilterForm,
    ReturnOpenForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnRequest, ShippingPayer

PAGE = 50
READING_ROLES = services.HANDLING_ROLES

# What the policy offers, in words.
OFFERED = {
    "return": gettext_lazy("退货"), "exchange": gettext_lazy("换货"), "repair": gettext_lazy("收费维修"),
    "repair_or_replace": gettext_lazy("免费维修或更换"),
}
# The steps of a request: form, roles that take it.
STEPS: dict[str, tuple[type[Any], frozenset[str]]] = {
    "decide": (DecisionForm, services.DECIDING_ROLES),
    "receive": (ReceiveForm, services.HANDLING_ROLES),
    "complete": (CompleteForm, services.HANDLING_ROLES),
}
# Which step a request's status waits for.
STEP_OF_STATUS = {"requested": "decide", "approved": "receive", "received": "complete"}


def _role(request: HttpRequest) -> str | None:
    return getattr(request.user, "role", None)


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    if _role(request) not in roles:
        raise Http404


def _refusal(form: Any, refused: DomainError) -> int:
    """Show a service's refusal at its field (or above the form); 404 goes on as 404. An
    override by someone who may not make one belongs to the decision itself."""
    aliases = {refused.field or "": "decision"} if refused.code == "override_forbidden" else {}
    return show_refusal(form, refused, aliases=aliases)


def policy_view(row: ReturnRequest) -> dict[str, Any]:
    """The policy's answer for the request, as checked on the day it was filed."""
    check = services.return_policy_check(asset=row.asset, kind=row.kind, is_quality_fault=row.is_quality_fault,
                                         on=timezone.localdate(row.requested_at))
    return {"check": check, "explanation": services.policy_explanation(check), "offered": OFFERED[check.offered],
            "shipping": ShippingPayer(check.return_shipping_paid_by).label}


def _step_form(step: str, data: Any = None) -> Any:
    form_class = STEPS[step][0]
    if form_class is ReceiveForm:
        return ReceiveForm(data, depots=depot_choices(), parts=part_choices())
    return form_class(data)


# --- the list -------------------------------------------------------------------------------


@login_required
@staff_only
def return_list(request: HttpRequest) -> HttpResponse:
    _require(request, READING_ROLES)
    filters = ReturnFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.return_requests_for_user(request.user, status=data.get("status") or None,
                                                    kind=data.get("kind") or None)[offset:offset + PAGE + 1])
    query = request.GET.copy()
    query.pop("offset", None)
    return render(request, "console/returns/list.html", {
        "filters": filters, "requests": found[:PAGE], "offset": offset, "query": query.urlencode(),
        "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None,
    })


# --- a request ------------------------------------------------------------------------------


def return_page_context(request: HttpRequest, request_id: uuid.UUID, *, failed: str = "",
                        failed_form: Any = None) -> dict[str, Any]:
    row = selectors.get_return_request_for_user(request.user, request_id)
    step = STEP_OF_STATUS.get(row.status, "")
    form = None
    if step and _role(request) in STEPS[step][1]:
        form = failed_form if failed == step else _step_form(step)
    return {"return_request": row, "policy": policy_view(row), "step": step, "form": form}


@login_required
@staff_only
def return_page(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    _require(request, READING_ROLES)
    return render(request, "console/returns/page.html", return_page_context(request, request_id))


def _take_step(request: HttpRequest, step: str, request_id: uuid.UUID, data: dict[str, Any]) -> ReturnRequest:
    """Call the one service of the step with the parsed form."""
    if step == "decide":
        return services.return_decide(actor=request.user, request_id=request_id, approve=data["decision"],
                                      reason=data["reason"], chargeable=data["chargeable"],
                                      return_shipping_paid_by=data["return_shipping_paid_by"])
    if step == "receive":
        return services.return_receive(actor=request.user, request_id=request_id, depot=data["depot"],
                                       part=data["part"], faulty=data["faulty"], quantity=data["quantity"],
                                       note=data["note"])
    return services.return_complete(actor=request.user, request_id=request_id, solution=data["solution"])


@require_POST
@login_required
@staff_only
def return_step(request: HttpRequest, request_id: uuid.UUID, step: str) -> HttpResponse:
    _require(request, READING_ROLES)
    if step not in STEPS:
        raise Http404
    selectors.get_return_request_for_user(request.user, request_id)  # 404 before 403
    if _role(request) not in STEPS[step][1]:
        raise PermissionDenied
    form = _step_form(step, request.POST)
    status = 422
    if form.is_valid():
        try:
            row = _take_step(request, step, request_id, form.cleaned_data)
        except DomainError as refused:
            status = _refusal(form, refused)
        else:
            messages.success(request, _("退换货申请：%(status)s") % {"status": row.get_status_display()})
            return HttpResponseRedirect(reverse("console:return", args=[request_id]))
    context = return_page_context(request, request_id, failed=step, failed_form=form)
    if context["step"] != step:
        # The request has moved on (a second submit): the refusal is shown above the page.
        context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "console/returns/page.html", context, status=status)


# --- filing for an asset --------------------------------------------------------------------


@login_required
@staff_only
def asset_return_new(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    """GET: the form; POST: file the request (once per form shown) and show it with the
    policy's answer."""
    _require(request, READING_ROLES)
    asset = get_asset_for_user(request.user, asset_id)
    cases = [(str(pk), f"{number} {title}") for pk, number, title in
             cases_for_user(request.user).filter(asset=asset).order_by("-opened_at")
             .values_list("pk", "number", "title")[:50]]
    form = ReturnOpenForm(request.POST or None, cases=cases)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                row, created = services.return_request_open(
                    actor=request.user, asset_id=asset.pk, kind=data["kind"], reason=data["reason"],
                    is_quality_fault=data["is_quality_fault"], case_id=data["case"],
                    idempotency_key=f"{request.user.pk}:page:{data['idempotency_key']}",
                    fingerprint=services.request_fingerprint({
                        "asset_id": asset.pk, **{k: v for k, v in data.items() if k != "idempotency_key"}}),
                )
            except DomainError as refused:
                status = _refusal(form, refused)
            else:
                if created:
                    messages.success(request, _("%(kind)s申请已登记。") % {"kind": row.get_kind_display()})
                else:
                    messages.success(request, _("该操作已提交过，未重复执行。"))
                return HttpResponseRedirect(reverse("console:return", args=[row.pk]))
    return render(request, "console/returns/new.html", {"asset": asset, "form": form}, status=status)
