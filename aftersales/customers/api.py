from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from aftersales.core.api_types import OffsetQuery
from aftersales.core.permissions import require_role
from aftersales.core.roles import ARCHIVE_ROLES
from aftersales.customers.masking import contact_fields_for
from aftersales.customers.models import Contact, Customer, Site
from aftersales.customers.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDetailOut,
    CustomerIn,
    CustomerOut,
    SiteIn,
    SiteOut,
)
from aftersales.customers.selectors import (
    contacts_for_user,
    customers_for_user,
    get_customer_for_user,
    sites_for_user,
)
from aftersales.customers.services import (
    contact_create,
    contact_update,
    customer_create,
    site_create,
)

router = Router(tags=["customers"])


def _contact_out(user: object, contact: Contact) -> ContactOut:
    phone, email = contact_fields_for(user, contact.phone, contact.email)
    return ContactOut(id=contact.pk, name=contact.name, title=contact.title, phone=phone, email=email,
                      is_primary=contact.is_primary, language=contact.language)


def _site_out(site: Site) -> SiteOut:
    return SiteOut(id=site.pk, name=site.name, address=site.address, region=site.region,
                   latitude=site.latitude, longitude=site.longitude)


def _customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(id=customer.pk, name=customer.name, code=customer.code, kind=customer.kind,
                       region=customer.region)


@router.post("", response={201: CustomerOut})
def customer_create_view(request: HttpRequest, payload: CustomerIn) -> Status[CustomerOut]:
    require_role(request.user, ARCHIVE_ROLES, doing=_("创建客户"))
    return Status(201, _customer_out(customer_create(**payload.dict())))


@router.get("", response=list[CustomerOut])
def customer_list(request: HttpRequest, q: str = "", limit: int = 50, offset: int = OffsetQuery) -> list[CustomerOut]:
    queryset = customers_for_user(request.user)
    if q:
        queryset = queryset.filter(name__icontains=q) | queryset.filter(code__icontains=q)
    limit = max(1, min(limit, 500))
    return [_customer_out(c) for c in queryset.order_by("name", "code")[offset : offset + limit]]


@router.get("/{customer_id}", response=CustomerDetailOut)
def customer_detail(request: HttpRequest, customer_id: uuid.UUID) -> CustomerDetailOut:
    customer = get_customer_for_user(request.user, customer_id)
    return CustomerDetailOut(
        **_customer_out(customer).dict(), notes=customer.notes,
        contacts=[_contact_out(request.user, c) for c in customer.contacts.all()[:200]],
        sites=[_site_out(s) for s in customer.sites.all()[:500]],
    )


@router.post("/{customer_id}/contacts", response={201: ContactOut})
def contact_create_view(request: HttpRequest, customer_id: uuid.UUID, payload: ContactIn) -> Status[ContactOut]:
    customer = get_customer_for_user(request.user, customer_id)
    require_role(request.user, ARCHIVE_ROLES, doing=_("添加联系人"))
    return Status(201, _contact_out(request.user, contact_create(customer=customer, **payload.dict())))


@router.patch("/{customer_id}/contacts/{contact_id}", response=ContactOut)
def contact_update_view(request: HttpRequest, customer_id: uuid.UUID, contact_id: uuid.UUID,
                        payload: ContactPatch) -> ContactOut:
    customer = get_customer_for_user(request.user, customer_id)
    require_role(request.user, ARCHIVE_ROLES, doing=_("修改联系人"))
    contact = contact_update(contact_id=contact_id, customer=customer, **payload.dict(exclude_unset=True))
    return _contact_out(request.user, contact)


@router.get("/{customer_id}/contacts", response=list[ContactOut])
def contact_list(request: HttpRequest, customer_id: uuid.UUID) -> list[ContactOut]:
    return [_contact_out(request.user, c) for c in contacts_for_user(request.user, customer_id)[:500]]


@router.post("/{customer_id}/sites", response={201: SiteOut})
def site_create_view(request: HttpRequest, customer_id: uuid.UUID, payload: SiteIn) -> Status[SiteOut]:
    customer = get_customer_for_user(request.user, customer_id)
    require_role(request.user, ARCHIVE_ROLES, doing=_("添加站点"))
    return Status(201, _site_out(site_create(customer=customer, **payload.dict())))


@router.get("/{customer_id}/sites", response=list[SiteOut])
def site_list(request: HttpRequest, customer_id: uuid.UUID) -> list[SiteOut]:
    return [_site_out(s) for s in sites_for_user(request.user, customer_id)[:1000]]
