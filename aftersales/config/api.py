"""The JSON API under /api/v1/: one NinjaAPI, one router per app, one error format.

Errors are {"detail": ..., "code": ..., "field": ...} with stable codes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
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


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc), "http_error"), status=exc.status_code)
