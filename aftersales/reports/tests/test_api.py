"""The reports API: figures as JSON, exports; roles and scoping (a customer user reads the
compliance report of its own contracts, 404 for another organisation's)."""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import load_workbook

from aftersales.accounts.models import Role
from aftersales.cases import services as cases
from aftersales.cases.tests.helpers import at
from aftersales.reports.tests.fixtures import NOW, build_cases
from aftersales.workorders.tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, acme, diamond_contract):
    return build_cases(agent, acme)


def _compliance(contract, suffix=""):
    return f"/api/v1/reports/compliance{suffix}?contract={contract.pk}&start=2026-11-01&end=2026-11-30"


def test_the_compliance_figures_as_json(world, api, manager, diamond_contract):
    with time_machine.travel(NOW, tick=False):
        response = api(manager).get(_compliance(diamond_contract))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["contract_number"], body["cases"], body["cases_breached"], body["breaches_total"]) == (
        "HT-ACME-1", 4, 2, 5)
    first = next(r for r in body["rows"] if (r["severity"], r["target"]) == ("P1", "first_response"))
    assert (first["met"], first["breached"], first["median_minutes"], first["p90_minutes"], first["met_percent"]) == (
        3, 1, 15.0, 37.5, 75.0)
    assert body["satisfaction"] is None or isinstance(body["satisfaction"], dict)


def test_a_customer_user_reads_its_own_contract_and_gets_404_for_another(world, api, alice, charlie,
                                                                         diamond_contract):
    with time_machine.travel(NOW, tick=False):
        own = api(alice).get(_compliance(diamond_contract))
        other = api(charlie).get(_compliance(diamond_contract))
    assert own.status_code == 200
    assert own.json()["cases"] == 4
    assert other.status_code == 404
    assert other.json()["code"] == "contract_not_found"


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.ADMIN, 200), (Role.DISPATCHER, 200),
                                              (Role.AGENT, 403), (Role.ENGINEER, 403), (Role.EXPERT, 403)])
def test_staff_roles_for_the_reports(world, api, make_user, diamond_contract, role, status):
    client = api(make_user(f"u-{role}", role))
    assert client.get(_compliance(diamond_contract)).status_code == status
    assert client.get("/api/v1/reports/operations?start=2026-11-01&end=2026-11-30").status_code == status
    assert client.get("/api/v1/reports/dashboard").status_code == status


def test_customer_users_get_no_operational_reports_nor_dashboard(api, alice):
    assert api(alice).get("/api/v1/reports/operations?start=2026-11-01&end=2026-11-30").status_code == 403
    assert api(alice).get("/api/v1/reports/dashboard").status_code == 403


def test_a_period_longer_than_allowed_is_refused_at_end(world, api, manager, diamond_contract):
    response = api(manager).get(f"/api/v1/reports/compliance?contract={diamond_contract.pk}"
                                f"&start=2025-01-01&end=2026-11-30")
    assert response.status_code == 422
    assert response.json()["field"] == "end"


def test_the_exports_through_the_api(world, api, alice, diamond_contract):
    with time_machine.travel(NOW, tick=False):
        workbook = api(alice).get(_compliance(diamond_contract, ".xlsx"))
        pdf = api(alice).get(_compliance(diamond_contract, ".pdf"))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)), read_only=True)["工单明细"]
    assert len(list(sheet.iter_rows(values_only=True))) == 5
    assert "服务承诺履约报告" in pdf_text(pdf.content)


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(world, api, agent, alice, acme,
                                                                    diamond_contract):
    # given: a customer's title that a spreadsheet would run as a formula
    title = '=HYPERLINK("http://attacker.invalid","点此查看")'
    cases.case_open(actor=agent, customer_id=acme.pk, channel="web", category="fault", title=title,
                    impact="limited", now=at("2026-11-03 09:00"))
    # when
    with time_machine.travel(NOW, tick=False):
        workbook = api(alice).get(_compliance(diamond_contract, ".xlsx"))
    # then: the cell holds the text, typed as a string
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)))["工单明细"]
    cell = next(row[5] for row in sheet.iter_rows(min_row=2) if row[5].value == title)
    assert cell.data_type == "s"


def test_the_dashboard_as_json(world, api, manager):
    with time_machine.travel(NOW, tick=False):
        body = api(manager).get("/api/v1/reports/dashboard").json()
    assert body["open"] == 3
    assert body["clock_states"]["overdue"] == 2
    assert len(body["trend"]) == 30
