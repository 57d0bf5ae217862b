"""Field service in the browser: the dispatcher assigns from the ranked list; the engineer, on a
phone, travels, checks in, records findings and the parts used, captures the customer's drawn
signature; the work-order report is a PDF whose Chinese text reads back."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from aftersales.accounts.models import Role
from aftersales.cases import services
from aftersales.conftest import PASSWORD
from aftersales.parts import services as parts_services
from aftersales.roster.services import technician_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dispatch_from_the_ranking_then_work_the_order_on_a_phone(
    browser, live_server, new_page, sign_in, screenshot, make_user, agent, acme, acme_asset, acme_site,
    diamond_contract, settings, tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    dispatcher = make_user("dispatcher", Role.DISPATCHER)
    wang = make_user("wang", Role.ENGINEER)
    li = make_user("li", Role.ENGINEER)
    technician_create(user_id=wang.pk, product_ids=[acme_asset.product_id])
    technician_create(user_id=li.pk)
    depot = parts_services.depot_create(code="urumqi", name="乌鲁木齐备件库")
    part = parts_services.part_create(code="ANT-1", name="ETC 天线板卡")
    parts_services.stock_receive(actor=dispatcher, depot=depot, part=part, quantity=2)
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="北收费站 ETC 天线无响应", impact="outage", asset_id=acme_asset.pk,
                                        site_id=acme_site.pk)

    # the dispatcher opens the case, goes to the ranked list and assigns the first technician
    page = new_page()
    sign_in(page, "dispatcher")
    page.goto(f"/console/cases/{case.pk}/")
    page.get_by_role("link", name="按推荐排名派工").click()
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first).to_have_attribute("data-technician", "wang")
    screenshot(page, "dispatch-ranking")
    rows.first.get_by_role("button", name="派给此人").click()
    expect(page.locator(".messages")).to_contain_text("已派工")
    number = page.locator(".case-head .number").inner_text().strip()
    assert re.fullmatch(r"WO\d{6}-\d{6}", number)

    # the engineer, on a phone, works the order
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True, locale="zh-CN")
    mobile = phone.new_page()
    mobile.goto("/accounts/sign-in/")
    mobile.fill("input[name=username]", "wang")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.press("input[name=password]", "Enter")
    mobile.get_by_role("link", name="我的派工单").click()
    mobile.get_by_role("link", name=number).click()

    def act(summary: str) -> None:
        mobile.locator("details.action summary", has_text=summary).click()
        mobile.locator("details.action[open] button.primary").click()
        expect(mobile.locator(".messages")).to_contain_text("已完成")

    act("出发")
    mobile.locator("details.action summary", has_text="到场签到").click()
    mobile.locator("details.action[open] input[name=note]").fill("已到北收费站")
    mobile.locator("details.action[open] button.primary").click()
    expect(mobile.locator(".status")).to_have_text("已到场")
    mobile.locator("details.action summary", has_text="记录诊断与处理").click()
    mobile.locator("details.action[open] textarea[name=diagnosis]").fill("天线板卡损坏")
    mobile.locator("details.action[open] textarea[name=work_performed]").fill("更换天线板卡，交易恢复")
    mobile.locator("details.action[open] select[name=result]").select_option("fixed")
    mobile.locator("details.action[open] button.primary").click()
    mobile.locator("select[name=part]").select_option(label="ANT-1 ETC 天线板卡")
    mobile.get_by_role("button", name="记录备件领用").click()
    expect(mobile.locator("#parts-title + table")).to_contain_text("ANT-1")
    act("完工")
    # the customer signs with a finger on the pad
    mobile.locator("details.action summary", has_text="客户签字确认").click()
    mobile.locator("details.action[open] input[name=signer_name]").fill("马建国")
    pad = mobile.locator("canvas[data-signature-pad]")
    box = pad.bounding_box()
    assert box is not None
    mobile.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    mobile.mouse.down()
    for step in range(1, 30):
        mobile.mouse.move(box["x"] + 20 + step * (box["width"] - 40) / 30,
                          box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
    mobile.mouse.up()
    screenshot(mobile, "phone-work-order-signature")
    mobile.locator("details.action[open] button.primary").click()
    expect(mobile.locator(".status")).to_have_text("客户已签字")
    overflow = mobile.evaluate("document.documentElement.scrollWidth") - 390
    assert overflow <= 1
    screenshot(mobile, "phone-work-order")

    # the report is a PDF whose Chinese text reads back
    report = mobile.request.get(mobile.get_by_role("link", name="现场服务报告（PDF）").get_attribute("href"))
    assert report.ok
    assert report.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.body())
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is installed by scripts/ensure-debian-packages.sh"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"],  # noqa: S603 - our own file
                          capture_output=True, check=True, text=True).stdout
    for expected in ("现场服务报告", number, "天线板卡损坏", "ANT-1", "马建国"):
        assert expected in text
    phone.close()
