"""Phone intake with the keyboard only: the caller is on the line, the agent never touches the mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_files_a_phone_case_with_the_keyboard_only(
    new_page, sign_in, screenshot, agent, acme, acme_contact, diamond_contract,
):
    page = new_page()
    sign_in(page, "agent")  # types and presses Enter
    page.goto("/console/intake/")

    # the search box has the focus: type the caller's number, step to the first match, Enter
    expect(page.locator("#caller-search")).to_be_focused()
    page.keyboard.type("13899100001")
    expect(page.locator("#callers a").first).to_contain_text("马建国")
    page.keyboard.press("Tab")
    expect(page.locator("#callers a").first).to_be_focused()
    page.keyboard.press("Enter")

    # the customer's tier is shown and the title field has the focus: type, Tab to impact, choose, Enter
    expect(page.locator(".customer-panel")).to_contain_text(diamond_contract.number)
    expect(page.locator("input[name=title]")).to_be_focused()
    page.keyboard.type("收费站全部车道无法交易")
    page.keyboard.press("Tab")
    expect(page.locator("select[name=impact]")).to_be_focused()
    page.keyboard.press("Home")  # the first choice: 业务中断/系统瘫痪 (outage)
    screenshot(page, "console-intake")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    # the case page shows the promised times at once
    expect(page.locator(".messages")).to_contain_text("已受理")
    expect(page).to_have_url(re.compile(r"/console/cases/[0-9a-f-]+/$"))
    expect(page.locator(".clocks-table")).to_contain_text("首次响应")
    expect(page.locator(".clocks-table time").first).to_have_attribute("datetime", re.compile(r"\+08:00$"))
    case = Case.objects.get()
    assert (case.channel, case.severity, case.contact_id) == ("phone", "P1", acme_contact.pk)
