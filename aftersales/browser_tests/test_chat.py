"""Issue #7, chat (在线客服): the customer opens the chat box in the portal and writes; the agent,
in another browser, sees the chat waiting, takes it and answers; the answer appears in the
customer's page without a reload (htmx polling, no websockets). The transcript is the case's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.cases.models import CaseEvent
from aftersales.chat.models import ChatSession
from aftersales.roster.models import TeamKind
from aftersales.roster.services import shift_add, team_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTION = "北收费站 3 号 ETC 车道无法交易"
ANSWER = "您好，请先重启 RSU，我们同时安排工程师。"


def test_a_customer_chats_with_the_agent_on_duty_without_reloading(
    new_page, sign_in, screenshot, static_failures, agent, alice, acme, settings,
):
    settings.CHAT_POLL_SECONDS = 1
    team = team_create(code="hotline", name="热线组", kind=TeamKind.HOTLINE)
    now = timezone.now()
    shift_add(team=team, user_id=agent.pk, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=7))

    # the customer opens the chat from the portal's home page and writes
    portal = new_page()
    sign_in(portal, "alice")
    portal.get_by_role("link", name="在线客服").first.click()
    portal.locator("input[name=topic]").fill("ETC 车道故障")
    portal.get_by_role("button", name="开始咨询").click()
    expect(portal.locator("#chat-status")).to_contain_text("正在等待客服接入")
    portal.locator("textarea[name=body]").fill(QUESTION)
    portal.get_by_role("button", name="发送").click()
    expect(portal.locator("#chat-log [data-side=customer]")).to_contain_text(QUESTION)
    # the compose box came back empty, ready for the next message
    expect(portal.locator("textarea[name=body]")).to_have_value("")
    session = ChatSession.objects.get()

    # the agent on duty sees it waiting, highlighted, opens and takes it
    console = new_page()
    sign_in(console, "agent")
    console.goto("/console/chat/")
    row = console.locator(f"tr[data-chat='{session.pk}']")
    expect(row).to_have_class("waiting for-me")
    screenshot(console, "chat-console-list")
    row.get_by_role("link", name="ETC 车道故障").click()
    expect(console.locator("#chat-log")).to_contain_text(QUESTION)
    console.get_by_role("button", name="接入会话").click()
    expect(console.locator("#chat-status")).to_contain_text("由 agent 接待中")

    # the customer's page says who answers, without a reload
    expect(portal.locator("#chat-status")).to_contain_text("客服 agent 正在为您服务")

    console.locator("textarea[name=body]").fill(ANSWER)
    console.get_by_role("button", name="发送").click()
    expect(console.locator("#chat-log [data-side=agent]")).to_contain_text(ANSWER)

    # the answer appears in the customer's chat box without a reload, once
    answer = portal.locator("#chat-log [data-side=agent]")
    expect(answer).to_contain_text(ANSWER)
    portal.wait_for_timeout(2_500)  # a few more polls: nothing is shown twice
    expect(answer).to_have_count(1)
    expect(portal.locator("#chat-log [data-side=customer]")).to_have_count(1)
    screenshot(portal, "chat-portal")

    # the customer ends the chat; the agent's page learns of it by itself
    portal.get_by_role("button", name="结束会话").click()
    expect(portal.locator(".messages")).to_contain_text("会话已结束")
    expect(console.locator("#chat-status")).to_contain_text("会话已结束（客户结束）")
    expect(console.locator("#chat-compose")).to_contain_text("摘要已记入工单")

    kinds = list(CaseEvent.objects.filter(case_id=session.case_id).values_list("kind", flat=True))
    assert kinds == ["opened", "customer_replied", "assigned", "responded", "note"]  # taking it assigned the case
    assert static_failures == []
