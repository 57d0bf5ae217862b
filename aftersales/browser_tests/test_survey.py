"""Issue #6, acceptance 3: a case is closed with the customer's consent in the portal; the
customer's contact opens the one-time survey link from the real outgoing e-mail, not signed in,
sees only the case's number and title, answers with one low score; the link is then refused;
the low score opened a follow-up case the agent finds in the console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.cases import services as cases
from aftersales.cases.models import Case
from aftersales.notifications.models import OutboxMessage
from aftersales.notifications.services import outbox_deliver
from aftersales.surveys.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "北收费站 ETC 车道交易失败"


def test_the_customer_answers_the_survey_from_its_link_and_a_low_score_opens_a_follow_up(
    new_page, sign_in, screenshot, static_failures, agent, alice, acme, acme_contact, mailoutbox, live_server,
    settings,
):
    # the address the e-mailed link starts with
    settings.AFTERSALES_PUBLIC_URL = live_server.url
    case, _created = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                     title=TITLE, impact="limited", contact_id=acme_contact.pk,
                                     assignee_id=agent.pk)
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="更换 RSU 天线馈线后交易恢复")

    # 1. the customer consents to the closure in the portal
    portal = new_page()
    sign_in(portal, "alice")
    portal.goto(f"/portal/cases/{case.pk}/")
    portal.get_by_role("button", name="问题已解决，同意关闭").click()
    expect(portal.locator(".messages")).to_contain_text("感谢确认")
    assert Case.objects.get(pk=case.pk).status == "closed"

    # 2. the survey e-mail as the contact receives it: the outbox row, delivered by the worker's code
    queued = OutboxMessage.objects.get(key__startswith="survey-link:")
    assert queued.recipient == acme_contact.email
    outbox_deliver()
    # (the contact also got the status mails of the resolution and the closure)
    [mail] = [m for m in mailoutbox if m.to == [acme_contact.email] and m.subject == queued.subject]
    assert case.number in mail.subject
    found = re.search(rf"{re.escape(live_server.url)}/portal/surveys/[A-Za-z0-9_-]{{43,}}/", mail.body)
    assert found, mail.body
    link = found.group(0)

    # 3. the contact, not signed in, opens the link: the case's number and title, nothing more
    visitor = new_page()
    opened = visitor.goto(link)
    assert opened is not None
    assert opened.status == 200
    expect(visitor.locator("[data-case-number]")).to_have_text(case.number)
    expect(visitor.locator("article.survey")).to_contain_text(TITLE)
    expect(visitor.locator("article.survey")).not_to_contain_text(acme_contact.name)
    expect(visitor.locator("article.survey")).not_to_contain_text(acme.name)
    visitor.locator("[data-question=response_speed]").get_by_label("2 不满意").check()
    visitor.locator("[data-question=professionalism]").get_by_label("5 非常满意").check()
    visitor.locator("[data-question=result]").get_by_label("4 满意").check()
    visitor.locator("[data-question=attitude]").get_by_label("5 非常满意").check()
    visitor.locator("textarea[name=comments]").fill("夜间报修等待时间较长")
    screenshot(visitor, "survey-answer")
    visitor.get_by_role("button", name="提交评价").click()
    expect(visitor.locator(".messages")).to_contain_text("感谢您的反馈")

    # 4. the link is refused on reuse
    again = visitor.goto(link)
    assert again is not None
    assert again.status == 409
    expect(visitor.locator("[data-refused]")).to_contain_text("只能使用一次")
    screenshot(visitor, "survey-link-used")

    # 5. the low score opened one follow-up, assigned to the case's agent, found in the console
    survey = Survey.objects.get(case=case)
    assert survey.answered_via == "link"
    follow_up = survey.follow_up_case
    assert follow_up is not None
    assert (follow_up.category, follow_up.assignee_id) == ("consultation", agent.pk)
    console = new_page()
    sign_in(console, "agent")
    console.goto("/console/surveys/")
    row = console.locator(f"tr[data-survey='{survey.pk}']")
    expect(row).to_contain_text("低分")
    row.get_by_role("link", name=follow_up.number).click()
    expect(console.locator("h1")).to_contain_text("评分偏低")
    assert static_failures == []
