from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from aftersales.accounts.models import Role
from aftersales.assets.services import asset_create, product_create
from aftersales.cases import services

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def acme_asset(acme):
    product = product_create(model="CAM-9", name="隧道摄像机", category="cctv")
    return asset_create(product=product, serial_number="SN-CAM-77", customer=acme,
                        final_acceptance_on=dt.date(2026, 3, 1))


def test_the_customer_list_searches_and_the_page_shows_everything_known(agent, acme, globex, acme_contact,
                                                                        acme_asset, diamond_contract):
    client = _client(agent)
    listing = client.get("/console/customers/?q=Acme").content.decode()
    assert "Acme" in listing
    assert "Globex" not in listing
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="摄像机黑屏", asset_id=acme_asset.pk)
    page = client.get(f"/console/customers/{acme.pk}/").content.decode()
    for expected in ("马建国", "13899100001", "SN-CAM-77", "保修期内", diamond_contract.number, case.number):
        assert expected in page
    asset_page = client.get(f"/console/assets/{acme_asset.pk}/").content.decode()
    assert case.number in asset_page
    assert "2027-03-01" in asset_page or "2027-02-28" in asset_page


def test_experts_see_contacts_masked(make_user, acme, acme_contact):
    expert = make_user("expert", Role.EXPERT)
    page = _client(expert).get(f"/console/customers/{acme.pk}/").content.decode()
    assert "马建国" in page
    assert "13899100001" not in page
    assert "ma@acme.invalid" not in page


def test_unknown_ids_and_customer_users_get_404(agent, alice, acme, acme_asset):
    import uuid

    assert _client(agent).get(f"/console/customers/{uuid.uuid4()}/").status_code == 404
    assert _client(agent).get(f"/console/assets/{uuid.uuid4()}/").status_code == 404
    assert _client(alice).get(f"/console/customers/{acme.pk}/").status_code == 404
    assert _client(alice).get(f"/console/assets/{acme_asset.pk}/").status_code == 404
