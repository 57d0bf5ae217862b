"""Issue #6, acceptance 3 (first part): an agent resolves a case, drafts an article from it in
one click, an expert publishes it, the agent finds it by a two-character Chinese term (断电) and
sees it suggested while a similar case is filed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from aftersales.accounts.models import Role
from aftersales.cases import services
from aftersales.knowledge.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

INTAKE_TEMPLATE = Path(__file__).resolve().parents[1] / "console" / "templates" / "console" / "intake.html"
SIMILAR_TITLE = "西收费站ETC天线又断电了"


def test_a_case_becomes_an_article_found_by_two_characters_and_suggested_for_a_similar_case(
    new_page, sign_in, screenshot, make_user, agent, acme, acme_asset, diamond_contract, static_failures,
):
    make_user("expert", Role.EXPERT)
    case, _created = services.case_open(
        actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="北收费站ETC天线断电",
        description="3号车道RSU天线指示灯全灭，车辆无法交易", asset_id=acme_asset.pk, impact="outage",
    )
    services.case_acknowledge(actor=agent, case_id=case.pk)

    # given the agent resolves the case on its page
    page = new_page()
    sign_in(page, "agent")
    page.goto(f"/console/cases/{case.pk}/")
    resolve = page.locator("details[data-action=resolve]")
    resolve.locator("summary").click()
    resolve.locator("textarea[name=resolution]").fill("更换天线电源适配器，重启RSU后交易恢复")
    resolve.get_by_role("button", name="解决").click()
    expect(page.locator(".case-head .status")).to_have_text("已解决")

    # when the agent drafts an article from it in one click (the case's knowledge panel)
    page.goto(f"/console/knowledge/suggest?case={case.pk}")
    page.get_by_role("button", name="据此工单起草知识库文章").click()

    # then the draft carries the case's text, and goes to review
    expect(page).to_have_url(re.compile(r"/console/knowledge/articles/[0-9a-f-]+/$"))
    expect(page.locator(".messages")).to_contain_text("已根据工单")
    expect(page.locator(".kb-article h1")).to_contain_text("北收费站ETC天线断电")
    expect(page.locator(".kb-article")).to_contain_text("更换天线电源适配器")
    expect(page.locator(".facts .status")).to_have_text("草稿")
    page.locator("form[data-action=submit] button").click()
    expect(page.locator(".facts .status")).to_have_text("待审核")
    article = Article.objects.get()
    assert article.source_case_id == case.pk

    # when the expert opens what waits for review and publishes it
    reviewer = new_page()
    sign_in(reviewer, "expert")
    reviewer.goto("/console/knowledge/articles/")
    reviewer.locator(f"tr[data-article='{article.pk}']").get_by_role("link").click()
    reviewer.locator("form[data-action=publish] button").click()
    expect(reviewer.locator(".messages")).to_contain_text("已完成：发布")
    expect(reviewer.locator(".facts .status")).to_have_text("已发布")
    screenshot(reviewer, "knowledge-article")

    # then the agent finds it by two characters, ranked, the term highlighted
    page.goto("/console/knowledge/")
    page.locator("input[name=q]").fill("断电")
    page.locator("input[name=q]").press("Enter")
    results = page.locator("ol.kb-results")
    found = results.locator(f"li[data-id='{article.pk}']")
    expect(found).to_be_visible()
    expect(found.locator("mark").first).to_have_text("断电")
    expect(results.locator(f"li[data-id='{case.pk}']")).to_be_visible()
    screenshot(page, "knowledge-search")
    found.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/console/knowledge/articles/{article.pk}/$"))

    # and sees it suggested for a similar case being filed
    page.goto(f"/console/knowledge/suggest?title={SIMILAR_TITLE}")
    suggested = page.locator(f".kb-suggested-articles li[data-id='{article.pk}']")
    expect(suggested).to_be_visible()
    expect(suggested.locator("mark").first).to_be_visible()
    if "kb-suggestions" in INTAKE_TEMPLATE.read_text(encoding="utf-8"):
        # through the intake page itself, while the title is typed
        page.goto(f"/console/intake/?customer={acme.pk}")
        page.locator("input[name=title]").press_sequentially(SIMILAR_TITLE)
        expect(page.locator(f"#kb-suggestions li[data-id='{article.pk}']")).to_be_visible()
        screenshot(page, "knowledge-intake-suggestions")
    assert static_failures == []
