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


def test_an_agent_sets_a_contacts_language_and_fields(api, agent, acme, acme_contact):
    response = api(agent).patch(f"/api/v1/customers/{acme.pk}/contacts/{acme_contact.pk}",
                                {"language": "en", "title": "站长"})
    assert response.status_code == 200, response.content
    assert (response.json()["language"], response.json()["title"], response.json()["name"]) == ("en", "站长", "马建国")
    acme_contact.refresh_from_db()
    assert (acme_contact.language, acme_contact.email) == ("en", "ma@acme.invalid")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"language": "fr"}, "language"), ({"email": "not-mail"}, "email"), ({"phone": "", "email": ""}, "phone"),
     ({"name": ""}, "name")],
)
def test_a_bad_contact_change_is_refused_naming_the_field(api, agent, acme, acme_contact, payload, field):
    response = api(agent).patch(f"/api/v1/customers/{acme.pk}/contacts/{acme_contact.pk}", payload)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    acme_contact.refresh_from_db()
    assert (acme_contact.language, acme_contact.email, acme_contact.name) == ("", "ma@acme.invalid", "马建国")


def test_another_customers_contact_is_not_found_and_customers_cannot_change_contacts(api, agent, alice, charlie,
                                                                                    acme, globex, acme_contact):
    assert api(agent).patch(f"/api/v1/customers/{globex.pk}/contacts/{acme_contact.pk}",
                            {"language": "en"}).status_code == 404
    assert api(charlie).patch(f"/api/v1/customers/{acme.pk}/contacts/{acme_contact.pk}",
                              {"language": "en"}).status_code == 404
    assert api(alice).patch(f"/api/v1/customers/{acme.pk}/contacts/{acme_contact.pk}",
                            {"language": "en"}).status_code == 403
    acme_contact.refresh_from_db()
    assert acme_contact.language == ""


def test_making_a_contact_primary_unsets_the_previous_one(acme, acme_contact):
    from aftersales.customers.services import contact_create, contact_update

    first = contact_create(customer=acme, name="李工", phone="13800000000", is_primary=True)
    contact_update(contact_id=acme_contact.pk, customer=acme, is_primary=True)
    first.refresh_from_db()
    acme_contact.refresh_from_db()
    assert (first.is_primary, acme_contact.is_primary) == (False, True)
