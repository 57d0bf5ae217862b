"""Engineers use phones: at 390 px no page scrolls sideways, and the queue's rows become cards."""

from __future__ import annotations

import pytest

from aftersales.cases import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_pages_fit_a_phone_screen(browser, live_server, screenshot, agent, alice, acme):
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="隧道紧急电话无法接通，多个站点同时出现故障", impact="outage")
    for user, paths in ((agent, ["/console/", f"/console/cases/{case.pk}/", "/console/intake/",
                                 f"/console/customers/{acme.pk}/"]),
                        (alice, ["/portal/", f"/portal/cases/{case.pk}/", "/portal/request/"])):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto("/accounts/sign-in/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "correct-horse-42")
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state("load")
        for path in paths:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth") - 390
            assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
        if user == agent:
            page.goto("/console/")
            assert page.eval_on_selector("table.queue thead", "e => getComputedStyle(e).display") == "none"
            screenshot(page, "phone-queue")
        context.close()
