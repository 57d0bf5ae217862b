"""Replies from the case and delivery through the outbox to the real SMTP sink."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases.mail_thread import case_thread_root
from aftersales.cases.models import Case, CaseEvent, EventKind
from aftersales.cases.services import case_open
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.mail.models import InboundMessage, OutboundMessage
from aftersales.mail.services import mail_reply, mailbox_poll
from aftersales.mail.tests.factories import message_id_of, raw_mail
from aftersales.notifications.models import OutboxMessage, OutboxStatus
from aftersales.notifications.services import Notification, outbox_deliver, outbox_enqueue

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def _case_by_mail(imap, mailbox, **fields) -> tuple[Case, bytes]:
    raw = raw_mail(**fields)
    imap.deliver(raw)
    assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW) == 1
    return Case.objects.get(), raw


def test_a_reply_from_the_case_is_threaded_under_the_customers_message(imap, mailbox, smtp_sink, acme_contact,
                                                                        agent):
    # given
    case, raw = _case_by_mail(imap, mailbox)
    outbox_deliver()
    smtp_sink.messages.clear()
    # when
    reply = mail_reply(actor=agent, case_id=case.pk, body="工程师已出发，预计 11:30 到场。")
    assert outbox_deliver() == 1
    # then
    [sent] = smtp_sink.messages
    assert sent["Message-ID"] == reply.message_id
    assert sent["In-Reply-To"] == message_id_of(raw)
    assert sent["References"] == f"{case_thread_root(case.pk)} {message_id_of(raw)}"
    assert sent["To"] == "ma@acme.invalid"
    assert sent["From"] == "service@aftersales.invalid"
    assert sent["Auto-Submitted"] is None
    assert sent["Subject"].strip() == f"Re: [{case.number}] 北收费站 ETC 天线无法读卡"
    assert sent.get_content().replace("\r\n", "\n") == (
        f"工程师已出发，预计 11:30 到场。\n\n——\n服务工单 {case.number}。回复本邮件即可继续沟通，请保留主题中的工单号。\n")
    responded = CaseEvent.objects.get(case=case, kind=EventKind.RESPONDED)
    assert responded.actor == agent


def test_the_customers_answer_to_a_reply_threads_into_the_case(imap, mailbox, smtp_sink, acme_contact, agent):
    case, _raw = _case_by_mail(imap, mailbox)
    reply = mail_reply(actor=agent, case_id=case.pk, body="请提供车道编号。")
    imap.deliver(raw_mail(subject="Re: 车道", body="3 号车道。",
                          headers={"In-Reply-To": reply.message_id, "References": reply.message_id}))
    assert mailbox_poll(mailbox_id=mailbox.pk, now=NOW) == 1
    assert InboundMessage.objects.get(subject="Re: 车道").case_id == case.pk


def test_an_english_customer_gets_an_english_reply_footer(imap, mailbox, smtp_sink, acme_contact, agent):
    case, _raw = _case_by_mail(imap, mailbox, subject="Reader down", body="Lane 3 reader is down.")
    reply = mail_reply(actor=agent, case_id=case.pk, body="An engineer is on the way.")
    outbox_deliver()
    assert reply.language == "en"
    assert f"Service case {case.number}." in smtp_sink.messages[-1].get_content()


def test_a_reply_with_the_same_idempotency_key_is_sent_once(imap, mailbox, smtp_sink, acme_contact, agent):
    case, _raw = _case_by_mail(imap, mailbox)
    first = mail_reply(actor=agent, case_id=case.pk, body="已安排。", idempotency_key="k-1")
    again = mail_reply(actor=agent, case_id=case.pk, body="已安排。", idempotency_key="k-1")
    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(message_id=first.message_id).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.RESPONDED).count() == 1


def test_a_reply_to_a_case_without_an_address_is_refused(acme, agent):
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="电话报修")
    with pytest.raises(Conflict) as refused:
        mail_reply(actor=agent, case_id=case.pk, body="您好")
    assert refused.value.code == "no_mail_recipient"
    assert not OutboxMessage.objects.exists()


def test_an_empty_reply_is_refused_at_its_field(acme, agent):
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="电话报修")
    with pytest.raises(ValidationFailed) as refused:
        mail_reply(actor=agent, case_id=case.pk, body="  ")
    assert refused.value.field == "body"


def test_a_customer_user_may_not_send_mail_replies(acme, agent, alice):
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="电话报修")
    with pytest.raises(PermissionDenied):
        mail_reply(actor=alice, case_id=case.pk, body="您好")
    assert not OutboundMessage.objects.exists()


def test_an_outbox_retry_after_an_smtp_failure_sends_once_with_the_same_message_id(smtp_sink):
    # given: the server refuses the first attempt
    smtp_sink.failures = 1
    outbox_enqueue(notifications=[Notification(key="mail-test:1", recipient="ma@acme.invalid", subject="测试",
                                               body="正文")])
    row = OutboxMessage.objects.get()
    # when
    assert outbox_deliver() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "SMTPDataError")
    assert outbox_deliver(now=row.next_attempt_at) == 1
    assert outbox_deliver(now=row.next_attempt_at) == 0
    outbox_enqueue(notifications=[Notification(key="mail-test:1", recipient="ma@acme.invalid", subject="测试",
                                               body="正文")])
    assert outbox_deliver(now=row.next_attempt_at) == 0
    # then
    [sent] = smtp_sink.messages
    assert sent["Message-ID"] == row.message_id
    assert row.message_id.endswith("@aftersales.invalid>")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


# --- the reply button of the case page ---------------------------------------------------------


def _phone_case_with_contact(agent, acme, contact):
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                               title="电话报修 <b>车道</b>", contact_id=contact.pk)
    return case


def test_the_case_page_offers_a_mail_reply_to_the_contact_and_sends_it_once(client_for, acme, acme_contact, agent):
    case = _phone_case_with_contact(agent, acme, acme_contact)
    client = client_for(agent)
    page = client.get(f"/console/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/console/mail/cases/{case.pk}/reply" in html
    assert "ma@acme.invalid" in html or "m***@acme.invalid" in html
    form = {"idempotency_key": "form-key-1", "body": "工程师已出发 <script>x</script>"}
    first = client.post(f"/console/mail/cases/{case.pk}/reply", form)
    again = client.post(f"/console/mail/cases/{case.pk}/reply", form)  # a double click
    assert (first.status_code, again.status_code) == (302, 302)
    [reply] = OutboundMessage.objects.filter(case=case, kind="reply")
    assert reply.recipient == "ma@acme.invalid"
    assert OutboxMessage.objects.get(message_id=reply.message_id).body.startswith("工程师已出发 <script>x</script>")
    timeline = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "<script>x</script>" not in timeline
    assert "&lt;script&gt;x&lt;/script&gt;" in timeline


def test_an_empty_mail_reply_is_shown_at_its_field_and_sends_nothing(client_for, acme, acme_contact, agent):
    case = _phone_case_with_contact(agent, acme, acme_contact)
    response = client_for(agent).post(f"/console/mail/cases/{case.pk}/reply",
                                      {"idempotency_key": "k", "body": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<div class="field invalid">' in html
    assert 'name="body"' in html
    assert '<details class="action" open data-action="mail-reply">' in html
    assert not OutboundMessage.objects.exists()


def test_a_case_without_an_address_has_no_mail_reply_and_customers_get_404(client_for, acme, agent, alice):
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="电话报修")
    assert "/console/mail/cases/" not in client_for(agent).get(f"/console/cases/{case.pk}/").content.decode()
    response = client_for(agent).post(f"/console/mail/cases/{case.pk}/reply", {"idempotency_key": "k", "body": "您好"})
    assert response.status_code == 409
    assert client_for(alice).post(f"/console/mail/cases/{case.pk}/reply",
                                  {"idempotency_key": "k", "body": "您好"}).status_code == 404
    assert not OutboundMessage.objects.exists()
