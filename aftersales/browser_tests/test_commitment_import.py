"""Issue #8, acceptance 3: a manager pastes a written commitment, reviews it, edits one figure
(on site 4 h → 3 h) and applies it to a contract; a case filed afterwards on that contract shows
the applied due times on its page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.cases.models import CaseClock
from aftersales.cases.services import case_open
from aftersales.commitments.models import CommitmentImport
from aftersales.contracts.models import Contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMITMENT = ("售后服务承诺：提供7×24小时服务，接到报修后30分钟内电话响应，4小时内到达现场，"
              "一般故障24小时内解决，48小时内恢复正常运行。<script>alert('x')</script>")


def test_a_pasted_commitment_reviewed_and_applied_sets_the_due_times_of_new_cases(
    new_page, sign_in, screenshot, manager, agent, acme, diamond_contract,
):
    page = new_page()
    sign_in(page, "manager")

    # given the manager pastes the commitment
    page.goto("/console/commitments/")
    page.locator("input[name=name]").fill("Acme 投标承诺")
    page.locator("textarea[name=text]").fill(COMMITMENT)
    page.get_by_role("button", name="解析").click()

    # then the review shows the document, its figures highlighted, and the draft
    expect(page.locator(".messages")).to_contain_text("已解析")
    document = page.locator(".commitment-document")
    expect(document.locator("mark", has_text="4小时内到达现场")).to_have_count(1)
    expect(document).to_contain_text("<script>alert('x')</script>")
    on_site = page.locator("tr[data-kind=on_site]")
    expect(on_site.locator("input[name$=-value]")).to_have_value("240")
    screenshot(page, "commitment-review")

    # when the on-site figure is edited to 3 hours
    on_site.locator("input[name$=-value]").fill("180")
    on_site.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("tr[data-kind=on_site] input[name$=-value]")).to_have_value("180")

    # and previewed, then applied to the contract as a new policy
    page.locator("input[name=policy_code]").fill("acme-bid")
    page.locator("input[name=policy_name]").fill("Acme 投标承诺")
    page.locator("select[name=contract_number]").select_option(diamond_contract.number)
    page.get_by_role("button", name="预览变更").click()
    changes = page.locator("table.commitment-changes")
    expect(changes.locator("tr", has_text="默认 P1 到场")).to_contain_text("3 小时")
    page.get_by_role("button", name="应用", exact=True).click()

    # then the page says what was applied
    applied = page.locator("section.applied")
    expect(applied).to_contain_text("acme-bid")
    expect(applied.locator("tr", has_text="默认 P1 到场")).to_contain_text("3 小时")
    expect(applied).to_contain_text(diamond_contract.number)
    screenshot(page, "commitment-applied")
    assert CommitmentImport.objects.get().status == "applied"
    assert Contract.objects.get(pk=diamond_contract.pk).policy.code == "acme-bid"

    # when a P1 case is filed afterwards on that contract
    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                               title="收费车道全部中断", severity="P1", impact="outage")

    # then its page shows the applied due times (24×7: natural minutes from filing)
    clocks = {clock.target: clock for clock in CaseClock.objects.filter(case=case)}
    expected = {"first_response": 30, "on_site": 180, "resolution": 1440, "restoration": 2880}
    assert {target: clocks[target].target_minutes for target in expected} == expected
    page.goto(f"/console/cases/{case.pk}/")
    table = page.locator(".clocks-table")
    for target, label in (("first_response", "首次响应"), ("on_site", "到场"),
                          ("resolution", "故障修复"), ("restoration", "恢复正常")):
        clock = clocks[target]
        assert clock.due_at - clock.started_at == dt.timedelta(minutes=expected[target])
        shown = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
        expect(table.locator("tr", has=page.locator("td", has_text=re.compile(f"^{label}$")))).to_contain_text(shown)
    screenshot(page, "commitment-case")
