"""A case's life in the browser: filed, worked in the console, confirmed closed by the customer,
and invisible to another customer."""


from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aftersales.cases import services

# Real transactions: the app answers from another thread. serialized_rollback puts back the rows
# the migrations load (policies, tiers) after each test's flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _resolved_case(agent, customer, title="车道控制机频繁死机"):
    case, _created = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                        title=title, impact="degraded")
    services.case_acknowledge(actor=agent, case_id=case.pk)
    services.case_resolve(actor=agent, case_id=case.pk, resolution="更换电源模块")
    return case


def test_a_filed_case_is_found_in_the_queue_assigned_and_resolved(
    new_page, sign_in, screenshot, agent, bob, alice, acme, diamond_contract,
):
    # given a case filed through the portal by alice (the console's phone intake page is not
    # built yet: when it is, the agent should file it there instead)
    portal = new_page()
    sign_in(portal, "alice")
    portal.get_by_role("link", name="提交服务申请").first.click()
    portal.locator("input[name=title]").press_sequentially("ETC车道无法交易")
    portal.locator("input[name=reporter]").press_sequentially("马建国")
    portal.locator("textarea[name=description]").press_sequentially("早上8点起所有ETC车道无法交易")
    portal.locator("select[name=impact]").select_option("outage")
    portal.get_by_role("button", name="提交", exact=True).click()
    expect(portal.locator(".messages")).to_contain_text("服务申请已提交")
    number = portal.locator(".case-head .number").inner_text().strip()
    assert re.fullmatch(r"AS\d{6}-\d{6}", number)

    # when the agent signs in, finds it at the top of the queue and opens it
    page = new_page()
    sign_in(page, "agent")
    expect(page).to_have_url(re.compile(r"/console/$"))
    row = page.locator("#queue-rows tbody tr", has_text=number)
    expect(row).to_contain_text("ETC车道无法交易")
    expect(row).to_contain_text("新建")
    screenshot(page, "console-queue")
    row.get_by_role("link", name=number).click()
    expect(page.locator(".case-head h1")).to_contain_text(number)
    expect(page.locator(".case-head .status")).to_have_text("新建")

    # and assigns it to bob
    assign = page.locator("details[data-action=assign]")
    assign.locator("summary").click()
    assign.locator("select[name=assignee_id]").select_option(label="bob")
    assign.get_by_role("button", name="指派").click()
    expect(page.locator(".messages")).to_contain_text("已完成：指派")
    expect(page.locator(".case-head .status")).to_have_text("处理中")
    expect(page.locator(".case-head .facts")).to_contain_text("bob")

    # and resolves it
    resolve = page.locator("details[data-action=resolve]")
    resolve.locator("summary").click()
    resolve.locator("textarea[name=resolution]").press_sequentially("重启车道控制器并更换天线馈线")
    resolve.get_by_role("button", name="解决").click()

    # then the case is resolved, and says so in its timeline
    expect(page.locator(".messages")).to_contain_text("已完成：解决")
    expect(page.locator(".case-head .status")).to_have_text("已解决")
    expect(page.locator(".timeline")).to_contain_text("重启车道控制器并更换天线馈线")
    expect(page.locator("details[data-action=resolve]")).to_have_count(0)
    screenshot(page, "console-case")


def test_the_customer_sees_the_resolved_case_and_confirms_closure(
    new_page, sign_in, screenshot, agent, alice, acme, diamond_contract,
):
    # given a case resolved by the service company
    case = _resolved_case(agent, acme)
    page = new_page()

    # when alice signs in, she lands on her cases and finds it there
    sign_in(page, "alice")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    row = page.locator("table.queue tbody tr", has_text=case.number)
    expect(row).to_contain_text("已解决")
    screenshot(page, "portal-home")
    row.get_by_role("link", name=case.number).click()
    expect(page.locator(".case-head .status")).to_have_text("已解决")
    expect(page.locator(".timeline")).to_contain_text("更换电源模块")
    screenshot(page, "portal-case")

    # and confirms closure
    page.locator("#confirm-closure").click()

    # then the case is closed and can no longer be confirmed
    expect(page.locator(".messages")).to_contain_text("感谢确认")
    expect(page.locator(".case-head .status")).to_have_text("已关闭")
    expect(page.locator("#confirm-closure")).to_have_count(0)
    page.goto("/portal/")
    expect(page.locator("table.queue tbody tr", has_text=case.number)).to_contain_text("已关闭")


def test_another_customer_gets_404_and_never_sees_the_case(new_page, sign_in, agent, alice, charlie, acme, globex):
    # given alice's resolved case, and one of charlie's own
    case = _resolved_case(agent, acme)
    own = _resolved_case(agent, globex, title="UPS电池告警")
    page = new_page()
    sign_in(page, "charlie")

    # then charlie's list shows his case only
    expect(page.locator("table.queue tbody")).to_contain_text(own.number)
    expect(page.locator("main")).not_to_contain_text(case.number)
    # and alice's case is not found, in the portal nor in the console
    for path in (f"/portal/cases/{case.pk}/", f"/console/cases/{case.pk}/", "/console/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text(case.number)
        expect(page.locator("body")).not_to_contain_text("车道控制机频繁死机")
