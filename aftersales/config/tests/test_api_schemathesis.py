"""Property-based test of the whole HTTP API against its own OpenAPI schema (issue #7,
acceptance 4): Schemathesis generates requests for every operation from /api/v1/openapi.json
and checks that none answers 5xx and that every answer is declared (status code, content type,
body schema).

The requests run in-process through the real WSGI application (`aftersales.config.wsgi`),
in this test's thread and therefore on this test's database connection: everything they write
stays inside the test's transaction and is rolled back at the end, and no `on_commit` task
runs (no webhook, no mail leaves the process). Each request runs in a savepoint that is rolled
back after it: every request meets the same data, and a failed one cannot poison the ones after
it (in production each request has its own transaction).

Once as an administrator (who may do everything) and once as a customer's user (who is
refused most of it, and must be refused with a declared 403/404, never a 500).

Deterministic (fixed seed, derandomized) and bounded so it runs in about a minute on SQLite;
`bench/schemathesis_run.py` runs a bigger pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client

from aftersales.accounts.models import User
from aftersales.cases.services import case_open
from aftersales.conftest import PASSWORD
from aftersales.core.roles import Role
from aftersales.customers.models import Customer

SCHEMA_PATH = "/api/v1/openapi.json"
SEED = 20261125

# Operations left out, by path (a regular expression), each with its reason.
EXCLUDED_PATHS: dict[str, str] = {}

# Checks left out, each with its reason. (max_response_time is off unless given a limit: timing
# belongs to the load tests, not to a shared test machine.)
DISABLED_CHECKS: dict[str, str] = {
    "positive_data_acceptance": (
        "schema-valid input still meets the domain's rules, which answer 422 naming the field "
        "(an id of no object, an end before its start, an unknown code): a schema cannot say them"
    ),
    "negative_data_rejection": (
        "pydantic's lax mode takes false for 0, 0 for false and a number for a date or time "
        "(Unix time), which the schema calls invalid; whatever the answer, the other checks "
        "still hold it to the schema"
    ),
}


def schemathesis_config(*, bearer_token: str, max_examples: int, coverage: bool = True,
                        seed: int = SEED) -> Any:
    """The one configuration of both the test and bench/schemathesis_run.py."""
    return schemathesis.Config.from_dict({
        "phases": {"coverage": {"enabled": coverage}},
        "seed": seed,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
        "checks": {name: {"enabled": False} for name in DISABLED_CHECKS},
        "auth": {"openapi": {"BearerTokenAuth": {"bearer": bearer_token}}},
    })


# Examples per operation and phase. Two users x ~235 operations: keep it small here;
# bench/schemathesis_run.py runs with more.
MAX_EXAMPLES = 10


@pytest.fixture
def api_data(acme: Customer, acme_contact: Any, acme_asset: Any, diamond_contract: Any,
             make_user: Callable[..., User]) -> None:
    """Objects for list endpoints to render: one of each of the main kinds, and a case."""
    agent = make_user("schemathesis-agent", Role.AGENT)
    case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
              title="收费站 RSU 无法读卡", site_id=acme_asset.site_id, asset_id=acme_asset.pk,
              contact_id=acme_contact.pk)


@pytest.fixture(params=[Role.ADMIN, Role.CUSTOMER])
def bearer_token(request: pytest.FixtureRequest, api_data: None, acme: Customer,
                 make_user: Callable[..., User]) -> str:
    """A real token, issued by POST /api/v1/auth/token to a user of the given role."""
    role = request.param
    user = make_user(f"schemathesis-{role}", role, acme if role == Role.CUSTOMER else None)
    response = Client().post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                             content_type="application/json")
    assert response.status_code == 201, response.content
    token: str = response.json()["token"]
    return token


@pytest.fixture
def same_connection_requests() -> Iterator[None]:
    """Let the WSGI handler run inside the test's transaction: at each request's start and end
    it closes connections whose autocommit differs from the settings' (every connection inside
    a test transaction), as Django's own test client prevents the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(bearer_token: str, same_connection_requests: None) -> Any:
    from aftersales.config.wsgi import application

    config = schemathesis_config(bearer_token=bearer_token, max_examples=MAX_EXAMPLES, coverage=False)
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=config)
    for path_regex in EXCLUDED_PATHS:
        schema = schema.exclude(path_regex=path_regex)
    return schema


