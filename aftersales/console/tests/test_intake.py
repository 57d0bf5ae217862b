from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from aftersales.assets.services import asset_create, product_create
from aftersales.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_asset(acme):
    product = product_create(model="CLX-200", name="车道控制机", category="toll")
    return asset_create(product=product, serial_number="SN-ACME-0001", customer=acme,
                        final_acceptance_on=dt.date(2026, 1, 10))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_caller_is_found_by_phone_name_or_serial(agent, acme, globex, acme_contact, acme_asset):
    client = _client(agent)
    by_phone = client.get("/console/intake/callers?q=13899100001").content.decode()
    assert "马建国" in by_phone
    assert str(acme.pk) in by_phone
    assert "马建国" in client.get("/console/intake/callers?q=马建").content.decode()
    by_serial = client.get("/console/intake/callers?q=sn-acme").content.decode()
    assert "SN-ACME-0001" in by_serial
    assert f"asset={acme_asset.pk}" in by_serial
    assert "Globex" in client.get("/console/intake/callers?q=Globex").content.decode()


def test_the_customer_panel_shows_tier_warranty_and_open_cases_then_the_case_is_filed_once(
    agent, acme, acme_contact, acme_asset, diamond_contract
):
    client = _client(agent)
    page = client.get(f"/console/intake/?customer={acme.pk}&contact={acme_contact.pk}&asset={acme_asset.pk}")
    html = page.content.decode()
    assert diamond_contract.number in html
    assert "SN-ACME-0001" in html
    assert "warranty" in html
    form = {"customer": str(acme.pk), "idempotency_key": "0b8f5a3e-1111-4222-8333-944455556666",
            "title": "ETC车道无法交易", "impact": "outage", "category": "fault", "channel": "phone",
            "contact": str(acme_contact.pk), "asset": str(acme_asset.pk), "description": "", "severity": ""}
    first = client.post("/console/intake/", form)
    again = client.post("/console/intake/", form)
    assert first.status_code == again.status_code == 302
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == f"/console/cases/{case.pk}/"
    assert (case.severity, case.asset, case.contact, case.channel) == ("P1", acme_asset, acme_contact, "phone")
    assert "到期时间" in client.get(first["Location"]).content.decode()


def test_a_missing_title_is_named_and_nothing_is_filed(agent, acme):
    response = _client(agent).post("/console/intake/", {"customer": str(acme.pk), "title": "", "impact": "outage",
                                                        "category": "fault", "channel": "phone"})
    assert response.status_code == 422
    assert 'class="field invalid"' in response.content.decode()
    assert not Case.objects.exists()


def test_engineers_and_customers_do_not_file_by_phone(bob, alice, acme):
    assert _client(bob).get("/console/intake/").status_code == 404
    assert _client(alice).get("/console/intake/").status_code == 404
