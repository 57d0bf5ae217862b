"""HTTP API of the knowledge base (/api/v1/knowledge); handlers parse, call one service or
selector, render. Staff write; customer users read the articles published to customers and
search them with their own organisation's cases (anything else answers 404)."""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from aftersales.cases.selectors import get_case_for_user
from aftersales.core.api_types import created_or_replayed, page
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.knowledge import selectors, services
from aftersales.knowledge.models import Article, CaseSolution
from aftersales.knowledge.schemas import (
    ArticleCreateIn,
    ArticleOut,
    ArticlePageOut,
    ArticleUpdateIn,
    OrderIn,
    PageQuery,
    SearchOut,
    SolutionIn,
    SolutionOut,
    StatusIn,
    TransitionIn,
    UsefulnessOut,
    VisibilityIn,
)
from aftersales.knowledge.search import MAX_LIMIT
from aftersales.knowledge.tokens import query_terms

router = Router(tags=["knowledge"])


def article_out(row: Article, user: Any) -> dict[str, Any]:
    customer = bool(getattr(user, "is_customer_user", False))
    return dict(
        id=row.pk, number=row.number, title=row.title, problem=row.problem, symptoms=row.symptoms,
        cause=row.cause, solution=row.solution,
        products=[dict(id=p.pk, model=p.model, name=p.name)
                  for p in sorted(row.products.all(), key=lambda p: p.model)],
        fault_class=row.fault_class.code if row.fault_class else None,
        fault_class_name=row.fault_class.name if row.fault_class else None,
        status=row.status, visibility=row.visibility,
        source_case_id=None if customer else row.source_case_id,
        author=None if customer else row.author.username,
        reviewed_by=None if customer or row.reviewed_by is None else row.reviewed_by.username,
        published_at=row.published_at, solved_count=row.solved_count, version=row.version,
        created_at=row.created_at, updated_at=row.updated_at,
        url=selectors.page_url("article", row.pk, portal=customer),
        actions=[] if customer else services.article_actions(user, row),
    )


def solution_out(row: CaseSolution) -> dict[str, Any]:
    return dict(
        case_id=row.case_id, case_number=row.case.number, article_id=row.article_id,
        article_number=row.article.number, article_title=row.article.title,
        recorded_by=row.recorded_by.username, recorded_at=row.updated_at, solved_count=row.article.solved_count,
    )


def _article(request: HttpRequest, article_id: Any) -> dict[str, Any]:
    return article_out(selectors.get_article_for_user(request.user, article_id), request.user)


def _kinds(value: str) -> list[str]:
    kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in ("article", "case")]
    if unknown:
        raise ValidationFailed(_("未知的类型：%(kind)s") % {"kind": unknown[0]}, field="kinds")
    return kinds


# --- search ---------------------------------------------------------------------------------


