from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from aftersales.accounts.models import ARCHIVE_ROLES
from aftersales.assets.models import Asset, Product
from aftersales.assets.schemas import AssetIn, AssetOut, ProductIn, ProductOut, WarrantyOut
from aftersales.assets.selectors import assets_for_user, get_asset_for_user
from aftersales.assets.services import asset_create, asset_warranty, product_create
from aftersales.core.api_types import OffsetQuery
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.customers.models import Site
from aftersales.customers.selectors import get_customer_for_user

router = Router(tags=["assets"])


def _product_out(product: Product) -> ProductOut:
    return ProductOut.model_validate(product, from_attributes=True)


@router.post("/products", response={201: ProductOut})
def product_create_view(request: HttpRequest, payload: ProductIn) -> Status[ProductOut]:
    require_role(request.user, ARCHIVE_ROLES, doing=_("定义产品"))
    return Status(201, _product_out(product_create(**payload.dict())))


@router.get("/products", response=list[ProductOut])
def product_list(request: HttpRequest, limit: int = 100, offset: int = OffsetQuery) -> list[ProductOut]:
    limit = max(1, min(limit, 500))
    return [_product_out(p) for p in Product.objects.order_by("model")[offset : offset + limit]]


def _asset_out(asset: Asset) -> AssetOut:
    warranty = asset_warranty(asset, on=timezone.localdate())
    return AssetOut(
        id=asset.pk, product_id=asset.product_id, product_model=asset.product.model,
        serial_number=asset.serial_number, customer_id=asset.customer_id, site_id=asset.site_id,
        purchased_on=asset.purchased_on, initial_acceptance_on=asset.initial_acceptance_on,
        final_acceptance_on=asset.final_acceptance_on, location_note=asset.location_note,
        warranty=WarrantyOut(
            state=warranty.state.value, trial_starts_on=warranty.trial_starts_on,
            trial_ends_on=warranty.trial_ends_on, warranty_starts_on=warranty.warranty_starts_on,
            warranty_ends_on=warranty.warranty_ends_on, is_free_of_charge=warranty.is_free_of_charge,
        ),
    )


@router.post("/assets", response={201: AssetOut})
def asset_create_view(request: HttpRequest, payload: AssetIn) -> Status[AssetOut]:
    require_role(request.user, ARCHIVE_ROLES, doing=_("登记设备"))
    customer = get_customer_for_user(request.user, payload.customer_id)
    product = Product.objects.filter(pk=payload.product_id).first()
    if product is None:
        raise ValidationFailed(_("没有这个产品"), field="product_id")
    site = None
    if payload.site_id:
        site = Site.objects.filter(pk=payload.site_id, customer=customer).first()
        if site is None:
            raise ValidationFailed(_("该客户没有这个站点"), field="site_id")
    asset = asset_create(
        product=product, serial_number=payload.serial_number, customer=customer, site=site,
        purchased_on=payload.purchased_on, initial_acceptance_on=payload.initial_acceptance_on,
        final_acceptance_on=payload.final_acceptance_on, location_note=payload.location_note,
    )
    return Status(201, _asset_out(asset))


@router.get("/assets", response=list[AssetOut])
def asset_list(
    request: HttpRequest, customer_id: uuid.UUID | None = None, serial_number: str = "",
    limit: int = 50, offset: int = OffsetQuery,
) -> list[AssetOut]:
    queryset = assets_for_user(request.user)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if serial_number:
        queryset = queryset.filter(serial_number__startswith=serial_number)
    limit = max(1, min(limit, 500))
    return [_asset_out(a) for a in queryset.order_by("serial_number")[offset : offset + limit]]


@router.get("/assets/{asset_id}", response=AssetOut)
def asset_detail(request: HttpRequest, asset_id: uuid.UUID) -> AssetOut:
    return _asset_out(get_asset_for_user(request.user, asset_id))
