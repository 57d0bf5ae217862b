from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel

# Roles are shared by every layer (menus, scoping, API checks): they live in core, and are
# re-exported here for the apps that think of them as the users'.
from aftersales.core.roles import ARCHIVE_ROLES as ARCHIVE_ROLES
from aftersales.core.roles import CONFIGURING_ROLES as CONFIGURING_ROLES
from aftersales.core.roles import PERSONAL_DATA_ROLES as PERSONAL_DATA_ROLES
from aftersales.core.roles import STAFF_ROLES as STAFF_ROLES
from aftersales.core.roles import Role as Role


class User(AbstractUser):
    """A person who signs in: staff of the service company, or a customer's contact."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.AGENT)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属客户"),
    )

    # Empty: the server's time zone (settings.TIME_ZONE). Pages show this user's local times.
    time_zone = models.CharField(_("时区"), max_length=64, blank=True, default="",
                                 help_text=_("例如 Asia/Shanghai；留空则使用系统时区"))

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="customer", customer__isnull=False))
                | (~models.Q(role="customer") & models.Q(customer__isnull=True)),
                name="user_customer_iff_customer_role",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.time_zone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                from django.core.exceptions import ValidationError

                raise ValidationError({"time_zone": _("未知的时区")}) from None

    @property
    def is_customer_user(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


class ApiToken(BaseModel):
    """A bearer token. Only its SHA-256 is stored: checking it costs one indexed lookup."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user.username} {self.name}"


class SignInThrottle(models.Model):
    """Failed sign-ins per username (登录失败记录): after too many, the name is locked a while.

    Kept in the database, not a process cache, so that every web process sees the same count.
    """

    key = models.CharField(_("用户名"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("最后失败时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")

    def __str__(self) -> str:
        return self.key
