from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class CustomerKind(models.TextChoices):
    ORGANISATION = "organisation", _("单位")
    PERSON = "person", _("个人")


class Customer(BaseModel):
    """A customer (客户/业主): an organisation such as a highway authority, or a person."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.ORGANISATION
    )
    code = models.SlugField(_("客户编码"), max_length=50, unique=True)
    region = models.CharField(_("地区"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return self.name


class Language(models.TextChoices):
    """The languages the product writes to customers in (the interface's two)."""

    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", _("英文")


class Contact(BaseModel):
    """A person at a customer. Phone and e-mail are personal data: masked, never logged."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("客户")
    )
    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True, db_index=True)
    email = models.EmailField(_("电子邮件"), blank=True, db_index=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    # Blank until someone says: mail about the contact's cases then follows the language of the
    # contact's own last message, else the site's default (Chinese).
    language = models.CharField(_("通知语言"), max_length=10, choices=Language.choices, blank=True, default="")

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.name


class Site(BaseModel):
    """A place where equipment stands: a toll station, a tunnel, a highway section, a shop."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="sites", verbose_name=_("客户")
    )
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    region = models.CharField(_("地区"), max_length=100, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("站点")
        verbose_name_plural = _("站点")

    def __str__(self) -> str:
        return self.name
