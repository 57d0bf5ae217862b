"""Writing the knowledge base (知识库, R12): articles drafted by hand or from a resolved case,
reviewed, published internally or to customers, archived; which article solved a case.

Every change re-indexes the article in the same transaction, so search never finds what is no
longer there nor misses what is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.cases.models import Case, CaseEvent, EventKind
from aftersales.cases.selectors import get_case_for_user
from aftersales.core.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES, Role
from aftersales.emergencies.models import FaultClass
from aftersales.knowledge.models import (
    Article,
    ArticleNumber,
    ArticleStatus,
    CaseSolution,
    DocumentKind,
    SearchDocument,
    Visibility,
)
from aftersales.knowledge.search import document_row, index_document

WRITING_ROLES = STAFF_ROLES
REVIEWING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.EXPERT})
TEXT_FIELDS = ("title", "problem", "symptoms", "cause", "solution")
TEXT_MAX = 20_000
TITLE_MAX = 200

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({ArticleStatus.DRAFT}), ArticleStatus.IN_REVIEW),
    "return": (frozenset({ArticleStatus.IN_REVIEW}), ArticleStatus.DRAFT),
    "publish": (frozenset({ArticleStatus.IN_REVIEW}), ArticleStatus.PUBLISHED),
    "archive": (frozenset({ArticleStatus.PUBLISHED, ArticleStatus.DRAFT}), ArticleStatus.ARCHIVED),
    "restore": (frozenset({ArticleStatus.ARCHIVED}), ArticleStatus.DRAFT),
}
ACTION_ROLES = {"submit": WRITING_ROLES, "return": REVIEWING_ROLES, "publish": REVIEWING_ROLES,
                "archive": REVIEWING_ROLES, "restore": REVIEWING_ROLES}


def article_index(article: Article) -> None:
    """(Re-)index an article: staff find it unless archived, customers once it is published to them."""
    index_document(
        kind=DocumentKind.ARTICLE, object_id=article.pk, title=article.title,
        body=[article.problem, article.symptoms, article.cause, article.solution, article.number,
              *(f"{p.model} {p.name}" for p in article.products.all())],
        staff_visible=article.status != ArticleStatus.ARCHIVED,
        customer_visible=article.status == ArticleStatus.PUBLISHED and article.visibility == Visibility.CUSTOMERS,
    )


def case_index(case: Case, resolution: str | None, is_new: bool) -> None:
    """(Re-)index a case: its number, title, description and resolution (registered with the
    cases app, which calls it in the same transaction as every change of that text)."""
    if resolution is None:
        resolution = _resolution_text(case) if case.resolved_at is not None else ""
    index_document(kind=DocumentKind.CASE, object_id=case.pk, title=case.title,
                   body=[case.number, case.description, resolution], customer_id=case.customer_id, is_new=is_new)


def _clean_text(changes: Mapping[str, Any]) -> dict[str, str]:
    cleaned = {}
    for name in TEXT_FIELDS:
        if name in changes:
            value = str(changes[name] or "").strip()
            limit = TITLE_MAX if name == "title" else TEXT_MAX
            if len(value) > limit:
                raise ValidationFailed(_("不能超过 %(limit)s 个字符") % {"limit": limit}, field=name)
            cleaned[name] = value
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationFailed(_("请填写标题"), field="title")
    if "solution" in cleaned and not cleaned["solution"]:
        raise ValidationFailed(_("请填写解决办法"), field="solution")
    return cleaned


def _products(product_ids: Iterable[Any]) -> list[Product]:
    wanted = list(dict.fromkeys(product_ids))
    found = list(Product.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed(_("有不存在的产品"), field="product_ids")
    return found


def _fault_class(code: str | None) -> FaultClass | None:
    if not code:
        return None
    found = FaultClass.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed(_("没有代码为“%(code)s”的故障类别") % {"code": code}, field="fault_class")
    return found


def _visibility(value: str) -> str:
    if value not in Visibility.values:
        raise ValidationFailed(_("未知的可见范围"), field="visibility")
    return value


@transaction.atomic
def article_create(
    *, actor: User, title: str, solution: str, problem: str = "", symptoms: str = "", cause: str = "",
    product_ids: Iterable[Any] = (), fault_class: str | None = None, visibility: str = Visibility.INTERNAL,
    source_case: Case | None = None,
) -> Article:
    """A draft article."""
    require_role(actor, WRITING_ROLES, doing=_("编写知识库文章"))
    text = _clean_text({"title": title, "solution": solution, "problem": problem, "symptoms": symptoms,
                        "cause": cause})
    products = _products(product_ids)
    article = Article.objects.create(
        number=f"KB{ArticleNumber.objects.create().pk:06d}", author=actor, fault_class=_fault_class(fault_class),
        visibility=_visibility(visibility), source_case=source_case, **text,
    )
    article.products.set(products)
    article_index(article)
    return article


def _resolution_text(case: Case) -> str:
    event = (CaseEvent.objects.filter(case=case, kind=EventKind.RESOLVED).order_by("-sequence")
             .values_list("data", flat=True).first())
    return str((event or {}).get("resolution", "")).strip()


@transaction.atomic
def article_draft_from_case(*, actor: User, case_id: Any) -> tuple[Article, bool]:
    """A draft written from a resolved case in one click: its title, description, resolution,
    product and fault class. Asked again for the same case, it answers the article made first
    (created False) rather than a second one."""
    require_role(actor, WRITING_ROLES, doing=_("编写知识库文章"))
    case = get_case_for_user(actor, case_id)
    case = Case.objects.select_for_update(of=("self",)).select_related("asset").get(pk=case.pk)
    existing = Article.objects.filter(source_case=case).exclude(status=ArticleStatus.ARCHIVED).first()
    if existing is not None:
        return existing, False
    resolution = _resolution_text(case)
    if case.resolved_at is None or not resolution:
        raise Conflict(_("工单解决后才能生成知识库文章"), code="case_not_resolved")
    article = article_create(
        actor=actor, title=case.title, problem=case.description, solution=resolution,
        product_ids=[case.asset.product_id] if case.asset is not None else [],
        fault_class=case.fault_class.code if case.fault_class is not None else None, source_case=case,
    )
    return article, True


def _lock(article_id: Any, expected_version: int | None) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("未找到该知识库文章"), code="article_not_found")
    if expected_version is not None and expected_version != article.version:
        raise PreconditionFailed(_("文章已被他人修改，请刷新后重试"), field="version")
    return article


@transaction.atomic
def article_update(*, actor: User, article_id: Any, expected_version: int | None,
                   changes: Mapping[str, Any]) -> Article:
    """Edit an article (optimistic concurrency). A published one may be edited by a reviewer
    only: what customers read is never changed without review."""
    require_role(actor, WRITING_ROLES, doing=_("编写知识库文章"))
    article = _lock(article_id, expected_version)
    unknown = set(changes) - {*TEXT_FIELDS, "product_ids", "fault_class", "visibility"}
    if unknown:
        raise ValidationFailed(_("不可修改：%(fields)s") % {"fields": ", ".join(sorted(unknown))},
                               field=sorted(unknown)[0])
    if article.status == ArticleStatus.ARCHIVED:
        raise Conflict(_("已归档的文章不能修改"), code="article_archived")
    if article.status == ArticleStatus.PUBLISHED:
        require_role(actor, REVIEWING_ROLES, doing=_("修改已发布的文章"))
    for name, value in _clean_text(changes).items():
        setattr(article, name, value)
    if "fault_class" in changes:
        article.fault_class = _fault_class(changes["fault_class"])
    if "visibility" in changes:
        article.visibility = _visibility(changes["visibility"])
    if "product_ids" in changes:
        article.products.set(_products(changes["product_ids"]))
    article.version += 1
    article.save()
    article_index(article)
    return article


@transaction.atomic
def article_transition(*, actor: User, article_id: Any, action: str, expected_version: int | None = None) -> Article:
    """submit → in review → publish (or return to draft) → archive → restore as a draft."""
    if action not in TRANSITIONS:
        raise ValidationFailed(_("未知的操作"), field="action")
    require_role(actor, ACTION_ROLES[action], doing=_("审核知识库文章"))
    article = _lock(article_id, expected_version)
    sources, target = TRANSITIONS[action]
    if article.status not in sources:
        raise Conflict(_("“%(status)s”的文章不能执行此操作") % {"status": ArticleStatus(article.status).label},
                       code="article_state")
    article.status = target
    if action == "publish":
        article.reviewed_by, article.published_at = actor, timezone.now()
    article.version += 1
    article.save()
    article_index(article)
    return article


@transaction.atomic
def case_record_solution(*, actor: User, case_id: Any, article_id: Any) -> CaseSolution:
    """Record which published article solved the case; recording another moves the count to it."""
    require_role(actor, WRITING_ROLES, doing=_("记录解决方案"))
    case = get_case_for_user(actor, case_id)
    article = Article.objects.filter(pk=article_id, status=ArticleStatus.PUBLISHED).first()
    if article is None:
        raise ValidationFailed(_("只能选择已发布的文章"), field="article_id")
    existing = CaseSolution.objects.select_for_update().filter(case=case).first()
    if existing is not None:
        if existing.article_id == article.pk:
            return existing
        Article.objects.filter(pk=existing.article_id).update(solved_count=F("solved_count") - 1)
        existing.article, existing.recorded_by = article, actor
        existing.save(update_fields=["article", "recorded_by", "updated_at"])
        solution = existing
    else:
        solution = CaseSolution.objects.create(case=case, article=article, recorded_by=actor)
    Article.objects.filter(pk=article.pk).update(solved_count=F("solved_count") + 1)
    return solution


def search_reindex(*, batch_size: int = 2000) -> tuple[int, int]:
    """Rebuild every document of the index from the articles and cases (after a bulk load that
    went around the services, or a change of tokenisation). Batch by batch, each in its own
    transaction, so that search keeps answering meanwhile. Answers (articles, cases)."""
    articles = 0
    for article in Article.objects.prefetch_related("products").order_by("pk").iterator(chunk_size=batch_size):
        with transaction.atomic():
            article_index(article)
        articles += 1
    cases = 0
    last = None
    while True:
        rows = Case.objects.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", "number", "title", "description", "customer_id")[:batch_size])
        if not batch:
            break
        ids = [row[0] for row in batch]
        resolutions: dict[Any, str] = {}
        for case_id, data in (CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.RESOLVED)
                              .order_by("case_id", "sequence").values_list("case_id", "data")):
            resolutions[case_id] = str((data or {}).get("resolution", ""))
        documents = [document_row(kind=DocumentKind.CASE, object_id=pk, title=title,
                                  body=[number, description, resolutions.get(pk, "")], customer_id=customer_id)
                     for pk, number, title, description, customer_id in batch]
        with transaction.atomic():
            SearchDocument.objects.filter(kind=DocumentKind.CASE, object_id__in=ids).delete()
            SearchDocument.objects.bulk_create(documents)
        cases += len(batch)
        last = ids[-1]
    return articles, cases


def article_actions(actor: User, article: Article) -> list[str]:
    """The transitions the actor may perform on the article in its present status."""
    role = getattr(actor, "role", None)
    return [action for action, (sources, _target) in TRANSITIONS.items()
            if article.status in sources and role in ACTION_ROLES[action]]


def article_may_edit(actor: User, article: Article) -> bool:
    """Whether `article_update` would let the actor edit it (archived: nobody; published: reviewers)."""
    role = getattr(actor, "role", None)
    if role not in WRITING_ROLES or article.status == ArticleStatus.ARCHIVED:
        return False
    return article.status != ArticleStatus.PUBLISHED or role in REVIEWING_ROLES
