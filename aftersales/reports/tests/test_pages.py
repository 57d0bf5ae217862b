"""The report pages: roles, scoping, filters, charts, exports that open."""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import load_workbook

from aftersales.accounts.models import Role
from aftersales.reports.tests.fixtures import NOW, build_cases
from aftersales.workorders.tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

COMPLIANCE = "/console/reports/compliance/"


@pytest.fixture
def world(agent, acme, diamond_contract):
    return build_cases(agent, acme)


def _query(contract, start="2026-11-01", end="2026-11-30"):
    return {"contract": str(contract.pk), "start": start, "end": end}


@pytest.mark.parametrize(("role", "status"), [
    (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.DISPATCHER, 200),
    (Role.AGENT, 403), (Role.ENGINEER, 403), (Role.EXPERT, 403),
])
@pytest.mark.parametrize("path", ["/console/reports/dashboard/", COMPLIANCE, "/console/reports/operations/"])
def test_report_pages_are_for_managers_admins_and_dispatchers(make_user, client_for, role, status, path):
    # given
    user = make_user(f"user-{role}", role)
    # when
    response = client_for(user).get(path)
    # then
    assert response.status_code == status


@pytest.mark.parametrize("path", ["/console/reports/dashboard/", COMPLIANCE, "/console/reports/operations/",
                                  "/console/reports/compliance/export.xlsx", "/console/reports/operations/export.pdf"])
def test_a_customer_user_gets_404_on_the_console_report_pages(alice, client_for, path):
    assert client_for(alice).get(path).status_code == 404


def test_the_compliance_page_shows_the_figures_and_a_chart_for_contract_and_period(
        world, manager, client_for, diamond_contract):
    # when
    with time_machine.travel(NOW, tick=False):
        response = client_for(manager).get(COMPLIANCE, _query(diamond_contract))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    assert "<script" not in page.split("<main")[-1].split("</main>")[0]
    assert 'data-severity="P1" data-target="first_response"' in page
    assert "线路故障，电话不通" in page
    assert response.context["report"].cases == 4
    assert "export.xlsx?contract=" in page


def test_an_inverted_period_is_refused_at_its_field(world, manager, client_for, diamond_contract):
    response = client_for(manager).get(COMPLIANCE, _query(diamond_contract, start="2026-11-30", end="2026-11-01"))
    assert response.status_code == 422
    assert response.context["form"].errors["end"] == ["结束日期不能早于开始日期"]


def test_another_contract_id_answers_as_a_form_error(manager, client_for):
    response = client_for(manager).get(COMPLIANCE, {"contract": "5b1f0000-0000-0000-0000-000000000000",
                                                    "start": "2026-11-01", "end": "2026-11-30"})
    assert response.status_code == 422
    assert "contract" in response.context["form"].errors


def test_the_compliance_excel_export_streams_a_workbook_with_every_case(world, manager, client_for, diamond_contract):
    with time_machine.travel(NOW, tick=False):
        response = client_for(manager).get("/console/reports/compliance/export.xlsx", _query(diamond_contract))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="compliance-HT-ACME-1-2026-11-01-2026-11-30.xlsx"'
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["概要", "承诺目标", "超时明细", "约定期限", "备件送达", "巡检", "满意度与投诉", "工单明细"]
    cases = list(workbook["工单明细"].iter_rows(values_only=True))
    assert cases[0][:3] == ("工单号", "严重等级", "状态")
    assert [row[0] for row in cases[1:]] == [world.a.number, world.b.number, world.c.number, world.d.number]
    assert cases[3][6:10] == ("超时", "超时", "超时", "进行中")  # C: first response, on site, resolution, restoration
    breaches = list(workbook["超时明细"].iter_rows(values_only=True))
    assert len(breaches) == 1 + 5
    assert ("线路故障，电话不通" in [row[8] for row in breaches])


def test_the_compliance_pdf_has_the_chinese_title_and_the_contract(world, manager, client_for, diamond_contract):
    with time_machine.travel(NOW, tick=False):
        response = client_for(manager).get("/console/reports/compliance/export.pdf", _query(diamond_contract))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "服务承诺履约报告" in text
    assert "HT-ACME-1" in text
    assert "线路故障，电话不通" in text


def test_an_unknown_export_format_is_404(world, manager, client_for, diamond_contract):
    assert client_for(manager).get("/console/reports/compliance/export.csv",
                                   _query(diamond_contract)).status_code == 404


def test_the_operations_page_and_its_exports(world, manager, client_for):
    query = {"start": "2026-11-01", "end": "2026-11-30"}
    with time_machine.travel(NOW, tick=False):
        page = client_for(manager).get("/console/reports/operations/", query)
        workbook_response = client_for(manager).get("/console/reports/operations/export.xlsx", query)
        pdf_response = client_for(manager).get("/console/reports/operations/export.pdf", query)
    assert page.status_code == 200
    assert page.context["figures"]["mttr"]["cases"] == 2
    workbook = load_workbook(io.BytesIO(b"".join(workbook_response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["积压", "产品故障率", "站点故障率", "平均修复时间", "工程师工作量"]
    assert "运营报表" in pdf_text(pdf_response.content)


def test_the_dashboard_shows_the_figures_of_the_moment(world, manager, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for(manager).get("/console/reports/dashboard/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["open"] == 3  # C, D and the case before the period
    assert "<svg" in response.content.decode()


def test_labels_typed_by_users_are_escaped_in_the_charts_and_tables(agent, acme, manager, client_for,
                                                                    diamond_contract):
    from aftersales.cases.services import case_open
    from aftersales.reports.tests.fixtures import at

    case, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                        title="<script>alert(1)</script>", impact="outage", now=at("2026-11-05 11:50"))
    with time_machine.travel(NOW, tick=False):
        page = client_for(manager).get("/console/reports/dashboard/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
