"""The case's contact hears of status changes by mail: in their language, in the case's thread,
once per change; nobody without an address, nothing when the setting is off."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from aftersales.cases.mail_thread import case_thread_root
from aftersales.cases.models import Case
from aftersales.cases.services import (
    case_acknowledge,
    case_confirm_closure,
    case_open,
    case_reopen,
    case_resolve,
    case_resume,
    case_wait_on_customer,
)
from aftersales.customers.services import contact_create, contact_language, contact_update
from aftersales.mail.models import OutboundKind, OutboundMessage
from aftersales.mail.services import case_status_mail, inbound_receive
from aftersales.mail.tests.factories import raw_mail
from aftersales.notifications.models import OutboxMessage
from aftersales.notifications.services import outbox_deliver

pytestmark = pytest.mark.django_db


def _phone_case(agent: Any, customer: Any, contact: Any) -> Case:
    case, _created = case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                               title="收费站车道 ETC 天线无法读卡", contact_id=contact.pk)
    return case


def _status_mails(case: Case) -> list[OutboxMessage]:
    keys = OutboundMessage.objects.filter(case=case, kind=OutboundKind.STATUS).values_list("outbox_key", flat=True)
    return list(OutboxMessage.objects.filter(key__in=list(keys)).order_by("created_at", "key"))


def test_waiting_on_the_customer_mails_the_contact_with_the_reason_in_the_cases_thread(acme, acme_contact, agent):
    case = _phone_case(agent, acme, acme_contact)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_wait_on_customer(actor=agent, case_id=case.pk, reason="请提供故障车道的编号和天线序列号。")
    [mail] = _status_mails(case)
    assert mail.recipient == "ma@acme.invalid"
    assert mail.subject == f"[{case.number}] 等待您的回复：收费站车道 ETC 天线无法读卡"
    assert "请提供故障车道的编号和天线序列号。" in mail.body
    assert f"/portal/cases/{case.pk}/" in mail.body
    assert mail.references == case_thread_root(case.pk)
    assert mail.headers["Auto-Submitted"] == "auto-replied"


def test_resolved_closed_and_reopened_each_mail_once_and_other_changes_do_not(acme, acme_contact, agent):
    case = _phone_case(agent, acme, acme_contact)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_wait_on_customer(actor=agent, case_id=case.pk, reason="请确认")
    case_resume(actor=agent, case_id=case.pk)
    case_resolve(actor=agent, case_id=case.pk, resolution="更换 ETC 天线馈线，复测读卡正常。")
    case_confirm_closure(actor=agent, case_id=case.pk, note="马工电话同意关闭（内部记录）", contact_id=acme_contact.pk)
    case_reopen(actor=agent, case_id=case.pk, reason="客户反映再次无法读卡")
    subjects = [m.subject.split("]", 1)[1].split("：")[0].strip() for m in _status_mails(case)]
    assert sorted(subjects) == sorted(["等待您的回复", "已解决，请确认", "已关闭", "已重新打开"])
    resolved = next(m for m in _status_mails(case) if "已解决" in m.subject)
    assert "更换 ETC 天线馈线，复测读卡正常。" in resolved.body
    closed = next(m for m in _status_mails(case) if "已关闭" in m.subject)
    assert "内部记录" not in closed.body  # the agent's closure note stays on the case


def test_the_same_change_given_to_the_hook_twice_writes_one_mail(acme, acme_contact, agent):
    case = _phone_case(agent, acme, acme_contact)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_wait_on_customer(actor=agent, case_id=case.pk, reason="请确认")
    case.refresh_from_db()
    case_status_mail(case, "in_progress", "waiting_on_customer", case.updated_at)
    assert len(_status_mails(case)) == 1


def test_a_contact_set_to_english_gets_english_mail(acme, acme_contact, agent):
    contact_update(contact_id=acme_contact.pk, customer=acme, language="en")
    case = _phone_case(agent, acme, acme_contact)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_resolve(actor=agent, case_id=case.pk, resolution="Replaced the antenna feeder.")
    [mail] = _status_mails(case)
    assert mail.subject == f"[{case.number}] Resolved, please confirm: 收费站车道 ETC 天线无法读卡"
    assert "The case is not closed without your consent." in mail.body
    assert OutboundMessage.objects.get(case=case).language == "en"


def test_without_a_set_language_the_contacts_latest_mail_decides(acme, acme_contact, agent):
    case = _phone_case(agent, acme, acme_contact)
    assert contact_language(acme_contact, case=case) == "zh-hans"
    inbound_receive(raw=raw_mail(subject="Reader down", body="The lane 3 reader is down again today."))
    assert contact_language(acme_contact) == "en"
    contact_update(contact_id=acme_contact.pk, customer=acme, language="zh-hans")
    acme_contact.refresh_from_db()
    assert contact_language(acme_contact) == "zh-hans"  # what the contact set wins


def test_no_mail_without_a_contact_address_or_when_switched_off(acme, agent):
    by_phone_only = contact_create(customer=acme, name="李工", phone="13800000000")
    case = _phone_case(agent, acme, by_phone_only)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_wait_on_customer(actor=agent, case_id=case.pk, reason="请确认")
    with_mail = contact_create(customer=acme, name="王工", email="wang@acme.invalid")
    other = _phone_case(agent, acme, with_mail)
    case_acknowledge(actor=agent, case_id=other.pk)
    with override_settings(MAIL_STATUS_NOTIFICATIONS=False):
        case_wait_on_customer(actor=agent, case_id=other.pk, reason="请确认")
    assert not OutboundMessage.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_status_mail_reaches_the_smtp_server_with_threading_headers(acme, acme_contact, agent, smtp_sink):
    case = _phone_case(agent, acme, acme_contact)
    case_acknowledge(actor=agent, case_id=case.pk)
    case_wait_on_customer(actor=agent, case_id=case.pk, reason="请确认车道编号")
    assert outbox_deliver() == 1
    [sent] = smtp_sink.messages
    assert sent["References"] == case_thread_root(case.pk)
    assert sent["To"] == "ma@acme.invalid"
    assert "请确认车道编号" in sent.get_content()
