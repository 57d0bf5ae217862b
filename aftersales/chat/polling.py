"""The transcript poll that the console and the portal share: htmx asks every
CHAT_POLL_SECONDS for the messages after the last one it shows, until the chat has ended and
everything was shown (status 286 tells htmx to stop)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse

from aftersales.chat import selectors
from aftersales.chat.models import ChatSession

STOP_POLLING = 286


def poll_context(session: ChatSession, after: str | None) -> dict[str, Any]:
    """The poll template's context: the messages after `after` (a sequence number; anything
    else reads as 0), the last one shown, and whether to ask again (the chat is open, or a full
    page of messages may have more behind it)."""
    try:
        start = max(0, int(after or 0))
    except ValueError:
        start = 0
    new = selectors.messages_after(session, start)
    return {"session": session, "chat_messages": new, "last": new[-1].sequence if new else start,
            "poll_seconds": settings.CHAT_POLL_SECONDS,
            "polling": session.is_open or len(new) == selectors.MESSAGES_PER_POLL}


def poll_response(response: HttpResponse, context: dict[str, Any]) -> HttpResponse:
    if not context["polling"]:
        response.status_code = STOP_POLLING
    return response
