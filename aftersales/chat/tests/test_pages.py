"""The chat box of the portal and the chat pages of the console, with Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.chat.models import ChatMessage, ChatSession
from aftersales.chat.services import (
    chat_message_post,
    chat_session_end,
    chat_session_start,
    chat_session_take,
)
from aftersales.roster.models import TeamKind
from aftersales.roster.services import shift_add, team_create

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


# --- portal ---------------------------------------------------------------------------------


def test_the_portal_home_links_to_the_chat(client_for, alice):
    page = client_for(alice).get("/portal/")
    assert 'href="/portal/chat/"' in page.content.decode()


def test_a_customer_starts_a_chat_and_writes_in_it(client_for, alice):
    client = client_for(alice)
    assert "开始咨询" in client.get("/portal/chat/").content.decode()

    started = client.post("/portal/chat/start", {"topic": "栏杆不抬"})
    assert (started.status_code, started["Location"]) == (302, "/portal/chat/")
    session = ChatSession.objects.get()
    page = client.get("/portal/chat/").content.decode()
    assert "正在等待客服接入" in page
    assert session.case.number in page
    assert f'hx-get="/portal/chat/{session.pk}/messages?after=0"' in page

    # without htmx: back to the page
    sent = client.post(f"/portal/chat/{session.pk}/send", {"body": "北收费站栏杆不抬", "client_id": "k1"})
    assert (sent.status_code, sent["Location"]) == (302, "/portal/chat/")
    # with htmx: a fresh compose box, and the log told to poll at once
    sent = client.post(f"/portal/chat/{session.pk}/send", {"body": "<b>急</b>", "client_id": "k2"}, headers=HTMX)
    assert (sent.status_code, sent["HX-Trigger"]) == (200, "chat-refresh")
    assert 'id="chat-compose"' in sent.content.decode()
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["北收费站栏杆不抬", "<b>急</b>"]

    # the poll answers only what is after the last message shown, escaped
    polled = client.get(f"/portal/chat/{session.pk}/messages?after=1")
    text = polled.content.decode()
    assert polled.status_code == 200
    assert "&lt;b&gt;急&lt;/b&gt;" in text
    assert "<b>急</b>" not in text
    assert "北收费站栏杆不抬" not in text
    assert f'hx-get="/portal/chat/{session.pk}/messages?after=2"' in text


def test_an_empty_message_is_shown_at_the_field_and_nothing_is_posted(client_for, alice):
    client = client_for(alice)
    session, _created = chat_session_start(actor=alice)
    refused = client.post(f"/portal/chat/{session.pk}/send", {"body": "  ", "client_id": "k1"})
    assert refused.status_code == 422
    assert "消息内容为空" in refused.content.decode()
    refused = client.post(f"/portal/chat/{session.pk}/send", {"body": "", "client_id": "k1"}, headers=HTMX)
    assert (refused.status_code, "消息内容为空" in refused.content.decode()) == (200, True)
    assert ChatMessage.objects.count() == 0


def test_the_poll_of_an_ended_chat_stops_polling_and_offers_a_new_chat(client_for, alice):
    session, _created = chat_session_start(actor=alice)
    chat_session_end(actor=alice, session_id=session.pk)
    polled = client_for(alice).get(f"/portal/chat/{session.pk}/messages?after=0")
    assert polled.status_code == 286
    text = polled.content.decode()
    assert "会话已结束" in text
    assert "hx-get" not in text
    assert 'id="chat-compose"' in text


def test_posting_to_an_ended_chat_in_the_portal_answers_409_with_the_reason(client_for, alice):
    client = client_for(alice)
    session, _created = chat_session_start(actor=alice)
    chat_session_end(actor=alice, session_id=session.pk)
    refused = client.post(f"/portal/chat/{session.pk}/send", {"body": "在吗", "client_id": "k1"})
    assert refused.status_code == 409
    assert "该会话已结束" in refused.content.decode()


def test_ending_in_the_portal(client_for, alice):
    session, _created = chat_session_start(actor=alice)
    ended = client_for(alice).post(f"/portal/chat/{session.pk}/end")
    assert ended.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.end_reason) == ("ended", "customer")


def test_another_organisations_chat_is_404_in_the_portal(client_for, alice, charlie):
    session, _created = chat_session_start(actor=alice)
    client = client_for(charlie)
    assert client.get(f"/portal/chat/{session.pk}/messages").status_code == 404
    assert client.post(f"/portal/chat/{session.pk}/send", {"body": "hi", "client_id": "k"}).status_code == 404
    assert client.post(f"/portal/chat/{session.pk}/end").status_code == 404
    session.refresh_from_db()
    assert (session.status, session.last_sequence) == ("waiting", 0)


def test_staff_get_404_for_the_portal_chat(client_for, agent):
    assert client_for(agent).get("/portal/chat/").status_code == 404


# --- console --------------------------------------------------------------------------------


@pytest.fixture
def on_duty_agent(agent):
    team = team_create(code="hotline", name="热线组", kind=TeamKind.HOTLINE)
    now = timezone.now()
    shift_add(team=team, user_id=agent.pk, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=7))
    return agent


def test_the_console_lists_waiting_chats_and_highlights_them_for_the_agent_on_duty(client_for, alice, on_duty_agent,
                                                                                   manager):
    session, _created = chat_session_start(actor=alice, topic="栏杆不抬")
    page = client_for(on_duty_agent).get("/console/chat/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-chat="{session.pk}"' in text
    assert 'class="waiting for-me"' in text
    assert "您正在值班" in text
    # the same rows for htmx's refresh, and for a manager not on duty: listed, not highlighted
    rows = client_for(manager).get("/console/chat/", headers=HTMX).content.decode()
    assert "<h1>" not in rows
    assert f'data-chat="{session.pk}"' in rows
    assert 'class="waiting"' in rows
    assert 'data-on-duty="other"' in rows


def test_an_agent_takes_answers_and_ends_a_chat_in_the_console(client_for, alice, agent):
    session, _created = chat_session_start(actor=alice)
    chat_message_post(actor=alice, session_id=session.pk, body="栏杆不抬", client_id="c1")
    client = client_for(agent)
    page = client.get(f"/console/chat/{session.pk}/").content.decode()
    assert "栏杆不抬" in page
    assert "接入会话" in page

    assert client.post(f"/console/chat/{session.pk}/take").status_code == 302
    sent = client.post(f"/console/chat/{session.pk}/send", {"body": "请稍候", "client_id": "a1"}, headers=HTMX)
    assert (sent.status_code, sent["HX-Trigger"]) == (200, "chat-refresh")
    polled = client.get(f"/console/chat/{session.pk}/messages?after=1").content.decode()
    assert "请稍候" in polled
    assert "由 agent 接待中" in polled

    assert client.post(f"/console/chat/{session.pk}/end").status_code == 302
    session.refresh_from_db()
    assert (session.status, session.end_reason, session.ended_by) == ("ended", "agent", agent)
    assert client.get(f"/console/chat/{session.pk}/messages?after=2").status_code == 286


def test_answering_an_untaken_chat_shows_the_refusal(client_for, alice, agent):
    session, _created = chat_session_start(actor=alice)
    refused = client_for(agent).post(f"/console/chat/{session.pk}/send", {"body": "你好", "client_id": "a1"})
    assert refused.status_code == 409
    assert "请先接入该会话" in refused.content.decode()
    assert ChatMessage.objects.count() == 0


def test_a_chat_taken_by_another_agent_is_read_only(client_for, alice, agent, make_user):
    session, _created = chat_session_start(actor=alice)
    chat_session_take(actor=agent, session_id=session.pk)
    other = make_user("agent2", "agent")
    page = client_for(other).get(f"/console/chat/{session.pk}/").content.decode()
    assert "该会话由其他客服接待" in page
    assert f"/console/chat/{session.pk}/send" not in page


def test_engineers_are_refused_and_customers_get_404_in_the_console(client_for, alice, bob):
    session, _created = chat_session_start(actor=alice)
    assert client_for(bob).get("/console/chat/").status_code == 403
    assert client_for(bob).get(f"/console/chat/{session.pk}/").status_code == 403
    assert client_for(alice).get("/console/chat/").status_code == 404
