from __future__ import annotations

import pytest
import time_machine

from aftersales.assets.models import Asset
from aftersales.cases.tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(api, agent):
    return api(agent).post("/api/v1/products", {"model": "CAM-1", "name": "摄像机", "trial_months": 12,
                                                "warranty_months": 12}).json()


def test_an_asset_shows_its_computed_warranty(api, agent, acme, acme_site, product):
    client = api(agent)
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        response = client.post("/api/v1/assets", {
            "product_id": product["id"], "serial_number": "C-1", "customer_id": str(acme.pk),
            "site_id": str(acme_site.pk), "initial_acceptance_on": "2025-06-01", "final_acceptance_on": "2026-03-15"})
        detail = client.get(f"/api/v1/assets/{response.json()['id']}").json()
    assert response.status_code == 201, response.content
    assert detail["warranty"] == {
        "state": "warranty", "trial_starts_on": "2025-06-01", "trial_ends_on": "2026-05-31",
        "warranty_starts_on": "2026-03-15", "warranty_ends_on": "2027-03-14", "is_free_of_charge": True}


def test_a_serial_number_is_unique_per_product(api, agent, acme, product):
    client = api(agent)
    body = {"product_id": product["id"], "serial_number": "C-2", "customer_id": str(acme.pk)}
    assert client.post("/api/v1/assets", body).status_code == 201
    duplicate = client.post("/api/v1/assets", body)
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "serial_number"
    assert Asset.objects.count() == 1


def test_a_site_of_another_customer_is_refused(api, agent, globex, acme_site, product):
    response = api(agent).post("/api/v1/assets", {"product_id": product["id"], "serial_number": "C-3",
                                                  "customer_id": str(globex.pk), "site_id": str(acme_site.pk)})
    assert response.status_code == 422
    assert response.json()["field"] == "site_id"


def test_final_acceptance_cannot_precede_initial_acceptance(api, agent, acme, product):
    response = api(agent).post("/api/v1/assets", {
        "product_id": product["id"], "serial_number": "C-4", "customer_id": str(acme.pk),
        "initial_acceptance_on": "2026-01-01", "final_acceptance_on": "2025-01-01"})
    assert response.status_code == 422
    assert response.json()["field"] == "final_acceptance_on"


def test_assets_are_found_by_serial_prefix(api, agent, acme, acme_asset):
    assert [a["serial_number"] for a in api(agent).get("/api/v1/assets?serial_number=SN-").json()] == ["SN-0001"]
