"""Chat services: starting (one open session per user, a case of channel chat), messages
(idempotent by client id, on the case's timeline), taking, ending, the idle sweep, the case hook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from aftersales.cases import services as cases
from aftersales.cases.models import Case, CaseEvent
from aftersales.chat.models import ChatMessage, ChatSession
from aftersales.chat.services import (
    chat_message_post,
    chat_session_end,
    chat_session_start,
    chat_session_take,
    chat_sessions_expire,
)
from aftersales.chat.tests.conftest import NOW
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _events(case_id):
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("sequence").values_list("kind", "actor__username",
                                                                                            "data"))


# --- starting -------------------------------------------------------------------------------


def test_starting_opens_a_waiting_session_and_a_consultation_case_of_channel_chat(alice, acme, acme_contact):
    alice.email = acme_contact.email
    alice.save()

    session, created = chat_session_start(actor=alice, topic="  ETC 车道咨询 ", now=NOW)

    assert created is True
    assert (session.status, session.customer_id, session.started_by, session.topic, session.contact) == (
        "waiting", acme.pk, alice, "ETC 车道咨询", acme_contact)
    case = Case.objects.get(pk=session.case_id)
    assert (case.channel, case.category, case.title, case.customer_id, case.contact_id, case.status) == (
        "chat", "consultation", "ETC 车道咨询", acme.pk, acme_contact.pk, "new")
    assert [kind for kind, _who, _data in _events(case.pk)] == ["opened"]


def test_a_start_without_topic_is_titled_online_consultation(alice):
    session, _created = chat_session_start(actor=alice, now=NOW)
    assert session.case.title == "在线咨询"
    assert session.contact is None


def test_a_second_start_returns_the_open_session_and_opens_no_second_case(chat, alice):
    again, created = chat_session_start(actor=alice, topic="另一个问题", now=NOW)
    assert (again.pk, created) == (chat.pk, False)
    assert (ChatSession.objects.count(), Case.objects.count()) == (1, 1)


def test_the_database_refuses_a_second_open_session_of_one_user(chat, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChatSession.objects.create(customer_id=chat.customer_id, started_by=alice, case=Case.objects.create(
            number="X-1", channel="chat", category="consultation", severity="P3", title="x",
            customer_id=chat.customer_id, policy=chat.case.policy, opened_at=NOW), last_activity_at=NOW)


def test_after_the_end_a_new_start_opens_a_new_session_and_case(chat, alice):
    chat_session_end(actor=alice, session_id=chat.pk)
    again, created = chat_session_start(actor=alice, now=NOW)
    assert created is True
    assert again.pk != chat.pk
    assert Case.objects.count() == 2


def test_staff_cannot_start_a_chat(agent):
    with pytest.raises(PermissionDenied):
        chat_session_start(actor=agent)
    assert ChatSession.objects.count() == 0


def test_a_topic_over_200_characters_is_refused_naming_topic(alice):
    with pytest.raises(ValidationFailed) as refused:
        chat_session_start(actor=alice, topic="长" * 201)
    assert refused.value.field == "topic"
    assert (ChatSession.objects.count(), Case.objects.count()) == (0, 0)


# --- messages -------------------------------------------------------------------------------


def test_messages_are_numbered_and_recorded_on_the_case_as_reply_and_response(active_chat, alice, agent):
    messages = list(ChatMessage.objects.filter(session=active_chat).values_list("sequence", "side",
                                                                                 "author__username", "body"))
    assert messages == [(1, "customer", "alice", "北收费站 3 号车道无法交易"),
                        (2, "agent", "agent", "您好，请问天线指示灯是否亮？")]
    assert active_chat.last_sequence == 2
    assert _events(active_chat.case_id) == [
        ("opened", "alice", _events(active_chat.case_id)[0][2]),
        ("customer_replied", "alice", {"message": "北收费站 3 号车道无法交易"}),
        ("assigned", "agent", {"assignee": "agent", "assignee_id": str(agent.pk)}),  # taking the chat
        ("responded", "agent", {"message": "您好，请问天线指示灯是否亮？"}),
    ]
    # taken and answered: the answer is the case's first response and the case is being worked
    case = Case.objects.get(pk=active_chat.case_id)
    assert case.status == "in_progress"
    assert case.clocks.get(target="first_response").state == "met"


def test_a_retried_post_with_the_same_client_id_returns_the_first_message(active_chat, alice):
    again, created = chat_message_post(actor=alice, session_id=active_chat.pk, body="北收费站 3 号车道无法交易",
                                       client_id="c1")
    assert created is False
    assert again.sequence == 1
    assert ChatMessage.objects.filter(session=active_chat).count() == 2
    assert len(_events(active_chat.case_id)) == 4  # opened, the question, taken (assigned), the answer


def test_a_client_id_reused_for_another_text_is_a_conflict(active_chat, alice):
    with pytest.raises(Conflict) as refused:
        chat_message_post(actor=alice, session_id=active_chat.pk, body="别的内容", client_id="c1")
    assert (refused.value.code, refused.value.field) == ("client_id_reused", "client_id")
    assert ChatMessage.objects.filter(session=active_chat).count() == 2


@pytest.mark.parametrize("body", ["", "   \n "])
def test_an_empty_message_is_refused_naming_body(chat, alice, body):
    with pytest.raises(ValidationFailed) as refused:
        chat_message_post(actor=alice, session_id=chat.pk, body=body, client_id="x")
    assert refused.value.field == "body"
    assert ChatMessage.objects.count() == 0


def test_a_message_over_the_limit_is_refused_naming_body(chat, alice, settings):
    settings.CHAT_MAX_BODY = 10
    chat_message_post(actor=alice, session_id=chat.pk, body="字" * 10, client_id="ok")
    with pytest.raises(ValidationFailed) as refused:
        chat_message_post(actor=alice, session_id=chat.pk, body="字" * 11, client_id="long")
    assert refused.value.field == "body"
    assert ChatMessage.objects.count() == 1


def test_a_malformed_client_id_is_refused_naming_client_id(chat, alice):
    with pytest.raises(ValidationFailed) as refused:
        chat_message_post(actor=alice, session_id=chat.pk, body="你好", client_id="带空格 的")
    assert refused.value.field == "client_id"


def test_posting_to_an_ended_chat_is_a_conflict_with_the_reason(active_chat, alice):
    chat_session_end(actor=alice, session_id=active_chat.pk)
    with pytest.raises(Conflict) as refused:
        chat_message_post(actor=alice, session_id=active_chat.pk, body="还在吗", client_id="c9")
    assert refused.value.code == "chat_ended"
    assert "客户结束" in refused.value.detail
    assert ChatMessage.objects.filter(session=active_chat).count() == 2


def test_an_agent_must_take_a_chat_before_answering(chat, agent):
    with pytest.raises(Conflict) as refused:
        chat_message_post(actor=agent, session_id=chat.pk, body="您好", client_id="a1")
    assert refused.value.code == "chat_not_taken"
    assert ChatMessage.objects.count() == 0


def test_another_agent_may_not_answer_a_taken_chat_but_a_manager_may(active_chat, agent2, manager):
    with pytest.raises(Conflict) as refused:
        chat_message_post(actor=agent2, session_id=active_chat.pk, body="我来", client_id="b1")
    assert refused.value.code == "chat_taken_by_other"
    message, created = chat_message_post(actor=manager, session_id=active_chat.pk, body="经理补充说明", client_id="m1")
    assert (created, message.side, message.sequence) == (True, "agent", 3)


def test_an_engineer_may_not_answer_chats(active_chat, bob):
    with pytest.raises(PermissionDenied):
        chat_message_post(actor=bob, session_id=active_chat.pk, body="你好", client_id="e1")


def test_another_organisation_gets_404_and_a_colleague_may_read_but_not_write(active_chat, charlie,
                                                                            make_user, acme):
    with pytest.raises(NotFound):
        chat_message_post(actor=charlie, session_id=active_chat.pk, body="你好", client_id="x1")
    with pytest.raises(NotFound):
        chat_session_end(actor=charlie, session_id=active_chat.pk)
    colleague = make_user("dora", "customer", acme)
    with pytest.raises(PermissionDenied):
        chat_message_post(actor=colleague, session_id=active_chat.pk, body="你好", client_id="x2")
    with pytest.raises(PermissionDenied):
        chat_session_end(actor=colleague, session_id=active_chat.pk)
    active_chat.refresh_from_db()
    assert (active_chat.status, active_chat.last_sequence) == ("active", 2)


def test_a_chat_whose_case_was_resolved_is_ended_and_refuses_messages(active_chat, agent, alice):
    cases.case_resolve(actor=agent, case_id=active_chat.case_id, resolution="重启 RSU 后恢复")
    active_chat.refresh_from_db()
    assert (active_chat.status, active_chat.end_reason) == ("ended", "case_closed")
    with pytest.raises(Conflict) as refused:
        chat_message_post(actor=alice, session_id=active_chat.pk, body="谢谢", client_id="c2")
    assert refused.value.code == "chat_ended"
    # and the next start opens a new chat
    _again, created = chat_session_start(actor=alice)
    assert created is True


# --- taking and ending ----------------------------------------------------------------------


def test_taking_makes_the_chat_active_with_the_agent(chat, agent):
    taken = chat_session_take(actor=agent, session_id=chat.pk, now=NOW)
    assert (taken.status, taken.agent, taken.taken_at) == ("active", agent, NOW)
    # taking it again is harmless
    assert chat_session_take(actor=agent, session_id=chat.pk).taken_at == NOW


def test_taking_a_chat_assigns_its_case_to_the_agent_without_mailing_them(chat, agent):
    from aftersales.notifications.models import OutboxMessage

    agent.email = "agent@example.invalid"
    agent.save(update_fields=["email"])
    before = OutboxMessage.objects.count()
    chat_session_take(actor=agent, session_id=chat.pk, now=NOW)
    case = Case.objects.get(pk=chat.case_id)
    assert case.assignee == agent
    assert OutboxMessage.objects.count() == before  # no "you were assigned" mail to oneself


def test_taking_a_chat_keeps_the_assignee_someone_chose(chat, agent, agent2, manager):
    cases.case_assign(actor=manager, case_id=chat.case_id, assignee_id=agent2.pk)
    chat_session_take(actor=agent, session_id=chat.pk, now=NOW)
    assert Case.objects.get(pk=chat.case_id).assignee == agent2


def test_a_chat_taken_by_one_agent_cannot_be_taken_by_another(chat, agent, agent2):
    chat_session_take(actor=agent, session_id=chat.pk)
    with pytest.raises(Conflict) as refused:
        chat_session_take(actor=agent2, session_id=chat.pk)
    assert refused.value.code == "chat_already_taken"
    chat.refresh_from_db()
    assert chat.agent == agent


def test_customers_and_engineers_cannot_take_chats(chat, alice, bob):
    with pytest.raises(PermissionDenied):
        chat_session_take(actor=alice, session_id=chat.pk)
    with pytest.raises(PermissionDenied):
        chat_session_take(actor=bob, session_id=chat.pk)
    chat.refresh_from_db()
    assert (chat.status, chat.agent) == ("waiting", None)


def test_an_ended_chat_cannot_be_taken(chat, agent, alice):
    chat_session_end(actor=alice, session_id=chat.pk)
    with pytest.raises(Conflict) as refused:
        chat_session_take(actor=agent, session_id=chat.pk)
    assert refused.value.code == "chat_ended"


def test_ending_writes_the_transcript_summary_on_the_case_once(active_chat, agent):
    ended = chat_session_end(actor=agent, session_id=active_chat.pk, now=NOW + dt.timedelta(minutes=12))
    assert (ended.status, ended.ended_by, ended.end_reason, ended.ended_at) == (
        "ended", agent, "agent", NOW + dt.timedelta(minutes=12))
    kind, actor, data = _events(active_chat.case_id)[-1]
    assert (kind, actor, data["by"]) == ("note", None, "system")
    assert data["note"] == ("在线客服会话结束（客服结束）：客户消息 1 条，客服消息 1 条；接待客服：agent；"
                            "时长约 12 分钟。")
    chat_session_end(actor=agent, session_id=active_chat.pk)
    assert len(_events(active_chat.case_id)) == 5  # ... and the summary note, once


def test_idle_chats_are_ended_by_the_sweep_and_active_ones_are_kept(chat, active_chat, make_user, acme, settings):
    settings.CHAT_IDLE_MINUTES = 30
    dora = make_user("dora", "customer", acme)
    fresh, _created = chat_session_start(actor=dora, now=NOW + dt.timedelta(minutes=20))

    assert chat_sessions_expire(now=NOW + dt.timedelta(minutes=34)) == 1
    assert chat_sessions_expire(now=NOW + dt.timedelta(minutes=34)) == 0

    active_chat.refresh_from_db()
    fresh.refresh_from_db()
    assert (active_chat.status, active_chat.end_reason, fresh.status) == ("ended", "idle", "waiting")
