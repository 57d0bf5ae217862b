"""The spare-parts pages (备件): depots and their stock with the stock changes, the ledger,
parts requests with their delivery clocks, and purchase suggestions.

Engineers see the depots and change stock as the API lets them (receive, issue, transfer,
return faulty); dispatchers, managers and admins also see the ledger, the requests and the
suggestions; only managers and admins adjust stock.
"""

from __future__ import annotations

import datetime as dt
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

from aftersales.cases.templatetags.case_display import span
from aftersales.console.forms_parts import (
    AdjustForm,
    IssueForm,
    LedgerFilterForm,
    ReceiveForm,
    RequestCancelForm,
    RequestFilterForm,
    ReturnFaultyForm,
    StockFilterForm,
    SuggestionDecisionForm,
    SuggestionFilterForm,
    TransferForm,
    depot_choices,
    part_choices,
)
from aftersales.console.views.access import staff_only
from aftersales.core.errors import DomainError
from aftersales.core.roles import Role
from aftersales.parts import selectors, services
from aftersales.parts.api import ADJUSTING_ROLES, MASTER_DATA_ROLES
from aftersales.parts.models import (
    DeliveryState,
    Depot,
    PartsRequest,
    SuggestionStatus,
)

PAGE = 50
# Who uses which page: the depots' stock is for whoever takes parts out or brings them back;
# the ledger, requests and suggestions are the office's (the API's master-data roles).
PARTS_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER})
OFFICE_ROLES = MASTER_DATA_ROLES

TABS = (
    ("console:parts-depots", gettext_lazy("备件库"), PARTS_ROLES),
    ("console:parts-ledger", gettext_lazy("库存台账"), OFFICE_ROLES),
    ("console:parts-requests", gettext_lazy("备件申请"), OFFICE_ROLES),
    ("console:parts-suggestions", gettext_lazy("采购建议"), OFFICE_ROLES),
)

# The stock changes of a depot's page, in order: button label, form, roles that may make it.
MOVEMENTS: dict[str, tuple[Any, type[Any], frozenset[str]]] = {
    "receive": (gettext_lazy("入库"), ReceiveForm, PARTS_ROLES),
    "issue": (gettext_lazy("领用出库到派工单"), IssueForm, PARTS_ROLES),
    "transfer": (gettext_lazy("调拨到其他备件库"), TransferForm, PARTS_ROLES),
    "return": (gettext_lazy("故障件返还"), ReturnFaultyForm, PARTS_ROLES),
    "adjust": (gettext_lazy("盘点调整"), AdjustForm, ADJUSTING_ROLES),
}

# The actions of a parts request, as buttons; which ones a request offers is the services'
# transition table.
REQUEST_ACTIONS: dict[str, Any] = {
    "reserve": gettext_lazy("预留"),
    "dispatch": gettext_lazy("发出"),
    "deliver": gettext_lazy("确认送达"),
    "cancel": gettext_lazy("取消申请"),
}

# A delivery clock's state drawn with the case clocks' badges.
DELIVERY_BADGES = {
    DeliveryState.RUNNING: "on_track", DeliveryState.OVERDUE: "breached", DeliveryState.MET: "met",
    DeliveryState.BREACHED: "met_late", DeliveryState.CANCELLED: "paused",
}


def _role(request: HttpRequest) -> str | None:
    return getattr(request.user, "role", None)


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    """Pages of a role's menu only: other staff get the 404 the console gives for any page that
    is not theirs."""
    if _role(request) not in roles:
        raise Http404


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    return [{"url": reverse(name), "label": label, "active": name == current}
            for name, label, roles in TABS if _role(request) in roles]