@pytest.fixture(autouse=True)
def schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32's lazy loader names each operation's subtest by rewriting
    `node._nodeid`, an attribute pytest 9.2 no longer has; give it one to rewrite."""
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    savepoint = transaction.savepoint()
    try:
        # when / then: no 5xx; status, content type and body as the schema declares them
        case.call_and_validate()
    finally:
        transaction.savepoint_rollback(savepoint)


# --- what the first runs found, pinned ----------------------------------------------------------


def test_a_path_naming_no_operation_answers_the_json_404(admin_api: Any) -> None:
    # when: an id that is no UUID where the path wants one never reaches an operation (it got
    # the HTML page), nor does a path of no operation at all
    for path in ("/api/v1/maintenance/not-a-uuid", "/api/v1/no-such-thing/\n"):
        response = admin_api.get(path)
        # then
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == {"detail": "not found", "code": "not_found", "field": None}


def test_a_body_that_is_no_json_object_is_refused_naming_the_body(admin_api: Any) -> None:
    # given: every field of a return policy is optional, so `[null, null]` read as an object
    # without attributes used to set the default policy
    from aftersales.returns.models import ReturnPolicy

    before = ReturnPolicy.objects.count()
    # when
    response = admin_api.post("/api/v1/returns/policies", [None, None])
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"
    assert response.json()["field"] == "body"
    assert ReturnPolicy.objects.count() == before


def test_a_missing_body_names_the_body(admin_api: Any) -> None:
    response = admin_api.client.generic("POST", "/api/v1/auth/token")
    assert response.status_code == 422
    assert response.json()["field"] == "body"


def test_an_offset_out_of_range_is_refused_naming_it(admin_api: Any) -> None:
    # when: a negative offset was a 500 (negative indexing), a huge one overflows SQL
    negative = admin_api.get("/api/v1/assets?offset=-1")
    huge = admin_api.get(f"/api/v1/products?offset={10**20}")
    # then
    assert (negative.status_code, negative.json()["field"]) == (422, "offset")
    assert (huge.status_code, huge.json()["field"]) == (422, "offset")


def test_the_schema_says_how_long_an_idempotency_key_may_be(admin_api: Any, acme: Customer) -> None:
    # given: the schema allowed any string, the handler refused more than 200 characters
    document = admin_api.get(SCHEMA_PATH).json()
    header = next(p for p in document["paths"]["/api/v1/cases"]["post"]["parameters"]
                  if p["name"] == "Idempotency-Key")
    text = next(option for option in header["schema"]["anyOf"] if option["type"] == "string")
    assert (text["minLength"], text["maxLength"]) == (1, 200)
    # when
    response = admin_api.post("/api/v1/cases", {
        "customer_id": str(acme.pk), "channel": "phone", "category": "fault", "title": "x",
    }, headers={"Idempotency-Key": "k" * 201})
    # then
    assert (response.status_code, response.json()["field"]) == (422, "Idempotency-Key")


def test_a_complaints_idempotency_key_leaves_room_for_its_prefix(customer_api: Any, acme: Customer) -> None:
    # given: the complaint's case is filed under "complaint:" + the key; 200 characters
    # overflowed the key column on PostgreSQL (500)
    body = {"customer_id": str(acme.pk), "title": "工程师迟到"}
    # when
    too_long = customer_api.post("/api/v1/complaints", body, headers={"Idempotency-Key": "k" * 191})
    longest = customer_api.post("/api/v1/complaints", body, headers={"Idempotency-Key": "k" * 190})
    # then
    assert (too_long.status_code, too_long.json()["field"]) == (422, "Idempotency-Key")
    assert longest.status_code == 201, longest.content


def test_a_nul_character_in_a_json_body_is_refused_naming_its_field(admin_api: Any) -> None:
    # when: PostgreSQL cannot store NUL in text (it was a 500 there, stored on SQLite)
    response = admin_api.post("/api/v1/knowledge/articles", {"title": "断电\x00", "solution": "x"})
    nested = admin_api.post("/api/v1/inspections/templates", {
        "code": "t2", "name": "巡检", "items": [{"label": "电\x00压"}]})
    # then
    assert (response.status_code, response.json()["field"]) == (422, "title")
    assert response.json()["detail"] == "title：不能包含空字符（NUL）"
    assert (nested.status_code, nested.json()["field"]) == (422, "items.0.label")


def test_a_nul_character_in_the_query_or_path_is_refused_before_any_view(admin_api: Any, client_for: Any,
                                                                          agent: User) -> None:
    api_answer = admin_api.get("/api/v1/knowledge/search?q=%E6%96%AD%00")
    path_answer = admin_api.get("/api/v1/calendars/24x7%00/add?start=2026-01-01T00:00:00Z&minutes=1")
    page = client_for(agent).get("/console/?q=%00")
    assert (api_answer.status_code, api_answer.json()["field"]) == (422, "q")
    assert (path_answer.status_code, path_answer.json()["field"]) == (422, "path")
    assert page.status_code == 422


@pytest.mark.parametrize("moment", ["2026-01-04T18:51:01-23:29", "9999-12-31T23:00:00-05:00",
                                    "0001-01-01T00:10:00+08:00"])
def test_a_time_no_zone_uses_or_beyond_the_years_is_refused_naming_it(admin_api: Any, moment: str) -> None:
    # when: an offset of -23:29 was a 500 on PostgreSQL (it allows ±15:59); the others leave
    # years 1–9999 in UTC
    response = admin_api.get(f"/api/v1/roster/shifts?end={quote(moment)}")
    # then
    assert (response.status_code, response.json()["field"]) == (422, "end")


def test_the_widest_real_offsets_are_accepted(admin_api: Any) -> None:
    for moment in ("2026-01-04T18:51:01+14:00", "2026-01-04T18:51:01-12:00"):
        assert admin_api.get(f"/api/v1/roster/shifts?end={quote(moment)}").status_code == 200


def test_a_decimal_beyond_its_column_is_refused_not_stored(admin_api: Any) -> None:
    # when: 1e154 was stored in numeric(12, 3) and failed as it was read back (500)
    response = admin_api.post("/api/v1/inspections/templates", {
        "code": "t1", "name": "巡检", "items": [{"label": "电压", "expected_max": "1e154"}],
    })
    # then
    assert response.status_code == 422
    assert response.json()["field"] == "items.0.expected_max"


def test_working_time_beyond_the_engines_reach_is_refused_naming_minutes(admin_api: Any) -> None:
    # when: about 19 years of round-the-clock time; the engine searches ten (was a 500)
    response = admin_api.get("/api/v1/calendars/24x7/add?start=2000-01-01T00:00:00Z&minutes=9999999")
    # then
    assert (response.status_code, response.json()["field"]) == (422, "minutes")


@pytest.mark.parametrize("field", ["max_concurrent_work_orders", "is_active"])
def test_a_technician_field_that_cannot_be_empty_refuses_null(
    admin_api: Any, make_user: Callable[..., User], field: str
) -> None:
    # given
    from aftersales.roster.models import Technician
    from aftersales.roster.services import technician_create

    technician = technician_create(user_id=make_user("bob", Role.ENGINEER).pk)
    # when: null was a 500 for the first, and switched the technician off for the second
    response = admin_api.patch(f"/api/v1/roster/technicians/{technician.pk}", {field: None})
    # then
    assert (response.status_code, response.json()["field"]) == (422, field)
    technician = Technician.objects.get(pk=technician.pk)
    assert (technician.max_concurrent_work_orders, technician.is_active) == (5, True)


def test_a_multipart_body_without_boundary_is_refused_naming_the_body(admin_api: Any) -> None:
    # when: Django's own answer was an HTML page
    response = admin_api.client.generic(
        "POST", "/api/v1/commitments/imports/upload", b"x",
        content_type="multipart/form-data", headers=admin_api.headers,
    )
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["field"] == "body"


def test_every_operation_declares_its_errors_with_the_error_body(admin_api: Any) -> None:
    document = admin_api.get(SCHEMA_PATH).json()
    create_case = document["paths"]["/api/v1/cases"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "422"} <= set(create_case)
    assert create_case["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "401" not in token  # no credentials to lack


def test_two_api_schemas_of_one_name_are_refused() -> None:
    # given: django-ninja let the later of two same-named schemas replace the other, so
    # inspection templates were documented with the survey templates' body
    from django.core.exceptions import ImproperlyConfigured
    from ninja import NinjaAPI, Router, Schema

    from aftersales.config.api import UniqueComponentsSchema

    def named_out(field: str) -> type[Schema]:
        return type("ThingOut", (Schema,), {"__annotations__": {field: str}})

    router = Router()
    first, second = named_out("code"), named_out("label")

    @router.get("/a", response=first)
    def a(request: Any) -> Any: ...

    @router.get("/b", response=second)
    def b(request: Any) -> Any: ...

    api = NinjaAPI(urls_namespace="clash-test")
    api.add_router("/", router)
    # when / then
    with pytest.raises(ImproperlyConfigured, match="ThingOut"):
        UniqueComponentsSchema(api, "/")


@pytest.fixture
def admin_api(api: Callable[[User | None], Any], make_user: Callable[..., User]) -> Any:
    return api(make_user("schemathesis-admin", Role.ADMIN))


@pytest.fixture
def customer_api(api: Callable[[User | None], Any], make_user: Callable[..., User], acme: Customer) -> Any:
    return api(make_user("schemathesis-customer", Role.CUSTOMER, acme))

