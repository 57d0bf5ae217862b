"""Chat (在线客服): a customer user starts a session (which opens a case of channel `chat`), an
agent takes it, both write, either ends it. Every message is also an event of the case (the
customer's a reply, the agent's a response), so the case's timeline is the transcript.

Locks: the session row first, then (inside the cases services) the case row — everywhere in
this order, so two writers never wait on each other crosswise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.cases.models import OPEN_STATUSES, Case
from aftersales.cases.services import (
    case_assign,
    case_customer_reply,
    case_file,
    case_respond,
    case_system_note,
)
from aftersales.chat.models import (
    OPEN_SESSION_STATUSES,
    ChatMessage,
    ChatSession,
    EndReason,
    SessionStatus,
    Side,
)
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.customers.models import Contact

# Staff who answer chats: the hotline and those who stand in for it.
CHAT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
# May write in a chat another agent has taken (to help or take over the conversation).
SUPERVISOR_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
MAX_TOPIC = 200
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _require_chat_user(actor: User, doing: str) -> None:
    if not actor.is_customer_user:
        require_role(actor, CHAT_ROLES, doing=doing)


def _lock_session(actor: User, session_id: Any) -> ChatSession:
    """The session, locked for this transaction, if the actor may see it (404 otherwise)."""
    lookup: dict[str, Any] = {"pk": session_id}
    if actor.is_customer_user:
        lookup["customer_id"] = actor.customer_id
    try:
        return ChatSession.objects.select_for_update(of=("self",)).select_related("case").get(**lookup)
    except (ChatSession.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该在线会话"), code="chat_session_not_found") from None


def _contact_of(actor: User) -> Contact | None:
    """The customer's contact with the user's e-mail address: the person the case is about."""
    if not actor.email:
        return None
    customer_id: Any = actor.customer_id
    return (Contact.objects.filter(customer_id=customer_id, email__iexact=actor.email)
            .order_by("-is_primary", "name").first())


def _open_session_of(actor: User) -> ChatSession | None:
    return (ChatSession.objects.select_related("case")
            .filter(started_by=actor, status__in=OPEN_SESSION_STATUSES).first())


# --- starting -------------------------------------------------------------------------------


def chat_session_start(*, actor: User, topic: str = "", now: dt.datetime | None = None,
                       ) -> tuple[ChatSession, bool]:
    """Start a chat: opens a consultation case of channel `chat` for the user's organisation
    and a waiting session. Returns (session, created). A user has at most one open session: a
    second start returns it (created False), also when two starts race."""
    if not actor.is_customer_user:
        raise PermissionDenied(_("在线咨询由客户用户发起；服务人员请在控制台接待"), code="customers_only")
    topic = topic.strip()
    if "\x00" in topic:
        raise ValidationFailed(_("咨询主题含有不可用的字符"), field="topic")
    if len(topic) > MAX_TOPIC:
        raise ValidationFailed(_("咨询主题最多 %(max)s 个字") % {"max": MAX_TOPIC}, field="topic")
    existing = _open_session_of(actor)
    if existing is not None:
        if existing.case.status in OPEN_STATUSES:
            return existing, False
        # The case was resolved or closed under the chat: that chat is over, a new one starts.
        _end(actor=None, session_id=existing.pk, reason=EndReason.CASE_CLOSED, now=now)
    now = now or timezone.now()
    contact = _contact_of(actor)
    customer_id: Any = actor.customer_id
    try:
        with transaction.atomic():
            filed = case_file(
                actor=actor, customer_id=actor.customer_id, channel="chat", category="consultation",
                title=topic or _("在线咨询"), description=topic,
                contact_id=contact.pk if contact else None, now=now,
            )
            session = ChatSession.objects.create(
                customer_id=customer_id, started_by=actor, contact=contact, case=filed.case,
                topic=topic, last_activity_at=now, created_at=now,
            )
    except IntegrityError:
        existing = _open_session_of(actor)
        if existing is None:
            raise
        return existing, False
    return session, True


# --- messages -------------------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationFailed(_("消息内容为空"), field="body")
    if "\x00" in body:
        raise ValidationFailed(_("消息含有不可用的字符"), field="body")
    limit = settings.CHAT_MAX_BODY
    if len(body) > limit:
        raise ValidationFailed(_("消息最多 %(max)s 个字，请分几条发送") % {"max": limit}, field="body")
    return body


def _ended(session: ChatSession) -> Conflict:
    return Conflict(_("该会话已结束（%(reason)s），不能再发送消息；如需继续咨询，请开始新的会话")
                    % {"reason": EndReason(session.end_reason).label if session.end_reason else "—"},
                    code="chat_ended")


def chat_message_post(*, actor: User, session_id: Any, body: str, client_id: str,
                      now: dt.datetime | None = None) -> tuple[ChatMessage, bool]:
    """Write a message and record it on the case. Returns (message, created): the same
    client_id again returns the first message (created False); with another text it is a
    Conflict. The customer writes in its own session; an agent in a session it has taken
    (a manager in any taken one)."""
    _require_chat_user(actor, _("在在线客服中答复"))
    if not CLIENT_ID.fullmatch(client_id or ""):
        raise ValidationFailed(_("客户端消息标识须为 1 到 64 个字母、数字或 _.:-"), field="client_id")
    body = _check_body(body)
    with transaction.atomic():
        session = _lock_session(actor, session_id)
        if actor.is_customer_user and session.started_by_id != actor.pk:
            raise PermissionDenied(_("只有发起人可以在该会话中发言"), code="not_the_chat_starter")
        first = ChatMessage.objects.filter(session=session, client_id=client_id).first()
        if first is not None:
            if first.body != body or first.author_id != actor.pk:
                raise Conflict(_("该客户端消息标识已用于另一条消息"), code="client_id_reused", field="client_id")
            return first, False
        if not session.is_open:
            raise _ended(session)
        side = Side.CUSTOMER if actor.is_customer_user else Side.AGENT
        if side == Side.AGENT:
            if session.status == SessionStatus.WAITING:
                raise Conflict(_("请先接入该会话再答复"), code="chat_not_taken")
            if session.agent_id != actor.pk and actor.role not in SUPERVISOR_ROLES:
                raise Conflict(_("该会话已由其他客服接待"), code="chat_taken_by_other")
        if session.case.status not in OPEN_STATUSES:
            raise Conflict(_("该会话的工单已解决或关闭，请开始新的会话"), code="chat_case_closed")
        now = now or timezone.now()
        session.last_sequence += 1
        message = ChatMessage.objects.create(
            session=session, sequence=session.last_sequence, side=side, author=actor, body=body,
            client_id=client_id, created_at=now,
        )
        if side == Side.CUSTOMER:
            case_customer_reply(actor=actor, case_id=session.case_id, message=body, now=now)
        else:
            case_respond(actor=actor, case_id=session.case_id, message=body, now=now)
        session.last_activity_at = now
        session.save(update_fields=["last_sequence", "last_activity_at", "updated_at"])
        return message, True


# --- taking and ending ----------------------------------------------------------------------


def chat_session_take(*, actor: User, session_id: Any, now: dt.datetime | None = None) -> ChatSession:
    """An agent takes a waiting chat and answers it from now on. Taking one's own chat again
    changes nothing; a chat another agent has taken, or an ended one, is a Conflict."""
    if actor.is_customer_user:
        raise PermissionDenied(_("接入会话由服务人员执行"), code="staff_only")
    require_role(actor, CHAT_ROLES, doing=_("接入在线客服会话"))
    with transaction.atomic():
        session = _lock_session(actor, session_id)
        if session.status == SessionStatus.ENDED:
            raise _ended(session)
        if session.status == SessionStatus.ACTIVE:
            if session.agent_id == actor.pk:
                return session
            raise Conflict(_("该会话已由其他客服接入"), code="chat_already_taken")
        now = now or timezone.now()
        session.status = SessionStatus.ACTIVE
        session.agent = actor
        session.taken_at = now
        session.last_activity_at = now
        session.save(update_fields=["status", "agent", "taken_at", "last_activity_at", "updated_at"])
        # The agent who answers the chat owns its case, unless someone already does.
        if not Case.objects.filter(pk=session.case_id, assignee__isnull=False).exists():
            case_assign(actor=actor, case_id=session.case_id, assignee_id=actor.pk, now=now)
        return session


def _duration_minutes(session: ChatSession, now: dt.datetime) -> int:
    return max(0, round((now - session.created_at).total_seconds() / 60))


def _summary(session: ChatSession, now: dt.datetime) -> str:
    sides = list(ChatMessage.objects.filter(session=session).values_list("side", flat=True))
    agent = (session.agent.get_full_name() or session.agent.username) if session.agent else _("无人接入")
    return _("在线客服会话结束（%(reason)s）：客户消息 %(customer)s 条，客服消息 %(agent_count)s 条；"
             "接待客服：%(agent)s；时长约 %(minutes)s 分钟。") % {
        "reason": EndReason(session.end_reason).label, "customer": sides.count(Side.CUSTOMER),
        "agent_count": sides.count(Side.AGENT), "agent": agent, "minutes": _duration_minutes(session, now),
    }


def _end(*, actor: User | None, session_id: Any, reason: str, now: dt.datetime | None,
         summary: bool = True) -> ChatSession:
    """End the session (actor None: the system). Caller checked the actor's role."""
    with transaction.atomic():
        if actor is None:
            session = ChatSession.objects.select_for_update(of=("self",)).select_related("case").get(pk=session_id)
        else:
            session = _lock_session(actor, session_id)
            if actor.is_customer_user and session.started_by_id != actor.pk:
                raise PermissionDenied(_("只有发起人可以结束该会话"), code="not_the_chat_starter")
        if not session.is_open:
            return session
        now = now or timezone.now()
        session.status = SessionStatus.ENDED
        session.ended_at = now
        session.ended_by = actor
        session.end_reason = reason
        session.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
        if summary:
            case_system_note(case_id=session.case_id, text=_summary(session, now), now=now)
        return session


