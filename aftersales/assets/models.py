from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Product(BaseModel):
    """A product model the company sells and maintains, with its warranty terms (质量保证)."""

    model = models.CharField(_("型号"), max_length=100, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    manufacturer = models.CharField(_("制造商"), max_length=200, blank=True)
    # Project equipment is accepted twice (初验, 终验); consumer products start at purchase.
    has_acceptance = models.BooleanField(_("需验收（初验/终验）"), default=True)
    trial_months = models.PositiveSmallIntegerField(_("试用期（月）"), default=12)
    warranty_months = models.PositiveSmallIntegerField(_("保修期（月）"), default=12)
    return_days = models.PositiveSmallIntegerField(_("退换货期限（天）"), default=7)

    class Meta:
        ordering = ["model"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")

    def __str__(self) -> str:
        return f"{self.model} {self.name}"


class Asset(BaseModel):
    """An installed unit (设备) with its serial number, at a customer's site."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="assets", verbose_name=_("产品")
    )
    serial_number = models.CharField(_("序列号"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="assets", verbose_name=_("客户")
    )
    site = models.ForeignKey(
        "customers.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("站点"),
    )
    purchased_on = models.DateField(_("购买日期"), null=True, blank=True)
    initial_acceptance_on = models.DateField(_("初验日期"), null=True, blank=True)
    final_acceptance_on = models.DateField(_("终验日期"), null=True, blank=True)
    location_note = models.CharField(_("安装位置"), max_length=200, blank=True)

    class Meta:
        ordering = ["product", "serial_number"]
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"], name="asset_serial_unique_per_product"
            )
        ]
        indexes = [models.Index(fields=["serial_number"], name="asset_serial_idx")]

    def __str__(self) -> str:
        return f"{self.product.model} {self.serial_number}"
