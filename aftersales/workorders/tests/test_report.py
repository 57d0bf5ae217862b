"""The printable report renders Chinese with an embedded font. pdftotext is not installed on the
test machines, so the text is read back through the PDF's own ToUnicode maps (pdf_text.py)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest

from aftersales.workorders import report, services
from aftersales.workorders.models import WorkOrderStatus
from aftersales.workorders.tests.factories import T0, photo_bytes, signature_png, work_order_in
from aftersales.workorders.tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

PARTS = [("ETC-ANT-01", "ETC 天线板卡", 1, None), ("PSU-12V", "12V 电源模块", 2, Decimal("380.00"))]


def _signed(agent, bob, case, acme_asset):
    acme_asset.final_acceptance_on = dt.date(2026, 1, 10)  # warranty until 2027-01-09
    acme_asset.save()
    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    services.work_order_add_photo(actor=bob, work_order_id=work_order.pk, upload=io.BytesIO(photo_bytes()))
    services.work_order_sign(actor=bob, work_order_id=work_order.pk, signature_png=signature_png(),
                             signer_name="马建国", now=T0 + dt.timedelta(minutes=50))
    work_order.refresh_from_db()
    return work_order


def test_the_report_shows_the_visit_in_chinese(agent, bob, case, acme_asset):
    # given
    work_order = _signed(agent, bob, case, acme_asset)
    # when
    pdf = report.work_order_report_pdf(work_order=work_order, parts=PARTS, company="示例科技",
                                       now=work_order.signed_at)
    text = pdf_text(pdf)
    # then
    assert pdf.startswith(b"%PDF-")
    for expected in [
        "示例科技 现场服务报告", work_order.number, case.number, "Acme 高速公路管理处", "北收费站",
        "ETC 路侧单元 RSU-1", "SN-0001", "保修期内", "bob", "天线板卡损坏", "更换天线板卡并复测", "已修复",
        "ETC-ANT-01", "ETC 天线板卡", "免费", "¥380.00", "1 张", "签字人：马建国",
        "2026-11-02 10:50",  # signed, in Asia/Shanghai
        "2026-11-02 11:00",  # scheduled
    ]:
        assert expected in text, expected


def test_the_font_is_embedded_with_a_unicode_map(agent, bob, case, acme_asset):
    work_order = _signed(agent, bob, case, acme_asset)
    pdf = report.work_order_report_pdf(work_order=work_order)
    assert b"WenQuanYiMicroHei" in pdf
    assert b"/FontFile2" in pdf  # the TrueType program itself, not a reference by name
    assert b"/ToUnicode" in pdf
    assert "未使用备件" in pdf_text(pdf)


def test_times_follow_the_requested_time_zone(agent, bob, case, acme_asset):
    work_order = _signed(agent, bob, case, acme_asset)
    text = pdf_text(report.work_order_report_pdf(work_order=work_order, time_zone="Europe/Berlin"))
    assert "2026-11-02 03:50" in text  # 10:50 in Shanghai


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_pdftotext_reads_the_chinese_text(agent, bob, case, acme_asset):
    work_order = _signed(agent, bob, case, acme_asset)
    pdf = report.work_order_report_pdf(work_order=work_order, parts=PARTS)
    executable = shutil.which("pdftotext")
    assert executable is not None
    text = subprocess.run([executable, "-", "-"], input=pdf, capture_output=True,  # noqa: S603 - our own PDF
                          check=True).stdout.decode()
    assert "现场服务报告" in text
    assert "马建国" in text


def test_a_machine_without_a_chinese_font_names_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "FONT_CANDIDATES", (str(tmp_path / "missing.ttc"),))
    report.register_font.cache_clear()
    try:
        with pytest.raises(report.ReportFontMissing, match="fonts-wqy-microhei"):
            report.register_font()
    finally:
        monkeypatch.undo()
        report.register_font.cache_clear()


def test_the_api_serves_the_report_to_the_customer_of_the_case(api, alice, agent, bob, case, acme_asset):
    work_order = _signed(agent, bob, case, acme_asset)
    report.register_parts_lines_provider(lambda _work_order: PARTS)
    try:
        response = api(alice).get(f"/api/v1/work-orders/{work_order.pk}/report.pdf")
    finally:
        report.register_parts_lines_provider(None)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "现场服务报告" in text
    assert "12V 电源模块" in text
