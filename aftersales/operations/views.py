"""Probes and metrics for the machines around the product: no sign-in, no personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY
from prometheus_client.exposition import choose_encoder

from aftersales.operations.access import metrics_access_allowed
from aftersales.operations.metrics import scrape_registry
from aftersales.operations.readiness import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is asked (a database outage must not restart it)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    results = readiness(huey=HUEY)
    failed = [result.name for result in results if not result.ok]
    body = {
        "status": "unavailable" if failed else "ok",
        "failed": failed,
        "checks": {result.name: result.detail for result in results},
    }
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain; charset=utf-8")
    # The text format a scraper asks for (Prometheus: OpenMetrics or the classic text format).
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(scrape_registry(HUEY)), content_type=content_type)
