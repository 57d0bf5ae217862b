"""Products and installed assets."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

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
            raise ValidationFailed("must not be negative", field=field)
    if Product.objects.filter(model=model).exists():
        raise Conflict(f"a product with model {model!r} exists", code="product_exists", field="model")
    return Product.objects.create(
        model=model, name=name, category=category, manufacturer=manufacturer,
        has_acceptance=has_acceptance, trial_months=trial_months, warranty_months=warranty_months,
        return_days=return_days,
    )


@transaction.atomic
def asset_create(
    *, product: Product, serial_number: str, customer: Customer, site: Site | None = None,
    purchased_on: dt.date | None = None, initial_acceptance_on: dt.date | None = None,
    final_acceptance_on: dt.date | None = None, location_note: str = "",
) -> Asset:
    serial_number = serial_number.strip()
    if not serial_number:
        raise ValidationFailed("serial_number is required", field="serial_number")
    if site is not None and site.customer_id != customer.pk:
        raise ValidationFailed("the site belongs to another customer", field="site_id")
    if initial_acceptance_on and final_acceptance_on and final_acceptance_on < initial_acceptance_on:
        raise ValidationFailed(
            "final acceptance (终验) cannot precede initial acceptance (初验)",
            field="final_acceptance_on",
        )
    if Asset.objects.filter(product=product, serial_number=serial_number).exists():
        raise Conflict(
            f"product {product.model} already has serial number {serial_number!r}",
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
