"""First in MIDDLEWARE: times every request, names it by its route, records the metrics and one
access line, and tags every log line written meanwhile with the request id."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from aftersales.operations.log_format import RequestContext, current_request
from aftersales.operations.metrics import UNMATCHED_ROUTE, request_observe

access_log = logging.getLogger("aftersales.access")

# A proxy's or client's request id is kept when it looks like one (no room for anything else).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Probes and scrapes arrive every few seconds: their access lines are DEBUG, not INFO.
_QUIET_ROUTES = frozenset({"operations:healthz", "operations:readyz", "operations:metrics"})


def route_name(request: HttpRequest) -> str:
    """The URL pattern's name (`cases:case-detail`), or its route (`api/v1/cases/<uuid:case_id>`)
    when it has none; never the path itself, whose ids would make a label per object."""
    static_url = settings.STATIC_URL or "/static/"
    if request.path_info.startswith(static_url if static_url.startswith("/") else f"/{static_url}"):
        return "static"
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return UNMATCHED_ROUTE
    if match.url_name:
        return match.view_name
    return f"/{match.route}"


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        route = route_name(request)
        # Left set after the response: Django logs a 4xx/5xx ("Not Found: ...") once the
        # middleware has returned. Cleared when the response is closed (`request_finished`).
        current_request.set(RequestContext(request_id=request_id, route=route))
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            request_observe(route=route, method=request.method or "", status=status, seconds=seconds)
            duration_ms = round(seconds * 1000, 1)
            access_log.log(
                logging.DEBUG if route in _QUIET_ROUTES else logging.INFO,
                "%s %s %s %sms", request.method, route, status, duration_ms,
                extra={"request_id": request_id, "route": route, "method": request.method,
                       "status": status, "duration_ms": duration_ms},
            )


def request_context_clear(**_kwargs: object) -> None:
    """Connected to `request_finished` (apps.py): lines after the request name no request."""
    current_request.set(None)
