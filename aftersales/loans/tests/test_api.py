from __future__ import annotations

import pytest

from aftersales.loans import services
from aftersales.loans.models import Loan, SubstituteUnit
from aftersales.loans.tests.factories import at, make_case

pytestmark = pytest.mark.django_db

BASE = "/api/v1/loans"


@pytest.fixture
def lent(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    loan, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk,
                                due_back_at=at("2030-01-01 00:00"),
                                condition_out="完好")
    return loan


def test_staff_register_a_unit_once_per_idempotency_key(api, manager, acme_asset, depot):
    client = api(manager)
    body = {"product_id": str(acme_asset.product_id), "serial_number": "SUB-9", "depot_id": str(depot.pk)}
    first = client.post(f"{BASE}/units", body, headers={"Idempotency-Key": "u-1"})
    again = client.post(f"{BASE}/units", body, headers={"Idempotency-Key": "u-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "available"
    assert SubstituteUnit.objects.count() == 1


def test_a_loan_is_created_from_a_proposal_and_returned_over_the_api(api, bob, acme, acme_asset, unit, diamond_contract):
    client = api(bob)
    case = make_case(bob, acme, acme_asset)
    candidates = client.get(f"{BASE}/candidates?case_id={case.pk}").json()
    assert [c["unit"]["serial_number"] for c in candidates] == ["SUB-001"]
    proposal = client.post(f"{BASE}/proposals", {"case_id": str(case.pk)})
    assert proposal.status_code == 201
    created = client.post(BASE, {"proposal_id": proposal.json()["id"], "due_back_at": "2030-01-01T10:00:00+08:00",
                                 "condition_out": "完好"}, headers={"Idempotency-Key": "loan-1"})
    assert created.status_code == 201
    assert created.json()["status"] == "out"
    assert created.json()["unit"]["status"] == "on_loan"
    returned = client.post(f"{BASE}/{created.json()['id']}/return", {"condition_in": "完好"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"


def test_lending_a_unit_on_loan_answers_409(api, bob, acme, acme_asset, unit, lent):
    other = make_case(bob, acme, acme_asset)
    response = api(bob).post(BASE, {"case_id": str(other.pk), "unit_id": str(unit.pk),
                                    "due_back_at": "2030-01-01T10:00:00+08:00", "condition_out": "完好"})
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("unit_on_loan", "unit_id")
    assert Loan.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"due_back_at": "tomorrow", "condition_out": "完好"}, "due_back_at"),
    ({"due_back_at": "2030-01-01T10:00:00+08:00", "condition_out": ""}, "condition_out"),
    ({"due_back_at": "2030-01-01T10:00:00+08:00", "condition_out": "完好"}, "proposal_id"),
])
def test_invalid_loans_name_the_field(api, bob, body, field):
    response = api(bob).post(BASE, body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_customers_list_their_own_loans_only(api, alice, charlie, lent):
    assert [item["id"] for item in api(alice).get(BASE).json()["items"]] == [str(lent.pk)]
    assert api(charlie).get(BASE).json()["items"] == []


def test_another_organisations_loan_answers_404_to_read_and_to_return(api, charlie, lent):
    assert api(charlie).get(f"{BASE}/{lent.pk}").status_code == 404
    response = api(charlie).post(f"{BASE}/{lent.pk}/return", {"condition_in": "完好"})
    assert response.status_code == 404
    lent.refresh_from_db()
    assert lent.status == "out"


def test_a_customer_cannot_return_its_own_loan(api, alice, lent):
    response = api(alice).post(f"{BASE}/{lent.pk}/return", {"condition_in": "完好"})
    assert response.status_code == 403
    lent.refresh_from_db()
    assert lent.status == "out"


def test_customers_cannot_see_the_pool_or_proposals(api, alice):
    assert api(alice).get(f"{BASE}/units").status_code == 403
    assert api(alice).get(f"{BASE}/proposals").status_code == 403


def test_the_loan_list_filters_overdue_and_pins_its_queries(api, bob, lent, django_assert_max_num_queries):
    client = api(bob)
    with django_assert_max_num_queries(6):
        response = client.get(f"{BASE}?status=out")
    assert [i["id"] for i in response.json()["items"]] == [str(lent.pk)]
    assert client.get(f"{BASE}?status=overdue").json()["items"] == []
