"""Training (R14): materials uploaded and published per product; sessions planned, attended,
held (granting qualifications to staff who passed) or cancelled; qualifications granted by hand
and revoked.

Lock order: the session, then its attendances, then qualifications.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Role, User
from aftersales.assets.models import Product
from aftersales.core.errors import Conflict, PermissionDenied, PreconditionFailed, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.scoping import get_scoped_or_404
from aftersales.customers.models import Contact, Customer
from aftersales.training.files import check_material_file
from aftersales.training.models import (
    Audience,
    MaterialKind,
    Qualification,
    SessionStatus,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)

# Who plans sessions, registers attendees, records attendance and manages materials.
MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.EXPERT})
# Who grants and revokes qualifications by hand.
GRANTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
# Who may hold a qualification: the people sent to work on equipment.
QUALIFIED_ROLES = frozenset({Role.ENGINEER, Role.EXPERT})
MAX_QUALIFICATION_MONTHS = 120

TRANSITIONS: dict[str, dict[str, str]] = {
    "hold": {SessionStatus.PLANNED: SessionStatus.HELD},
    "cancel": {SessionStatus.PLANNED: SessionStatus.CANCELLED},
}
ACTION_LABELS = {
    "hold": gettext_lazy("确认举行"), "cancel": gettext_lazy("取消"),
    "update": gettext_lazy("修改"), "register": gettext_lazy("登记学员"),
    "record": gettext_lazy("记录签到"),
}
# Fields `training_session_update` may change.
UPDATABLE_FIELDS = frozenset({
    "title", "starts_at", "ends_at", "location", "trainer_id", "capacity", "grants_qualification",
    "qualification_months", "note",
})


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _staff_only(actor: User, doing: str) -> None:
    if actor.is_customer_user:
        raise PermissionDenied(_("“%(doing)s”由服务团队执行") % {"doing": doing}, code="staff_only")


def _product(product_id: Any) -> Product:
    product = Product.objects.filter(pk=product_id).first() if product_id else None
    if product is None:
        raise ValidationFailed(_("没有这个产品"), field="product_id")
    return product


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            _("须为以下之一：%(choices)s") % {"choices": ", ".join(choices.values)}, field=field
        )
    return value


# --- materials ------------------------------------------------------------------------------


def _material_for_staff(actor: User, material_id: Any, *, lock: bool = False) -> TrainingMaterial:
    rows = TrainingMaterial.objects.select_for_update() if lock else TrainingMaterial.objects.all()
    # Staff see every material; a customer user is turned away before any lookup leaks.
    found: TrainingMaterial = get_scoped_or_404(
        rows if not actor.is_customer_user else rows.none(), actor,
        customer_field="product__assets__customer_id", what="training material", pk=material_id,
    )
    return found


def training_material_upload(
    *, actor: User, product_id: Any, title: str, kind: str, audience: str, upload: IO[bytes],
    name: str, version: str = "", publish: bool = False, now: dt.datetime | None = None,
) -> tuple[TrainingMaterial, bool]:
    """Store a checked file as a material of the product. The same file again for the same
    product (a retry) returns the first material: (material, created)."""
    require_role(actor, MANAGING_ROLES, doing=_("上传培训资料"))
    product = _product(product_id)
    title = title.strip()
    if not title:
        raise ValidationFailed(_("请填写标题"), field="title")
    _choice(kind, MaterialKind, "kind")
    _choice(audience, Audience, "audience")
    checked = check_material_file(upload, name)
    existing = TrainingMaterial.objects.filter(product=product, sha256=checked.sha256).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    material = TrainingMaterial(
        product=product, title=title, kind=kind, audience=audience, version=version.strip()[:40],
        file_name=checked.name, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, is_published=publish, published_at=now if publish else None,
        uploaded_by=actor, created_at=now,
    )
    # The file is written first; if the row then fails, it is removed again.
    material.file.save(material.pk.hex, File(upload), save=False)
    try:
        with transaction.atomic():
            material.save(force_insert=True)
    except IntegrityError:
        material.file.delete(save=False)
        existing = TrainingMaterial.objects.filter(product=product, sha256=checked.sha256).first()
        if existing is not None:
            return existing, False
        raise
    except BaseException:
        material.file.delete(save=False)
        raise
    return material, True


def _set_published(actor: User, material_id: Any, published: bool, now: dt.datetime | None) -> TrainingMaterial:
    with transaction.atomic():
        material = _material_for_staff(actor, material_id, lock=True)
        require_role(actor, MANAGING_ROLES, doing=_("发布或撤回培训资料"))
        if material.is_published == published:
            return material  # already so: a repeated click changes nothing
        material.is_published = published
        material.published_at = (now or timezone.now()) if published else None
        material.save(update_fields=["is_published", "published_at", "updated_at"])
    return material


def training_material_publish(*, actor: User, material_id: Any, now: dt.datetime | None = None) -> TrainingMaterial:
    return _set_published(actor, material_id, True, now)


def training_material_withdraw(*, actor: User, material_id: Any) -> TrainingMaterial:
    return _set_published(actor, material_id, False, None)


# --- sessions -------------------------------------------------------------------------------


def _trainer(trainer_id: Any) -> User:
    trainer = User.objects.filter(pk=trainer_id, is_active=True).first() if trainer_id else None
    if trainer is None or trainer.is_customer_user:
        raise ValidationFailed(_("讲师须为在职员工"), field="trainer_id")
    return trainer


def _check_session_fields(values: dict[str, Any]) -> None:
    if not str(values["title"]).strip():
        raise ValidationFailed(_("请填写主题"), field="title")
    for field in ("starts_at", "ends_at"):
        value = values[field]
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise ValidationFailed(_("时间须带时区"), field=field)
    if values["ends_at"] <= values["starts_at"]:
        raise ValidationFailed(_("结束时间须晚于开始时间"), field="ends_at")
    capacity = values["capacity"]
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise ValidationFailed(_("名额须在 1 到 10000 之间"), field="capacity")
    months = values["qualification_months"]
    if months is not None and not 1 <= months <= MAX_QUALIFICATION_MONTHS:
        raise ValidationFailed(
            _("资质有效期须在 1 到 %(max)s 个月之间") % {"max": MAX_QUALIFICATION_MONTHS},
            field="qualification_months",
        )


def _replayed(key: str | None, fingerprint: str) -> TrainingSession | None:
    if not key:
        return None
    row = TrainingSession.objects.filter(idempotency_key=key).first()
    if row is not None and row.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    return row


def training_session_create(
    *, actor: User, product_id: Any, title: str, audience: str, starts_at: dt.datetime,
    ends_at: dt.datetime, trainer_id: Any, capacity: int, customer_id: Any = None,
    location: str = "", grants_qualification: bool = False, qualification_months: int | None = None,
    note: str = "", idempotency_key: str | None = None, fingerprint: str = "",
) -> tuple[TrainingSession, bool]:
    """Plan a session. A customer session names its customer; a staff session none. Only staff
    sessions grant qualifications. Returns (session, created); a repeated key the first one."""
    require_role(actor, MANAGING_ROLES, doing=_("安排培训"))
    replayed = _replayed(idempotency_key, fingerprint)
    if replayed is not None:
        return replayed, False
    product = _product(product_id)
    _choice(audience, Audience, "audience")
    customer = None
    if audience == Audience.CUSTOMER:
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer is None:
            raise ValidationFailed(_("客户培训须选择客户"), field="customer_id")
        if grants_qualification:
            raise ValidationFailed(_("只有内部培训可以授予上岗资质"), field="grants_qualification")
    elif customer_id:
        raise ValidationFailed(_("内部培训不能指定客户"), field="customer_id")
    values = dict(title=title, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                  qualification_months=qualification_months)
    _check_session_fields(values)
    trainer = _trainer(trainer_id)
    try:
        with transaction.atomic():
            session = TrainingSession.objects.create(
                product=product, title=title.strip(), audience=audience, customer=customer,
                starts_at=starts_at, ends_at=ends_at, location=location.strip(), trainer=trainer,
                capacity=capacity, grants_qualification=grants_qualification,
                qualification_months=qualification_months if grants_qualification else None,
                note=note.strip(), created_by=actor, idempotency_key=idempotency_key or None,
                request_hash=fingerprint,
            )
    except IntegrityError:
        replayed = _replayed(idempotency_key, fingerprint)
        if replayed is not None:
            return replayed, False
        raise
    return session, True


def _lock_session(actor: User, session_id: Any, action: str) -> TrainingSession:
    """The session, locked, if the actor may see it (404 otherwise) and manage it (403)."""
    found = get_scoped_or_404(
        TrainingSession.objects.all(), actor, customer_field="customer_id", what="training session",
        pk=session_id,
    )
    _staff_only(actor, str(ACTION_LABELS[action]))
    require_role(actor, MANAGING_ROLES, doing=str(ACTION_LABELS[action]))
    return TrainingSession.objects.select_for_update().select_related("product").get(pk=found.pk)


def _require_planned(session: TrainingSession, action: str) -> None:
    if session.status != SessionStatus.PLANNED:
        raise Conflict(
            _("培训当前为“%(status)s”，不能%(action)s")
            % {"status": session.get_status_display(), "action": ACTION_LABELS[action]},
            code="invalid_transition",
        )


def _next(session: TrainingSession, action: str) -> str:
    table = TRANSITIONS[action]
    if session.status not in table:
        allowed = _("、").join(str(SessionStatus(s).label) for s in table)
        raise Conflict(
            _("培训当前为“%(status)s”，不能%(action)s；仅在以下状态可以：%(allowed)s")
            % {"status": session.get_status_display(), "action": ACTION_LABELS[action],
               "allowed": allowed},
            code="invalid_transition",
        )
    return table[session.status]


def training_session_update(
    *, actor: User, session_id: Any, changes: dict[str, Any], expected_version: int | None = None,
) -> TrainingSession:
    """Change a planned session. With `expected_version`, a session changed meanwhile answers
    412. The capacity never falls below the people already registered."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("不能修改：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    with transaction.atomic():
        session = _lock_session(actor, session_id, "update")
        if expected_version is not None and expected_version != session.version:
            raise PreconditionFailed(_("培训已被他人修改，请刷新后重试"), field="version")
        _require_planned(session, "update")
        values = {field: getattr(session, field) for field in UPDATABLE_FIELDS - {"trainer_id"}}
        values.update({k: v for k, v in changes.items() if k != "trainer_id"})
        if values["grants_qualification"] and session.audience == Audience.CUSTOMER:
            raise ValidationFailed(_("只有内部培训可以授予上岗资质"), field="grants_qualification")
        _check_session_fields(values)
        if "capacity" in changes:
            registered = session.attendances.count()
            if changes["capacity"] < registered:
                raise ValidationFailed(
                    _("已有 %(count)s 人报名，名额不能少于此数") % {"count": registered},
                    field="capacity",
                )
        if "trainer_id" in changes:
            session.trainer = _trainer(changes["trainer_id"])
        for field, value in values.items():
            setattr(session, field, value.strip() if isinstance(value, str) else value)
        if not session.grants_qualification:
            session.qualification_months = None
        session.version += 1
        session.save()
    return session


