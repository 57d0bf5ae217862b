"""Work-order pages (派工单): a case's work orders, a technician's list, and the page an engineer
works from on the phone — travel, check-in, findings, parts used, photos, the customer's
signature, the PDF report."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.cases.selectors import get_case_for_user
from aftersales.console.forms_workorders import (
    PartsUsedForm,
    PhotoForm,
    WorkOrderActionForm,
    WorkOrderNewForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.inspections.selectors import occurrence_of_work_order
from aftersales.parts import services as parts_services
from aftersales.parts.selectors import get_depot, get_part, parts_requests, work_order_parts_lines
from aftersales.workorders import services
from aftersales.workorders.images import signature_png_from_text
from aftersales.workorders.selectors import (
    get_work_order_for_user,
    get_work_order_with_events,
    technician_work_orders,
    work_order_photos,
)
from aftersales.workorders.transitions import TRANSITIONS

# What each action asks for on the page, in order; labels are the buttons.
ACTION_FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "assign": (_("指派工程师"), ("technician_id",)),
    "start_travel": (_("出发"), ()),
    "check_in": (_("到场签到"), ("note",)),
    "record": (_("记录诊断与处理"), ("diagnosis", "work_performed", "result", "time_spent_minutes")),
    "complete": (_("完工"), ()),
    "sign": (_("客户签字确认"), ("signer_name",)),
    "close": (_("关闭派工单"), ()),
    "cancel": (_("取消派工单"), ("reason",)),
}




def work_order_context(request: HttpRequest, work_order_id: uuid.UUID, *, form: WorkOrderActionForm | None = None,
                       failed_action: str = "", parts_form: PartsUsedForm | None = None,
                       photo_form: PhotoForm | None = None,
                       parts_request_form: PartsUsedForm | None = None) -> dict[str, Any]:
    work_order, events = get_work_order_with_events(request.user, work_order_id)
    blank = WorkOrderActionForm()
    actions = [
        {"name": name, "label": label, "open": name == failed_action,
         "form": form if (form is not None and name == failed_action) else blank, "fields": fields}
        for name, (label, fields) in ACTION_FIELDS.items()
        if work_order.status in TRANSITIONS[name]
    ]
    return {
        "work_order": work_order, "case": work_order.case, "events": events, "actions": actions,
        "parts_lines": work_order_parts_lines(work_order),
        "parts_requests": list(parts_requests(work_order_id=work_order.pk)[:20]),
        "parts_request_form": parts_request_form or PartsUsedForm(prefix="request"),
        "can_request_parts": work_order.is_open, "now": timezone.now(),
        "parts_form": parts_form or PartsUsedForm(),
        "can_use_parts": work_order.status in ("on_site", "work_done"),
        "photos": work_order_photos(work_order), "photo_form": photo_form or PhotoForm(),
        "can_add_photo": work_order.status in TRANSITIONS["add_photo"],
        "inspection": occurrence_of_work_order(request.user, work_order.pk)
        if work_order.kind == "inspection" else None,
    }


@login_required
@staff_only
def work_order_page(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    return render(request, "console/workorders/page.html", work_order_context(request, work_order_id))


@require_POST
@login_required
@staff_only
def work_order_action(request: HttpRequest, work_order_id: uuid.UUID, action: str) -> HttpResponse:
    form = WorkOrderActionForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            signature = signature_png_from_text(data["signature"]) if action == "sign" and data["signature"] else None
            services.work_order_act(
                actor=request.user, work_order_id=work_order_id, action=action,
                technician_id=data["technician_id"], note=data["note"],
                diagnosis=data["diagnosis"] if action == "record" else None,
                work_performed=data["work_performed"] if action == "record" else None,
                result=data["result"] or None, time_spent_minutes=data["time_spent_minutes"],
                reason=data["reason"], signer_name=data["signer_name"], signature_png=signature,
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("已完成：%(action)s") % {"action": ACTION_FIELDS[action][0]})
            return HttpResponseRedirect(reverse("console:work_order", args=[work_order_id]))
    context = work_order_context(request, work_order_id, form=form, failed_action=action)
    return render(request, "console/workorders/page.html", context, status=status)


def _parts_post(request: HttpRequest, work_order_id: uuid.UUID, *, service: Callable[..., Any],
                key_scope: str, prefix: str | None, context_name: str, done: str) -> HttpResponse:
    """A parts form of the work order page (used on the visit, or to be brought to the site):
    both take the same fields and hand them to `service`; a refusal shows the form again."""
    form = PartsUsedForm(request.POST, prefix=prefix)
    status = 422
    if form.is_valid():
        work_order = get_work_order_for_user(request.user, work_order_id)
        data = form.cleaned_data
        try:
            service(
                actor=request.user, depot=get_depot(data["depot"]), part=get_part(data["part"]),
                quantity=data["quantity"], work_order=work_order,
                idempotency_key=f"{key_scope}:{data['idempotency_key']}",
                fingerprint=parts_services.request_fingerprint(
                    {"depot": data["depot"], "part": data["part"], "quantity": data["quantity"],
                     "work_order": work_order.pk}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("console:work_order", args=[work_order_id]))
    return render(request, "console/workorders/page.html",
                  work_order_context(request, work_order_id, **{context_name: form}), status=status)


@require_POST
@login_required
@staff_only
def work_order_parts(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    return _parts_post(request, work_order_id, service=parts_services.stock_issue,
                       key_scope="console-parts", prefix=None, context_name="parts_form",
                       done=_("已记录使用的备件。"))


@require_POST
@login_required
@staff_only
def work_order_parts_request(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    """Parts to be brought to the site (备件申请): the delivery clock starts now."""
    return _parts_post(request, work_order_id, service=parts_services.parts_request_open,
                       key_scope="console-request", prefix="request",
                       context_name="parts_request_form", done=_("已提交备件申请。"))


@require_POST
@login_required
@staff_only
def work_order_photo(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            services.work_order_add_photo(actor=request.user, work_order_id=work_order_id,
                                          upload=form.cleaned_data["file"], caption=form.cleaned_data["caption"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("照片已上传。"))
            return HttpResponseRedirect(reverse("console:work_order", args=[work_order_id]))
    return render(request, "console/workorders/page.html",
                  work_order_context(request, work_order_id, photo_form=form), status=status)


@login_required
@staff_only
def work_order_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A work order for the case (派工), with a technician chosen by hand."""
    case = get_case_for_user(request.user, case_id)
    if request.method != "POST":
        return render(request, "console/workorders/new.html", {"case": case, "form": WorkOrderNewForm()})
    form = WorkOrderNewForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            work_order, _created = services.work_order_create(
                actor=request.user, case_id=case_id, kind=data["kind"], technician_id=data["technician_id"],
                scheduled_for=data["scheduled_for"], summary=data["summary"],
                idempotency_key=f"console:{data['idempotency_key']}",
                fingerprint=services.request_fingerprint({k: v for k, v in data.items() if k != "idempotency_key"}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("已派工：%(number)s") % {"number": work_order.number})
            return HttpResponseRedirect(reverse("console:work_order", args=[work_order.pk]))
    return render(request, "console/workorders/new.html", {"case": case, "form": form}, status=status)


@login_required
@staff_only
def my_work_orders(request: HttpRequest) -> HttpResponse:
    """The signed-in engineer's work orders: open ones first, by scheduled time."""
    rows = technician_work_orders(request.user, request.user.pk, open_only=True)
    return render(request, "console/workorders/mine.html", {"work_orders": rows})
