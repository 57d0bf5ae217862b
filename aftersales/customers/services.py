"""The customer archive: customers, their contacts and sites."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.customers.models import Contact, Customer, CustomerKind, Language, Site


def _checked_language(language: str) -> str:
    if language not in ("", *Language.values):
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s") % {"field": _("通知语言"), "choices": ", ".join(Language.values)},
            field="language",
        )
    return language


def _checked_email(email: str) -> str:
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(_("电子邮件地址无效"), field="email") from None
    return email


# Apps above us that know which language a contact writes in (the mail channel: the language of
# their latest message about the case) register here; asked in order when none is set.
ContactLanguageSource = Callable[[Contact, Any], str]
_language_sources: list[ContactLanguageSource] = []


def register_contact_language_source(source: ContactLanguageSource) -> None:
    if source not in _language_sources:
        _language_sources.append(source)


def contact_language(contact: Contact | None, *, case: Any = None) -> str:
    """The language to write to this contact in (about `case`, if given): the one set on the
    contact, else the one they write in, else the site's default (Chinese)."""
    if contact is None:
        return Language.ZH_HANS
    if contact.language:
        return contact.language
    for source in _language_sources:
        language = source(contact, case)
        if language in Language.values:
            return language
    return Language.ZH_HANS


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
    is_primary: bool = False, language: str = "",
) -> Contact:
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if not phone and not email:
        raise ValidationFailed(_("联系人需要电话号码或电子邮件地址"), field="phone")
    email = _checked_email(email)
    language = _checked_language(language)
    if is_primary:
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    return Contact.objects.create(
        customer=customer, name=name.strip(), phone=phone.strip(), email=email,
        title=title, is_primary=is_primary, language=language,
    )


@transaction.atomic
def contact_update(
    *, contact_id: Any, customer: Customer, name: str | None = None, title: str | None = None,
    phone: str | None = None, email: str | None = None, is_primary: bool | None = None,
    language: str | None = None,
) -> Contact:
    """Change the given fields of a contact of `customer` (None leaves a field as it is); a
    contact of another customer is not found."""
    try:
        contact = Contact.objects.select_for_update().get(pk=contact_id, customer=customer)
    except (Contact.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_("未找到该联系人"), code="contact_not_found") from None
    if name is not None:
        if not name.strip():
            raise ValidationFailed(_("请填写名称"), field="name")
        contact.name = name.strip()
    if title is not None:
        contact.title = title
    if phone is not None:
        contact.phone = phone.strip()
    if email is not None:
        contact.email = _checked_email(email)
    if not contact.phone and not contact.email:
        raise ValidationFailed(_("联系人需要电话号码或电子邮件地址"), field="phone")
    if language is not None:
        contact.language = _checked_language(language)
    if is_primary is not None:
        if is_primary and not contact.is_primary:
            Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
        contact.is_primary = is_primary
    contact.save()
    return contact


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
