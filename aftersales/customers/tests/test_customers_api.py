from __future__ import annotations

import pytest

from aftersales.customers.models import Contact, Customer, Site

pytestmark = pytest.mark.django_db


def test_an_agent_builds_the_customer_archive(api, agent):
    client = api(agent)
    customer = client.post("/api/v1/customers", {"name": "新疆交投", "code": "xjjt", "region": "乌鲁木齐"}).json()
    contact = client.post(f"/api/v1/customers/{customer['id']}/contacts",
                          {"name": "马建国", "phone": "138 9910 0001", "email": "Ma@XJ.invalid", "is_primary": True})
    site = client.post(f"/api/v1/customers/{customer['id']}/sites",
                       {"name": "北收费站", "address": "G30", "latitude": "43.9012", "longitude": "87.5731"})
    detail = client.get(f"/api/v1/customers/{customer['id']}").json()
    assert (contact.status_code, site.status_code) == (201, 201)
    assert detail["contacts"][0]["email"] == "ma@xj.invalid"
    assert detail["sites"][0]["latitude"] == "43.901200"


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("contacts", {"name": "x"}, "phone"),
        ("contacts", {"name": "x", "email": "not-mail"}, "email"),
        ("contacts", {"name": "x", "phone": "abc"}, "phone"),
        ("sites", {"name": "x", "latitude": "43.1"}, "latitude"),
        ("sites", {"name": "x", "latitude": "95", "longitude": "1"}, "latitude"),
    ],
)
def test_bad_archive_input_is_refused_naming_the_field(api, agent, acme, path, payload, field):
    response = api(agent).post(f"/api/v1/customers/{acme.pk}/{path}", payload)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Contact.objects.exists()
    assert not Site.objects.exists()


def test_a_duplicate_customer_code_answers_409(api, agent, acme):
    response = api(agent).post("/api/v1/customers", {"name": "again", "code": "acme"})
    assert response.status_code == 409
    assert Customer.objects.count() == 1


def test_an_expert_sees_contacts_masked(api, make_user, acme, acme_contact):
    expert = make_user("exp", "expert")
    contact = api(expert).get(f"/api/v1/customers/{acme.pk}/contacts").json()[0]
    assert (contact["phone"], contact["email"]) == ("138****0001", "m***@acme.invalid")


def test_an_engineer_sees_contacts_in_full(api, bob, acme, acme_contact):
    contact = api(bob).get(f"/api/v1/customers/{acme.pk}/contacts").json()[0]
    assert contact["phone"] == "13899100001"


def test_a_customer_user_cannot_create_customers(api, alice):
    assert api(alice).post("/api/v1/customers", {"name": "x", "code": "x"}).status_code == 403
