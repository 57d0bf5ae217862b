"""Writes of maintenance logs: drafts, the two signatures, sealing into the site's chain,
the owner's one-time link, and corrections."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.assets.models import Asset
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.lock_objects import lock_one
from aftersales.customers.models import Site
from aftersales.maintenance.chain import GENESIS_HASH, content_hash, log_values
from aftersales.maintenance.models import (
    LogStatus,
    MaintenanceLog,
    OwnerSignatureLink,
    OwnerSignedVia,
    PeriodKind,
)
from aftersales.maintenance.selectors import get_log_for_user
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.workorders.images import signature_check
from aftersales.workorders.models import WorkOrder

OWNER_LINK_LIFETIME = dt.timedelta(days=7)
CONTENT_FIELDS = ("problem", "symptom", "diagnosis", "treatment", "state_after", "parts_used")
TEXT_MAX = 10_000
MAX_MINUTES = 7 * 24 * 60


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise PermissionDenied(_("只有服务人员可以编写维修保养记录"), code="staff_only")


def _lock_log(log_id: Any) -> MaintenanceLog:
    try:
        return lock_one(MaintenanceLog.objects.all(), log_id)
    except (MaintenanceLog.DoesNotExist, ValueError):
        raise NotFound(_("未找到该维修保养记录"), code="maintenance_log_not_found") from None


def _check_content(fields: dict[str, Any]) -> None:
    if "period_kind" in fields and fields["period_kind"] not in PeriodKind.values:
        raise ValidationFailed(_("记录类别无效"), code="invalid_period_kind", field="period_kind")
    for name in CONTENT_FIELDS:
        if len(fields.get(name) or "") > TEXT_MAX:
            raise ValidationFailed(_("内容过长（最多 %(n)d 字）") % {"n": TEXT_MAX}, code="too_long", field=name)
    minutes = fields.get("time_spent_minutes")
    if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(_("耗时须在 0 到 %(n)d 分钟之间") % {"n": MAX_MINUTES},
                               code="invalid_time_spent", field="time_spent_minutes")
    performed_at = fields.get("performed_at")
    if performed_at is not None and timezone.is_naive(performed_at):
        raise ValidationFailed(_("维护时间须带时区"), code="naive_time", field="performed_at")


def _links(site: Site, asset_id: Any, work_order_id: Any) -> tuple[Asset | None, WorkOrder | None]:
    asset = work_order = None
    if asset_id is not None:
        asset = Asset.objects.filter(pk=asset_id, site=site).first()
        if asset is None:
            raise ValidationFailed(_("该站点没有这台设备"), code="asset_not_at_site", field="asset_id")
    if work_order_id is not None:
        work_order = WorkOrder.objects.filter(pk=work_order_id, case__customer_id=site.customer_id).first()
        if work_order is None:
            raise ValidationFailed(_("未找到该客户的派工单"), code="work_order_not_found", field="work_order_id")
    return asset, work_order


@transaction.atomic
def maintenance_log_create(
    *, actor: User, site_id: Any, period_kind: str, performed_at: dt.datetime, asset_id: Any = None,
    work_order_id: Any = None, technician_id: Any = None, corrects: MaintenanceLog | None = None,
    time_spent_minutes: int = 0, **content: str,
) -> MaintenanceLog:
    """A draft log. The technician is the actor unless another engineer is named."""
    _require_staff(actor)
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise ValidationFailed(_("未找到该站点"), code="site_not_found", field="site_id")
    _check_content({"period_kind": period_kind, "performed_at": performed_at,
                    "time_spent_minutes": time_spent_minutes, **content})
    asset, work_order = _links(site, asset_id, work_order_id)
    technician = actor
    if technician_id is not None:
        named = User.objects.filter(pk=technician_id).first()
        if named is None or not named.is_staff_member:
            raise ValidationFailed(_("未找到该维护人员"), code="technician_not_found", field="technician_id")
        technician = named
    log = MaintenanceLog(
        site=site, asset=asset, work_order=work_order, period_kind=period_kind, performed_at=performed_at,
        time_spent_minutes=time_spent_minutes, technician=technician, created_by=actor, corrects=corrects,
        **{name: content.get(name, "") for name in CONTENT_FIELDS},
    )
    log.full_clean(exclude=["technician_signature", "owner_signature"])
    log.save(force_insert=True)
    return log


@transaction.atomic
def maintenance_log_update(*, actor: User, log_id: Any, **changes: Any) -> MaintenanceLog:
    """Change a draft; a signed or sealed log refuses (409)."""
    _require_staff(actor)
    log = _lock_log(log_id)
    if log.is_sealed:
        raise Conflict(_("维修保养记录已封存，不能修改；请新建更正记录"), code="log_sealed")
    if log.status != LogStatus.DRAFT:
        raise Conflict(_("维护人员已签字，不能再修改"), code="log_signed")
    _check_content(changes)
    if "asset_id" in changes or "work_order_id" in changes:
        log.asset, log.work_order = _links(
            log.site, changes.pop("asset_id", log.asset_id), changes.pop("work_order_id", log.work_order_id)
        )
    for name, value in changes.items():
        if name not in (*CONTENT_FIELDS, "period_kind", "performed_at", "time_spent_minutes"):
            raise ValidationFailed(_("不能修改该字段"), code="field_not_editable", field=name)
        setattr(log, name, value)
    log.save()
    return log


def _store_signature(log: MaintenanceLog, which: str, png: bytes) -> str:
    """Check and store a drawn signature; its SHA-256 enters the content hash."""
    checked = signature_check(png)
    field = getattr(log, f"{which}_signature")
    field.save(f"{log.pk.hex}-{which}.png", ContentFile(png), save=False)
    return checked.sha256


def _saving_or_removing(log: MaintenanceLog, which: str) -> None:
    """Save the log; when that fails the signature file just written goes again."""
    try:
        log.save()
    except BaseException:
        getattr(log, f"{which}_signature").delete(save=False)
        raise


@transaction.atomic
def maintenance_log_technician_sign(
    *, actor: User, log_id: Any, signature_png: bytes, signer_name: str = "", now: dt.datetime | None = None,
) -> MaintenanceLog:
    """The technician attests the draft; it can no longer change, and awaits the owner."""
    now = now or timezone.now()
    log = _lock_log(log_id)
    if log.is_sealed:
        raise Conflict(_("维修保养记录已封存，不能修改；请新建更正记录"), code="log_sealed")
    if log.status != LogStatus.DRAFT:
        raise Conflict(_("维护人员已签字"), code="already_signed")
    if actor.pk != log.technician_id:
        raise PermissionDenied(_("只有该记录的维护人员本人可以签字"), code="not_the_technician")
    if not (log.treatment or log.problem):
        raise ValidationFailed(_("请先填写问题或处理措施"), code="content_missing", field="treatment")
    log.technician_signature_sha256 = _store_signature(log, "technician", signature_png)
    log.technician_name = (signer_name.strip() or actor.get_full_name() or actor.username)[:100]
    log.technician_signed_at = now
    log.status = LogStatus.AWAITING_OWNER
    _saving_or_removing(log, "technician")
    return log


def _seal(log: MaintenanceLog, now: dt.datetime) -> None:
    """Append the log to its site's chain. Caller is atomic and holds the log's row lock; the
    site row lock serialises seals of one site, so two never take the same place."""
    lock_one(Site.objects.all(), log.site_id)
    last = (MaintenanceLog.objects.filter(site_id=log.site_id, sealed_at__isnull=False)
            .order_by("-chain_index").values_list("chain_index", "content_hash").first())
    last_index, last_hash = last if last is not None else (0, GENESIS_HASH)
    log.chain_index = (last_index or 0) + 1
    log.previous_hash = last_hash
    log.sealed_at = now
    log.status = LogStatus.SEALED
    log.content_hash = content_hash(log_values(log), log.previous_hash)
    _saving_or_removing(log, "owner")


def _owner_sign(log: MaintenanceLog, *, signer_name: str, signature_png: bytes, via: str,
                now: dt.datetime) -> MaintenanceLog:
    if log.is_sealed:
        raise Conflict(_("维修保养记录已封存"), code="log_sealed")
    if log.status != LogStatus.AWAITING_OWNER:
        raise Conflict(_("维护人员尚未签字"), code="technician_not_signed")
    signer_name = signer_name.strip()
    if not signer_name:
        raise ValidationFailed(_("请填写业主代表姓名"), code="signer_name_missing", field="signer_name")
    log.owner_signature_sha256 = _store_signature(log, "owner", signature_png)
    log.owner_name = signer_name[:100]
    log.owner_signed_at = now
    log.owner_signed_via = via
    _seal(log, now)
    return log


@transaction.atomic
def maintenance_log_owner_sign(
    *, actor: User, log_id: Any, signer_name: str, signature_png: bytes, now: dt.datetime | None = None,
) -> MaintenanceLog:
    """The owner's representative signs on the technician's device (or as a customer user of
    the log's own organisation); the log is then sealed."""
    get_log_for_user(actor, log_id)  # 404 outside the actor's scope
    log = _lock_log(log_id)
    return _owner_sign(log, signer_name=signer_name, signature_png=signature_png,
                       via=OwnerSignedVia.DRAWN, now=now or timezone.now())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owner_sign_url(token: str) -> str:
    base = getattr(settings, "AFTERSALES_PUBLIC_URL", "").rstrip("/")
    return f"{base}/portal/maintenance/sign/{token}/"


@transaction.atomic
def maintenance_log_send_owner_link(
    *, actor: User, log_id: Any, email: str, now: dt.datetime | None = None,
) -> tuple[OwnerSignatureLink, str]:
    """E-mail a one-time signing link (through the outbox). Returns the link and the plain
    token, which is never stored; earlier unused links of the log stop working."""
    _require_staff(actor)
    now = now or timezone.now()
    log = _lock_log(log_id)
    if log.is_sealed:
        raise Conflict(_("维修保养记录已封存"), code="log_sealed")
    if log.status != LogStatus.AWAITING_OWNER:
        raise Conflict(_("维护人员尚未签字"), code="technician_not_signed")
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_("请填写有效的电子邮箱"), code="invalid_email", field="email")
    OwnerSignatureLink.objects.filter(log=log, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = OwnerSignatureLink.objects.create(
        log=log, token_hash=_token_hash(token), email=email, expires_at=now + OWNER_LINK_LIFETIME,
        created_by=actor, created_at=now,
    )
    site = log.site
    outbox_enqueue(notifications=[Notification(
        key=f"maintenance-owner-link:{link.pk}", recipient=email,
        subject=_("请签署维修保养记录：%(site)s %(date)s") % {
            "site": site.name, "date": timezone.localtime(log.performed_at).strftime("%Y-%m-%d")},
        body=_("您好，\n\n%(technician)s 已完成 %(site)s 的维修保养记录并签字，请通过以下链接查看并签字确认"
               "（%(days)d 天内有效，仅可使用一次）：\n\n%(url)s\n") % {
            "technician": log.technician_name, "site": site.name, "days": OWNER_LINK_LIFETIME.days,
            "url": owner_sign_url(token)},
    )])
    return link, token


def _usable_link(token: str, now: dt.datetime, *, lock: bool) -> OwnerSignatureLink:
    links = OwnerSignatureLink.objects.select_for_update() if lock else OwnerSignatureLink.objects.all()
    link = links.filter(token_hash=_token_hash(token or "")).first()
    if link is None:
        raise NotFound(_("签字链接无效"), code="link_not_found")
    if link.used_at is not None:
        raise Conflict(_("签字链接已使用"), code="link_used")
    if link.expires_at <= now:
        raise Conflict(_("签字链接已过期"), code="link_expired")
    return link


def log_for_owner_token(token: str, *, now: dt.datetime | None = None) -> MaintenanceLog:
    """The log an owner's link asks them to sign, for showing it before they sign (nothing is
    used up): the same 404/409 answers as signing."""
    link = _usable_link(token, now or timezone.now(), lock=False)
    return MaintenanceLog.objects.select_related("site__customer", "asset__product", "technician").get(
        pk=link.log_id)


@transaction.atomic
def owner_sign_with_token(
    token: str, signer_name: str, signature_png: bytes, *, now: dt.datetime | None = None,
) -> MaintenanceLog:
    """The owner signs through the e-mailed link: no login, only the token. Single use and
    expiring; an unknown token is 404, a used or expired one 409."""
    now = now or timezone.now()
    link = _usable_link(token, now, lock=True)
    log = _lock_log(link.log_id)
    _owner_sign(log, signer_name=signer_name, signature_png=signature_png, via=OwnerSignedVia.LINK, now=now)
    link.used_at = now
    link.save(update_fields=["used_at", "updated_at"])
    return log


@transaction.atomic
def maintenance_log_correct(*, actor: User, log_id: Any, **fields: Any) -> MaintenanceLog:
    """A correction of a sealed log: a new draft, linked to it, that goes through the same
    signatures. Unspecified fields are copied from the corrected log."""
    _require_staff(actor)
    original = _lock_log(log_id)
    if not original.is_sealed:
        raise Conflict(_("只能更正已封存的记录；草稿请直接修改"), code="log_not_sealed")
    values: dict[str, Any] = {name: getattr(original, name) for name in CONTENT_FIELDS}
    values.update(period_kind=original.period_kind, performed_at=original.performed_at,
                  time_spent_minutes=original.time_spent_minutes, asset_id=original.asset_id,
                  work_order_id=original.work_order_id)
    values.update({name: value for name, value in fields.items() if value is not None})
    return maintenance_log_create(actor=actor, site_id=original.site_id, corrects=original, **values)
