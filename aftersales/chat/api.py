"""The chat API under /api/v1/chat: customer users start, write in and end their chats; the
hotline (agent, dispatcher, manager, admin) lists, takes, answers and ends them. A client polls
`GET /sessions/{id}/messages?after=N` for what is new. Handlers parse, call one service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aftersales.chat import selectors, services
from aftersales.chat.models import ChatMessage, ChatSession, SessionStatus
from aftersales.chat.schemas import ChatMessageIn, ChatMessageOut, ChatSessionOut, ChatStartIn
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_role

router = Router(tags=["chat"])
LIST_LIMIT = 100


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def session_out(session: ChatSession) -> ChatSessionOut:
    return ChatSessionOut(
        id=session.pk, customer_id=session.customer_id, case_id=session.case_id,
        case_number=session.case.number, topic=session.topic, status=session.status,
        started_by=_name(session.started_by), agent=_name(session.agent) if session.agent else None,
        created_at=session.created_at, taken_at=session.taken_at, ended_at=session.ended_at,
        end_reason=session.end_reason, last_sequence=session.last_sequence,
    )


def message_out(message: ChatMessage) -> ChatMessageOut:
    return ChatMessageOut(id=message.pk, sequence=message.sequence, side=message.side,
                          author=_name(message.author), body=message.body, client_id=message.client_id,
                          created_at=message.created_at)


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.is_customer_user:
        require_role(user, services.CHAT_ROLES, doing=_("查看在线客服会话"))
    return user


class SessionFilters(Schema):
    status: str | None = None


class AfterQuery(Schema):
    after: int = Field(default=0, ge=0, le=selectors.MAX_SEQUENCE)


@router.post("/sessions", response={200: ChatSessionOut, 201: ChatSessionOut})
def session_start(request: HttpRequest, payload: ChatStartIn) -> Status[ChatSessionOut]:
    """Start a chat (customer users): 201 with a new session and its case, or 200 with the
    user's open one (at most one at a time)."""
    session, created = services.chat_session_start(actor=request.user, topic=payload.topic)  # type: ignore[arg-type]
    return Status(201 if created else 200, session_out(selectors.get_session_for_user(request.user, session.pk)))


@router.get("/sessions", response=list[ChatSessionOut])
def session_list(request: HttpRequest, filters: Query[SessionFilters]) -> list[ChatSessionOut]:
    """The newest sessions the user may see (staff: all customers'), at most 100."""
    user = _reader(request)
    rows = selectors.sessions_for_user(user)
    if filters.status:
        if filters.status not in SessionStatus.values:
            raise ValidationFailed(_("状态必须是以下之一：%(choices)s") % {"choices": ", ".join(SessionStatus.values)},
                                   field="status")
        rows = rows.filter(status=filters.status)
    return [session_out(s) for s in rows.order_by("-created_at")[:LIST_LIMIT]]


@router.get("/sessions/{session_id}", response=ChatSessionOut)
def session_get(request: HttpRequest, session_id: uuid.UUID) -> ChatSessionOut:
    return session_out(selectors.get_session_for_user(_reader(request), session_id))


@router.post("/sessions/{session_id}/messages", response={200: ChatMessageOut, 201: ChatMessageOut})
def message_post(request: HttpRequest, session_id: uuid.UUID, payload: ChatMessageIn) -> Status[ChatMessageOut]:
    """Write a message: 201 new, 200 when this client_id was posted before (a retry)."""
    message, created = services.chat_message_post(actor=request.user, session_id=session_id,  # type: ignore[arg-type]
                                                  body=payload.body, client_id=payload.client_id)
    return Status(201 if created else 200, message_out(message))


@router.get("/sessions/{session_id}/messages", response=list[ChatMessageOut])
def message_list(request: HttpRequest, session_id: uuid.UUID, query: Query[AfterQuery]) -> list[ChatMessageOut]:
    """Messages with a sequence above `after`, oldest first, at most 200 per call."""
    session = selectors.get_session_for_user(_reader(request), session_id)
    return [message_out(m) for m in selectors.messages_after(session, query.after)]


@router.post("/sessions/{session_id}/take", response=ChatSessionOut)
def session_take(request: HttpRequest, session_id: uuid.UUID) -> ChatSessionOut:
    session = services.chat_session_take(actor=request.user, session_id=session_id)  # type: ignore[arg-type]
    return session_out(selectors.get_session_for_user(request.user, session.pk))


@router.post("/sessions/{session_id}/end", response=ChatSessionOut)
def session_end(request: HttpRequest, session_id: uuid.UUID) -> ChatSessionOut:
    session = services.chat_session_end(actor=request.user, session_id=session_id)  # type: ignore[arg-type]
    return session_out(selectors.get_session_for_user(request.user, session.pk))
