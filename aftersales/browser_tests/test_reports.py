"""Issue #6, acceptance 3 (last part): a manager opens the compliance report, filters it by
contract and period, and downloads both exports (Excel and PDF), whose content is checked."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from aftersales.reports.tests.fixtures import build_cases
from aftersales.workorders.tests.pdf_text import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_manager_filters_the_compliance_report_and_downloads_both_exports(
    new_page, sign_in, screenshot, tmp_path, manager, agent, acme, diamond_contract,
):
    # given four cases of Acme's diamond contract in November 2026 (one before it)
    world = build_cases(agent, acme)
    page = new_page()
    sign_in(page, "manager")

    # when the manager opens the report and filters by contract and period
    page.goto("/console/reports/compliance/")
    page.get_by_label("合同").select_option(str(diamond_contract.pk))
    page.get_by_label("开始日期").fill("2026-11-01")
    page.get_by_label("结束日期").fill("2026-11-30")
    page.get_by_role("button", name="生成报告").click()

    # then the report shows the contract's figures, a chart and the written breach reason
    expect(page.locator("[data-figure=cases]")).to_contain_text("期间内受理 4 个工单")
    first_response = page.locator('tr[data-severity="P1"][data-target="first_response"]')
    expect(first_response.locator("[data-col=met]")).to_have_text("3")
    expect(first_response.locator("[data-col=median]")).to_have_text("15.0")
    expect(page.locator("figure.report-chart svg")).to_have_count(1)
    expect(page.locator(f'.report-breaches tr[data-case="{world.c.number}"][data-target="first_response"]')
           ).to_contain_text("线路故障，电话不通")
    screenshot(page, "compliance-report")

    # when both exports are downloaded
    with page.expect_download() as downloading:
        page.locator("a[data-export=xlsx]").click()
    workbook_path = tmp_path / "compliance.xlsx"
    downloading.value.save_as(workbook_path)
    assert downloading.value.suggested_filename == "compliance-HT-ACME-1-2026-11-01-2026-11-30.xlsx"
    with page.expect_download() as downloading:
        page.locator("a[data-export=pdf]").click()
    pdf_path = tmp_path / "compliance.pdf"
    downloading.value.save_as(pdf_path)

    # then the workbook has every case of the period and the breaches with their reasons
    workbook = load_workbook(io.BytesIO(workbook_path.read_bytes()), read_only=True)
    numbers = [row[0] for row in workbook["工单明细"].iter_rows(min_row=2, values_only=True)]
    assert numbers == [world.a.number, world.b.number, world.c.number, world.d.number]
    reasons = [row[8] for row in workbook["超时明细"].iter_rows(min_row=2, values_only=True)]
    assert "线路故障，电话不通" in reasons
    # and the PDF carries the Chinese title, the contract and the reason
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in ("服务承诺履约报告", "HT-ACME-1", "Acme 高速公路管理处", "线路故障，电话不通"):
        assert expected in text, expected


def test_the_manager_dashboard_shows_its_figures_and_charts(new_page, sign_in, screenshot, manager, agent, acme,
                                                            diamond_contract):
    # given the same cases (three of them still open)
    build_cases(agent, acme)
    page = new_page()
    sign_in(page, "manager")
    # when
    page.goto("/console/reports/dashboard/")
    # then
    expect(page.locator("[data-figure=open] .figure")).to_have_text("3")
    expect(page.locator("figure.report-chart svg")).to_have_count(2)
    screenshot(page, "manager-dashboard")
