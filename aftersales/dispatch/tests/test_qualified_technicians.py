"""Ranking counts a valid qualification (上岗资质) for the case's product like the roster
profile's products: skilled for the exact product. Expired or revoked ones count for nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases.tests.helpers import at
from aftersales.dispatch.selectors import dispatch_candidates, rank_technicians
from aftersales.dispatch.tests.factories import make_technician
from aftersales.training.services import qualification_grant, qualification_revoke

pytestmark = pytest.mark.django_db

NOW = at("2026-11-02 10:30")


@pytest.fixture
def pair(rsu):
    """Two technicians at the same distance, neither with the product in the roster profile."""
    return {
        "qualified": make_technician("qualified", first_name="证工", km_north=5),
        "plain": make_technician("plain", first_name="普工", km_north=5),
    }


def _skills(ranking):
    return {item.candidate.username: item.skill_match.value for item in ranking.items}


def test_a_technician_with_a_valid_qualification_ranks_as_skilled_for_the_product(
        manager, dispatcher, case, rsu, pair):
    # given
    qualification_grant(actor=manager, user_id=pair["qualified"].user_id, product_id=rsu.pk,
                        expires_on=dt.date(2027, 6, 30), now=at("2026-10-01 09:00"))
    # when
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    # then
    assert _skills(ranking) == {"qualified": "product", "plain": "none"}
    assert [item.candidate.username for item in ranking.items] == ["qualified", "plain"]


def test_a_qualification_without_expiry_counts(manager, rsu, pair):
    # given
    qualification_grant(actor=manager, user_id=pair["qualified"].user_id, product_id=rsu.pk,
                        now=at("2026-10-01 09:00"))
    # when
    candidates = {c.username: c.product_ids for c in dispatch_candidates(now=NOW, product_id=rsu.pk)}
    # then
    assert candidates == {"qualified": frozenset({rsu.pk}), "plain": frozenset()}


def test_an_expired_qualification_does_not_count(manager, dispatcher, case, rsu, pair):
    # given valid through 2026-11-01, the day before the case
    qualification_grant(actor=manager, user_id=pair["qualified"].user_id, product_id=rsu.pk,
                        expires_on=dt.date(2026, 11, 1), now=at("2026-01-05 09:00"))
    # when
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    # then
    assert _skills(ranking) == {"qualified": "none", "plain": "none"}


def test_a_qualification_counts_through_its_last_day(manager, rsu, pair):
    # given valid through the day of the case
    qualification_grant(actor=manager, user_id=pair["qualified"].user_id, product_id=rsu.pk,
                        expires_on=dt.date(2026, 11, 2), now=at("2026-01-05 09:00"))
    # when
    candidates = {c.username: c.product_ids for c in dispatch_candidates(now=NOW, product_id=rsu.pk)}
    # then
    assert candidates["qualified"] == frozenset({rsu.pk})


def test_a_revoked_qualification_does_not_count(manager, dispatcher, case, rsu, pair):
    # given
    qualification, _created = qualification_grant(
        actor=manager, user_id=pair["qualified"].user_id, product_id=rsu.pk,
        now=at("2026-10-01 09:00"))
    qualification_revoke(actor=manager, qualification_id=qualification.pk, reason="考核舞弊",
                         now=at("2026-10-20 09:00"))
    # when
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    # then
    assert _skills(ranking) == {"qualified": "none", "plain": "none"}


def test_a_qualification_for_another_product_does_not_count(manager, dispatcher, case, pair):
    # given
    from aftersales.assets.services import product_create

    other = product_create(model="CAM-1", name="摄像机", category="监控")
    qualification_grant(actor=manager, user_id=pair["qualified"].user_id, product_id=other.pk,
                        now=at("2026-10-01 09:00"))
    # when
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    # then
    assert _skills(ranking) == {"qualified": "none", "plain": "none"}


def test_qualifications_add_no_query_per_technician(
        django_assert_num_queries, manager, rsu, pair):
    # given both qualified, one also by profile
    for technician in pair.values():
        qualification_grant(actor=manager, user_id=technician.user_id, product_id=rsu.pk,
                            now=at("2026-10-01 09:00"))
    # when / then: technicians, skilled (profile or qualification), on duty, load
    with django_assert_num_queries(4):
        candidates = dispatch_candidates(now=NOW, product_id=rsu.pk)
    assert {c.username for c in candidates if c.product_ids} == {"qualified", "plain"}
