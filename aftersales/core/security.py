"""Request-wide safety: the pages' Content-Security-Policy (scripts only from this server, nothing
inline), 404 pages for hidden objects, and NUL characters refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

# Styles allow 'unsafe-inline' for the Django admin's inline style attributes; scripts never do.
PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The API's interactive docs (django-ninja's Swagger page) starts itself with an inline script.
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            docs = request.path.startswith("/api/") and request.path.endswith("/docs")
            response["Content-Security-Policy"] = DOCS_POLICY if docs else PAGE_POLICY
        return response


class NotFoundPagesMiddleware:
    """A page that asks a service for an object the user may not see gets the ordinary 404 page
    (the API turns the same NotFound into its JSON 404)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import Http404
        from django.views.defaults import page_not_found

        from aftersales.core.errors import NotFound

        if isinstance(exception, NotFound):
            return page_not_found(request, Http404())
        return None


class RefuseNulMiddleware:
    """A NUL character in the path, the query string or a JSON body is refused (422) before any view
    runs, naming where it is: no text column stores one (PostgreSQL refuses it), so it could
    only end as a server error. (Form fields refuse it themselves.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = None
        if "\x00" in request.path:
            field = "path"
        elif "%00" in request.META.get("QUERY_STRING", ""):
            field = next((name for name, values in request.GET.lists()
                          if "\x00" in name or any("\x00" in value for value in values)), "query")
        elif request.content_type == "application/json" and b"\\u0000" in request.body:
            try:
                field = _nul_in(json.loads(request.body), "")
            except ValueError:
                field = None  # not JSON: the parser answers that
        if field is None:
            return self.get_response(request)
        detail = _("%(field)s：不能包含空字符（NUL）") % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": "validation_error", "field": field}, status=422)
        return HttpResponse(detail, status=422, content_type="text/plain; charset=utf-8")


def _nul_in(value: Any, path: str) -> str | None:
    """The dotted path of the first text holding a NUL character, or None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return name
        found = _nul_in(item, name)
        if found:
            return found
    return None
