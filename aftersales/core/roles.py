"""The roles people have (角色), and which roles may do what across the product."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    MANAGER = "manager", _("服务经理")
    DISPATCHER = "dispatcher", _("调度")
    AGENT = "agent", _("热线坐席")
    ENGINEER = "engineer", _("工程师")
    EXPERT = "expert", _("技术专家")
    CUSTOMER = "customer", _("客户联系人")


STAFF_ROLES = frozenset(r for r in Role.values if r != Role.CUSTOMER)
# Roles that configure calendars, policies, tiers and contracts.
CONFIGURING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
# Roles that maintain the customer archive and products/assets.
ARCHIVE_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
# Roles that see contacts' phone numbers and e-mail addresses unmasked.
PERSONAL_DATA_ROLES = frozenset(
    {Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT, Role.ENGINEER, Role.CUSTOMER}
)
