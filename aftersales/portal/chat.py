"""The chat box of the portal (在线客服): start a chat, write, see the agent's answers appear
without reloading (htmx polls for the messages after the last one shown; no websockets), end it.
Without JavaScript every form still works (a redirect back to the page). Another
organisation's session answers 404."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from aftersales.chat import selectors, services
from aftersales.chat.forms import ChatMessageForm
from aftersales.chat.models import ChatSession
from aftersales.chat.polling import poll_context, poll_response
from aftersales.core.errors import DomainError
from aftersales.portal.views import customers_only

RECENT = 5


class ChatStartForm(forms.Form):
    topic = forms.CharField(label=gettext_lazy("咨询主题（可选）"), required=False, max_length=services.MAX_TOPIC)


def _context(request: HttpRequest, session: ChatSession | None, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    shown = selectors.messages_after(session) if session is not None else []
    recent = selectors.sessions_for_user(user).filter(started_by=user)
    if session is not None:
        recent = recent.exclude(pk=session.pk)
    return {
        "session": session, "chat_messages": shown, "last": shown[-1].sequence if shown else 0,
        "poll_seconds": settings.CHAT_POLL_SECONDS,
        "form": extra.pop("form", None) or ChatMessageForm(),
        "start_form": extra.pop("start_form", None) or ChatStartForm(),
        "recent": list(recent.order_by("-created_at")[:RECENT]),
        **extra,
    }


@never_cache
@login_required
@customers_only
def chat_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/chat.html", _context(request, selectors.open_session_of(request.user)))


@require_POST
@login_required
@customers_only
def chat_start(request: HttpRequest) -> HttpResponse:
    form = ChatStartForm(request.POST)
    if form.is_valid():
        try:
            services.chat_session_start(actor=request.user, topic=form.cleaned_data["topic"])  # type: ignore[arg-type]
        except DomainError as refused:
            if refused.status == 404:
                raise
            form.add_error("topic" if refused.field == "topic" else None, refused.detail)
            return render(request, "portal/chat.html", _context(request, None, start_form=form),
                          status=refused.status)
        return HttpResponseRedirect(reverse("portal:chat"))
    return render(request, "portal/chat.html", _context(request, None, start_form=form), status=422)


@require_POST
@login_required
@customers_only
def chat_send(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Post a message. From htmx: the compose box again (empty, or with the refusal at the
    message; 200 so that htmx shows it) and an event that makes the log poll at once."""
    user: Any = request.user
    session = selectors.get_session_for_user(user, session_id)
    form = ChatMessageForm(request.POST)
    status, error = 422, ""
    if form.is_valid():
        try:
            services.chat_message_post(actor=request.user, session_id=session.pk,  # type: ignore[arg-type]
                                       body=form.cleaned_data["body"], client_id=form.cleaned_data["client_id"])
        except DomainError as refused:
            if refused.status == 404:
                raise
            form.add_error("body" if refused.field == "body" else None, refused.detail)
            status, error = refused.status, refused.detail
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return HttpResponseRedirect(reverse("portal:chat"))
            response = render(request, "portal/chat_compose.html",
                              {"session": session, "form": ChatMessageForm()})
            response["HX-Trigger"] = "chat-refresh"
            return response
    session.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "portal/chat_compose.html", {"session": session, "form": form})
    if session.is_open:
        return render(request, "portal/chat.html", _context(request, session, form=form), status=status)
    # Ended meanwhile: the page offers a new chat, with the reason this message was refused.
    return render(request, "portal/chat.html", _context(request, None, error=error), status=status)


@never_cache
@login_required
@customers_only
def chat_messages(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The poll: messages after `after`, the poller asking from the last of them, the status
    line; once the chat has ended, its notice instead of the compose box, and polling stops."""
    user: Any = request.user
    session = selectors.get_session_for_user(user, session_id)
    context = poll_context(session, request.GET.get("after"))
    return poll_response(render(request, "portal/chat_messages.html", context), context)


@require_POST
@login_required
@customers_only
def chat_end(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    try:
        services.chat_session_end(actor=request.user, session_id=session_id)  # type: ignore[arg-type]
    except DomainError as refused:
        if refused.status == 404:
            raise
        messages.error(request, refused.detail)
    else:
        messages.success(request, _("会话已结束，记录已保存在工单中。"))
    return HttpResponseRedirect(reverse("portal:chat"))
