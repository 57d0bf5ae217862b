"""The JSON API under /api/v1/: one NinjaAPI, one router per app, one error format.

Errors are {"detail": ..., "code": ..., "field": ...} with stable codes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from aftersales.accounts.api import router as accounts_router
from aftersales.accounts.api_auth import BearerTokenAuth
from aftersales.assets.api import router as assets_router
from aftersales.calendars.api import router as calendars_router
from aftersales.cases.api import router as cases_router
from aftersales.chat.api import router as chat_router
from aftersales.commitments.api import router as commitments_router
from aftersales.complaints.api import router as complaints_router
from aftersales.contracts.api import router as contracts_router
from aftersales.core.api_types import ErrorOut
from aftersales.core.errors import DomainError
from aftersales.customers.api import router as customers_router
from aftersales.dispatch.api import router as dispatch_router
from aftersales.emergencies.api import router as emergencies_router
from aftersales.inspections.api import router as inspections_router
from aftersales.knowledge.api import router as knowledge_router
from aftersales.loans.api import router as loans_router
from aftersales.mail.api import router as mail_router
from aftersales.maintenance.api import router as maintenance_router
from aftersales.parts.api import router as parts_router
from aftersales.reports.api import router as reports_router
from aftersales.returns.api import router as returns_router
from aftersales.roster.api import router as roster_router
from aftersales.special_periods.api import router as special_periods_router
from aftersales.surveys.api import router as surveys_router
from aftersales.training.api import router as training_router
from aftersales.webhooks.api import router as webhooks_router
from aftersales.workorders.api import router as workorders_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text travels as UTF-8, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Not authenticated",
    403: "Not allowed for this user",
    404: "Not found, or out of the user's scope",
    409: "Not allowed in the object's current state",
    412: "Stale version",
    422: "Invalid input; `field` names it",
}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer with, from what it is: the handlers below
    give them to every operation alike, whatever the app."""
    statuses = [403, 404, 422]
    if operation.get("security"):
        statuses.append(401)
    if "requestBody" in operation:
        statuses.append(400)  # a body that is not JSON (django-ninja's own refusal)
    if method != "get":
        statuses += [409, 412]  # domain state and optimistic concurrency of the writes
    return sorted(statuses)


class ObjectBodyParser(Parser):
    """A JSON body must be an object (or null where the body is optional): django-ninja's
    schemas read a list or a number as an object without attributes, so `[null]` would pass
    as a body of defaults."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        # django-ninja parses each part of a multipart body through here too, with a bare
        # request (no META): a part may be any JSON value.
        if request.META and data is not None and not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


class UniqueComponentsSchema(OpenAPISchema):
    """django-ninja names a component after its class alone and lets the last of two
    same-named schemas overwrite the other, so an operation could be documented with another
    app's schema. Refuse that instead."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                raise ImproperlyConfigured(
                    f"two different API schemas are both named {name!r}: rename one of them"
                )
        super().add_schema_definitions(definitions)


class AftersalesAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema with the error answers declared, each with the one error body; an
        operation's own declaration of a status wins."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = UniqueComponentsSchema(self, path_prefix)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["Error"] = error_schema
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, operation):
                    responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status],
                                                  "content": content})
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        """Every path under the API that names no operation (an id that is no UUID, a typo)
        answers the API's JSON 404, not the HTML page."""
        return [*super()._get_urls(), re_path(r"^[\s\S]*$", unknown_path, name="unknown-path")]


@csrf_exempt  # as every API operation: the API checks CSRF itself for session users
def unknown_path(request: HttpRequest) -> HttpResponse:
    return api.create_response(request, error_body("not found", "not_found"), status=404)


api = AftersalesAPI(
    renderer=Utf8JSONRenderer(),
    parser=ObjectBodyParser(),
    title="Aftersales API",
    version="1",
    description="After-sales service management: cases, SLA clocks, customers, assets, contracts.",
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api-v1",
)

api.add_router("/auth", accounts_router)
api.add_router("/calendars", calendars_router)
api.add_router("/", contracts_router)
api.add_router("/customers", customers_router)
api.add_router("/", assets_router)
api.add_router("/cases", cases_router)
api.add_router("/emergencies", emergencies_router)
api.add_router("/roster", roster_router)
api.add_router("/work-orders", workorders_router)
api.add_router("/parts", parts_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/loans", loans_router)
api.add_router("/returns", returns_router)
api.add_router("/inspections", inspections_router)
api.add_router("/maintenance", maintenance_router)
api.add_router("/special-periods", special_periods_router)
api.add_router("/training", training_router)
api.add_router("/commitments", commitments_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/surveys", surveys_router)
api.add_router("/complaints", complaints_router)
api.add_router("/reports", reports_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/mail", mail_router)
api.add_router("/chat", chat_router)


def error_body(detail: str, code: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, "field": field, **extra}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.detail, exc.code, exc.field), status=exc.status)


def _field_of(location: list[Any]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "payload", "data")]
    if not parts and location:
        return "body" if location[0] == "body" else str(location[-1])  # the body as a whole
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(list(error.get("loc", []))), "detail": error.get("msg", "invalid")}
        for error in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "detail": "invalid input"}
    detail = f"{first['field']}: {first['detail']}" if first["field"] else str(first["detail"])
    return api.create_response(
        request, error_body(detail, "validation_error", first["field"] or None, errors=errors), status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, error_body("authentication required: send Authorization: Bearer <token>",
                            "not_authenticated"), status=401
    )


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return api.create_response(request, error_body("cannot parse the multipart body", "invalid_body", "body"),
                               status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not found", "not_found"), status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # django-ninja could not read the body
        return api.create_response(request, error_body(str(exc), "invalid_body", "body"), status=400)
    return api.create_response(request, error_body(str(exc), "http_error"), status=exc.status_code)
