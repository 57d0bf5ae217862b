"""Mail triage pages (待分拣邮件): messages from senders who are no known contact. An agent
assigns one to a customer (which files the case and acknowledges it to the sender) or
discards it. Every staff role works the list; customer users get 404 (staff_only)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.forms_mail import MailReplyForm, TriageAssignForm
from aftersales.console.views.access import staff_only
from aftersales.console.views.case import case_page_context
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.mail import selectors, services
from aftersales.mail.models import InboundMessage

PAGE = 100


def _message(message_id: uuid.UUID) -> InboundMessage:
    found = selectors.triage_list().filter(pk=message_id).first()
    if found is None:
        raise Http404
    return found


@login_required
@staff_only
def triage_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "console/mail/triage.html", {"rows": list(selectors.triage_list()[:PAGE])})


def _page(request: HttpRequest, message: InboundMessage, form: TriageAssignForm, status: int = 200) -> HttpResponse:
    return render(request, "console/mail/triage_message.html", {"message": message, "form": form}, status=status)


@login_required
@staff_only
def triage_message_page(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    return _page(request, _message(message_id), TriageAssignForm())


@require_POST
@login_required
@staff_only
def triage_assign(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    key = request.POST.get("idempotency_key", "")
    made = made_by_key(request, "mail-triage", key) if key else None
    if made is not None:
        return HttpResponseRedirect(reverse("console:case", args=[made]))
    message = _message(message_id)
    form = TriageAssignForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.triage_assign(actor=request.user, message_id=message.pk,  # type: ignore[arg-type]
                                          customer_id=data["customer"], category=data["category"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            remember_key(request, "mail-triage", data["idempotency_key"], case.pk)
            messages.success(request, _("已为该邮件登记工单 %(number)s，并已向发件人发送受理确认。")
                             % {"number": case.number})
            return HttpResponseRedirect(reverse("console:case", args=[case.pk]))
    return _page(request, message, form, status)


@require_POST
@login_required
@staff_only
def triage_discard(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    try:
        services.triage_discard(actor=request.user, message_id=message_id)  # type: ignore[arg-type]
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("邮件已丢弃。"))
    return HttpResponseRedirect(reverse("console:mail-triage"))


@require_POST
@login_required
@staff_only
def case_mail_reply(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The reply button of the case page: the text goes to the customer by e-mail, threaded
    under their latest mail, and onto the case's timeline."""
    form = MailReplyForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.mail_reply(actor=request.user, case_id=case_id,  # type: ignore[arg-type]
                                body=form.cleaned_data["body"], idempotency_key=form.cleaned_data["idempotency_key"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("回复已排入发送队列。"))
            return HttpResponseRedirect(reverse("console:case", args=[case_id]))
    context = case_page_context(request, case_id, mail_reply_form=form)
    return render(request, "console/case.html", context, status=status)