def training_session_cancel(
    *, actor: User, session_id: Any, reason: str, now: dt.datetime | None = None,
) -> TrainingSession:
    if not reason.strip():
        raise ValidationFailed(_("请填写取消原因"), field="reason")
    with transaction.atomic():
        session = _lock_session(actor, session_id, "cancel")
        session.status = _next(session, "cancel")
        session.cancelled_at = now or timezone.now()
        session.cancel_reason = reason.strip()
        session.status_changed_by = actor
        session.version += 1
        session.save()
    return session


def _add_months(on: dt.date, months: int | None) -> dt.date | None:
    """The last valid day of a qualification granted on `on` for `months` (None: no expiry)."""
    if months is None:
        return None
    years, month_index = divmod(on.month - 1 + months, 12)
    year, month = on.year + years, month_index + 1
    same_day = dt.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))
    return same_day - dt.timedelta(days=1)


def training_session_hold(
    *, actor: User, session_id: Any, now: dt.datetime | None = None,
) -> tuple[TrainingSession, list[Qualification]]:
    """Mark a session as held (it must have started). When it grants qualifications, each staff
    member who attended and passed gets one for the product, or has theirs renewed."""
    now = now or timezone.now()
    granted: list[Qualification] = []
    with transaction.atomic():
        session = _lock_session(actor, session_id, "hold")
        new_status = _next(session, "hold")
        if session.starts_at > now:
            raise Conflict(_("培训尚未开始，不能确认举行"), code="session_not_started")
        session.status = new_status
        session.held_at = now
        session.status_changed_by = actor
        session.version += 1
        session.save()
        if session.grants_qualification:
            on = timezone.localdate(now)
            passed = (
                TrainingAttendance.objects.filter(
                    session=session, user__isnull=False, attended=True, passed=True,
                    user__role__in=sorted(QUALIFIED_ROLES),
                )
                .select_related("user")
                .order_by("user_id")
            )
            for attendance in passed:
                assert attendance.user is not None  # noqa: S101 - filtered above
                qualification, _created = _grant(
                    user=attendance.user, product=session.product, on=on,
                    expires_on=_add_months(on, session.qualification_months), session=session,
                    granted_by=actor,
                )
                granted.append(qualification)
    return session, granted


