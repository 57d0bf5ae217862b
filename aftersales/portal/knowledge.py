"""The portal's 知识库 page: search over the articles published to customers and the
organisation's own cases, and those articles to read. Everything goes through the knowledge
selectors' scoping: an internal, unpublished or archived article answers 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftersales.knowledge import selectors
from aftersales.knowledge.models import ArticleStatus
from aftersales.portal.views import customers_only

SEARCH_LIMIT = 30
LATEST = 20
QUERY_MAX = 200


@require_GET
@login_required
@customers_only
def knowledge_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    results = []
    if query:
        results = [{"hit": row, "title_html": selectors.highlight(row.title, query),
                    "snippet_html": selectors.highlight(row.snippet, query)}
                   for row in selectors.search_rows(user, query, limit=SEARCH_LIMIT)]
    return render(request, "portal/knowledge.html", {
        "query": query, "results": results, "searched": bool(query),
        "latest": [] if query else list(selectors.articles_for_user(user, status=ArticleStatus.PUBLISHED)[:LATEST]),
    })


@require_GET
@login_required
@customers_only
def article_page(request: HttpRequest, article_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    article = selectors.get_article_for_user(user, article_id)
    return render(request, "portal/knowledge_article.html", {
        "article": article, "products": sorted(article.products.all(), key=lambda p: p.model),
    })
