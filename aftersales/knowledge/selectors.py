"""Reads of the knowledge base (知识库, R12): articles as each user may see them, search hits
turned into rows (number, status, a short snippet, the page's address), suggestions for a case
being filed or worked, and the query terms highlighted safely.

Scoping: staff read every article; a customer user reads only articles published to customers
(anything else answers 404, as a missing one). Search goes through `search.search`, which
applies the same rule in SQL, plus a customer's own cases."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from aftersales.cases.models import Case, CaseEvent, EventKind, Status
from aftersales.core.errors import NotFound
from aftersales.core.scoping import NOT_FOUND_MESSAGES, ScopedUser, scope_to_user
from aftersales.knowledge.models import (
    Article,
    ArticleStatus,
    CaseSolution,
    DocumentKind,
    Visibility,
)
from aftersales.knowledge.search import SearchHit, search
from aftersales.knowledge.tokens import normalise, query_terms

SNIPPET_LENGTH = 120
SUGGEST_LIMIT = 5
# A suggestion asks for each of the first terms of what is typed (the title's come first), and
# ranks the best matches of each: more would only slow it without changing the best five.
SUGGEST_TERMS = 8
SUGGEST_CANDIDATES = 20


def _is_customer(user: Any) -> bool:
    return bool(getattr(user, "is_customer_user", False))


# --- articles -------------------------------------------------------------------------------


def _articles(user: ScopedUser) -> QuerySet[Article]:
    rows = Article.objects.select_related("fault_class", "author", "reviewed_by", "source_case")
    if _is_customer(user):
        if getattr(user, "customer_id", None) is None:
            return rows.none()
        return rows.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.CUSTOMERS)
    if not getattr(user, "is_staff_member", False):
        return rows.none()
    return rows


def articles_for_user(
    user: ScopedUser, *, status: str | None = None, visibility: str | None = None, author: Any = None,
    product_id: Any = None, fault_class: str | None = None, order: str = "recent",
) -> QuerySet[Article]:
    """Articles the user may read, filtered; `order` "useful": most cases solved first."""
    rows = _articles(user).prefetch_related("products")
    if status:
        rows = rows.filter(status=status)
    if visibility:
        rows = rows.filter(visibility=visibility)
    if author is not None:
        rows = rows.filter(author_id=getattr(author, "pk", author))
    if product_id is not None:
        rows = rows.filter(products__id=product_id)
    if fault_class:
        rows = rows.filter(fault_class__code=fault_class)
    if order == "useful":
        return rows.order_by("-solved_count", "-updated_at", "pk")
    return rows.order_by("-updated_at", "pk")


def get_article_for_user(user: ScopedUser, article_id: Any) -> Article:
    """The article if the user may read it, else the scoping's 404 (a missing one looks the same)."""
    try:
        return _articles(user).prefetch_related("products").get(pk=article_id)
    except (Article.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_(NOT_FOUND_MESSAGES["article"]), code="article_not_found") from None


def solutions_of(user: ScopedUser, article: Article, *, limit: int = 50) -> list[CaseSolution]:
    """The cases the article solved that the user may see, latest first."""
    cases = scope_to_user(Case.objects.all(), user, customer_field="customer_id")
    return list(CaseSolution.objects.filter(article=article, case__in=cases)
                .select_related("case", "recorded_by").order_by("-created_at")[:limit])


def solution_of_case(case: Case) -> CaseSolution | None:
    return CaseSolution.objects.filter(case=case).select_related("article").first()


# --- highlighting and snippets --------------------------------------------------------------


def _folded(text: str) -> tuple[str, list[int]]:
    """The text as the tokens see it (NFKC, case folded) and, for each of its characters, the
    position of the original character it came from."""
    parts: list[str] = []
    owners: list[int] = []
    for index, char in enumerate(text):
        folded = normalise(char)
        parts.append(folded)
        owners.extend([index] * len(folded))
    return "".join(parts), owners


def _marks(text: str, terms: Sequence[str]) -> list[bool]:
    """Which characters of `text` belong to an occurrence of a term (overlaps merge)."""
    marked = [False] * len(text)
    if not text or not terms:
        return marked
    folded, owners = _folded(text)
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            for position in range(start, start + len(term)):
                marked[owners[position]] = True
            start = folded.find(term, start + 1)
    return marked


