from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aftersales.accounts.models import Role
from aftersales.chat.services import chat_message_post, chat_session_start, chat_session_take

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def dispatcher(make_user: Any) -> Any:
    return make_user("dispatcher", Role.DISPATCHER)


@pytest.fixture
def agent2(make_user: Any) -> Any:
    return make_user("agent2", Role.AGENT)


@pytest.fixture
def chat(alice: Any) -> Any:
    """Alice's waiting chat (and its case)."""
    session, created = chat_session_start(actor=alice, topic="ETC 车道咨询", now=NOW)
    assert created
    return session


@pytest.fixture
def active_chat(chat: Any, agent: Any) -> Any:
    """Alice's chat, taken by the agent, with one message from each side."""
    chat_message_post(actor=chat.started_by, session_id=chat.pk, body="北收费站 3 号车道无法交易", client_id="c1",
                      now=NOW + dt.timedelta(minutes=1))
    chat_session_take(actor=agent, session_id=chat.pk, now=NOW + dt.timedelta(minutes=2))
    chat_message_post(actor=agent, session_id=chat.pk, body="您好，请问天线指示灯是否亮？", client_id="a1",
                      now=NOW + dt.timedelta(minutes=3))
    chat.refresh_from_db()
    return chat
