"""Another customer's objects answer 404 in every endpoint, and nothing changes."""

from __future__ import annotations

import pytest

from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.tests.helpers import new_case_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_case(api, agent, acme):
    return api(agent).post("/api/v1/cases", new_case_payload(acme)).json()


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/v1/cases/{case}", None),
        ("get", "/api/v1/cases/{case}/events", None),
        ("patch", "/api/v1/cases/{case}", {"title": "改"}),
        *[("post", "/api/v1/cases/{case}/actions/" + a, {"reason": "x", "note": "x", "resolution": "x"})
          for a in ("acknowledge", "respond", "escalate", "wait_on_customer", "resume", "check_in",
                    "resolve", "restore", "confirm_closure", "reopen")],
        ("get", "/api/v1/customers/{customer}", None),
        ("get", "/api/v1/customers/{customer}/contacts", None),
        ("get", "/api/v1/customers/{customer}/sites", None),
        ("post", "/api/v1/customers/{customer}/contacts", {"name": "x", "phone": "123"}),
        ("get", "/api/v1/assets/{asset}", None),
    ],
)
def test_a_globex_user_gets_404_for_every_acme_object(api, charlie, acme, acme_case, acme_asset, method, path, payload):
    # given
    url = path.format(case=acme_case["id"], customer=acme.pk, asset=acme_asset.pk)
    events_before = CaseEvent.objects.count()
    # when
    kwargs = {"headers": {"If-Match": '"1"'}} if method == "patch" else {}
    response = getattr(api(charlie), method)(url, *([payload] if payload is not None else []), **kwargs)
    # then
    assert response.status_code == 404, (url, response.content)
    assert CaseEvent.objects.count() == events_before
    assert Case.objects.get(pk=acme_case["id"]).version == 1


def test_lists_show_a_customer_user_only_its_own_organisation(api, agent, alice, charlie, acme, globex, acme_asset):
    staff = api(agent)
    staff.post("/api/v1/cases", new_case_payload(acme))
    staff.post("/api/v1/cases", new_case_payload(globex))
    assert {c["customer_id"] for c in api(alice).get("/api/v1/cases").json()["items"]} == {str(acme.pk)}
    assert {c["customer_id"] for c in api(charlie).get("/api/v1/cases").json()["items"]} == {str(globex.pk)}
    assert api(charlie).get("/api/v1/assets").json() == []
    assert [c["code"] for c in api(charlie).get("/api/v1/customers").json()] == ["globex"]
    assert len(api(agent).get("/api/v1/cases").json()["items"]) == 2


def test_the_customer_sees_its_own_case(api, alice, acme_case):
    assert api(alice).get(f"/api/v1/cases/{acme_case['id']}").status_code == 200


def test_an_unknown_case_answers_404(api, agent):
    assert api(agent).get("/api/v1/cases/00000000-0000-0000-0000-000000000000").status_code == 404
