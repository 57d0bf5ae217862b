"""Maintenance-log pages (维修保养记录): the list, a new log, a log's page with the steps its
status allows (edit the draft, the technician's signature, the owner's signature on this device
or by an e-mailed one-time link, a correction of a sealed log), the log book exports and the
check of the hash chain.

Every staff role reads; engineers, dispatchers, managers and admins act; customer users get
404 (staff_only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.console.forms_maintenance import (
    CorrectForm,
    LogbookForm,
    LogContentForm,
    LogFilterForm,
    LogNewForm,
    OwnerLinkForm,
    OwnerSignForm,
    SignForm,
    VerifyForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.core.roles import Role
from aftersales.maintenance import services
from aftersales.maintenance.chain import verify_chain
from aftersales.maintenance.models import LogStatus, MaintenanceLog
from aftersales.maintenance.selectors import get_log_for_user, get_site_for_user, log_list
from aftersales.workorders.images import signature_png_from_text
from aftersales.workorders.selectors import get_work_order_for_user

PAGE = 50
ACTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER})


def _can_act(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in ACTING_ROLES


def _require_actor(request: HttpRequest) -> None:
    if not _can_act(request):
        raise PermissionDenied






def _log_url(log_id: Any) -> str:
    return reverse("console:maintenance-log", args=[log_id])


# --- the list ---------------------------------------------------------------------------------


@require_GET
@login_required
@staff_only
def log_list_page(request: HttpRequest) -> HttpResponse:
    filters = LogFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(log_list(request.user, site_id=data.get("site"), status=data.get("status") or None,
                          period_kind=data.get("period_kind") or None)[offset:offset + PAGE + 1])
    query = request.GET.copy()
    query.pop("offset", None)
    site = data.get("site")
    return render(request, "console/maintenance/list.html", {
        "filters": filters, "logs": found[:PAGE], "can_act": _can_act(request),
        "offset": offset, "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
        "logbook_form": LogbookForm(initial={"site": site, "period_kind": data.get("period_kind")}),
        "verify_form": VerifyForm(initial={"site": site}),
    })


# --- a new log --------------------------------------------------------------------------------


@login_required
@staff_only
def log_new(request: HttpRequest) -> HttpResponse:
    _require_actor(request)
    if request.method != "POST":
        return render(request, "console/maintenance/new.html", {"form": LogNewForm(initial=_from_work_order(request))})
    form = LogNewForm(request.POST)
    status = 422
    if form.is_valid():
        key = form.cleaned_data["idempotency_key"]
        made = made_by_key(request, "maintenance-log", key)
        if made is not None:
            return HttpResponseRedirect(_log_url(made))
        try:
            log = services.maintenance_log_create(actor=request.user, site_id=form.cleaned_data["site"],
                                                  **form.changes())
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            remember_key(request, "maintenance-log", key, log.pk)
            messages.success(request, _("已新建维修保养记录（草稿）。"))
            return HttpResponseRedirect(_log_url(log.pk))
    return render(request, "console/maintenance/new.html", {"form": form}, status=status)


def _from_work_order(request: HttpRequest) -> dict[str, Any]:
    """Opened from a work order (?work_order=<id>): its site, asset and time, and the link to it."""
    try:
        work_order_id = uuid.UUID(request.GET.get("work_order", ""))
    except ValueError:
        return {}
    work_order = get_work_order_for_user(request.user, work_order_id)
    case = work_order.case
    site_id = case.site_id or (case.asset.site_id if case.asset_id and case.asset else None)
    initial: dict[str, Any] = {"work_order": work_order.pk, "asset": case.asset_id, "site": site_id,
                               "problem": case.title, "symptom": case.description}
    if work_order.checked_in_at is not None:
        initial["performed_at"] = timezone.localtime(work_order.checked_in_at).replace(tzinfo=None)
    return initial


# --- a log's page -----------------------------------------------------------------------------


def _is_draft(log: MaintenanceLog, request: HttpRequest) -> bool:
    return log.status == LogStatus.DRAFT and not log.is_sealed


def _is_technician(log: MaintenanceLog, request: HttpRequest) -> bool:
    return _is_draft(log, request) and log.technician_id == request.user.pk


def _awaits_owner(log: MaintenanceLog, request: HttpRequest) -> bool:
    return log.status == LogStatus.AWAITING_OWNER and not log.is_sealed


def _sealed(log: MaintenanceLog, request: HttpRequest) -> bool:
    return log.is_sealed


def _edit(request: HttpRequest, log: MaintenanceLog, form: Any) -> MaintenanceLog:
    return services.maintenance_log_update(actor=request.user, log_id=log.pk, **form.changes())


def _technician_sign(request: HttpRequest, log: MaintenanceLog, form: Any) -> MaintenanceLog:
    data = form.cleaned_data
    return services.maintenance_log_technician_sign(
        actor=request.user, log_id=log.pk, signature_png=signature_png_from_text(data["signature"]),
        signer_name=data["signer_name"])


def _owner_sign(request: HttpRequest, log: MaintenanceLog, form: Any) -> MaintenanceLog:
    data = form.cleaned_data
    return services.maintenance_log_owner_sign(
        actor=request.user, log_id=log.pk, signer_name=data["signer_name"],
        signature_png=signature_png_from_text(data["signature"]))


def _owner_link(request: HttpRequest, log: MaintenanceLog, form: Any) -> MaintenanceLog:
    services.maintenance_log_send_owner_link(actor=request.user, log_id=log.pk, email=form.cleaned_data["email"])
    return log


def _correct(request: HttpRequest, log: MaintenanceLog, form: Any) -> MaintenanceLog:
    key = form.cleaned_data["idempotency_key"]
    made = made_by_key(request, f"maintenance-correction:{log.pk}", key)
    if made is not None:
        return MaintenanceLog.objects.get(pk=made)
    correction = services.maintenance_log_correct(actor=request.user, log_id=log.pk)
    remember_key(request, f"maintenance-correction:{log.pk}", key, correction.pk)
    return correction


Action = tuple[Any, Callable[..., Any], Callable[[MaintenanceLog, HttpRequest], bool],
               Callable[[HttpRequest, MaintenanceLog, Any], MaintenanceLog], Any]
# name: (button label, form maker, shown when, what it does, message when done)
ACTIONS: dict[str, Action] = {
    "edit": (_("修改草稿"), lambda log, *a, **k: LogContentForm(*a, site_id=log.site_id, **k), _is_draft, _edit,
             _("草稿已保存。")),
    "technician-sign": (_("维护人员签字"), lambda log, *a, **k: SignForm(*a, **k), _is_technician,
                        _technician_sign, _("维护人员已签字，等待业主签字。")),
    "owner-sign": (_("业主在本设备上签字"), lambda log, *a, **k: OwnerSignForm(*a, **k), _awaits_owner,
                   _owner_sign, _("业主已签字，记录已封存。")),
    "owner-link": (_("发送一次性签字链接"), lambda log, *a, **k: OwnerLinkForm(*a, **k), _awaits_owner,
                   _owner_link, _("签字链接已发送到业主邮箱。")),
    "correct": (_("更正此记录"), lambda log, *a, **k: CorrectForm(*a, **k), _sealed, _correct,
                _("已新建更正记录（草稿），修改后请重新签字。")),
}


def _blank_form(name: str, log: MaintenanceLog) -> Any:
    make = ACTIONS[name][1]
    if name == "edit":
        return LogContentForm.of_log(log, auto_id="edit-%s")
    return make(log, auto_id=f"{name}-%s")


def log_context(request: HttpRequest, log_id: uuid.UUID, *, form: Any = None, failed_action: str = "") -> dict[str, Any]:
    log = get_log_for_user(request.user, log_id)
    can_act = _can_act(request)
    actions = [
        {"name": name, "label": label, "open": name == failed_action,
         "form": form if name == failed_action else _blank_form(name, log),
         "signature": name in ("technician-sign", "owner-sign")}
        for name, (label, _make, shown, _do, _done) in ACTIONS.items()
        if name == failed_action or (can_act and shown(log, request))
    ]
    return {
        "log": log, "actions": actions, "can_act": can_act,
        "corrections": list(log.corrections.order_by("created_at")),
        "owner_links": list(log.owner_links.order_by("-created_at")[:10]) if request.user.is_staff_member else [],
        "waits_for_other_technician": can_act and _is_draft(log, request) and not _is_technician(log, request),
    }


@require_GET
@login_required
@staff_only
def log_page(request: HttpRequest, log_id: uuid.UUID) -> HttpResponse:
    return render(request, "console/maintenance/page.html", log_context(request, log_id))


@require_POST
@login_required
@staff_only
def log_action(request: HttpRequest, log_id: uuid.UUID, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    log = get_log_for_user(request.user, log_id)
    _require_actor(request)
    _label, make, _shown, do, done = ACTIONS[action]
    form = make(log, request.POST, auto_id=f"{action}-%s")
    status = 422
    if form.is_valid():
        try:
            result = do(request, log, form)
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_log_url(result.pk))
    context = log_context(request, log_id, form=form, failed_action=action)
    return render(request, "console/maintenance/page.html", context, status=status)


# --- the log book and the chain ---------------------------------------------------------------


@require_GET
@login_required
@staff_only
def logbook_page(request: HttpRequest) -> HttpResponse:
    """The log book form; once valid, the links to its PDF and Excel exports (the API's, which
    take this session)."""
    form = LogbookForm(request.GET or None)
    links = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            site = get_site_for_user(request.user, data["site"])
            query = urlencode({"site": str(site.pk), "start": data["start"].isoformat(),
                               "end": data["end"].isoformat(), "period_kind": data["period_kind"] or ""})
            links = {"site": site, "pdf": f"/api/v1/maintenance/logbook.pdf?{query}",
                     "xlsx": f"/api/v1/maintenance/logbook.xlsx?{query}"}
        else:
            status = 422
    return render(request, "console/maintenance/logbook.html", {"form": form, "links": links}, status=status)


@require_GET
@login_required
@staff_only
def verify_page(request: HttpRequest) -> HttpResponse:
    """Prove the chain of sealed logs intact (one site, or all) or name the first broken link."""
    form = VerifyForm(request.GET)
    site = None
    if form.is_valid() and form.cleaned_data["site"] is not None:
        site = get_site_for_user(request.user, form.cleaned_data["site"])
    report = verify_chain(site.pk if site is not None else None)
    return render(request, "console/maintenance/verify.html", {"form": form, "site": site, "report": report})