def _pager(offset: int, found: int, request: HttpRequest) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("offset", None)
    return {"offset": offset, "next_offset": offset + PAGE if found > PAGE else None,
            "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode()}


# --- depots and stock -----------------------------------------------------------------------


@login_required
@staff_only
def depot_list(request: HttpRequest) -> HttpResponse:
    _require(request, PARTS_ROLES)
    return render(request, "console/parts/depots.html", {
        "depots": Depot.objects.order_by("code")[:500], "tabs": _tabs(request, "console:parts-depots"),
    })


def depot_page_context(request: HttpRequest, depot: Depot, *, failed: str = "",
                       failed_form: Any = None) -> dict[str, Any]:
    parts = part_choices()
    filters = StockFilterForm(request.GET or None, parts=parts)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    rows = list(selectors.depot_stock(
        depot=depot, part_id=data.get("part") or None, kind=data.get("kind") or None,
        text=data.get("q") or "", at_or_below_reorder_point=bool(data.get("below")),
    )[offset:offset + PAGE + 1])
    other_depots = depot_choices(exclude=depot.pk)
    forms = []
    for action, (label, form_class, roles) in MOVEMENTS.items():
        if _role(request) not in roles:
            continue
        form = failed_form if action == failed else form_class(
            action=action, parts=parts, user=request.user, depots=other_depots)
        forms.append({"action": action, "label": label, "form": form, "open": action == failed})
    return {
        "depot": depot, "filters": filters, "stock": rows[:PAGE], "movements": forms,
        "tabs": _tabs(request, "console:parts-depots"), **_pager(offset, len(rows), request),
    }


@login_required
@staff_only
def depot_page(request: HttpRequest, depot_id: uuid.UUID) -> HttpResponse:
    _require(request, PARTS_ROLES)
    depot = selectors.get_depot(depot_id)
    return render(request, "console/parts/depot.html", depot_page_context(request, depot))


def _stock_change(action: str, request: HttpRequest, depot: Depot,
                  data: dict[str, Any]) -> services.StockChange:
    """Call the one service of the action with the parsed form."""
    values = {k: getattr(v, "pk", v) for k, v in data.items() if k != "idempotency_key"}
    common: dict[str, Any] = {
        "actor": request.user, "part": data["part"],
        # The form's key, scoped to the user (as the API scopes its Idempotency-Key).
        "idempotency_key": f"{request.user.pk}:page:{data['idempotency_key']}" if data["idempotency_key"] else None,
        "fingerprint": services.request_fingerprint({"operation": action, "depot": depot.pk, **values}),
    }
    if action == "receive":
        return services.stock_receive(depot=depot, quantity=data["quantity"], reason=data["reason"], **common)
    if action == "issue":
        return services.stock_issue(depot=depot, quantity=data["quantity"], work_order=data["work_order"], **common)
    if action == "transfer":
        return services.stock_transfer(from_depot=depot, to_depot=data["to_depot"], quantity=data["quantity"],
                                       reason=data["reason"], **common)
    if action == "return":
        return services.stock_return_faulty(depot=depot, quantity=data["quantity"], work_order=data["work_order"],
                                            reason=data["reason"], **common)
    return services.stock_adjust(depot=depot, delta=data["delta"], reason=data["reason"], **common)


@require_POST
@login_required
@staff_only
def depot_movement(request: HttpRequest, depot_id: uuid.UUID, action: str) -> HttpResponse:
    _require(request, PARTS_ROLES)
    if action not in MOVEMENTS:
        raise Http404
    label, form_class, roles = MOVEMENTS[action]
    if _role(request) not in roles:
        raise PermissionDenied
    depot = selectors.get_depot(depot_id)
    form = form_class(request.POST, action=action, parts=part_choices(), user=request.user,
                      depots=depot_choices(exclude=depot.pk))
    status = 422
    if form.is_valid():
        try:
            change = _stock_change(action, request, depot, form.cleaned_data)
        except DomainError as refused:
            if refused.status == 404:
                raise
            status = refused.status
            field = (refused.field or "").removesuffix("_id")
            form.add_error(field if field in form.fields else None, refused.detail)
        else:
            stock = change.stock[0]
            if change.created:
                messages.success(request, _("已完成：%(action)s，%(part)s 在库 %(on_hand)s，可用 %(available)s") % {
                    "action": label, "part": stock.part.code, "on_hand": stock.on_hand, "available": stock.available})
            else:
                messages.success(request, _("该操作已提交过，未重复执行。"))
            return HttpResponseRedirect(reverse("console:parts-depot", args=[depot.pk]))
    context = depot_page_context(request, depot, failed=action, failed_form=form)
    return render(request, "console/parts/depot.html", context, status=status)


# --- the ledger -----------------------------------------------------------------------------


@login_required
@staff_only
def ledger_page(request: HttpRequest) -> HttpResponse:
    _require(request, OFFICE_ROLES)
    form = LedgerFilterForm(request.GET or None, parts=part_choices(), depots=depot_choices(active_only=False))
    data = form.cleaned_data if form.is_valid() else {}
    offset = data.get("offset") or 0
    rows = list(selectors.ledger(depot_id=data.get("depot") or None, part_id=data.get("part") or None,
                                 kind=data.get("kind") or None)[offset:offset + PAGE + 1])
    return render(request, "console/parts/ledger.html", {
        "form": form, "movements": rows[:PAGE],
        "tabs": _tabs(request, "console:parts-ledger"), **_pager(offset, len(rows), request),
    })


# --- parts requests -------------------------------------------------------------------------


def _clock(request: PartsRequest, now: dt.datetime) -> dict[str, str]:
    """The delivery clock as a badge: its state, and the time left or past due while open."""
    state = request.delivery_state(now)
    text = str(state.label)
    if state == DeliveryState.RUNNING:
        text = _("剩余 %(span)s") % {"span": span(request.due_at - now)}
    elif state == DeliveryState.OVERDUE:
        text = _("已超时 %(span)s") % {"span": span(now - request.due_at)}
    return {"state": state.value, "badge": DELIVERY_BADGES[state], "text": text}


def requests_page_context(request: HttpRequest, *, error: str = "") -> dict[str, Any]:
    depots = depot_choices(active_only=False)
    form = RequestFilterForm(request.GET or None, depots=depots)
    data = form.cleaned_data if form.is_valid() else {}
    offset = data.get("offset") or 0
    breached = {"yes": True, "no": False}.get(data.get("breached") or "")
    found = list(selectors.parts_requests(status=data.get("status") or None, depot_id=data.get("depot") or None,
                                          breached=breached).select_related("work_order")[offset:offset + PAGE + 1])
    now = timezone.now()
    rows = [{
        "request": parts_request, "clock": _clock(parts_request, now),
        "actions": [{"name": name, "label": label} for name, label in REQUEST_ACTIONS.items()
                    if parts_request.status in services.REQUEST_TRANSITIONS[name]],
    } for parts_request in found[:PAGE]]
    return {
        "form": form, "rows": rows, "error": error, "cancel_form": RequestCancelForm(),
        "tabs": _tabs(request, "console:parts-requests"), **_pager(offset, len(found), request),
    }


@login_required
@staff_only
def requests_page(request: HttpRequest) -> HttpResponse:
    _require(request, OFFICE_ROLES)
    return render(request, "console/parts/requests.html", requests_page_context(request))


@require_POST
@login_required
@staff_only
def request_action(request: HttpRequest, request_id: uuid.UUID, action: str) -> HttpResponse:
    _require(request, OFFICE_ROLES)
    if action not in REQUEST_ACTIONS:
        raise Http404
    form = RequestCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "reserve":
            change = services.parts_request_reserve(actor=request.user, request_id=request_id)
        elif action == "dispatch":
            change = services.parts_request_dispatch(actor=request.user, request_id=request_id)
        elif action == "deliver":
            change = services.parts_request_deliver(actor=request.user, request_id=request_id)
        else:
            change = services.parts_request_cancel(actor=request.user, request_id=request_id, reason=reason)
    except DomainError as refused:
        if refused.status == 404:
            raise
        context = requests_page_context(request, error=refused.detail)
        return render(request, "console/parts/requests.html", context, status=refused.status)
    messages.success(request, _("已完成：%(action)s（%(part)s ×%(quantity)s）") % {
        "action": REQUEST_ACTIONS[action], "part": change.request.part.code, "quantity": change.request.quantity})
    return HttpResponseRedirect(reverse("console:parts-requests"))


# --- purchase suggestions -------------------------------------------------------------------


def suggestions_page_context(request: HttpRequest, *, error: str = "") -> dict[str, Any]:
    # Unfiltered, the page shows what waits for a decision.
    form = SuggestionFilterForm(request.GET or {"status": SuggestionStatus.OPEN})
    data = form.cleaned_data if form.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.purchase_suggestions(status=data.get("status") or None)
                 .select_related("decided_by")[offset:offset + PAGE + 1])
    return {
        "form": form, "suggestions": found[:PAGE], "error": error, "open": SuggestionStatus.OPEN,
        "decisions": SuggestionDecisionForm.base_fields["status"].choices,
        "tabs": _tabs(request, "console:parts-suggestions"), **_pager(offset, len(found), request),
    }


@login_required
@staff_only
def suggestions_page(request: HttpRequest) -> HttpResponse:
    _require(request, OFFICE_ROLES)
    return render(request, "console/parts/suggestions.html", suggestions_page_context(request))


@require_POST
@login_required
@staff_only
def suggestion_decide(request: HttpRequest, suggestion_id: uuid.UUID) -> HttpResponse:
    _require(request, OFFICE_ROLES)
    form = SuggestionDecisionForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        context = suggestions_page_context(request, error=error)
        return render(request, "console/parts/suggestions.html", context, status=422)
    try:
        suggestion = services.purchase_suggestion_decide(actor=request.user, suggestion_id=suggestion_id,
                                                         status=form.cleaned_data["status"])
    except DomainError as refused:
        if refused.status == 404:
            raise
        context = suggestions_page_context(request, error=refused.detail)
        return render(request, "console/parts/suggestions.html", context, status=refused.status)
    messages.success(request, _("采购建议已处理：%(status)s") % {"status": suggestion.get_status_display()})
    return HttpResponseRedirect(reverse("console:parts-suggestions"))