@router.get("/search", response=SearchOut)
def knowledge_search(request: HttpRequest, q: str = "", kinds: str = "", limit: int = 10) -> Any:
    """Articles and cases the caller may see that contain every term of `q` (Chinese one- and
    two-character terms, words, model numbers), best first: an exact title first, then by
    relevance. `kinds`: "article", "case" or both, comma-separated (default both)."""
    if len(q) > 200:
        raise ValidationFailed(_("不能超过 %(limit)s 个字符") % {"limit": 200}, field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(_("limit 须在 1 到 %(max)s 之间") % {"max": MAX_LIMIT}, field="limit")
    rows = selectors.search_rows(request.user, q, kinds=_kinds(kinds), limit=limit)
    return dict(query=q, terms=query_terms(q), items=[dict(
        kind=row.kind, id=row.id, number=row.number, title=row.title,
        score=row.score if math.isfinite(row.score) else None, exact_title=row.is_exact_title, status=row.status,
        snippet=row.snippet, url=row.url, solved_count=row.solved_count,
    ) for row in rows])


# --- articles -------------------------------------------------------------------------------


@router.get("/articles", response=ArticlePageOut)
def article_list(
    request: HttpRequest, query: Query[PageQuery], status: StatusIn | None = None,
    visibility: VisibilityIn | None = None, mine: bool = False, product_id: uuid.UUID | None = None,
    fault_class: str | None = None, order: OrderIn = "recent",
) -> Any:
    """Articles the caller may read (customer users: those published to customers); `mine`:
    written by the caller; `order=useful`: most cases solved first."""
    rows = selectors.articles_for_user(
        request.user, status=status, visibility=visibility, author=request.user if mine else None,
        product_id=product_id, fault_class=fault_class, order=order,
    )
    return page(rows, query, lambda row: article_out(row, request.user))


@router.post("/articles", response={201: ArticleOut})
def article_create(request: HttpRequest, payload: ArticleCreateIn) -> Any:
    """A draft (staff)."""
    row = services.article_create(actor=request.user, **payload.dict())
    return Status(201, _article(request, row.pk))


@router.post("/articles/from-case/{case_id}", response={200: ArticleOut, 201: ArticleOut})
def article_from_case(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """A draft from a resolved case, in one call: its title, description, resolution, product
    and fault class. Asked again for the same case, answers 200 with the article made first.
    An unresolved case answers 409."""
    row, created = services.article_draft_from_case(actor=request.user, case_id=case_id)
    return created_or_replayed(created, _article(request, row.pk))


@router.get("/articles/{article_id}", response=ArticleOut)
def article_detail(request: HttpRequest, article_id: uuid.UUID) -> Any:
    return _article(request, article_id)


@router.patch("/articles/{article_id}", response=ArticleOut)
def article_update(request: HttpRequest, article_id: uuid.UUID, payload: ArticleUpdateIn) -> Any:
    """Edit; with `expected_version`, a stale edit answers 412. A published article is edited
    by reviewers only (managers, experts, admins); an archived one by nobody (409)."""
    changes = payload.dict(exclude_unset=True)
    expected_version = changes.pop("expected_version", None)
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes.get("fault_class") == "":
        changes["fault_class"] = None
    services.article_update(actor=request.user, article_id=article_id, expected_version=expected_version,
                            changes=changes)
    return _article(request, article_id)


@router.post("/articles/{article_id}/transitions", response=ArticleOut)
def article_transition(request: HttpRequest, article_id: uuid.UUID, payload: TransitionIn) -> Any:
    """submit (writers) → publish or return (reviewers) → archive → restore as a draft. Not
    allowed from the present status: 409."""
    services.article_transition(actor=request.user, article_id=article_id, action=payload.action,
                                expected_version=payload.expected_version)
    return _article(request, article_id)


@router.get("/articles/{article_id}/usefulness", response=UsefulnessOut)
def article_usefulness(request: HttpRequest, article_id: uuid.UUID) -> Any:
    """How many cases the article solved, and those of them the caller may see."""
    article = selectors.get_article_for_user(request.user, article_id)
    return dict(article_id=article.pk, solved_count=article.solved_count,
                cases=[solution_out(row) for row in selectors.solutions_of(request.user, article)])


# --- which article solved a case ------------------------------------------------------------


@router.post("/solutions", response=SolutionOut)
def solution_record(request: HttpRequest, payload: SolutionIn) -> Any:
    """Record the published article that solved a case (staff); recording another article
    for the case moves the count to it, the same one again changes nothing."""
    services.case_record_solution(actor=request.user, case_id=payload.case_id, article_id=payload.article_id)
    return _solution(request, payload.case_id)


@router.get("/cases/{case_id}/solution", response=SolutionOut)
def solution_detail(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """The article recorded as the case's solution (404 when none is)."""
    return _solution(request, case_id)


def _solution(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    case = get_case_for_user(request.user, case_id)
    row = (CaseSolution.objects.filter(case=case).select_related("case", "article", "recorded_by").first())
    if row is None or not _readable(request, row.article_id):
        raise NotFound(_("该工单尚未记录解决方案"), code="solution_not_found")
    return solution_out(row)


def _readable(request: HttpRequest, article_id: Any) -> bool:
    try:
        selectors.get_article_for_user(request.user, article_id)
    except NotFound:
        return False
    return True
