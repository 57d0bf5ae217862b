"""Customer portal pages. Every read goes through the scoping layer: another organisation's
case answers 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.cases import services
from aftersales.cases.attachments import attachments_for, case_attach, sniff_content_type
from aftersales.cases.downloads import attachment_response
from aftersales.cases.selectors import (
    QueueFilters,
    case_clocks,
    case_events,
    case_queue,
    get_case_for_user,
)
from aftersales.core.errors import DomainError
from aftersales.loans.models import LoanStatus
from aftersales.loans.selectors import loans_for_user
from aftersales.portal.forms import (
    AttachmentForm,
    ReopenForm,
    ReplyForm,
    ReturnRequestForm,
    ServiceRequestForm,
)
from aftersales.returns import services as return_services
from aftersales.returns.models import ReturnRequest, ShippingPayer
from aftersales.returns.selectors import get_return_request_for_user, return_requests_for_user
from aftersales.workorders.selectors import work_orders_of_case

PAGE = 25
# Events a customer sees on its case; internal ones (sweep marks, escalations) stay in the console.
VISIBLE_EVENTS = frozenset({
    "opened", "acknowledged", "responded", "assigned", "waiting_on_customer", "resumed", "checked_in",
    "resolved", "restored", "deadline_agreed", "closure_consented", "reopened", "customer_replied",
})


def customers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_customer_user", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@customers_only
def home(request: HttpRequest) -> HttpResponse:
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 100_000))
    except ValueError:
        offset = 0
    rows = case_queue(request.user, QueueFilters(open_only=False), limit=PAGE, offset=offset)
    return render(request, "portal/home.html", {
        "cases": rows[:PAGE], "now": timezone.now(), "offset": offset,
        "next_offset": offset + PAGE if len(rows) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None,
    })


def _case_context(request: HttpRequest, case_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    case = get_case_for_user(request.user, case_id)
    events = [e for e in case_events(case, limit=100) if e.kind in VISIBLE_EVENTS]
    return {"case": case, "clocks": case_clocks(case), "events": events, "now": timezone.now(),
            "reopen_form": extra.pop("reopen_form", ReopenForm()),
            "reply_form": extra.pop("reply_form", ReplyForm()),
            "attachment_form": extra.pop("attachment_form", AttachmentForm()),
            "attachments": attachments_for(request.user, case),
            "work_orders": work_orders_of_case(request.user, case.pk),
            "loans": list(loans_for_user(request.user, case_id=case.pk, status=LoanStatus.OUT)), **extra}


@login_required
@customers_only
def case_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return render(request, "portal/case.html", _case_context(request, case_id))


@require_POST
@login_required
@customers_only
def confirm_closure(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    try:
        services.case_act(actor=request.user, case_id=case_id, action="confirm_closure")
    except DomainError as refused:
        if refused.status == 404:
            raise Http404 from None
        return render(request, "portal/case.html", _case_context(request, case_id, error=refused.detail),
                      status=refused.status)
    messages.success(request, _("感谢确认，服务请求已关闭。"))
    return HttpResponseRedirect(reverse("portal:case", args=[case_id]))


def _submit(request: HttpRequest, case_id: uuid.UUID, form: Any, form_name: str,
            perform: Callable[[dict[str, Any]], object], done: str) -> HttpResponse:
    """A form on the case page: valid and accepted → back to the case with a message; refused →
    the page again with the reason on the form (another organisation's case: 404)."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except DomainError as refused:
            if refused.status == 404:
                raise Http404 from None
            form.add_error("file" if "file" in form.fields else None, refused.detail)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("portal:case", args=[case_id]))
    return render(request, "portal/case.html", _case_context(request, case_id, **{form_name: form}), status=422)


