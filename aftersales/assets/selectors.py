from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aftersales.assets.models import Asset
from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user


def assets_for_user(user: ScopedUser) -> QuerySet[Asset]:
    return scope_to_user(
        Asset.objects.select_related("product", "site", "customer"), user, customer_field="customer_id"
    )


def get_asset_for_user(user: ScopedUser, asset_id: Any) -> Asset:
    return get_scoped_or_404(
        Asset.objects.select_related("product", "site", "customer"),
        user, customer_field="customer_id", what="asset", pk=asset_id,
    )
