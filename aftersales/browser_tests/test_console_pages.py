"""What every page needs (its scripts and styles), the console's queue filter (htmx, no page
reload) and the language switch."""


from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from aftersales.cases import services

# Real transactions: the app answers from another thread. serialized_rollback puts back the rows
# the migrations load (policies, tiers) after each test's flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENGLISH_CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def _case(agent, customer, title):
    case, _created = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                        title=title, impact="outage")
    return case


def test_the_pages_load_their_scripts_and_styles(new_page, sign_in, static_failures, agent, alice, acme):
    case = _case(agent, acme, "隧道摄像机黑屏")
    anonymous, staff, customer = new_page(), new_page(), new_page()
    anonymous.goto("/accounts/sign-in/")
    sign_in(staff, "agent")
    staff.goto(f"/console/cases/{case.pk}/")
    sign_in(customer, "alice")
    customer.goto(f"/portal/cases/{case.pk}/")
    for page in (anonymous, staff, customer):
        page.wait_for_load_state("load")
        # the stylesheet applies: the header bar is not the browser's transparent default
        assert page.eval_on_selector("header.topbar", "e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert not static_failures, f"the pages refer to static files that do not load: {sorted(set(static_failures))}"
    assert staff.evaluate("typeof window.htmx") == "object", "htmx is not loaded"


def test_typing_a_case_number_narrows_the_queue_in_place(new_page, sign_in, agent, acme, globex):
    # given two open cases in the queue
    wanted = _case(agent, globex, "UPS电池告警")
    other = _case(agent, acme, "隧道摄像机黑屏")
    page = new_page()
    sign_in(page, "agent")
    rows = page.locator("#queue-rows tbody tr")
    expect(rows).to_have_count(2)
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load on the queue page"
    # a full page load would forget this
    page.evaluate("window.__sameDocument = 'kept'")

    # when the agent jumps to the search box and types a case number
    page.keyboard.press("/")
    expect(page.locator("input[name=q]")).to_be_focused()
    page.keyboard.type(wanted.number, delay=20)

    # then the rows narrow to that case, in the same document, and the address bar follows
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted.number)
    expect(page.locator("#queue-rows")).not_to_contain_text(other.number)
    expect(page).to_have_url(re.compile(rf"[?&]q={wanted.number}"))
    assert page.evaluate("window.__sameDocument") == "kept"


def test_the_language_switch_shows_english_and_chinese(new_page, sign_in, agent):
    page = new_page()
    sign_in(page, "agent")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_have_text("工单队列")

    page.locator("button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("button[name=language][value=en]")).to_have_attribute("aria-pressed", "true")
    # make test-browser compiles the catalogue first
    assert ENGLISH_CATALOGUE.exists(), "run `make aftersales/locale/en/LC_MESSAGES/django.mo`"
    expect(page.locator("main h1")).to_have_text("Case queue")
    expect(page.locator("nav.menu")).to_contain_text("Phone intake")

    page.locator("button[name=language][value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_have_text("工单队列")
