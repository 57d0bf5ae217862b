"""The HTTP API: writes by staff, reads scoped, errors with the field, exports, verify."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.test import Client
from openpyxl import load_workbook

from aftersales.conftest import ApiClient
from aftersales.maintenance import services
from aftersales.maintenance.admin import MaintenanceLogAdmin
from aftersales.maintenance.models import MaintenanceLog
from aftersales.maintenance.tests.factories import T0, draft, sealed, technician_signed
from aftersales.workorders.tests.factories import signature_png

BASE = "/api/v1/maintenance"


def _data_url():
    import base64

    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def test_staff_create_a_draft(bob, acme_site):
    response = ApiClient(bob).post(BASE, {"site_id": str(acme_site.pk), "period_kind": "weekly",
                                          "performed_at": T0.isoformat(), "problem": "风机异响"})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["problem"], body["site_name"]) == ("draft", "风机异响", "北收费站")


def test_an_invalid_period_kind_answers_422_naming_the_field(bob, acme_site):
    response = ApiClient(bob).post(BASE, {"site_id": str(acme_site.pk), "period_kind": "hourly",
                                          "performed_at": T0.isoformat()})
    assert response.status_code == 422
    assert response.json()["field"] == "period_kind"
    assert MaintenanceLog.objects.count() == 0


def test_a_customer_user_cannot_create(alice, acme_site):
    response = ApiClient(alice).post(BASE, {"site_id": str(acme_site.pk), "period_kind": "weekly",
                                            "performed_at": T0.isoformat()})
    assert response.status_code == 403


def test_the_full_flow_over_the_api(bob, acme_site):
    api = ApiClient(bob)
    log_id = api.post(BASE, {"site_id": str(acme_site.pk), "period_kind": "daily",
                             "performed_at": T0.isoformat(), "treatment": "清洁"}).json()["id"]
    assert api.patch(f"{BASE}/{log_id}", {"state_after": "正常"}).json()["state_after"] == "正常"
    assert api.post(f"{BASE}/{log_id}/technician-sign", {"signature": _data_url()}).json()["status"] == (
        "awaiting_owner")
    body = api.post(f"{BASE}/{log_id}/owner-sign", {"signer_name": "马建国", "signature": _data_url()}).json()
    assert (body["status"], body["chain_index"]) == ("sealed", 1)

    response = api.patch(f"{BASE}/{log_id}", {"state_after": "改"})
    assert response.status_code == 409
    assert response.json()["code"] == "log_sealed"

    correction = api.post(f"{BASE}/{log_id}/corrections", {"state_after": "基本正常"})
    assert correction.status_code == 201
    assert (correction.json()["corrects_id"], correction.json()["status"]) == (log_id, "draft")


def test_the_owner_signs_by_token_without_signing_in(bob, acme_site):
    log = technician_signed(bob, acme_site)
    response = ApiClient(bob).post(f"{BASE}/{log.pk}/owner-link", {"email": "ma@acme.invalid"})
    assert response.status_code == 201
    _link, token = services.maintenance_log_send_owner_link(actor=bob, log_id=log.pk, email="ma@acme.invalid")

    anonymous = ApiClient(None)
    response = anonymous.post(f"{BASE}/owner-sign", {"token": token, "signer_name": "马建国",
                                                     "signature": _data_url()})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["owner_signed_via"]) == ("sealed", "link")
    again = anonymous.post(f"{BASE}/owner-sign", {"token": token, "signer_name": "马建国", "signature": _data_url()})
    assert (again.status_code, again.json()["code"]) == (409, "link_used")
    assert anonymous.get(f"{BASE}/{log.pk}").status_code == 401


def test_reads_are_scoped_to_the_customer(bob, alice, charlie, acme_site):
    log = sealed(bob, acme_site)
    assert ApiClient(alice).get(f"{BASE}/{log.pk}").status_code == 200
    assert ApiClient(charlie).get(f"{BASE}/{log.pk}").status_code == 404
    assert ApiClient(charlie).get(BASE).json() == {"count": 0, "items": []}
    assert ApiClient(alice).get(BASE).json()["count"] == 1
    assert ApiClient(charlie).post(f"{BASE}/{log.pk}/corrections", {}).status_code == 404
    assert ApiClient(charlie).get(f"{BASE}/verify?site={acme_site.pk}").status_code == 404
    assert ApiClient(charlie).get(
        f"{BASE}/logbook.pdf?site={acme_site.pk}&start=2026-11-01&end=2026-11-30").status_code == 404


def test_the_owner_of_another_customer_cannot_sign_a_drawn_signature(bob, charlie, acme_site):
    log = technician_signed(bob, acme_site)
    response = ApiClient(charlie).post(f"{BASE}/{log.pk}/owner-sign", {"signer_name": "x", "signature": _data_url()})
    assert response.status_code == 404
    assert MaintenanceLog.objects.get(pk=log.pk).status == "awaiting_owner"


def test_the_list_runs_a_fixed_number_of_queries(bob, acme_site, django_assert_num_queries):
    for _ in range(3):
        draft(bob, acme_site)
    api = ApiClient(bob)
    api.get(BASE)  # warm the token memory
    with django_assert_num_queries(2):
        assert api.get(BASE).json()["count"] == 3


def test_verify_endpoint(bob, acme_site):
    sealed(bob, acme_site)
    body = ApiClient(bob).get(f"{BASE}/verify").json()
    assert body == {"intact": True, "checked": 1, "sites": 1, "broken": None}


def test_the_pdf_log_book_has_the_chinese_text_and_both_signatures(bob, alice, acme_site, tmp_path):
    sealed(bob, acme_site)
    response = ApiClient(alice).get(f"{BASE}/logbook.pdf?site={acme_site.pk}&period_kind=monthly"
                                    "&start=2026-11-01&end=2026-11-30")
    assert response.status_code == 200
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, check=True,  # noqa: S603
                          text=True).stdout
    for expected in ("北收费站 维修保养记录簿（每月）", "更换馈线接头并重新校准", "马建国", "王工", "第1条"):
        assert expected in text
    assert response.content.count(b"/Subtype /Image") == 2


def test_the_xlsx_log_book_reads_back(bob, acme_site):
    log = sealed(bob, acme_site)
    response = ApiClient(bob).get(f"{BASE}/logbook.xlsx?site={acme_site.pk}&start=2026-11-01&end=2026-11-30")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Acme 高速公路管理处 北收费站 维修保养记录簿（全部）"
    assert rows[1][:3] == ("链序号", "维护时间", "记录类别")
    assert rows[2][0] == 1
    assert rows[2][1] == "2026-11-02 10:00"
    assert "更换馈线接头并重新校准" in rows[2]
    assert rows[2][-1] == log.content_hash
    assert len(rows) == 3


def test_text_that_looks_like_a_formula_stays_text_in_the_log_book(bob, acme_site):
    sealed(bob, acme_site, problem="=1+1", treatment='=HYPERLINK("http://attacker.invalid")')
    response = ApiClient(bob).get(f"{BASE}/logbook.xlsx?site={acme_site.pk}&start=2026-11-01&end=2026-11-30")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for cell in sheet[3] if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert [cell.value for cell in cells] == ["=1+1", '=HYPERLINK("http://attacker.invalid")']
    assert {cell.data_type for cell in cells} == {"s"}


def test_an_inverted_range_answers_422(bob, acme_site):
    response = ApiClient(bob).get(f"{BASE}/logbook.xlsx?site={acme_site.pk}&start=2026-11-30&end=2026-11-01")
    assert (response.status_code, response.json()["field"]) == (422, "end")


@pytest.mark.parametrize("sealed_log", [True, False])
def test_the_admin_is_read_only_for_sealed_logs(bob, acme_site, rf, sealed_log):
    from django.contrib.admin import site

    log = sealed(bob, acme_site) if sealed_log else draft(bob, acme_site)
    request = rf.get("/")
    request.user = type("Admin", (), {"has_perm": lambda *a: True, "is_active": True, "is_staff": True})()
    admin = MaintenanceLogAdmin(MaintenanceLog, site)
    assert admin.has_change_permission(request, log) is not sealed_log
    assert admin.has_delete_permission(request, log) is not sealed_log


def test_the_admin_change_page_of_a_sealed_log_does_not_save(bob, acme_site, admin_user):
    log = sealed(bob, acme_site)
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/admin/maintenance/maintenancelog/{log.pk}/change/", {"treatment": "改"})
    assert response.status_code == 403
    assert MaintenanceLog.objects.get(pk=log.pk).treatment == "更换馈线接头并重新校准"
