"""Chat pages of the console (在线客服): the waiting and active chats (refreshed by htmx every few
seconds, the people on duty named and the viewer's own duty highlighted), one chat with its
transcript (polled for what is new), take, answer and end. The hotline roles work chats; other
staff are refused by the services, customer users get 404 (staff_only)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from aftersales.chat import selectors, services
from aftersales.chat.forms import ChatMessageForm
from aftersales.chat.models import ChatSession
from aftersales.chat.polling import poll_context, poll_response
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import flash_refusal
from aftersales.core.errors import DomainError
from aftersales.core.permissions import require_role

LIST_POLL_SECONDS = 5


def _answer_form(data: Any = None) -> ChatMessageForm:
    return ChatMessageForm(data, label=gettext_lazy("答复"))


def _chat_staff(request: HttpRequest) -> Any:
    """The viewer, if a hotline role; others get the refusal page (403)."""
    user: Any = request.user
    require_role(user, services.CHAT_ROLES, doing=_("接待在线客服"))
    return user


def _can_answer(user: Any, session: ChatSession) -> bool:
    return bool(session.agent_id == user.pk or user.role in services.SUPERVISOR_ROLES)


def _refused(request: HttpRequest, refused: DomainError) -> HttpResponse:
    return render(request, "console/chat/refused.html", {"refused": refused.detail}, status=refused.status)


def _list_context(request: HttpRequest) -> dict[str, Any]:
    desk = selectors.duty_desk(request.user)
    return {"sessions": selectors.open_sessions(), "desk": desk, "on_duty_ids": desk.user_ids,
            "now": timezone.now(), "poll_seconds": LIST_POLL_SECONDS}


@never_cache
@login_required
@staff_only
def chat_list(request: HttpRequest) -> HttpResponse:
    try:
        _chat_staff(request)
    except DomainError as refused:
        return _refused(request, refused)
    template = "console/chat/rows.html" if request.htmx else "console/chat/list.html"  # type: ignore[attr-defined]
    return render(request, template, _list_context(request))


def _session_context(request: HttpRequest, session: ChatSession, **extra: Any) -> dict[str, Any]:
    shown = selectors.messages_after(session)
    return {"session": session, "chat_messages": shown, "last": shown[-1].sequence if shown else 0,
            "poll_seconds": settings.CHAT_POLL_SECONDS, "form": extra.pop("form", None) or _answer_form(),
            "can_answer": _can_answer(request.user, session), **extra}


@never_cache
@login_required
@staff_only
def chat_session(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    try:
        user = _chat_staff(request)
    except DomainError as refused:
        return _refused(request, refused)
    session = selectors.get_session_for_user(user, session_id)
    return render(request, "console/chat/session.html", _session_context(request, session))


@require_POST
@login_required
@staff_only
def chat_take(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    return _act(request, session_id, services.chat_session_take, _("已接入会话，请答复客户。"))


@require_POST
@login_required
@staff_only
def chat_send(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Post an answer. From htmx: the compose box again (empty, or with the refusal at the
    answer; 200 so that htmx shows it) and an event that makes the transcript poll at once."""
    form = _answer_form(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.chat_message_post(actor=request.user, session_id=session_id,  # type: ignore[arg-type]
                                       body=form.cleaned_data["body"], client_id=form.cleaned_data["client_id"])
        except DomainError as refused:
            if refused.status == 404:
                raise
            form.add_error("body" if refused.field == "body" else None, refused.detail)
            status = refused.status
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return HttpResponseRedirect(reverse("console:chat-session", args=[session_id]))
            session = selectors.get_session_for_user(request.user, session_id)
            response = render(request, "console/chat/compose.html",
                              {"session": session, "form": _answer_form(), "can_answer": _can_answer(request.user, session)})
            response["HX-Trigger"] = "chat-refresh"
            return response
    session = selectors.get_session_for_user(request.user, session_id)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "console/chat/compose.html",
                      {"session": session, "form": form, "can_answer": _can_answer(request.user, session)})
    return render(request, "console/chat/session.html", _session_context(request, session, form=form), status=status)


@never_cache
@login_required
@staff_only
def chat_messages(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The poll: answers the messages after `after`, the next poller, the status and the
    actions (the customer may have ended, another agent taken the chat)."""
    try:
        user = _chat_staff(request)
    except DomainError as refused:
        return _refused(request, refused)
    session = selectors.get_session_for_user(user, session_id)
    context = {**poll_context(session, request.GET.get("after")), "can_answer": _can_answer(user, session)}
    return poll_response(render(request, "console/chat/messages.html", context), context)


@require_POST
@login_required
@staff_only
def chat_end(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    return _act(request, session_id, services.chat_session_end, _("会话已结束，摘要已记入工单。"))


def _act(request: HttpRequest, session_id: uuid.UUID, action: Any, done: str) -> HttpResponse:
    """Run a chat service on the session; its refusal or `done` as a message; back to the chat."""
    try:
        action(actor=request.user, session_id=session_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("console:chat-session", args=[session_id]))
