"""Triage of messages from unknown senders: services, API and console pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from aftersales.cases.models import Case
from aftersales.core.errors import Conflict, NotFound, PermissionDenied
from aftersales.mail.models import InboundMessage, InboundStatus, OutboundMessage
from aftersales.mail.services import inbound_receive, triage_assign, triage_discard
from aftersales.mail.tests.factories import message_id_of, raw_mail
from aftersales.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def stranger(db):
    raw = raw_mail(sender="new@unknown.invalid", subject="新客户报修", body="南收费站栏杆故障。")
    message, created = inbound_receive(raw=raw, now=NOW)
    assert (created, message.status) == (True, InboundStatus.TRIAGE)
    return message


def test_assigning_a_message_opens_the_case_for_the_customer_and_acknowledges_the_sender(stranger, acme, agent):
    case = triage_assign(actor=agent, message_id=stranger.pk, customer_id=acme.pk, category="consultation", now=NOW)
    assert (case.customer_id, case.channel, case.category, case.title, case.description) == (
        acme.pk, "email", "consultation", "新客户报修", "南收费站栏杆故障。")
    stranger.refresh_from_db()
    assert (stranger.status, stranger.case_id, stranger.handled_by, bytes(stranger.raw)) == (
        InboundStatus.OPENED, case.pk, agent, b"")
    ack = OutboxMessage.objects.get()
    assert (ack.recipient, ack.in_reply_to) == ("new@unknown.invalid", stranger.message_id)
    assert case.number in ack.subject


def test_a_message_is_assigned_once(stranger, acme, agent):
    triage_assign(actor=agent, message_id=stranger.pk, customer_id=acme.pk)
    with pytest.raises(Conflict):
        triage_assign(actor=agent, message_id=stranger.pk, customer_id=acme.pk)
    assert Case.objects.count() == 1


def test_discarding_keeps_the_record_without_a_case(stranger, agent):
    triage_discard(actor=agent, message_id=stranger.pk)
    stranger.refresh_from_db()
    assert (stranger.status, stranger.case_id, bytes(stranger.raw)) == (InboundStatus.DISCARDED, None, b"")
    with pytest.raises(Conflict):
        triage_discard(actor=agent, message_id=stranger.pk)


def test_customer_users_may_not_triage(stranger, acme, alice):
    with pytest.raises(PermissionDenied):
        triage_assign(actor=alice, message_id=stranger.pk, customer_id=acme.pk)
    with pytest.raises(PermissionDenied):
        triage_discard(actor=alice, message_id=stranger.pk)
    stranger.refresh_from_db()
    assert stranger.status == InboundStatus.TRIAGE


def test_an_unknown_message_is_not_found(agent, acme):
    with pytest.raises(NotFound):
        triage_assign(actor=agent, message_id=uuid.uuid4(), customer_id=acme.pk)


def test_receiving_the_same_raw_message_twice_returns_the_first(stranger):
    again, created = inbound_receive(raw=raw_mail(sender="new@unknown.invalid", message_id=stranger.message_id))
    assert (created, again.pk) == (False, stranger.pk)
    assert InboundMessage.objects.count() == 1


# --- API ---


def test_staff_list_and_assign_through_the_api(stranger, acme, agent, api):
    client = api(agent)
    listed = client.get("/api/v1/mail/triage")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [str(stranger.pk)]
    assert listed.json()[0]["sender"] == "new@unknown.invalid"
    answer = client.post(f"/api/v1/mail/triage/{stranger.pk}/assign", {"customer_id": str(acme.pk)})
    assert answer.status_code == 201
    assert answer.json()["case_number"] == Case.objects.get().number
    assert client.post(f"/api/v1/mail/triage/{stranger.pk}/assign",
                       {"customer_id": str(acme.pk)}).json()["code"] == "mail_already_handled"


@pytest.mark.parametrize("path", ["/api/v1/mail/triage"])
def test_customer_users_cannot_read_the_triage_list(stranger, alice, api, path):
    assert api(alice).get(path).status_code == 403


def test_discard_through_the_api(stranger, agent, alice, api):
    assert api(alice).post(f"/api/v1/mail/triage/{stranger.pk}/discard").status_code == 403
    assert api(agent).post(f"/api/v1/mail/triage/{stranger.pk}/discard").status_code == 204
    assert api(agent).post(f"/api/v1/mail/triage/{uuid.uuid4()}/discard").status_code == 404


def test_replies_through_the_api(acme, acme_contact, agent, alice, charlie, api):
    # given: a case filed by mail from the contact
    inbound, _created = inbound_receive(raw=raw_mail(), now=NOW)
    case = Case.objects.get()
    # then: staff reply; customer users are refused; unknown cases are 404
    path = f"/api/v1/mail/cases/{case.pk}/replies"
    assert api(alice).post(path, {"body": "您好"}).status_code == 403
    assert api(charlie).post(path, {"body": "您好"}).status_code == 403
    assert api(agent).post(f"/api/v1/mail/cases/{uuid.uuid4()}/replies", {"body": "您好"}).status_code == 404
    answer = api(agent).post(path, {"body": "已派工程师。"}, headers={"Idempotency-Key": "r1"})
    assert answer.status_code == 201
    assert answer.json()["in_reply_to"] == message_id_of(raw_mail(message_id=inbound.message_id))
    again = api(agent).post(path, {"body": "已派工程师。"}, headers={"Idempotency-Key": "r1"})
    assert again.json()["id"] == answer.json()["id"]
    assert OutboundMessage.objects.filter(kind="reply").count() == 1
    assert api(agent).post(path, {"body": ""}).json()["field"] == "body"
    too_long = api(agent).post(path, {"body": "好"}, headers={"Idempotency-Key": "k" * 101})
    assert too_long.status_code == 422
    assert too_long.json()["field"] == "Idempotency-Key"


# --- pages ---



def test_the_triage_page_lists_messages_with_the_sender_escaped(client_for, agent):
    inbound_receive(raw=raw_mail(sender="x@unknown.invalid", subject="<script>alert(1)</script>"), now=NOW)
    page = client_for(agent).get("/console/mail/triage/")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)" not in page.content.decode()


def test_customer_users_get_404_on_the_triage_pages(stranger, client_for, alice):
    assert client_for(alice).get("/console/mail/triage/").status_code == 404
    assert client_for(alice).get(f"/console/mail/triage/{stranger.pk}/").status_code == 404


def test_assigning_on_the_page_opens_the_case_once_on_a_double_submit(stranger, acme, client_for, agent):
    client = client_for(agent)
    page = client.get(f"/console/mail/triage/{stranger.pk}/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    data = {"idempotency_key": key, "customer": str(acme.pk), "category": "fault"}
    first = client.post(f"/console/mail/triage/{stranger.pk}/assign", data)
    second = client.post(f"/console/mail/triage/{stranger.pk}/assign", data)
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/console/cases/{case.pk}/"


def test_assigning_without_a_customer_shows_the_error_at_the_field(stranger, client_for, agent):
    answer = client_for(agent).post(f"/console/mail/triage/{stranger.pk}/assign",
                                    {"idempotency_key": "k", "customer": "", "category": "fault"})
    assert answer.status_code == 422
    assert answer.context["form"].errors["customer"]
    assert not Case.objects.exists()


def test_discarding_on_the_page(stranger, client_for, agent):
    answer = client_for(agent).post(f"/console/mail/triage/{stranger.pk}/discard")
    assert (answer.status_code, answer["Location"]) == (302, "/console/mail/triage/")
    stranger.refresh_from_db()
    assert stranger.status == InboundStatus.DISCARDED
