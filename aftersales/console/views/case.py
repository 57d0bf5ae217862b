"""The case page: header, clocks, timeline, and the actions the case's status allows."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.assets.services import asset_warranty
from aftersales.cases import services
from aftersales.cases.attachments import attachments_for, case_attach
from aftersales.cases.downloads import attachment_response
from aftersales.cases.selectors import case_clocks, case_events, get_case_with_context
from aftersales.cases.transitions import TRANSITIONS
from aftersales.console.forms import ActionForm, AttachmentForm
from aftersales.console.forms_mail import MailReplyForm
from aftersales.console.presenters import timeline_items
from aftersales.console.views.access import staff_only
from aftersales.core.errors import DomainError
from aftersales.customers.masking import contact_fields_for
from aftersales.emergencies.services import fault_level
from aftersales.mail.selectors import reply_recipient
from aftersales.workorders.selectors import work_orders_of_scoped_case

# What each action asks for on the page, in order; labels are the buttons.
ACTION_FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "acknowledge": (_("确认受理"), ()),
    "respond": (_("答复客户（客户可见）"), ("message",)),
    "note": (_("内部备注（客户不可见）"), ("note",)),
    "customer_reply": (_("记录客户来电/回复"), ("message",)),
    "assign": (_("指派"), ("assignee_id",)),
    "check_in": (_("到场签到"), ("note",)),
    "restore": (_("已恢复运行"), ("note",)),
    "resolve": (_("解决"), ("resolution",)),
    "wait_on_customer": (_("等待客户"), ("reason",)),
    "resume": (_("恢复处理"), ()),
    "escalate": (_("升级"), ("reason",)),
    "agree_deadline": (_("约定期限"), ("target", "due_at", "reason")),
    "confirm_closure": (_("记录客户电话同意关闭"), ("note",)),
    "reopen": (_("重新打开"), ("reason",)),
    "explain_breach": (_("说明超时原因"), ("target", "reason")),
}


# The inputs of an action are the same on every case page until someone submits them; rendering
# Django's widgets each time was a third of the page. Kept per process, language, action and
# the list of staff one can assign to.
_blank_fields: dict[tuple[Any, ...], SafeString] = {}


def _fields_html(form: ActionForm, action: str, names: tuple[str, ...]) -> SafeString:
    form.auto_id = f"{action}-%s"  # ids unique on the page: one form per action
    if form.is_bound:
        return mark_safe("".join(render_to_string("forms/field.html", {"field": form[n]}) for n in names))  # noqa: S308
    key = (get_language(), action, tuple(form.fields["assignee_id"].choices))
    html = _blank_fields.get(key)
    if html is None:
        if len(_blank_fields) > 500:
            _blank_fields.clear()
        html = _blank_fields[key] = mark_safe(  # noqa: S308 - rendered by Django's templates
            "".join(render_to_string("forms/field.html", {"field": form[n]}) for n in names))
    return html


def case_page_context(request: HttpRequest, case_id: uuid.UUID, *, form: ActionForm | None = None,
                      failed_action: str = "", attachment_form: AttachmentForm | None = None,
                      mail_reply_form: MailReplyForm | None = None) -> dict[str, Any]:
    case = get_case_with_context(request.user, case_id)
    recipient = reply_recipient(case)
    blank = ActionForm()
    form = form or blank
    actions = [
        {"name": name, "label": label, "open": name == failed_action,
         "fields": _fields_html(form if name == failed_action else blank, name, fields)}
        for name, (label, fields) in ACTION_FIELDS.items()
        if case.status in TRANSITIONS[name]
    ]
    warranty = asset_warranty(case.asset, on=timezone.localdate()) if case.asset_id else None
    return {
        "case": case, "clocks": case_clocks(case), "timeline": timeline_items(case_events(case, limit=50)),
        "actions": actions, "warranty": warranty, "now": timezone.now(), "form": form,
        "tier": case.contract.tier if case.contract_id else None,
        "attachments": attachments_for(request.user, case),
        "attachment_form": attachment_form or AttachmentForm(),
        "fault": fault_level(case.fault_class_id) if case.fault_class_id else None,
        "work_orders": work_orders_of_scoped_case(case),
        # The reply by e-mail, when the case has somebody to write to (address masked by role).
        "mail_reply": {"recipient": contact_fields_for(request.user, "", recipient)[1],
                       "form": mail_reply_form or MailReplyForm(),
                       "open": mail_reply_form is not None} if recipient else None,
    }


@login_required
@staff_only
def case_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return render(request, "console/case.html", case_page_context(request, case_id))


@require_POST
@login_required
@staff_only
def case_action(request: HttpRequest, case_id: uuid.UUID, action: str) -> HttpResponse:
    form = ActionForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_act(
                actor=request.user, case_id=case_id, action=action, message=data["message"],
                assignee_id=data["assignee_id"], reason=data["reason"],
                note=data["note"], resolution=data["resolution"], target=data["target"] or None,
                due_at=data["due_at"], contact_id=data["contact_id"],
            )
        except DomainError as refused:
            if refused.status == 404:
                raise
            status = refused.status
            if refused.field and refused.field in form.fields:
                form.add_error(refused.field, refused.detail)
            else:
                form.add_error(None, refused.detail)
        else:
            messages.success(request, _("已完成：%(action)s") % {"action": ACTION_FIELDS[action][0]})
            return HttpResponseRedirect(reverse("console:case", args=[case_id]))
    context = case_page_context(request, case_id, form=form, failed_action=action)
    return render(request, "console/case.html", context, status=status)


@require_POST
@login_required
@staff_only
def case_attachment_upload(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            case_attach(actor=request.user, case_id=case_id, upload=upload, name=upload.name,
                        visible_to_customer=form.cleaned_data["visible_to_customer"])
        except DomainError as refused:
            if refused.status == 404:
                raise
            form.add_error("file", refused.detail)
        else:
            messages.success(request, _("附件已上传。"))
            return HttpResponseRedirect(reverse("console:case", args=[case_id]))
    context = case_page_context(request, case_id, attachment_form=form)
    return render(request, "console/case.html", context, status=422)


@login_required
@staff_only
def attachment_download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    return attachment_response(request, attachment_id)
