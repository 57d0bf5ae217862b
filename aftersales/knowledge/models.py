"""Knowledge base (知识库, R12): articles, which article solved which case, and the search index
over articles and cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("仅内部")
    CUSTOMERS = "customers", _("客户可见")


class ArticleNumber(models.Model):
    """Issues article numbers: inserting a row is contention-free on every database."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("文章编号序列")
        verbose_name_plural = _("文章编号序列")

    def __str__(self) -> str:
        return str(self.id)


class Article(BaseModel):
    """A solved problem written down for the next one (知识库文章): problem, symptoms, cause and
    solution, for products and a fault class; reviewed before it is published, internally or to
    customers' portal."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    problem = models.TextField(_("问题"), blank=True)
    symptoms = models.TextField(_("现象"), blank=True)
    cause = models.TextField(_("原因"), blank=True)
    solution = models.TextField(_("解决办法"))
    products = models.ManyToManyField("assets.Product", blank=True, related_name="+", verbose_name=_("适用产品"))
    fault_class = models.ForeignKey(
        "emergencies.FaultClass", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("故障类别"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    visibility = models.CharField(_("可见范围"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)
    source_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("来源工单"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("作者"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # How often it solved a case (recorded on the case), and how often it was shown as a suggestion.
    solved_count = models.PositiveIntegerField(_("解决工单数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")
        indexes = [models.Index(fields=["status", "-updated_at"], name="article_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseSolution(BaseModel):
    """Which article solved a case (one per case): what article usefulness counts."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("工单"))
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="solutions",
                                verbose_name=_("知识库文章"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("解决方案记录")
        verbose_name_plural = _("解决方案记录")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.article_id}"


class DocumentKind(models.TextChoices):
    ARTICLE = "article", _("知识库文章")
    CASE = "case", _("工单")


class SearchDocument(models.Model):
    """One searchable thing (an article or a case) as the search engine sees it: its tokens
    (`tokens.index_tokens`) and who may find it. The engine's own index is kept from this table
    by the database (SQLite: an FTS5 table and triggers; PostgreSQL: a generated tsvector with a
    GIN index — migration 0002), so it can never drift from it."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DocumentKind.choices)
    object_id = models.UUIDField(_("对象"))
    title = models.CharField(_("标题"), max_length=200)
    title_key = models.CharField(_("标题（规范化）"), max_length=200, db_index=True)
    title_tokens = models.TextField(_("标题词元"))
    body_tokens = models.TextField(_("正文词元"))
    # Who may find it: a case, its customer's users and the staff; an article, the staff unless
    # archived, and customers once published to them.
    customer_id = models.UUIDField(_("客户"), null=True, blank=True)
    staff_visible = models.BooleanField(_("内部可见"), default=True)
    customer_visible = models.BooleanField(_("客户可见"), default=False)
    # The same facts as tokens of the engine's index (`search.audience_tokens`), so that the
    # engine itself keeps a search to what the user may find, before anything is ranked.
    audience_tokens = models.TextField(_("可见范围词元"), default="")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("搜索索引")
        verbose_name_plural = _("搜索索引")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once")]
        # The newest documents of one kind first (of one customer's, for its users): where
        # PostgreSQL's ranking walks for its candidates.
        indexes = [models.Index(fields=["kind", "id"], name="search_document_kind_idx"),
                   models.Index(fields=["kind", "customer_id", "id"], name="search_document_customer_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.title}"
