"""The customer archive: customers, their contacts and sites."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.customers.models import Contact, Customer, CustomerKind, Site


@transaction.atomic
def customer_create(
    *, name: str, code: str, kind: str = CustomerKind.ORGANISATION, region: str = "", notes: str = ""
) -> Customer:
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if kind not in CustomerKind.values:
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("类型"), "choices": ", ".join(CustomerKind.values)},
            field="kind",
        )
    if Customer.objects.filter(code=code).exists():
        raise Conflict(
            _("编码为“%(code)s”的客户已存在") % {"code": code},
            code="customer_exists", field="code",
        )
    return Customer.objects.create(name=name.strip(), code=code, kind=kind, region=region, notes=notes)


@transaction.atomic
def contact_create(
    *, customer: Customer, name: str, phone: str = "", email: str = "", title: str = "",
    is_primary: bool = False,
) -> Contact:
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if not phone and not email:
        raise ValidationFailed(_("联系人需要电话号码或电子邮件地址"), field="phone")
    if email:
        try:
            validate_email(email.strip())
        except ValidationError:
            raise ValidationFailed(_("电子邮件地址无效"), field="email") from None
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
        raise ValidationFailed(_("请填写名称"), field="name")
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_("请同时填写纬度和经度，或都不填"), field="latitude")
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        raise ValidationFailed(
            _("必须在 %(low)s 到 %(high)s 之间") % {"low": -90, "high": 90},
            field="latitude",
        )
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        raise ValidationFailed(
            _("必须在 %(low)s 到 %(high)s 之间") % {"low": -180, "high": 180},
            field="longitude",
        )
    return Site.objects.create(
        customer=customer, name=name.strip(), address=address, region=region,
        latitude=latitude, longitude=longitude,
    )
