"""The substitute-unit pages (替代设备): loans (out, overdue, returned) and taking one back, the
open proposals with accept (= lend) and decline, the pool of units per depot, and proposing a
unit for a case from its candidates.

Dispatchers, managers and admins act; engineers and agents read. Other staff get the console's
404 for a page that is not theirs, and a reader's post is refused (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.cases.selectors import get_case_with_context
from aftersales.console.forms_loans import (
    LoanFilterForm,
    LoanReturnForm,
    ProposalAcceptForm,
    ProposalDeclineForm,
    ProposalFilterForm,
    ProposeForm,
    UnitFilterForm,
)
from aftersales.console.forms_parts import depot_choices
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.core.roles import Role
from aftersales.loans import selectors, services
from aftersales.loans.models import ProposalStatus

PAGE = 50
ACTING_ROLES = services.POOL_ROLES
READING_ROLES = ACTING_ROLES | {Role.AGENT, Role.ENGINEER}

TABS = (
    ("console:loans", gettext_lazy("借用记录")),
    ("console:loans-proposals", gettext_lazy("替代设备建议")),
    ("console:loans-units", gettext_lazy("替代设备池")),
)


def _role(request: HttpRequest) -> str | None:
    return getattr(request.user, "role", None)


def _require_reader(request: HttpRequest) -> None:
    if _role(request) not in READING_ROLES:
        raise Http404


def _require_actor(request: HttpRequest) -> None:
    _require_reader(request)
    if _role(request) not in ACTING_ROLES:
        raise PermissionDenied


def _tabs(current: str) -> list[dict[str, Any]]:
    return [{"url": reverse(name), "label": label, "active": name == current} for name, label in TABS]


def _pager(offset: int, found: int, request: HttpRequest) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("offset", None)
    return {"offset": offset, "next_offset": offset + PAGE if found > PAGE else None,
            "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode()}




def _key(request: HttpRequest, key: str) -> str:
    """The form's key, scoped to the user (as the API scopes its Idempotency-Key)."""
    return f"{request.user.pk}:page:{key}"


def _listing(request: HttpRequest, filters: Any, tab: str, rows: Callable[[dict[str, Any]], QuerySet[Any]],
             row: Callable[[Any, bool], dict[str, Any]]) -> dict[str, Any]:
    """A tab's page of the `rows` its valid `filters` choose, each shown by `row` (told whether
    the user may act on it), with the pager."""
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(rows(data)[offset:offset + PAGE + 1])
    can_act = _role(request) in ACTING_ROLES
    return {"filters": filters, "rows": [row(each, can_act) for each in found[:PAGE]], "can_act": can_act,
            "tabs": _tabs(tab), **_pager(offset, len(found), request)}


# --- loans ----------------------------------------------------------------------------------


def loans_context(request: HttpRequest, *, failed_loan: Any = None, failed_form: Any = None) -> dict[str, Any]:
    now = timezone.now()

    def row(loan: Any, can_act: bool) -> dict[str, Any]:
        return {
            "loan": loan, "state": loan.display_status(now),
            "return_form": (failed_form if loan.pk == failed_loan else LoanReturnForm(auto_id=f"return-{loan.pk}-%s"))
            if can_act and loan.status == "out" else None,
            "open": loan.pk == failed_loan,
        }

    return _listing(request, LoanFilterForm(request.GET or None), "console:loans",
                    lambda data: selectors.loans_for_user(request.user, status=data.get("status") or None, now=now),
                    row)


@login_required
@staff_only
def loan_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return render(request, "console/loans/loans.html", loans_context(request))


