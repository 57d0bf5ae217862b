"""Intake through the real IMAP server: polling, dedupe, threading, loops, triage, files,
HTML, Chinese charsets, languages; acknowledgements through the outbox to the SMTP sink."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from aftersales.cases.mail_thread import case_thread_root
from aftersales.cases.models import Case, CaseAttachment, CaseClock, CaseEvent, EventKind
from aftersales.mail.models import InboundMessage, InboundStatus, Mailbox, OutboundMessage
from aftersales.mail.services import mail_system_user, mailbox_poll
from aftersales.mail.tests.factories import message_id_of, raw_mail
from aftersales.notifications.models import OutboxMessage
from aftersales.notifications.services import outbox_deliver

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200


def _poll(mailbox: Mailbox, now: dt.datetime = NOW) -> int:
    return mailbox_poll(mailbox_id=mailbox.pk, now=now)


def _file_from_known_contact(imap: Any, mailbox: Mailbox, **fields: Any) -> tuple[Case, bytes]:
    raw = raw_mail(**fields)
    imap.deliver(raw)
    assert _poll(mailbox) == 1
    return Case.objects.get(), raw


def test_new_mail_from_a_known_contact_opens_a_case_and_acknowledges_it_with_the_due_times(
        imap, mailbox, smtp_sink, acme_contact):
    # given
    raw = raw_mail()
    imap.deliver(raw)
    # when
    assert _poll(mailbox) == 1
    delivered = outbox_deliver()
    # then
    case = Case.objects.get()
    assert (case.channel, case.customer_id, case.contact_id, case.category) == (
        "email", acme_contact.customer_id, acme_contact.pk, "fault")
    assert case.title == "北收费站 ETC 天线无法读卡"
    assert case.description == "北收费站 3 号车道 ETC 天线从今天早上开始无法读卡，请尽快派人处理。"
    assert case.reported_by == mail_system_user()
    inbound = InboundMessage.objects.get()
    assert (inbound.status, inbound.case_id, inbound.language) == (InboundStatus.OPENED, case.pk, "zh-hans")
    assert delivered == 1
    [ack] = smtp_sink.messages
    assert ack["To"] == "ma@acme.invalid"
    assert ack["From"] == "service@aftersales.invalid"
    assert ack["In-Reply-To"] == message_id_of(raw)
    assert ack["References"] == f"{case_thread_root(case.pk)} {message_id_of(raw)}"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Message-ID"] == OutboundMessage.objects.get().message_id
    assert ack["Subject"].strip() == f"[{case.number}] 已受理：北收费站 ETC 天线无法读卡"
    body = ack.get_content()
    assert case.number in body
    clocks = list(CaseClock.objects.filter(case=case, due_at__isnull=False))
    assert clocks
    for clock in clocks:
        assert f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}" in body
    assert "首次响应：" in body
    assert imap.seen_count() == 1


def test_the_same_message_fetched_twice_opens_one_case(imap, mailbox, smtp_sink, acme_contact):
    # given: the message twice in the folder, then the folder read again from the start
    raw = raw_mail()
    imap.deliver(raw)
    imap.deliver(raw)
    assert _poll(mailbox) == 2
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0, uid_validity=None)
    # when
    assert _poll(mailbox) == 2
    outbox_deliver()
    # then
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert len(smtp_sink.messages) == 1


def test_a_message_without_message_id_is_deduplicated_by_its_content(imap, mailbox, acme_contact):
    raw = raw_mail(message_id=None)
    imap.deliver(raw)
    imap.deliver(raw)
    assert _poll(mailbox) == 2
    assert Case.objects.count() == 1
    assert InboundMessage.objects.get().message_id.endswith("@no-message-id.invalid>")


def test_a_poll_takes_only_messages_after_the_last_uid(imap, mailbox, acme_contact):
    imap.deliver(raw_mail(subject="第一封"))
    assert _poll(mailbox) == 1
    imap.deliver(raw_mail(subject="第二封"))
    assert _poll(mailbox) == 1
    assert _poll(mailbox) == 0
    assert sorted(Case.objects.values_list("title", flat=True)) == ["第一封", "第二封"]


def test_a_reply_by_references_threads_into_the_case(imap, mailbox, smtp_sink, acme_contact):
    # given
    case, _raw = _file_from_known_contact(imap, mailbox)
    ack_id = OutboundMessage.objects.get().message_id
    # when: the customer answers the acknowledgement (no case number in the subject)
    imap.deliver(raw_mail(subject="补充情况", body="重启后仍然无法读卡。",
                          headers={"In-Reply-To": ack_id, "References": ack_id}))
    assert _poll(mailbox) == 1
    outbox_deliver()
    # then
    assert Case.objects.count() == 1
    reply = InboundMessage.objects.get(subject="补充情况")
    assert (reply.status, reply.case_id) == (InboundStatus.THREADED, case.pk)
    event = CaseEvent.objects.filter(case=case, kind=EventKind.CUSTOMER_REPLIED).get()
    assert event.data == {"message": "重启后仍然无法读卡。"}
    assert len(smtp_sink.messages) == 1  # the acknowledgement only: replies are not acknowledged


def test_a_reply_by_the_case_number_in_the_subject_threads_into_the_case(imap, mailbox, acme_contact):
    case, _raw = _file_from_known_contact(imap, mailbox)
    imap.deliver(raw_mail(subject=f"回复：[{case.number}] 已受理", body="现场照片稍后发送。"))
    assert _poll(mailbox) == 1
    assert Case.objects.count() == 1
    assert InboundMessage.objects.get(subject__startswith="回复").case_id == case.pk


def test_a_case_number_from_a_stranger_does_not_thread(imap, mailbox, acme_contact):
    case, _raw = _file_from_known_contact(imap, mailbox)
    imap.deliver(raw_mail(sender="someone@elsewhere.invalid", subject=f"[{case.number}] 我也有问题"))
    assert _poll(mailbox) == 1
    stranger = InboundMessage.objects.get(sender="someone@elsewhere.invalid")
    assert (stranger.status, stranger.case_id) == (InboundStatus.TRIAGE, None)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.CUSTOMER_REPLIED).exists()


@pytest.mark.parametrize(("sender", "headers", "reason"), [
    ("ma@acme.invalid", {"Auto-Submitted": "auto-replied"}, "auto-submitted"),
    ("ma@acme.invalid", {"Precedence": "bulk"}, "precedence-bulk"),
    ("ma@acme.invalid", {"X-Autoreply": "yes"}, "x-autoreply"),
    ("ma@acme.invalid", {"Return-Path": "<>"}, "null-return-path"),
    ("MAILER-DAEMON@acme.invalid", {}, "system-sender"),
    ("postmaster@acme.invalid", {}, "system-sender"),
])
def test_auto_replies_and_bounces_open_nothing_and_send_nothing(imap, mailbox, smtp_sink, acme_contact, sender,
                                                                headers, reason):
    imap.deliver(raw_mail(sender=sender, subject="自动回复：北收费站", headers=headers))
    assert _poll(mailbox) == 1
    outbox_deliver()
    message = InboundMessage.objects.get()
    assert (message.status, message.automatic_reason, message.case_id) == (InboundStatus.AUTOMATIC, reason, None)
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert smtp_sink.messages == []


def test_an_auto_reply_to_our_acknowledgement_is_not_recorded_on_the_case(imap, mailbox, smtp_sink, acme_contact):
    case, _raw = _file_from_known_contact(imap, mailbox)
    ack_id = OutboundMessage.objects.get().message_id
    imap.deliver(raw_mail(subject="Out of office", headers={"In-Reply-To": ack_id, "Auto-Submitted": "auto-replied"}))
    assert _poll(mailbox) == 1
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.CUSTOMER_REPLIED).exists()
    assert OutboxMessage.objects.count() == 1


def test_a_delivery_status_report_opens_nothing(imap, mailbox, acme_contact):
    report = (b"From: ma@acme.invalid\r\nTo: service@aftersales.invalid\r\nSubject: Undelivered\r\n"
              b"Message-ID: <dsn-1@acme.invalid>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
              b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
              b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.invalid\r\n\r\n"
              b"Final-Recipient: rfc822; x@y.invalid\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n")
    imap.deliver(report)
    assert _poll(mailbox) == 1
    assert InboundMessage.objects.get().automatic_reason == "report"
    assert not Case.objects.exists()


def test_an_unknown_sender_goes_to_triage(imap, mailbox, smtp_sink, acme_contact):
    imap.deliver(raw_mail(sender="new@unknown.invalid"))
    assert _poll(mailbox) == 1
    outbox_deliver()
    message = InboundMessage.objects.get()
    assert (message.status, message.case_id, message.sender) == (InboundStatus.TRIAGE, None, "new@unknown.invalid")
    assert bytes(message.raw)
    assert not Case.objects.exists()
    assert smtp_sink.messages == []


def test_attachments_are_kept_and_refused_ones_noted(imap, mailbox, acme_contact, settings, tmp_path):
    # given: a photo, a too large photo, and a type cases do not take
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    raw = raw_mail(attachments=[("现场.png", "image/png", PNG), ("大图.png", "image/png", PNG + b"\0" * 2000),
                                ("run.exe", "application/octet-stream", b"MZ" + b"\0" * 50)])
    imap.deliver(raw)
    # when
    assert _poll(mailbox) == 1
    # then
    case = Case.objects.get()
    [kept] = CaseAttachment.objects.filter(case=case)
    assert (kept.name, kept.content_type, kept.size, kept.uploaded_by) == (
        "现场.png", "image/png", len(PNG), mail_system_user())
    notes = InboundMessage.objects.get().notes
    assert notes == ["附件“大图.png”未保存：文件超过 0 MB。",
                     "附件“run.exe”未保存：只能上传图片（PNG、JPEG、GIF、WebP）或 PDF 文件。"]
    note = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert note.data["note"] == "\n".join(notes)


def test_html_only_mail_is_sanitised(imap, mailbox, acme_contact):
    imap.deliver(raw_mail(html="<p>天线<b>无法读卡</b></p><script>alert('x')</script>"
                               "<p onclick=\"steal()\">请处理</p>"))
    assert _poll(mailbox) == 1
    message = InboundMessage.objects.get()
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "<b>无法读卡</b>" in message.body_html
    assert message.body_text == "天线无法读卡\n请处理"
    assert Case.objects.get().description == "天线无法读卡\n请处理"


def test_gbk_subject_and_body_are_decoded(imap, mailbox, acme_contact):
    # given: a GB2312-declared message using a GBK-only character (镕), as Chinese clients send
    subject = "=?gb2312?B?" + __import__("base64").b64encode("朱镕基路收费站故障".encode("gbk")).decode() + "?="
    body = "车道栏杆无法抬起。".encode("gbk")
    raw = (b"From: ma@acme.invalid\r\nTo: service@aftersales.invalid\r\nSubject: " + subject.encode()
           + b"\r\nMessage-ID: <gbk-1@acme.invalid>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n")
    imap.deliver(raw)
    assert _poll(mailbox) == 1
    case = Case.objects.get()
    assert (case.title, case.description) == ("朱镕基路收费站故障", "车道栏杆无法抬起。")


def test_an_english_message_gets_an_english_acknowledgement(imap, mailbox, smtp_sink, acme_contact):
    imap.deliver(raw_mail(subject="ETC reader down at north toll station",
                          body="Lane 3 reader stopped working this morning, please send someone."))
    assert _poll(mailbox) == 1
    outbox_deliver()
    case = Case.objects.get()
    [ack] = smtp_sink.messages
    assert ack["Subject"].strip() == f"[{case.number}] Received: ETC reader down at north toll station"
    body = ack.get_content()
    assert "We have received your message and opened service case" in body
    assert "First response: " in body
    assert InboundMessage.objects.get().language == "en"


def test_a_mailbox_whose_password_variable_is_missing_records_the_error(imap, mailbox, monkeypatch):
    monkeypatch.delenv("AFTERSALES_TEST_MAILBOX_PASSWORD")
    imap.deliver(raw_mail())
    assert _poll(mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == "environment variable AFTERSALES_TEST_MAILBOX_PASSWORD is not set"
    assert not InboundMessage.objects.exists()


def test_a_wrong_password_is_recorded_and_nothing_taken(imap, mailbox, monkeypatch):
    monkeypatch.setenv("AFTERSALES_TEST_MAILBOX_PASSWORD", "wrong")
    imap.deliver(raw_mail())
    assert _poll(mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == "imap: error"
    assert not InboundMessage.objects.exists()


def test_the_periodic_poll_takes_active_mailboxes_and_survives_a_broken_one(imap, mailbox, acme_contact):
    # given: an unreachable mailbox, a stopped one and the working one
    from aftersales.mail.services import mailboxes_poll
    from aftersales.mail.tests.conftest import _free_port

    broken = Mailbox.objects.create(name="坏邮箱", address="b@aftersales.invalid", host="127.0.0.1",
                                    port=_free_port(), use_tls=False, username="x",
                                    password_env="AFTERSALES_TEST_MAILBOX_PASSWORD")
    stopped = Mailbox.objects.create(name="停用", address="s@aftersales.invalid", host="127.0.0.1", port=imap.port,
                                     use_tls=False, username=imap.user, is_active=False,
                                     password_env="AFTERSALES_TEST_MAILBOX_PASSWORD")
    imap.deliver(raw_mail())
    # when
    assert mailboxes_poll() == 1
    # then
    broken.refresh_from_db()
    stopped.refresh_from_db()
    mailbox.refresh_from_db()
    assert broken.last_error == "connect: ConnectionRefusedError"
    assert (stopped.last_polled_at, stopped.last_uid) == (None, 0)
    assert (mailbox.last_error, mailbox.last_uid > 0) == ("", True)
    assert Case.objects.count() == 1


def test_a_too_large_message_is_kept_with_its_headers_only(imap, mailbox, smtp_sink, acme_contact, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 2000
    imap.deliver(raw_mail(body="很长的描述。" * 400))
    assert _poll(mailbox) == 1
    outbox_deliver()
    message = InboundMessage.objects.get()
    assert (message.status, message.body_text, message.subject) == (
        InboundStatus.TOO_LARGE, "", "北收费站 ETC 天线无法读卡")
    assert message.notes == ["邮件超过 0 MB，只保存了邮件头。"]
    assert not Case.objects.exists()
    assert smtp_sink.messages == []
