from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user
from aftersales.customers.models import Contact, Customer, Site


def customers_for_user(user: ScopedUser) -> QuerySet[Customer]:
    return scope_to_user(Customer.objects.all(), user, customer_field="pk")


def get_customer_for_user(user: ScopedUser, customer_id: Any) -> Customer:
    return get_scoped_or_404(
        Customer.objects.all(), user, customer_field="pk", what="customer", pk=customer_id
    )


def contacts_for_user(user: ScopedUser, customer_id: Any) -> QuerySet[Contact]:
    customer = get_customer_for_user(user, customer_id)
    return Contact.objects.filter(customer=customer)


def sites_for_user(user: ScopedUser, customer_id: Any) -> QuerySet[Site]:
    customer = get_customer_for_user(user, customer_id)
    return Site.objects.filter(customer=customer)