@require_POST
@login_required
@customers_only
def reopen(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _submit(request, case_id, ReopenForm(request.POST), "reopen_form", lambda data: services.case_act(
        actor=request.user, case_id=case_id, action="reopen", reason=data["reason"]),
        _("服务请求已重新打开，我们会尽快处理。"))


@require_POST
@login_required
@customers_only
def reply(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _submit(request, case_id, ReplyForm(request.POST), "reply_form", lambda data: services.case_act(
        actor=request.user, case_id=case_id, action="customer_reply", message=data["message"]),
        _("回复已发送。"))


def _description(data: dict[str, Any]) -> str:
    lines = [data["description"].strip(), "", _("报修人：%(name)s") % {"name": data["reporter"]}]
    if data.get("noticed_at"):
        moment = timezone.localtime(data["noticed_at"])
        lines.append(_("发现时间：%(at)s") % {"at": date_format(moment, "Y-m-d H:i")})
    return "\n".join(lines)


@login_required
@customers_only
def service_request(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ServiceRequestForm(request.POST or None, request.FILES or None, customer_id=user.customer_id)
    # One key per form shown: a double submit (or a retry after a timeout) files one case.
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    status = 200
    if request.method == "POST":
        status = 422
        upload = request.FILES.get("attachment")
        if upload is not None and sniff_content_type(upload.read(16)) is None:
            form.add_error("attachment", _("只能上传图片（PNG、JPEG、GIF、WebP）或 PDF 文件。"))
        if upload is not None:
            upload.seek(0)
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = services.case_file(
                    actor=user, customer_id=user.customer_id, channel="web", category="fault",
                    title=data["title"], description=_description(data), impact=data["impact"],
                    contact_id=data["contact"].pk if data["contact"] else None,
                    site_id=data["site"].pk if data["site"] else None,
                    asset_id=data["asset"].pk if data["asset"] else None,
                    idempotency_key=f"portal:{key}",
                    fingerprint=services.request_fingerprint(
                        {k: str(v) for k, v in data.items() if k != "attachment"}),
                )
                if filed.created and upload is not None:
                    case_attach(actor=user, case_id=filed.case.pk, upload=upload, name=upload.name)
            except DomainError as refused:
                if refused.field and refused.field.removesuffix("_id") in form.fields:
                    form.add_error(refused.field.removesuffix("_id"), refused.detail)
                else:
                    form.add_error(None, refused.detail)
                status = refused.status
            else:
                messages.success(request, _("服务申请已提交，工单号 %(number)s。") % {"number": filed.case.number})
                return HttpResponseRedirect(reverse("portal:case", args=[filed.case.pk]))
    return render(request, "portal/request.html", {"form": form, "idempotency_key": key}, status=status)


@require_POST
@login_required
@customers_only
def attachment_upload(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _submit(request, case_id, AttachmentForm(request.POST, request.FILES), "attachment_form",
                   lambda data: case_attach(actor=request.user, case_id=case_id, upload=data["file"],
                                            name=data["file"].name),
                   _("附件已上传。"))


@login_required
@customers_only
def attachment_download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    return attachment_response(request, attachment_id)


# --- returns and exchanges (退换货申请) ------------------------------------------------------

# What the policy offers, in words.
OFFERED = {
    "return": gettext_lazy("退货"), "exchange": gettext_lazy("换货"), "repair": gettext_lazy("收费维修"),
    "repair_or_replace": gettext_lazy("免费维修或更换"),
}


def _returns_context(request: HttpRequest, form: ReturnRequestForm) -> dict[str, Any]:
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 100_000))
    except ValueError:
        offset = 0
    rows = list(return_requests_for_user(request.user)[offset:offset + PAGE + 1])
    return {"requests": rows[:PAGE], "form": form, "offset": offset,
            "next_offset": offset + PAGE if len(rows) > PAGE else None,
            "previous_offset": max(0, offset - PAGE) if offset else None}


@login_required
@customers_only
def return_requests(request: HttpRequest) -> HttpResponse:
    """The organisation's return requests, and the form to file one for one of its assets."""
    user: Any = request.user
    form = ReturnRequestForm(request.POST or None, customer_id=user.customer_id)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed, _created = return_services.return_request_open(
                    actor=user, asset_id=data["asset"].pk, kind=data["kind"], reason=data["reason"],
                    is_quality_fault=data["is_quality_fault"],
                    idempotency_key=f"{user.pk}:portal:{data['idempotency_key']}",
                    fingerprint=return_services.request_fingerprint({
                        "asset_id": data["asset"].pk, "kind": data["kind"], "reason": data["reason"],
                        "is_quality_fault": data["is_quality_fault"]}),
                )
            except DomainError as refused:
                if refused.status == 404:
                    raise Http404 from None
                field = (refused.field or "").removesuffix("_id")
                form.add_error(field if field in form.fields else None, refused.detail)
                status = refused.status
            else:
                messages.success(request, _("退换货申请已提交。"))
                return HttpResponseRedirect(reverse("portal:return", args=[filed.pk]))
    return render(request, "portal/returns.html", _returns_context(request, form), status=status)


def _policy_view(row: ReturnRequest) -> dict[str, Any]:
    """The policy's answer for the request, as checked on the day it was filed."""
    check = return_services.return_policy_check(
        asset=row.asset, kind=row.kind, is_quality_fault=row.is_quality_fault,
        on=timezone.localdate(row.requested_at))
    return {"check": check, "explanation": return_services.policy_explanation(check),
            "offered": OFFERED[check.offered], "shipping": ShippingPayer(check.return_shipping_paid_by).label}


@login_required
@customers_only
def return_request_page(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    row = get_return_request_for_user(request.user, request_id)
    return render(request, "portal/return.html", {"return_request": row, "policy": _policy_view(row)})
