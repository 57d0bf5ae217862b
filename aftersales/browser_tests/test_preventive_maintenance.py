"""Preventive maintenance in the browser (issue #5): the engineer, on a phone, fills the checklist
of an inspection work order (a failed item opens a case), writes the site's maintenance log in
Chinese, signs it on the pad and sends the owner a one-time link; the owner, not signed in,
signs through the link taken from the real e-mail, which then no longer works; the sealed log's
PDF reads back the Chinese text and carries both drawn signatures."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.models import Role
from aftersales.assets.services import asset_create, product_create
from aftersales.cases.models import Case
from aftersales.conftest import PASSWORD
from aftersales.inspections import services as inspections
from aftersales.inspections.models import InspectionOccurrence, InspectionResult, OccurrenceStatus
from aftersales.inspections.tests.factories import field_team
from aftersales.maintenance.models import (
    LogStatus,
    MaintenanceLog,
    OwnerSignatureLink,
    OwnerSignedVia,
)
from aftersales.maintenance.tests.factories import triggers_dropped
from aftersales.notifications.models import OutboxMessage
from aftersales.notifications.services import outbox_deliver
from aftersales.workorders import services as work_orders
from aftersales.workorders.tests.factories import photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
OWNER_EMAIL = "ma.jianguo@acme.invalid"
PROBLEM = "机房 UPS 告警"
SYMPTOM = "UPS 面板电池告警灯常亮，蜂鸣器间歇鸣叫"
DIAGNOSIS = "蓄电池组第 3 节电压偏低，内阻超标"
TREATMENT = "更换第 3 节蓄电池并进行均衡充电，告警消除"
STATE_AFTER = "UPS 运行正常，电池组电压均衡"


@pytest.fixture
def phone(browser: Any, live_server: Any, static_failures: list[str]) -> Iterator[Callable[[], Any]]:
    """Opens a page on a phone (390 px, touch) in a fresh browser context: one person each."""
    contexts: list[Any] = []

    def note(response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            static_failures.append(f"{response.status} {response.url.removeprefix(live_server.url)}")

    def open_page() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.on("response", note)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def sealed_logs_removed(transactional_db: None) -> Iterator[None]:
    """After the test, before the database is emptied: SQLite empties it row by row, which the
    trigger guarding sealed logs refuses (PostgreSQL's TRUNCATE passes it by)."""
    yield
    with triggers_dropped(), connection.cursor() as cursor:
        for model in (OwnerSignatureLink, MaintenanceLog):  # raw: the models refuse it too
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - our table names


def draw_signature(page: Any, pad: Any) -> None:
    """A zigzag stroke across the pad, as a finger would draw it."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 15, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 15 + step * (box["width"] - 30) / 30,
                        box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
    page.mouse.up()


def fits_the_phone(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


def run(*command: str) -> str:
    tool = shutil.which(command[0])
    assert tool, f"{command[0]} (poppler-utils) is installed by scripts/ensure-debian-packages.sh"
    return subprocess.run([tool, *command[1:]], capture_output=True, check=True,  # noqa: S603 - our own file
                          text=True).stdout


def test_checklist_on_a_phone_then_the_log_signed_by_the_owner_through_the_link(
    phone, sign_in, screenshot, static_failures, make_user, manager, acme, acme_site, diamond_contract,
    mailoutbox, sealed_logs_removed, live_server, settings, tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    # the address the e-mailed link starts with (no default in settings.py: unset, the link has no host)
    settings.AFTERSALES_PUBLIC_URL = live_server.url
    wang = make_user("wang", Role.ENGINEER)
    ups = asset_create(product=product_create(model="UPS-20K", name="不间断电源"), serial_number="UPS-0001",
                       customer=acme, site=acme_site)
    template = inspections.checklist_template_create(actor=manager, code="ups-monthly", name="机房 UPS 月检", items=[
        {"label": "机柜外观完好", "kind": "pass_fail", "is_photo_required": True},
        {"label": "UPS 输出电压", "kind": "number", "expected_min": "210", "expected_max": "230", "unit": "V"},
        {"label": "UPS 面板无告警", "kind": "pass_fail"},
    ])
    team = field_team()
    today = timezone.localdate()
    inspections.plan_create(actor=manager, name="北收费站机房 UPS 巡检", frequency="daily",
                            template_code=template.code, team_code=team.code, starts_on=today, asset_id=ups.pk)
    assert inspections.occurrences_plan(through=today) == 1
    assert inspections.occurrences_dispatch(horizon_days=0) == 1
    occurrence = InspectionOccurrence.objects.get()
    work_order_id = occurrence.work_order_id
    work_orders.work_order_assign(actor=manager, work_order_id=work_order_id, technician_id=wang.pk)
    work_orders.work_order_start_travel(actor=wang, work_order_id=work_order_id)
    work_orders.work_order_check_in(actor=wang, work_order_id=work_order_id)
    number = occurrence.work_order.number

    # 1. the engineer, on a phone, photographs the cabinet and fills the checklist
    mobile = phone()
    mobile.goto("/accounts/sign-in/")
    mobile.fill("input[name=username]", "wang")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.press("input[name=password]", "Enter")
    mobile.get_by_role("link", name="我的派工单").click()
    mobile.get_by_role("link", name=number).click()
    mobile.locator("input[name=file]").set_input_files(
        {"name": "cabinet.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()})
    mobile.locator("form.upload input[name=caption]").fill("机柜正面照片")
    mobile.locator("form.upload").get_by_role("button", name="上传").click()
    expect(mobile.locator(".messages")).to_contain_text("照片已上传")
    mobile.get_by_role("link", name="巡检检查表").click()
    expect(mobile).to_have_url(re.compile(rf"/console/work-orders/{work_order_id}/checklist/$"))
    expect(mobile.locator("form.checklist legend").nth(1)).to_contain_text(re.compile(r"210(\.0+)?–230(\.0+)?"))
    mobile.locator("input[name=passed-0][value=yes]").check()
    mobile.locator("select[name=photo-0]").select_option(label="机柜正面照片")
    mobile.locator("input[name=note-0]").fill("机柜门锁完好，无积尘")
    mobile.locator("input[name=value-1]").fill("221.5")
    mobile.locator("input[name=note-1]").fill("输出电压稳定")
    mobile.locator("input[name=passed-2][value=no]").check()
    mobile.locator("input[name=note-2]").fill("面板电池告警灯常亮")
    mobile.locator("textarea[name=note]").fill("UPS 电池告警，需更换蓄电池")
    fits_the_phone(mobile)
    screenshot(mobile, "phone-inspection-checklist")
    mobile.get_by_role("button", name="提交检查表").click()
    expect(mobile.locator(".messages")).to_contain_text("巡检检查表已提交")
    expect(mobile).to_have_url(re.compile(rf"/console/work-orders/{work_order_id}/$"))

    result = InspectionResult.objects.get(occurrence=occurrence)
    assert (result.submitted_by_id, result.is_passed, result.note) == (wang.pk, False, "UPS 电池告警，需更换蓄电池")
    rows = list(result.items.order_by("position"))
    assert [(r.label, r.is_passed, r.note) for r in rows] == [
        ("机柜外观完好", True, "机柜门锁完好，无积尘"), ("UPS 输出电压", True, "输出电压稳定"),
        ("UPS 面板无告警", False, "面板电池告警灯常亮")]
    assert rows[0].photo.caption == "机柜正面照片"
    assert float(rows[1].value_number) == 221.5
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.COMPLETED
    finding = Case.objects.get(channel="inspection", category="fault")
    assert "UPS 面板无告警" in finding.title
    assert [r.case_id for r in rows] == [None, None, finding.pk]

    # 2. the engineer writes the site's maintenance log, signs it and sends the owner the link
    mobile.goto("/console/maintenance/")
    mobile.get_by_role("link", name="新建维修保养记录").click()
    mobile.get_by_label("站点").select_option(label="Acme 高速公路管理处 · 北收费站")
    mobile.get_by_label("设备").select_option(label="北收费站 · UPS-20K UPS-0001")
    mobile.get_by_label("记录类别").select_option(label="每月")
    mobile.get_by_label("问题").fill(PROBLEM)
    mobile.get_by_label("现象").fill(SYMPTOM)
    mobile.get_by_label("诊断").fill(DIAGNOSIS)
    mobile.get_by_label("处理措施").fill(TREATMENT)
    mobile.get_by_label("处理后状态").fill(STATE_AFTER)
    mobile.get_by_label("使用备件").fill("12V 100Ah 蓄电池 ×1")
    mobile.get_by_label("耗时（分钟）").fill("90")
    mobile.get_by_role("button", name="保存草稿").click()
    expect(mobile.locator(".messages")).to_contain_text("已新建维修保养记录（草稿）")
    expect(mobile.locator(".status")).to_have_attribute("data-status", LogStatus.DRAFT)
    log = MaintenanceLog.objects.get()
    assert (log.site_id, log.asset_id, log.technician_id, log.period_kind) == (acme_site.pk, ups.pk, wang.pk, "monthly")
    assert (log.problem, log.treatment) == (PROBLEM, TREATMENT)

    signing = mobile.locator("details[data-action=technician-sign]")
    signing.locator("summary").click()
    signing.get_by_label("签字人").fill("王建军")
    draw_signature(mobile, signing.locator("canvas[data-signature-pad]"))
    fits_the_phone(mobile)
    screenshot(mobile, "phone-maintenance-technician-signature")
    signing.get_by_role("button", name="维护人员签字").click()
    expect(mobile.locator(".messages")).to_contain_text("维护人员已签字")
    expect(mobile.locator(".status")).to_have_attribute("data-status", LogStatus.AWAITING_OWNER)
    expect(mobile.locator("dd[data-signed=technician]")).to_contain_text("王建军")

    sending = mobile.locator("details[data-action=owner-link]")
    sending.locator("summary").click()
    sending.get_by_label("业主代表电子邮箱").fill(OWNER_EMAIL)
    sending.get_by_role("button", name="发送一次性签字链接").click()
    expect(mobile.locator(".messages")).to_contain_text("签字链接已发送到业主邮箱")
    expect(mobile.get_by_role("region", name="已发送的签字链接")).to_contain_text(OWNER_EMAIL)

    # the link as the owner receives it: the outbox row, delivered by the worker's own code
    queued = OutboxMessage.objects.get(key__startswith="maintenance-owner-link:")
    assert queued.recipient == OWNER_EMAIL
    outbox_deliver()
    queued.refresh_from_db()
    assert queued.status == "sent"
    [mail] = [m for m in mailoutbox if m.to == [OWNER_EMAIL]]
    assert (mail.subject, mail.body) == (queued.subject, queued.body)
    found = re.search(rf"{re.escape(live_server.url)}/portal/maintenance/sign/[^/\s]+/", mail.body)
    assert found, mail.body
    link = found.group(0)

    # 3. the owner, not signed in, opens the link on a phone, reads the log and signs
    owner = phone()
    owner.goto(link)
    article = owner.locator("article")
    for text in (PROBLEM, SYMPTOM, DIAGNOSIS, TREATMENT, STATE_AFTER, "王建军"):
        expect(article).to_contain_text(text)
    owner.get_by_label("签字人姓名").fill("马建国")
    draw_signature(owner, owner.locator("canvas[data-signature-pad]"))
    fits_the_phone(owner)
    screenshot(owner, "phone-maintenance-owner-signing")
    owner.get_by_role("button", name="确认无误并签字").click()
    expect(owner.get_by_role("status")).to_contain_text("已签字，记录已封存")
    expect(owner.locator("canvas[data-signature-pad]")).to_have_count(0)

    log.refresh_from_db()
    assert (log.status, log.chain_index) == (LogStatus.SEALED, 1)
    assert log.sealed_at is not None
    assert (log.technician_name, log.owner_name, log.owner_signed_via) == ("王建军", "马建国", OwnerSignedVia.LINK)
    assert all((log.technician_signature, log.owner_signature))
    assert log.owner_links.get().used_at is not None

    # the same link again: refused, nothing to sign
    again = owner.goto(link)
    assert again is not None
    assert again.status == 409
    expect(owner.get_by_role("alert")).to_contain_text("签字链接已使用")
    expect(owner.locator("article form")).to_have_count(0)

    # the engineer sees the log sealed
    mobile.reload()
    expect(mobile.locator(".status")).to_have_attribute("data-status", LogStatus.SEALED)
    expect(mobile.locator("dd[data-signed=owner]")).to_contain_text("马建国")
    expect(mobile.locator("dd[data-chain-index]")).to_have_text("1")
    expect(mobile.locator("dd[data-content-hash]")).to_have_text(log.content_hash)

    # 4. the sealed log's PDF, from the log book of its site and day
    day = timezone.localtime(log.performed_at).date().isoformat()
    mobile.get_by_role("link", name="返回维修保养记录").click()
    logbook = mobile.get_by_role("region", name="维修保养记录簿")
    logbook.get_by_label("站点").select_option(label="Acme 高速公路管理处 · 北收费站")
    logbook.get_by_label("记录类别").select_option(label="每月")
    logbook.get_by_label("开始日期").fill(day)
    logbook.get_by_label("结束日期").fill(day)
    logbook.get_by_role("button", name="生成记录簿").click()
    with mobile.expect_download() as downloading:
        mobile.get_by_role("link", name="下载记录簿（PDF）").click()
    pdf = tmp_path / "logbook.pdf"
    downloading.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    text = re.sub(r"\s+", "", run("pdftotext", "-layout", str(pdf), "-"))
    for expected in (PROBLEM, SYMPTOM, DIAGNOSIS, TREATMENT, STATE_AFTER, "王建军", "马建国", "一次性链接签名",
                     log.content_hash):
        assert re.sub(r"\s+", "", expected) in text, expected
    # both drawn signatures are embedded: two 600×220 pictures (each with its transparency mask)
    images = [line.split() for line in run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    drawn = [row for row in images if row[2] == "image" and row[3:5] == ["600", "220"]]
    assert len(drawn) == 2, images
    assert static_failures == []