def highlight(text: str, query: str | Sequence[str]) -> SafeString:
    """`text` as HTML with the query's terms in <mark>: the text is cut at the matches and
    every piece escaped before it is wrapped, so no markup of the text (nor an entity the
    escaping made) can ever be cut or take effect."""
    terms = query_terms(query) if isinstance(query, str) else list(query)
    marked = _marks(text, terms)
    out: list[str] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marked[index] != marked[start]:
            piece = escape(text[start:index])
            out.append(f"<mark>{piece}</mark>" if marked[start] else str(piece))
            start = index
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def snippet(texts: Iterable[str], query: str | Sequence[str], *, length: int = SNIPPET_LENGTH) -> str:
    """A short plain-text passage: around the first match in the first text that has one, else
    the beginning of the first non-empty text. Whitespace is collapsed."""
    terms = query_terms(query) if isinstance(query, str) else list(query)
    candidates = [" ".join(text.split()) for text in texts if text and text.strip()]
    for text in candidates:
        marked = _marks(text, terms)
        if True in marked:
            first = marked.index(True)
            begin = max(0, first - length // 4)
            end = min(len(text), begin + length)
            begin = max(0, end - length)
            return ("…" if begin else "") + text[begin:end] + ("…" if end < len(text) else "")
    if candidates:
        text = candidates[0]
        return text[:length] + ("…" if len(text) > length else "")
    return ""


# --- search hits as rows --------------------------------------------------------------------


@dataclass(frozen=True)
class HitRow:
    """A search hit with what a results list shows."""

    kind: str
    id: uuid.UUID
    title: str
    score: float
    number: str
    status: str
    status_label: str
    snippet: str
    url: str
    solved_count: int | None = None
    customer_name: str = ""
    is_exact_title: bool = False

    def title_html(self, query: str) -> SafeString:
        return highlight(self.title, query)


def _resolutions(case_ids: list[Any]) -> dict[Any, str]:
    found: dict[Any, str] = {}
    for case_id, data in (CaseEvent.objects.filter(case_id__in=case_ids, kind=EventKind.RESOLVED)
                          .order_by("case_id", "sequence").values_list("case_id", "data")):
        found[case_id] = str((data or {}).get("resolution", ""))
    return found


def page_url(kind: str, object_id: Any, *, portal: bool) -> str:
    """The page of an article or a case: the portal's for a customer user, else the console's."""
    if kind == DocumentKind.ARTICLE:
        return reverse("portal:knowledge-article" if portal else "console:knowledge-article", args=[object_id])
    return reverse("portal:case" if portal else "console:case", args=[object_id])


def hit_rows(user: Any, hits: Sequence[SearchHit], query: str | Sequence[str]) -> list[HitRow]:
    """The hits, in their order, with number, status, snippet and address (two queries)."""
    portal = _is_customer(user)
    article_ids = [hit.object_id for hit in hits if hit.kind == DocumentKind.ARTICLE]
    case_ids = [hit.object_id for hit in hits if hit.kind == DocumentKind.CASE]
    articles = {a.pk: a for a in Article.objects.filter(pk__in=article_ids)} if article_ids else {}
    cases = ({c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("customer")}
             if case_ids else {})
    resolutions = _resolutions(case_ids) if case_ids else {}
    rows: list[HitRow] = []
    for hit in hits:
        if hit.kind == DocumentKind.ARTICLE:
            article = articles.get(hit.object_id)
            if article is None:
                continue
            rows.append(HitRow(
                kind=hit.kind, id=hit.object_id, title=article.title, score=hit.score, number=article.number,
                status=article.status, status_label=str(ArticleStatus(article.status).label),
                snippet=snippet([article.problem, article.symptoms, article.cause, article.solution], query),
                url=page_url(hit.kind, hit.object_id, portal=portal), solved_count=article.solved_count,
                is_exact_title=hit.is_exact_title,
            ))
        else:
            case = cases.get(hit.object_id)
            if case is None:
                continue
            rows.append(HitRow(
                kind=hit.kind, id=hit.object_id, title=case.title, score=hit.score, number=case.number,
                status=case.status, status_label=str(Status(case.status).label),
                snippet=snippet([case.description, resolutions.get(case.pk, "")], query),
                url=page_url(hit.kind, hit.object_id, portal=portal),
                customer_name="" if portal else case.customer.name, is_exact_title=hit.is_exact_title,
            ))
    return rows


def search_rows(user: Any, query: str, *, kinds: Iterable[str] = (), limit: int = 20) -> list[HitRow]:
    return hit_rows(user, search(user=user, query=query, kinds=kinds, limit=limit), query)


# --- suggestions ----------------------------------------------------------------------------


def suggestion_terms(text: str) -> list[str]:
    """The terms a suggestion asks for: the first ones typed (the title's), at most SUGGEST_TERMS."""
    return query_terms(text)[:SUGGEST_TERMS]


def _eligible(kind: str, ids: list[uuid.UUID], exclude_case_id: Any) -> set[uuid.UUID]:
    if kind == DocumentKind.ARTICLE:
        return set(Article.objects.filter(pk__in=ids, status=ArticleStatus.PUBLISHED).values_list("pk", flat=True))
    rows = Case.objects.filter(pk__in=ids, status__in=(Status.RESOLVED, Status.CLOSED))
    if exclude_case_id is not None:
        rows = rows.exclude(pk=exclude_case_id)
    return set(rows.values_list("pk", flat=True))


def suggest(user: Any, text: str, *, kind: str, exclude_case_id: Any = None,
            limit: int = SUGGEST_LIMIT) -> list[SearchHit]:
    """The best published articles (kind "article") or resolved cases (kind "case") for what is
    typed about a case. What is typed is a sentence, not a query: a document need not contain
    every term, so each term is searched alone (through `search.search`, hence the same scope
    and engine) and a document ranks by how many of the terms it has, then by the engine's
    relevance. A one-character term is asked only when it is all there is."""
    terms = suggestion_terms(text)
    if len(terms) > 1:
        terms = [term for term in terms if len(term) > 1] or terms
    if not terms or kind not in DocumentKind.values:
        return []
    matched: dict[uuid.UUID, int] = {}
    relevance: dict[uuid.UUID, float] = {}
    titles: dict[uuid.UUID, str] = {}
    for term in terms:
        for hit in search(user=user, query=term, kinds=[kind], limit=SUGGEST_CANDIDATES):
            matched[hit.object_id] = matched.get(hit.object_id, 0) + 1
            score = hit.score if math.isfinite(hit.score) else 0.0
            relevance[hit.object_id] = relevance.get(hit.object_id, 0.0) + score
            titles[hit.object_id] = hit.title
    eligible = _eligible(kind, list(matched), exclude_case_id) if matched else set()
    ranked = sorted(eligible, key=lambda pk: (-matched[pk], -relevance[pk], str(pk)))
    return [SearchHit(kind=kind, object_id=pk, title=titles[pk], score=float(matched[pk]), is_exact_title=False)
            for pk in ranked[:max(1, min(limit, 20))]]
