from __future__ import annotations

import pytest

from aftersales.contracts.models import Contract, SlaPolicy, SlaTarget
from aftersales.contracts.services import contract_in_force

pytestmark = pytest.mark.django_db


def test_the_seed_tiers_and_policies_ship_as_defaults(api, agent):
    client = api(agent)
    tiers = {t["code"]: t["policy"] for t in client.get("/api/v1/tiers").json()}
    policies = {p["code"]: p for p in client.get("/api/v1/sla-policies").json()}
    assert tiers == {"diamond": "diamond", "gold": "gold", "silver": "silver"}
    assert policies["diamond"]["calendar"] == "24x7"
    assert policies["diamond"]["targets"]["P1"] == {"first_response_minutes": 30, "on_site_minutes": 240,
                                                   "resolution_minutes": 1440, "restoration_minutes": 2880}
    assert policies["standard"]["is_default"] is True


def test_a_manager_defines_a_policy_and_a_tier(api, manager):
    client = api(manager)
    response = client.post("/api/v1/sla-policies", {
        "code": "tunnel", "name": "隧道专用", "calendar": "24x7", "warning_percent": 75,
        "targets": {"P1": {"first_response_minutes": 15, "on_site_minutes": 120}}})
    tier = client.post("/api/v1/tiers", {"code": "platinum", "name": "铂金", "policy": "tunnel",
                                         "included_services": ["operation"]})
    assert response.status_code == 201, response.content
    assert response.json()["targets"]["P1"]["resolution_minutes"] is None
    assert tier.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"calendar": "nope"}, 422, "calendar"),
        ({"targets": {"P9": {"first_response_minutes": 1}}}, 422, "targets.P9"),
        ({"targets": {"P1": {"first_response_minutes": 0}}}, 422, "targets.P1.first_response_minutes"),
        ({"warning_percent": 100}, 422, "warning_percent"),
        ({"code": "diamond"}, 409, "code"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(api, manager, payload, status, field):
    body = {"code": "p-new", "name": "n", "calendar": "24x7", "targets": {}, **payload}
    policies = SlaPolicy.objects.count()
    response = api(manager).post("/api/v1/sla-policies", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert SlaPolicy.objects.count() == policies


def test_changing_targets_bumps_the_policy_version(api, manager):
    response = api(manager).put("/api/v1/sla-policies/gold/targets", {"targets": {"P1": {"first_response_minutes": 45}}})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert SlaTarget.objects.get(policy__code="gold", severity="P1").first_response_minutes == 45


def test_contracts_bind_a_customer_to_a_tier_for_dates(api, manager, acme):
    client = api(manager)
    response = client.post("/api/v1/contracts", {"number": "HT-1", "customer_id": str(acme.pk), "tier": "gold",
                                                 "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert response.status_code == 201
    assert response.json()["policy"] == "gold"
    import datetime as dt

    assert contract_in_force(customer_id=acme.pk, on=dt.date(2026, 6, 1)).number == "HT-1"
    assert contract_in_force(customer_id=acme.pk, on=dt.date(2027, 1, 1)) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"tier": "bronze"}, "tier"), ({"ends_on": "2025-01-01"}, "ends_on"), ({"policy_override": "x"}, "policy_override")],
)
def test_a_bad_contract_is_refused_naming_the_field(api, manager, acme, payload, field):
    body = {"number": "HT-2", "customer_id": str(acme.pk), "tier": "gold", "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", **payload}
    response = api(manager).post("/api/v1/contracts", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Contract.objects.exists()


def test_a_customer_user_sees_only_its_own_contracts(api, manager, alice, acme, globex):
    client = api(manager)
    for number, customer in (("A", acme), ("G", globex)):
        client.post("/api/v1/contracts", {"number": number, "customer_id": str(customer.pk), "tier": "gold",
                                          "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert [c["number"] for c in api(alice).get("/api/v1/contracts").json()] == ["A"]
    assert api(alice).post("/api/v1/contracts", {"number": "X", "customer_id": str(acme.pk), "tier": "gold",
                                                 "starts_on": "2026-01-01", "ends_on": "2026-12-31"}).status_code == 403
