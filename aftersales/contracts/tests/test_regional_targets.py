"""Targets that differ by region ("京津 2 小时到场，其他地区 48 小时"): a region's row fills what
differs, the default row the rest; a case takes the targets of its site's region (else its
customer's), and cases elsewhere keep the default ones."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases.models import CaseClock
from aftersales.cases.services import case_open, case_update
from aftersales.contracts.models import SlaPolicy
from aftersales.contracts.services import (
    contract_create,
    policy_regions,
    policy_targets,
    sla_policy_remove_region,
    sla_policy_set_targets,
)
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.customers.services import site_create

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def gold() -> SlaPolicy:
    policy = SlaPolicy.objects.get(code="gold")
    return sla_policy_set_targets(policy=policy, region="北京", targets={
        "P1": {"on_site_minutes": 120, "first_response_minutes": None}})


def test_a_regions_filled_targets_replace_the_default_ones(gold):
    default = policy_targets(gold, "P1")
    beijing = policy_targets(gold, "P1", "北京")
    assert beijing["on_site"] == 120
    assert default["on_site"] != 120
    # what the region leaves empty is the default's
    assert beijing["first_response"] == default["first_response"]
    assert beijing["resolution"] == default["resolution"]
    # another region, and a severity the region says nothing about, are the default's
    assert policy_targets(gold, "P1", "新疆") == default
    assert policy_targets(gold, "P2", "北京") == policy_targets(gold, "P2")
    assert policy_regions(gold) == frozenset({"北京"})


def test_changing_a_regions_targets_is_seen_at_once_and_it_can_be_removed(gold):
    sla_policy_set_targets(policy=gold, region="北京", targets={"P1": {"on_site_minutes": 90}})
    assert policy_targets(gold, "P1", "北京")["on_site"] == 90
    sla_policy_remove_region(policy=gold, region="北京")
    assert policy_regions(gold) == frozenset()
    assert policy_targets(gold, "P1", "北京") == policy_targets(gold, "P1")
    with pytest.raises(NotFound):
        sla_policy_remove_region(policy=gold, region="北京")
    with pytest.raises(ValidationFailed) as blank:
        sla_policy_remove_region(policy=gold, region=" ")
    assert blank.value.field == "region"


def test_a_region_name_too_long_or_a_bad_target_is_refused_by_field(gold):
    with pytest.raises(ValidationFailed) as long_name:
        sla_policy_set_targets(policy=gold, region="京" * 101, targets={"P1": {"on_site_minutes": 60}})
    assert long_name.value.field == "region"
    with pytest.raises(ValidationFailed) as bad:
        sla_policy_set_targets(policy=gold, region="北京", targets={"P1": {"on_site_minutes": -5}})
    assert bad.value.field == "targets.P1.on_site_minutes"


def _on_site_target(case) -> int | None:
    return CaseClock.objects.get(case=case, target="on_site").target_minutes


def test_a_case_at_a_site_of_the_region_runs_the_regions_clock(gold, acme, agent):
    contract_create(number="HT-G", customer=acme, tier_code="gold", starts_on=dt.date(2026, 1, 1),
                    ends_on=dt.date(2026, 12, 31))
    beijing = site_create(customer=acme, name="北京站", address="北京市", region="北京")
    urumqi = site_create(customer=acme, name="乌鲁木齐站", address="乌鲁木齐市", region="新疆")
    default_on_site = policy_targets(gold, "P1")["on_site"]
    near, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电",
                        severity="P1", site_id=beijing.pk, now=T0)
    far, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电",
                       severity="P1", site_id=urumqi.pk, now=T0)
    assert _on_site_target(near) == 120
    assert _on_site_target(far) == default_on_site
    # moving the case to the other site moves it to the other target
    case_update(actor=agent, case_id=far.pk, expected_version=far.version, changes={"site_id": beijing.pk})
    assert _on_site_target(far) == 120


def test_without_a_site_the_customers_region_decides(gold, acme, agent):
    contract_create(number="HT-G", customer=acme, tier_code="gold", starts_on=dt.date(2026, 1, 1),
                    ends_on=dt.date(2026, 12, 31))
    acme.region = "北京"
    acme.save(update_fields=["region"])
    case, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电",
                        severity="P1", now=T0)
    assert _on_site_target(case) == 120


def test_the_api_shows_and_sets_a_regions_targets(api, make_user, gold):
    from aftersales.core.roles import Role

    client = api(make_user("boss", Role.MANAGER))
    answer = client.put("/api/v1/sla-policies/gold/targets",
                        {"region": "天津", "targets": {"P1": {"on_site_minutes": 150}}})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["regional_targets"]["天津"]["P1"]["on_site_minutes"] == 150
    assert body["regional_targets"]["北京"]["P1"]["on_site_minutes"] == 120
    assert body["targets"]["P1"]["on_site_minutes"] != 150
