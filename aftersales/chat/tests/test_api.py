"""The chat API: customer users start and write, the hotline takes and answers; roles, 404
across customers, 409 on ended chats, 422 naming `body`, idempotent posts."""

from __future__ import annotations

import pytest

from aftersales.cases.models import CaseEvent
from aftersales.chat.models import ChatMessage, ChatSession

pytestmark = pytest.mark.django_db

BASE = "/api/v1/chat/sessions"


def test_a_customer_starts_a_chat_and_a_second_start_returns_it(api, alice):
    client = api(alice)
    first = client.post(BASE, {"topic": "ETC 车道咨询"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["status"], body["topic"], body["started_by"], body["agent"], body["last_sequence"]) == (
        "waiting", "ETC 车道咨询", "alice", None, 0)
    assert body["case_number"].startswith("AS")

    second = client.post(BASE, {"topic": "另一个"})
    assert second.status_code == 200
    assert second.json()["id"] == body["id"]
    assert ChatSession.objects.count() == 1


def test_the_whole_conversation_through_the_api(api, alice, agent):
    customer, desk = api(alice), api(agent)
    session = customer.post(BASE, {}).json()
    url = f"{BASE}/{session['id']}"

    posted = customer.post(f"{url}/messages", {"body": "3 号车道无法交易", "client_id": "c-1"})
    assert posted.status_code == 201, posted.content
    assert (posted.json()["sequence"], posted.json()["side"]) == (1, "customer")

    # the agent sees it waiting, takes it and answers
    waiting = desk.get(f"{BASE}?status=waiting").json()
    assert [s["id"] for s in waiting] == [session["id"]]
    taken = desk.post(f"{url}/take")
    assert (taken.status_code, taken.json()["status"], taken.json()["agent"]) == (200, "active", "agent")
    answered = desk.post(f"{url}/messages", {"body": "请重启 RSU", "client_id": "a-1"})
    assert answered.status_code == 201

    # the customer polls for what is new after the last message it has
    new = customer.get(f"{url}/messages?after=1")
    assert new.status_code == 200
    assert [(m["sequence"], m["side"], m["author"], m["body"]) for m in new.json()] == [
        (2, "agent", "agent", "请重启 RSU")]
    assert customer.get(f"{url}/messages?after=2").json() == []

    ended = desk.post(f"{url}/end")
    assert (ended.status_code, ended.json()["status"], ended.json()["end_reason"]) == (200, "ended", "agent")
    kinds = list(CaseEvent.objects.filter(case_id=session["case_id"]).values_list("kind", flat=True))
    assert kinds == ["opened", "customer_replied", "assigned", "responded", "note"]


def test_a_retried_post_returns_the_first_message(api, alice):
    client = api(alice)
    session = client.post(BASE, {}).json()
    payload = {"body": "你好", "client_id": "same"}
    first = client.post(f"{BASE}/{session['id']}/messages", payload)
    again = client.post(f"{BASE}/{session['id']}/messages", payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ChatMessage.objects.count() == 1


def test_posting_to_an_ended_chat_answers_409_with_the_reason(api, alice):
    client = api(alice)
    session = client.post(BASE, {}).json()
    assert client.post(f"{BASE}/{session['id']}/end").status_code == 200
    refused = client.post(f"{BASE}/{session['id']}/messages", {"body": "还在吗", "client_id": "x"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "chat_ended"
    assert "客户结束" in refused.json()["detail"]
    assert ChatMessage.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   ", "字" * 2001])
def test_an_empty_or_too_long_body_answers_422_naming_body(api, alice, body):
    client = api(alice)
    session = client.post(BASE, {}).json()
    refused = client.post(f"{BASE}/{session['id']}/messages", {"body": body, "client_id": "x"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "body"
    assert ChatMessage.objects.count() == 0


def test_another_customers_session_answers_404_everywhere(api, alice, charlie):
    session = api(alice).post(BASE, {}).json()
    url = f"{BASE}/{session['id']}"
    other = api(charlie)
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/messages").status_code == 404
    assert other.post(f"{url}/messages", {"body": "hi", "client_id": "x"}).status_code == 404
    assert other.post(f"{url}/end").status_code == 404
    assert other.get(BASE).json() == []
    assert ChatSession.objects.get().status == "waiting"


@pytest.mark.parametrize(("persona", "status"), [
    ("agent", 200), ("manager", 200), ("dispatcher", 200), ("bob", 403), ("alice", 403),
])
def test_who_may_take_a_chat(api, request, alice, persona, status):
    session = api(alice).post(BASE, {}).json()
    user = request.getfixturevalue(persona)
    assert api(user).post(f"{BASE}/{session['id']}/take").status_code == status
    assert ChatSession.objects.get().status == ("active" if status == 200 else "waiting")


@pytest.mark.parametrize(("persona", "status"), [("agent", 200), ("bob", 403), ("charlie", 404)])
def test_who_may_read_a_chat(api, request, alice, persona, status):
    session = api(alice).post(BASE, {}).json()
    user = request.getfixturevalue(persona)
    assert api(user).get(f"{BASE}/{session['id']}").status_code == status


def test_staff_may_not_start_a_chat_and_anonymous_callers_are_refused(api, agent):
    assert api(agent).post(BASE, {}).status_code == 403
    assert api(None).get(BASE).status_code == 401
    assert ChatSession.objects.count() == 0


def test_an_unknown_status_filter_answers_422_naming_status(api, agent):
    refused = api(agent).get(f"{BASE}?status=open")
    assert (refused.status_code, refused.json()["field"]) == (422, "status")


def test_a_taken_chat_answers_409_to_another_agent(api, alice, agent, make_user):
    session = api(alice).post(BASE, {}).json()
    api(agent).post(f"{BASE}/{session['id']}/take")
    other = make_user("agent2", "agent")
    refused = api(other).post(f"{BASE}/{session['id']}/take")
    assert (refused.status_code, refused.json()["code"]) == (409, "chat_already_taken")


def test_a_nul_character_in_the_body_answers_422_naming_body(api, alice):
    client = api(alice)
    session = client.post(BASE, {}).json()
    refused = client.post(f"{BASE}/{session['id']}/messages", {"body": "a\x00b", "client_id": "x"})
    assert (refused.status_code, refused.json()["field"]) == (422, "body")
    assert ChatMessage.objects.count() == 0


def test_polling_after_the_largest_sequence_answers_nothing_and_beyond_it_422(api, alice):
    client = api(alice)
    session = client.post(BASE, {}).json()
    client.post(f"{BASE}/{session['id']}/messages", {"body": "你好", "client_id": "x"})
    assert client.get(f"{BASE}/{session['id']}/messages?after=2147483647").json() == []
    assert client.get(f"{BASE}/{session['id']}/messages?after=2147483648").status_code == 422
    assert len(client.get(f"{BASE}/{session['id']}/messages").json()) == 1


def test_the_list_and_the_poll_cost_a_fixed_number_of_queries(api, alice, agent, make_user, acme,
                                                               django_assert_num_queries):
    # given three chats with a message each
    for name in ("alice2", "alice3"):
        api(make_user(name, "customer", acme)).post(BASE, {})
    customer = api(alice)
    session = customer.post(BASE, {}).json()
    customer.post(f"{BASE}/{session['id']}/messages", {"body": "你好", "client_id": "x"})
    desk = api(agent)
    desk.get(BASE)  # the token is remembered by the process after its first use
    # then: the sessions with their joins (the token's user is remembered)
    with django_assert_num_queries(1):
        assert len(desk.get(BASE).json()) == 3
    # then: the session, the messages with their authors
    with django_assert_num_queries(2):
        assert len(desk.get(f"{BASE}/{session['id']}/messages?after=0").json()) == 1