def chat_session_end(*, actor: User, session_id: Any, now: dt.datetime | None = None) -> ChatSession:
    """End the chat (the customer who started it, or an agent): nobody writes in it any more,
    and the case gets the transcript's summary as a note. Ending an ended chat changes nothing."""
    _require_chat_user(actor, _("结束在线客服会话"))
    reason = EndReason.CUSTOMER if actor.is_customer_user else EndReason.AGENT
    return _end(actor=actor, session_id=session_id, reason=reason, now=now)


def chat_sessions_expire(*, now: dt.datetime | None = None) -> int:
    """End the open chats nobody wrote in for CHAT_IDLE_MINUTES (the customer closed the page).
    Each in its own transaction, re-checked under its lock; returns how many were ended."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.CHAT_IDLE_MINUTES)
    ended = 0
    for session_id in list(ChatSession.objects.filter(
            status__in=OPEN_SESSION_STATUSES, last_activity_at__lt=cutoff).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            session = ChatSession.objects.select_for_update(of=("self",)).get(pk=session_id)
            if not session.is_open or session.last_activity_at >= cutoff:
                continue
            _end(actor=None, session_id=session_id, reason=EndReason.IDLE, now=now)
            ended += 1
    return ended


def chat_case_status_changed(case: Case, before: str, after: str, now: dt.datetime) -> None:
    """The case status hook (registered in ChatConfig.ready): a chat whose case is resolved or
    closed is over. No summary note here: the case's own event (resolved, closed) is being
    recorded by the caller, which holds the case row."""
    if after in OPEN_STATUSES:
        return
    session = ChatSession.objects.filter(case=case, status__in=OPEN_SESSION_STATUSES).first()
    if session is not None:
        _end(actor=None, session_id=session.pk, reason=EndReason.CASE_CLOSED, now=now, summary=False)
