"""The customer archive: customers, their contacts and sites."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.customers.models import Contact, Customer, CustomerKind, Site


@transaction.atomic
def customer_create(
    *, name: str, code: str, kind: str = CustomerKind.ORGANISATION, region: str = "", notes: str = ""
) -> Customer:
    if not name.strip():
        raise ValidationFailed("name is required", field="name")
    if kind not in CustomerKind.values:
        raise ValidationFailed(f"kind must be one of {CustomerKind.values}", field="kind")
    if Customer.objects.filter(code=code).exists():
        raise Conflict(f"a customer with code {code!r} exists", code="customer_exists", field="code")
    return Customer.objects.create(name=name.strip(), code=code, kind=kind, region=region, notes=notes)


@transaction.atomic
def contact_create(
    *, customer: Customer, name: str, phone: str = "", email: str = "", title: str = "",
    is_primary: bool = False,
) -> Contact:
    if not name.strip():
        raise ValidationFailed("name is required", field="name")
    if not phone and not email:
        raise ValidationFailed("a contact needs a phone number or an e-mail address", field="phone")
    if email:
        try:
            validate_email(email.strip())
        except ValidationError:
            raise ValidationFailed("not a valid e-mail address", field="email") from None
    if is_primary:
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    return Contact.objects.create(
        customer=customer, name=name.strip(), phone=phone.strip(), email=email.strip().lower(),
        title=title, is_primary=is_primary,
    )


@transaction.atomic
def site_create(
    *, customer: Customer, name: str, address: str = "", region: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None,
) -> Site:
    if not name.strip():
        raise ValidationFailed("name is required", field="name")
    if (latitude is None) != (longitude is None):
        raise ValidationFailed("give both latitude and longitude, or neither", field="latitude")
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        raise ValidationFailed("must be between -90 and 90", field="latitude")
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        raise ValidationFailed("must be between -180 and 180", field="longitude")
    return Site.objects.create(
        customer=customer, name=name.strip(), address=address, region=region,
        latitude=latitude, longitude=longitude,
    )