# --- attendance -----------------------------------------------------------------------------


def training_attendee_register(
    *, actor: User, session_id: Any, user_id: Any = None, contact_id: Any = None,
) -> tuple[TrainingAttendance, bool]:
    """Register a staff member (staff sessions) or one of the session customer's contacts
    (customer sessions). The session row is locked while the seats are counted, so two
    registrations never take the last seat twice. Registering again returns the first row."""
    if (user_id is None) == (contact_id is None):
        raise ValidationFailed(_("须指定一名员工或一位客户联系人"), field="user_id")
    with transaction.atomic():
        session = _lock_session(actor, session_id, "register")
        _require_planned(session, "register")
        lookup: dict[str, Any]
        if user_id is not None:
            if session.audience != Audience.STAFF:
                raise ValidationFailed(_("客户培训只能登记该客户的联系人"), field="user_id")
            person = User.objects.filter(pk=user_id, is_active=True).first()
            if person is None or person.is_customer_user:
                raise ValidationFailed(_("学员须为在职员工"), field="user_id")
            lookup = {"user": person}
        else:
            if session.audience != Audience.CUSTOMER:
                raise ValidationFailed(_("内部培训只能登记员工"), field="contact_id")
            contact = Contact.objects.filter(pk=contact_id).first()
            if contact is None or contact.customer_id != session.customer_id:
                raise ValidationFailed(_("该联系人不属于本场培训的客户"), field="contact_id")
            lookup = {"contact": contact}
        existing = TrainingAttendance.objects.filter(session=session, **lookup).first()
        if existing is not None:
            return existing, False
        if session.attendances.count() >= session.capacity:
            raise Conflict(
                _("名额已满（%(capacity)s 人）") % {"capacity": session.capacity},
                code="session_full", field="capacity",
            )
        attendance = TrainingAttendance.objects.create(session=session, registered_by=actor, **lookup)
    return attendance, True


