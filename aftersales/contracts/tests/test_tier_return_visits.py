"""A tier's promised return-visit interval (set by a commitment import or by hand)."""

from __future__ import annotations

import pytest

from aftersales.contracts.models import ServiceTier
from aftersales.contracts.services import service_tier_set_return_visit_months
from aftersales.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_the_interval_is_set_and_cleared():
    tier = ServiceTier.objects.get(code="gold")
    assert tier.return_visit_months is None
    assert service_tier_set_return_visit_months(tier=tier, months=6).return_visit_months == 6
    assert ServiceTier.objects.get(code="gold").return_visit_months == 6
    assert service_tier_set_return_visit_months(tier=tier, months=None).return_visit_months is None


@pytest.mark.parametrize("months", [0, 13, -1])
def test_an_interval_outside_a_year_is_refused_by_field(months):
    tier = ServiceTier.objects.get(code="gold")
    with pytest.raises(ValidationFailed) as refused:
        service_tier_set_return_visit_months(tier=tier, months=months)
    assert refused.value.field == "return_visit_months"
    assert ServiceTier.objects.get(code="gold").return_visit_months is None


def test_a_tier_is_created_with_its_interval_and_shows_it_in_the_api(api, make_user):
    from aftersales.accounts.models import Role

    admin = make_user("root", Role.ADMIN)
    created = api(admin).post("/api/v1/tiers", {"code": "bronze", "name": "铜牌", "policy": "silver",
                                                "return_visit_months": 4})
    assert created.status_code == 201, created.content
    assert created.json()["return_visit_months"] == 4
    refused = api(admin).post("/api/v1/tiers", {"code": "tin", "name": "锡", "policy": "silver",
                                                "return_visit_months": 13})
    assert refused.status_code == 422
    assert "return_visit_months" in refused.content.decode()
    assert not ServiceTier.objects.filter(code="tin").exists()
