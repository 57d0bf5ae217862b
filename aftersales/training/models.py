"""Training (培训, R14): product materials, training sessions with their attendance, and the
qualifications (上岗资质) staff earn by passing a session or are granted by hand."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Audience(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    STAFF = "staff", _("内部")


class MaterialKind(models.TextChoices):
    OPERATING_GUIDE = "operating_guide", _("操作指南")
    MANUAL = "manual", _("用户手册")
    MAINTENANCE_GUIDE = "maintenance_guide", _("维护手册")
    VIDEO = "video", _("视频")
    OTHER = "other", _("其他")


class TrainingMaterial(BaseModel):
    """A document or video about a product (培训资料). Customers see it only once published,
    only when meant for customers, and only for products their organisation owns."""

    product = models.ForeignKey(
        "assets.Product", on_delete=models.PROTECT, related_name="training_materials",
        verbose_name=_("产品"),
    )
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=MaterialKind.choices)
    audience = models.CharField(_("对象"), max_length=20, choices=Audience.choices)
    version = models.CharField(_("版本"), max_length=40, blank=True)
    file = models.FileField(_("文件"), upload_to="training/materials/", max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        ordering = ["product", "title", "-created_at"]
        verbose_name = _("培训资料")
        verbose_name_plural = _("培训资料")
        constraints = [
            # The same file uploaded twice for a product (a retried upload) is one material.
            models.UniqueConstraint(fields=["product", "sha256"], name="training_material_file_once"),
        ]
        indexes = [
            models.Index(fields=["product", "is_published", "audience"], name="training_material_pub_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举行")
    CANCELLED = "cancelled", _("已取消")


class TrainingSession(BaseModel):
    """A training session (培训场次): for the staff, or for one customer's people."""

    product = models.ForeignKey(
        "assets.Product", on_delete=models.PROTECT, related_name="training_sessions",
        verbose_name=_("产品"),
    )
    title = models.CharField(_("主题"), max_length=200)
    audience = models.CharField(_("对象"), max_length=20, choices=Audience.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_sessions", verbose_name=_("客户"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings_given",
        verbose_name=_("讲师"),
    )
    capacity = models.PositiveIntegerField(_("名额"))
    status = models.CharField(
        _("状态"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    grants_qualification = models.BooleanField(_("通过者获得上岗资质"), default=False)
    # Empty: the qualification earned here does not expire.
    qualification_months = models.PositiveSmallIntegerField(_("资质有效期（月）"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    held_at = models.DateTimeField(_("确认举行时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("状态变更人"),
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        indexes = [
            models.Index(fields=["customer", "starts_at"], name="training_session_customer_idx"),
            models.Index(fields=["status", "starts_at"], name="training_session_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(audience="customer", customer__isnull=False)
                | models.Q(audience="staff", customer__isnull=True),
                name="training_session_customer_iff_customer_audience",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="training_session_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(BaseModel):
    """One person registered for a session (培训签到): a staff user or a customer's contact."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances",
        verbose_name=_("培训场次"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_attendances", verbose_name=_("员工"),
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_attendances", verbose_name=_("客户联系人"),
    )
    attended = models.BooleanField(_("已出席"), default=False)
    # Empty until assessed.
    passed = models.BooleanField(_("考核通过"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("成绩"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        ordering = ["session", "created_at"]
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, contact__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=False),
                name="training_attendance_user_xor_contact",
            ),
            models.UniqueConstraint(
                fields=["session", "user"], condition=models.Q(user__isnull=False),
                name="training_attendance_user_once",
            ),
            models.UniqueConstraint(
                fields=["session", "contact"], condition=models.Q(contact__isnull=False),
                name="training_attendance_contact_once",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="training_attendance_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id or self.contact_id}"

    @property
    def attendee_name(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.username
        return self.contact.name if self.contact is not None else ""


class Qualification(BaseModel):
    """A staff member's qualification to work on a product (上岗资质). At most one unrevoked
    row per person and product: granting again renews it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qualifications",
        verbose_name=_("员工"),
    )
    product = models.ForeignKey(
        "assets.Product", on_delete=models.PROTECT, related_name="qualifications",
        verbose_name=_("产品"),
    )
    granted_on = models.DateField(_("授予日期"))
    # The last day it is valid; empty: no expiry.
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    # Empty: granted by hand.
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, null=True, blank=True,
        related_name="qualifications", verbose_name=_("来源培训场次"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("授予人")
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("撤销人"),
    )
    revoked_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        ordering = ["user", "product", "-granted_on"]
        verbose_name = _("上岗资质")
        verbose_name_plural = _("上岗资质")
        indexes = [
            models.Index(fields=["product", "expires_on"], condition=models.Q(revoked_at__isnull=True),
                         name="qualification_valid_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], condition=models.Q(revoked_at__isnull=True),
                name="qualification_one_unrevoked",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("granted_on")),
                name="qualification_expires_after_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="qualification_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.product_id}"
