"""Reads of the chat: sessions through the scoping layer (a customer user sees its own
organisation's sessions; another's answer 404), messages after a sequence, who is on duty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.chat.models import OPEN_SESSION_STATUSES, ChatMessage, ChatSession, SessionStatus
from aftersales.core.errors import NotFound
from aftersales.core.scoping import ScopedUser, scope_to_user
from aftersales.roster.models import TeamKind
from aftersales.roster.selectors import OnDuty, on_duty

# Messages in one answer to a poll: a client far behind catches up over a few polls.
MESSAGES_PER_POLL = 200
# The largest sequence the column holds: a larger `after` asks for nothing, not for an error.
MAX_SEQUENCE = 2_147_483_647


def sessions_for_user(user: ScopedUser) -> QuerySet[ChatSession]:
    return scope_to_user(
        ChatSession.objects.select_related("case", "agent", "started_by", "customer"), user,
        customer_field="customer_id",
    )


def get_session_for_user(user: ScopedUser, session_id: Any) -> ChatSession:
    try:
        return sessions_for_user(user).get(pk=session_id)
    except (ChatSession.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该在线会话"), code="chat_session_not_found") from None


def open_session_of(user: Any) -> ChatSession | None:
    """The customer user's own waiting or active session."""
    return sessions_for_user(user).filter(started_by=user, status__in=OPEN_SESSION_STATUSES).first()


def messages_after(session: ChatSession, after: int = 0, *, limit: int = MESSAGES_PER_POLL) -> list[ChatMessage]:
    after = min(max(0, after), MAX_SEQUENCE)
    return list(ChatMessage.objects.filter(session=session, sequence__gt=after)
                .select_related("author").order_by("sequence")[:limit])


def open_sessions() -> list[ChatSession]:
    """The console's list: waiting chats first (longest waiting at the top), then active ones."""
    rows = list(ChatSession.objects.filter(status__in=OPEN_SESSION_STATUSES)
                .select_related("case", "customer", "agent", "started_by").order_by("created_at")[:200])
    return sorted(rows, key=lambda s: (s.status != SessionStatus.WAITING, s.created_at))


@dataclass(frozen=True)
class DutyDesk:
    """Who answers chats now: the hotline people on duty (the roster), and whether the viewer
    is one of them."""

    people: list[OnDuty]
    viewer_on_duty: bool

    @property
    def user_ids(self) -> frozenset[int]:
        return frozenset(person.user_id for person in self.people)


def duty_desk(viewer: Any, *, at: dt.datetime | None = None) -> DutyDesk:
    people = on_duty(at=at or timezone.now(), kind=TeamKind.HOTLINE)
    return DutyDesk(people=people, viewer_on_duty=any(p.user_id == viewer.pk for p in people))