@require_POST
@login_required
@staff_only
def loan_return(request: HttpRequest, loan_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    loan = selectors.get_loan_for_user(request.user, loan_id)
    form = LoanReturnForm(request.POST, auto_id=f"return-{loan.pk}-%s")
    status = 422
    if form.is_valid():
        try:
            services.loan_return(actor=request.user, loan_id=loan.pk,
                                 condition_in=form.cleaned_data["condition_in"], faulty=form.cleaned_data["faulty"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("替代设备 %(serial)s 已归还。") % {"serial": loan.unit.serial_number})
            return HttpResponseRedirect(reverse("console:loans"))
    context = loans_context(request, failed_loan=loan.pk, failed_form=form)
    context["error_loan"] = loan
    return render(request, "console/loans/loans.html", context, status=status)


# --- proposals ------------------------------------------------------------------------------


def proposals_context(request: HttpRequest, *, failed: tuple[str, Any] | None = None,
                      failed_form: Any = None) -> dict[str, Any]:
    def row(proposal: Any, can_act: bool) -> dict[str, Any]:
        shown: dict[str, Any] = {"proposal": proposal, "open_action": ""}
        if can_act and proposal.status == ProposalStatus.OPEN:
            for action, form_class in (("accept", ProposalAcceptForm), ("decline", ProposalDeclineForm)):
                if failed == (action, proposal.pk):
                    shown[f"{action}_form"], shown["open_action"] = failed_form, action
                else:
                    shown[f"{action}_form"] = form_class(auto_id=f"{action}-{proposal.pk}-%s")
        return shown

    # Unfiltered, the page shows what waits for a decision.
    filters = ProposalFilterForm(request.GET or {"status": ProposalStatus.OPEN})
    return _listing(request, filters, "console:loans-proposals",
                    lambda data: selectors.substitute_proposals(status=data.get("status") or None)
                    .select_related("proposed_by", "decided_by", "case__customer"),
                    row)


@login_required
@staff_only
def proposal_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return render(request, "console/loans/proposals.html", proposals_context(request))


@require_POST
@login_required
@staff_only
def proposal_accept(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    """Accept = lend the proposed unit until the due time."""
    _require_actor(request)
    form = ProposalAcceptForm(request.POST, auto_id=f"accept-{proposal_id}-%s")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            loan, created = services.loan_out(
                actor=request.user, proposal_id=proposal_id, due_back_at=data["due_back_at"],
                condition_out=data["condition_out"], idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint({
                    "operation": "loan", "proposal_id": proposal_id, "due_back_at": data["due_back_at"],
                    "condition_out": data["condition_out"]}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            if created:
                messages.success(request, _("已借出替代设备 %(serial)s，工单 %(number)s。") % {
                    "serial": loan.unit.serial_number, "number": loan.case.number})
            else:
                messages.success(request, _("该操作已提交过，未重复执行。"))
            return HttpResponseRedirect(reverse("console:loans-proposals"))
    context = proposals_context(request, failed=("accept", proposal_id), failed_form=form)
    return render(request, "console/loans/proposals.html", context, status=status)


@require_POST
@login_required
@staff_only
def proposal_decline(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    form = ProposalDeclineForm(request.POST, auto_id=f"decline-{proposal_id}-%s")
    status = 422
    if form.is_valid():
        try:
            proposal = services.substitute_decline(actor=request.user, proposal_id=proposal_id,
                                                   reason=form.cleaned_data["reason"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("已拒绝工单 %(number)s 的替代设备建议。") % {"number": proposal.case.number})
            return HttpResponseRedirect(reverse("console:loans-proposals"))
    context = proposals_context(request, failed=("decline", proposal_id), failed_form=form)
    return render(request, "console/loans/proposals.html", context, status=status)


# --- the pool -------------------------------------------------------------------------------


@login_required
@staff_only
def unit_list(request: HttpRequest) -> HttpResponse:
    """The pool of units, by depot, with their status."""
    _require_reader(request)
    filters = UnitFilterForm(request.GET or None, depots=depot_choices(active_only=False))
    data = filters.cleaned_data if filters.is_valid() else {}
    units = (selectors.substitute_units(depot_id=data.get("depot") or None, status=data.get("status") or None)
             .order_by("depot__code", "product__model", "serial_number")[:500])
    return render(request, "console/loans/units.html", {
        "filters": filters, "units": units, "tabs": _tabs("console:loans-units"),
    })


# --- proposing for a case -------------------------------------------------------------------


def _unit_choices(candidates: list[services.Candidate]) -> list[tuple[str, str]]:
    return [(str(c.unit.pk), f"{c.unit.product.model} {c.unit.serial_number} · {c.unit.depot.name}")
            for c in candidates]


def substitutes_context(request: HttpRequest, case_id: uuid.UUID, *, form: ProposeForm | None = None) -> dict[str, Any]:
    case = get_case_with_context(request.user, case_id)
    candidates = services.substitute_candidates(case)
    can_act = _role(request) in ACTING_ROLES
    return {
        "case": case, "candidates": candidates, "can_act": can_act,
        "form": form or (ProposeForm(units=_unit_choices(candidates)) if can_act else None),
        "proposals": selectors.substitute_proposals(case_id=case.pk).select_related("proposed_by")[:50],
        "loans": selectors.loans_for_user(request.user, case_id=case.pk)[:50], "now": timezone.now(),
    }


@login_required
@staff_only
def case_substitutes(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """GET: the case's candidates (nearest depot first); POST: propose one of them (or the nearest)."""
    _require_reader(request)
    if request.method != "POST":
        return render(request, "console/loans/case_substitutes.html", substitutes_context(request, case_id))
    _require_actor(request)
    case = get_case_with_context(request.user, case_id)
    form = ProposeForm(request.POST, units=_unit_choices(services.substitute_candidates(case)))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal, created = services.substitute_propose(
                actor=request.user, case_id=case.pk, reason=data["reason"], unit_id=data["unit"],
                idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint({
                    "operation": "proposal", "case_id": case.pk, "reason": data["reason"], "unit_id": data["unit"]}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            if created:
                messages.success(request, _("已建议借用替代设备 %(serial)s。") % {
                    "serial": proposal.unit.serial_number})
            else:
                messages.success(request, _("该操作已提交过，未重复执行。"))
            return HttpResponseRedirect(reverse("console:case-substitutes", args=[case.pk]))
    context = substitutes_context(request, case_id, form=form)
    return render(request, "console/loans/case_substitutes.html", context, status=status)