def training_attendance_record(
    *, actor: User, attendance_id: Any, attended: bool, passed: bool | None = None,
    score: int | None = None, now: dt.datetime | None = None,
) -> TrainingAttendance:
    """Record who came and how they did, before the session is marked held. Passing needs
    attendance; the score is 0 to 100."""
    found = get_scoped_or_404(
        TrainingAttendance.objects.all(), actor, customer_field="session__customer_id",
        what="training session", pk=attendance_id,
    )
    if passed and not attended:
        raise ValidationFailed(_("未出席的学员不能考核通过"), field="passed")
    if score is not None and not 0 <= score <= 100:
        raise ValidationFailed(_("成绩须在 0 到 100 之间"), field="score")
    with transaction.atomic():
        session = _lock_session(actor, found.session_id, "record")
        _require_planned(session, "record")
        attendance = TrainingAttendance.objects.select_for_update().get(pk=found.pk)
        attendance.attended = attended
        attendance.passed = passed if attended else (False if passed is not None else None)
        attendance.score = score
        attendance.recorded_at = now or timezone.now()
        attendance.recorded_by = actor
        attendance.save()
    return attendance


# --- qualifications -------------------------------------------------------------------------


def _grant(
    *, user: User, product: Product, on: dt.date, expires_on: dt.date | None,
    session: TrainingSession | None, granted_by: User,
) -> tuple[Qualification, bool]:
    """Grant, or renew the unrevoked qualification: it then lasts until the later of the two
    ends (no expiry beats any date). Caller is inside a transaction."""
    current = (
        Qualification.objects.select_for_update()
        .filter(user=user, product=product, revoked_at__isnull=True)
        .first()
    )
    if current is None:
        return Qualification.objects.create(
            user=user, product=product, granted_on=on, expires_on=expires_on, session=session,
            granted_by=granted_by,
        ), True
    if current.expires_on is not None and (expires_on is None or expires_on > current.expires_on):
        current.expires_on = expires_on
    current.granted_on = on
    current.session = session
    current.granted_by = granted_by
    current.save()
    return current, False


