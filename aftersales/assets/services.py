"""Products and installed assets."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.assets.models import Asset, Product
from aftersales.assets.warranty import Warranty, compute_warranty
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.customers.models import Customer, Site


@transaction.atomic
def product_create(
    *, model: str, name: str, category: str = "", manufacturer: str = "", has_acceptance: bool = True,
    trial_months: int = 12, warranty_months: int = 12, return_days: int = 7,
) -> Product:
    for field, value in (("trial_months", trial_months), ("warranty_months", warranty_months),
                         ("return_days", return_days)):
        if value < 0:
            raise ValidationFailed(_("不能为负数"), field=field)
    if Product.objects.filter(model=model).exists():
        raise Conflict(
            _("型号为“%(model)s”的产品已存在") % {"model": model},
            code="product_exists", field="model",
        )
    return Product.objects.create(
        model=model, name=name, category=category, manufacturer=manufacturer,
        has_acceptance=has_acceptance, trial_months=trial_months, warranty_months=warranty_months,
        return_days=return_days,
    )


@transaction.atomic
def product_set_terms(
    *, product: Product, trial_months: int | None = None, warranty_months: int | None = None,
    return_days: int | None = None,
) -> Product:
    """Change a product's warranty terms (None keeps a term). Warranties are computed when
    asked (`asset_warranty`), so assets of the product follow at once."""
    changes = {field: value for field, value in (
        ("trial_months", trial_months), ("warranty_months", warranty_months), ("return_days", return_days),
    ) if value is not None}
    for field, value in changes.items():
        if not 0 <= value <= 1200:
            raise ValidationFailed(_("须在 0 到 1200 之间"), field=field)
    changed = {field: value for field, value in changes.items() if getattr(product, field) != value}
    if changed:
        Product.objects.filter(pk=product.pk).update(**changed)
        product.refresh_from_db()
    return product


@transaction.atomic
def asset_create(
    *, product: Product, serial_number: str, customer: Customer, site: Site | None = None,
    purchased_on: dt.date | None = None, initial_acceptance_on: dt.date | None = None,
    final_acceptance_on: dt.date | None = None, location_note: str = "",
) -> Asset:
    serial_number = serial_number.strip()
    if not serial_number:
        raise ValidationFailed(_("请填写序列号"), field="serial_number")
    if site is not None and site.customer_id != customer.pk:
        raise ValidationFailed(_("该站点属于其他客户"), field="site_id")
    if initial_acceptance_on and final_acceptance_on and final_acceptance_on < initial_acceptance_on:
        raise ValidationFailed(
            _("终验日期不能早于初验日期"),
            field="final_acceptance_on",
        )
    if Asset.objects.filter(product=product, serial_number=serial_number).exists():
        raise Conflict(
            _("产品 %(model)s 已有序列号为“%(serial_number)s”的设备")
            % {"model": product.model, "serial_number": serial_number},
            code="asset_exists", field="serial_number",
        )
    return Asset.objects.create(
        product=product, serial_number=serial_number, customer=customer, site=site,
        purchased_on=purchased_on, initial_acceptance_on=initial_acceptance_on,
        final_acceptance_on=final_acceptance_on, location_note=location_note,
    )


def asset_warranty(asset: Asset, *, on: dt.date) -> Warranty:
    product = asset.product
    return compute_warranty(
        has_acceptance=product.has_acceptance,
        trial_months=product.trial_months,
        warranty_months=product.warranty_months,
        purchased_on=asset.purchased_on,
        initial_acceptance_on=asset.initial_acceptance_on,
        final_acceptance_on=asset.final_acceptance_on,
        on=on,
    )
