"""A product's warranty terms changed after it was created (the commitment import does)."""

from __future__ import annotations

import pytest

from aftersales.assets.models import Product
from aftersales.assets.services import product_create, product_set_terms
from aftersales.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_the_terms_given_change_and_the_others_stay():
    product = product_create(model="P-1", name="控制机", trial_months=3, warranty_months=6, return_days=15)
    product_set_terms(product=product, trial_months=12, warranty_months=24)
    stored = Product.objects.get(pk=product.pk)
    assert (stored.trial_months, stored.warranty_months, stored.return_days) == (12, 24, 15)


def test_a_negative_term_is_refused_by_field_and_nothing_changes():
    product = product_create(model="P-1", name="控制机")
    with pytest.raises(ValidationFailed) as refused:
        product_set_terms(product=product, warranty_months=-1)
    assert refused.value.field == "warranty_months"
    assert Product.objects.get(pk=product.pk).warranty_months == 12
