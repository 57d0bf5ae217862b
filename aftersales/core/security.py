"""Content-Security-Policy for the pages: scripts only from this server, nothing inline."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