def training_qualification_user(user_id: Any) -> User:
    person = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if person is None or person.role not in QUALIFIED_ROLES:
        raise ValidationFailed(_("资质只能授予在职的工程师或技术专家"), field="user_id")
    return person


def qualification_grant(
    *, actor: User, user_id: Any, product_id: Any, expires_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[Qualification, bool]:
    """Grant a qualification by hand (managers and admins). Granting one already held renews
    it instead of adding a second: (qualification, created)."""
    _staff_only(actor, _("授予上岗资质"))
    require_role(actor, GRANTING_ROLES, doing=_("授予上岗资质"))
    person = training_qualification_user(user_id)
    product = _product(product_id)
    on = timezone.localdate(now or timezone.now())
    if expires_on is not None and expires_on < on:
        raise ValidationFailed(_("有效期不能早于今天"), field="expires_on")
    with transaction.atomic():
        try:
            with transaction.atomic():
                return _grant(user=person, product=product, on=on, expires_on=expires_on,
                              session=None, granted_by=actor)
        except IntegrityError:
            # Granted at the same moment by someone else: renew that one.
            return _grant(user=person, product=product, on=on, expires_on=expires_on,
                          session=None, granted_by=actor)


def qualification_revoke(
    *, actor: User, qualification_id: Any, reason: str, now: dt.datetime | None = None,
) -> Qualification:
    _staff_only(actor, _("撤销上岗资质"))
    require_role(actor, GRANTING_ROLES, doing=_("撤销上岗资质"))
    if not reason.strip():
        raise ValidationFailed(_("请填写撤销原因"), field="reason")
    with transaction.atomic():
        qualification = get_scoped_or_404(
            Qualification.objects.select_for_update(), actor, customer_field="user__customer_id",
            what="qualification", pk=qualification_id,
        )
        if qualification.revoked_at is not None:
            raise Conflict(_("该资质已撤销"), code="already_revoked")
        qualification.revoked_at = now or timezone.now()
        qualification.revoked_by = actor
        qualification.revoked_reason = reason.strip()
        qualification.save()
    return qualification
