"""Special periods (保障期): preparing one (duty, pre-inspections, stand-by resources, its own
checklist) and running it (draft → active → closed, or cancelled).

Duty shifts are made by `roster.services.shift_add` (kind holiday: its overlap refusal, a 409,
reaches the caller unchanged), plans by `inspections.services.plan_create` with the period's
kind and checklist. Spare parts held on stand-by are recorded, not reserved: the parts ledger
reserves only for a work order, so the readiness check compares them with the depot's
available stock instead.

Every write locks the period row first, so that status changes and additions are serialised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from aftersales.accounts.models import User
from aftersales.assets.models import Asset, Product
from aftersales.core.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES, Role
from aftersales.core.scoping import NOT_FOUND_MESSAGES
from aftersales.customers.models import Customer, Site
from aftersales.inspections import services as inspections
from aftersales.inspections.models import ChecklistTemplate, Frequency
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.parts.models import Depot, Part
from aftersales.roster import services as roster
from aftersales.roster.models import Shift, ShiftKind, Team
from aftersales.special_periods.models import (
    EventAction,
    PeriodKind,
    PeriodStatus,
    ResourceKind,
    SpecialPeriod,
    SpecialPeriodDuty,
    SpecialPeriodEvent,
    SpecialPeriodPlan,
    StandbyResource,
)

M = TypeVar("M", SpecialPeriod, SpecialPeriodDuty, SpecialPeriodPlan, StandbyResource)

# Who prepares and runs special periods; every staff member reads them.
PLANNING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})
READING_ROLES = STAFF_ROLES

# action → {from status: to status}; anything else is a 409.
TRANSITIONS: dict[str, dict[str, str]] = {
    "activate": {PeriodStatus.DRAFT: PeriodStatus.ACTIVE},
    "close": {PeriodStatus.ACTIVE: PeriodStatus.CLOSED},
    "cancel": {PeriodStatus.DRAFT: PeriodStatus.CANCELLED, PeriodStatus.ACTIVE: PeriodStatus.CANCELLED},
}
ACTION_LABELS = {
    "activate": gettext_lazy("启动保障"), "close": gettext_lazy("结束保障"), "cancel": gettext_lazy("取消保障期"),
}
ACTION_EVENTS = {"activate": EventAction.ACTIVATED, "close": EventAction.CLOSED, "cancel": EventAction.CANCELLED}
# A period longer than this is a typing error, not a 保障期.
MAX_PERIOD = dt.timedelta(days=92)
# Pre-inspections may begin this long before the period.
MAX_LEAD = dt.timedelta(days=60)


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replayed(model: type[M], key: str | None, fingerprint: str) -> M | None:
    if not key:
        return None
    row = model.objects.filter(idempotency_key=key).first()
    if row is not None and row.request_hash != fingerprint:
        raise Conflict(_("此 Idempotency-Key 已用于另一个请求"), code="idempotency_key_reused",
                       field="Idempotency-Key")
    return row


def _once(model: type[M], key: str | None, fingerprint: str, create: Callable[[SpecialPeriod | None], M],
          *, period_id: Any = None) -> tuple[M, bool]:
    """(row, created): `create` runs once per key. With `period_id`, the open period is locked
    first and the key looked up again under the lock, so a duplicate that waited for the lock
    is answered with the winner's row; without it, the unique key refuses the duplicate."""
    replayed = _replayed(model, key, fingerprint)
    if replayed is not None:
        return replayed, False
    try:
        with transaction.atomic():
            period = _lock_open_period(period_id) if period_id is not None else None
            replayed = _replayed(model, key, fingerprint)
            if replayed is not None:
                return replayed, False
            return create(period), True
    except IntegrityError:
        replayed = _replayed(model, key, fingerprint)
        if replayed is not None:
            return replayed, False
        raise


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _aware(moment: dt.datetime, field: str) -> None:
    if timezone.is_naive(moment):
        raise ValidationFailed(_("时间须带时区"), field=field)


def _not_found() -> NotFound:
    return NotFound(_(NOT_FOUND_MESSAGES["special period"]), code="special_period_not_found")


def get_period(period_id: Any) -> SpecialPeriod:
    """The period, or 404. Staff data: the callers let only staff in."""
    try:
        return SpecialPeriod.objects.select_related("customer", "checklist", "created_by").get(pk=period_id)
    except (SpecialPeriod.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise _not_found() from None


def _lock_period(period_id: Any) -> SpecialPeriod:
    get_period(period_id)
    return (
        SpecialPeriod.objects.select_for_update(of=("self",))
        .select_related("customer", "checklist").get(pk=period_id)
    )


def _lock_open_period(period_id: Any) -> SpecialPeriod:
    period = _lock_period(period_id)
    if not period.is_open:
        raise Conflict(
            _("保障期已%(status)s，不能再修改") % {"status": period.get_status_display()},
            code="period_not_open",
        )
    return period


def _event(period: SpecialPeriod, action: str, actor: User, now: dt.datetime, detail: str = "",
           from_status: str = "", to_status: str = "") -> None:
    SpecialPeriodEvent.objects.create(period=period, action=action, actor=actor, at=now, detail=detail,
                                      from_status=from_status, to_status=to_status)


def _plan(actor: User) -> None:
    require_role(actor, PLANNING_ROLES, doing=_("安排特殊时期保障"))


# --- the period ------------------------------------------------------------------------------


def _check_window(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), field="ends_at")
    if ends_at - starts_at > MAX_PERIOD:
        raise ValidationFailed(_("保障期最长 %(days)s 天") % {"days": MAX_PERIOD.days}, field="ends_at")


def _customer(customer_id: Any) -> Customer | None:
    if customer_id in (None, ""):
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(_("没有这个客户"), field="customer_id")
    return customer


def _sites(site_ids: Iterable[Any], customer: Customer | None) -> list[Site]:
    wanted = list(dict.fromkeys(site_ids))
    sites = list(Site.objects.filter(pk__in=wanted))
    if len(sites) != len(wanted):
        raise ValidationFailed(_("站点中有不存在的站点"), field="site_ids")
    if customer is not None and any(site.customer_id != customer.pk for site in sites):
        raise ValidationFailed(_("保障站点须属于该客户"), field="site_ids")
    return sites


def _teams(team_codes: Iterable[str]) -> list[Team]:
    wanted = list(dict.fromkeys(code for code in team_codes if code))
    teams = list(Team.objects.filter(code__in=wanted, is_active=True))
    if len(teams) != len(wanted):
        raise ValidationFailed(_("值班组中有不存在或已停用的值班组"), field="team_codes")
    return teams


def _checklist(code: str | None) -> ChecklistTemplate | None:
    if not code:
        return None
    checklist = ChecklistTemplate.objects.filter(code=code, is_active=True).first()
    if checklist is None:
        raise ValidationFailed(_("没有这个检查表模板"), field="checklist")
    return checklist


def period_create(
    *, actor: User, name: str, kind: str, starts_at: dt.datetime, ends_at: dt.datetime,
    customer_id: Any = None, site_ids: Iterable[Any] = (), team_codes: Iterable[str] = (),
    checklist_code: str | None = None, is_round_the_clock: bool = True, note: str = "",
    idempotency_key: str | None = None, fingerprint: str = "", now: dt.datetime | None = None,
) -> tuple[SpecialPeriod, bool]:
    """A period in draft. Without a customer it is company-wide; its sites then may be any."""
    _plan(actor)
    now = now or timezone.now()
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if kind not in PeriodKind.values:
        raise ValidationFailed(
            _("类型必须是以下之一：%(choices)s") % {"choices": ", ".join(PeriodKind.values)}, field="kind"
        )
    _check_window(starts_at, ends_at)
    if ends_at <= now:
        raise ValidationFailed(_("保障期已经结束，无法再安排"), field="ends_at")
    site_ids, team_codes = list(site_ids), list(team_codes)

    def create(_period: SpecialPeriod | None) -> SpecialPeriod:
        customer = _customer(customer_id)
        sites = _sites(site_ids, customer)
        teams = _teams(team_codes)
        period = SpecialPeriod.objects.create(
            name=name.strip(), kind=kind, starts_at=starts_at, ends_at=ends_at, customer=customer,
            checklist=_checklist(checklist_code), is_round_the_clock=is_round_the_clock, note=note.strip(),
            created_by=actor, idempotency_key=idempotency_key, request_hash=fingerprint,
        )
        period.sites.set(sites)
        period.teams.set(teams)
        _event(period, EventAction.CREATED, actor, now, to_status=PeriodStatus.DRAFT)
        return period

    return _once(SpecialPeriod, idempotency_key, fingerprint, create)


UPDATABLE = frozenset({"name", "starts_at", "ends_at", "customer_id", "site_ids", "team_codes",
                       "checklist_code", "is_round_the_clock", "note"})


@transaction.atomic
def period_update(
    *, actor: User, period_id: Any, changes: dict[str, Any], expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SpecialPeriod:
    """Change a draft or active period. With `expected_version`, a stale edit is refused (412)."""
    _plan(actor)
    now = now or timezone.now()
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(_("不能修改：%(fields)s") % {"fields": ", ".join(sorted(unknown))},
                               field=sorted(unknown)[0])
    period = _lock_open_period(period_id)
    if expected_version is not None and expected_version != period.version:
        raise PreconditionFailed(_("保障期已被他人修改，请刷新后重试"), field="version")
    if "name" in changes:
        if not str(changes["name"] or "").strip():
            raise ValidationFailed(_("请填写名称"), field="name")
        period.name = str(changes["name"]).strip()
    starts_at = changes.get("starts_at") or period.starts_at
    ends_at = changes.get("ends_at") or period.ends_at
    _check_window(starts_at, ends_at)
    period.starts_at, period.ends_at = starts_at, ends_at
    if "customer_id" in changes:
        period.customer = _customer(changes["customer_id"])
    if "checklist_code" in changes:
        period.checklist = _checklist(changes["checklist_code"])
    if "is_round_the_clock" in changes:
        period.is_round_the_clock = bool(changes["is_round_the_clock"])
    if "note" in changes:
        period.note = str(changes["note"] or "").strip()
    if "site_ids" in changes:
        period.sites.set(_sites(changes["site_ids"], period.customer))
    elif "customer_id" in changes:
        _sites(period.sites.values_list("pk", flat=True), period.customer)
    if "team_codes" in changes:
        period.teams.set(_teams(changes["team_codes"]))
    period.version += 1
    period.save()
    _event(period, EventAction.UPDATED, actor, now, detail=", ".join(sorted(changes)))
    return period


def _next_status(period: SpecialPeriod, action: str) -> str:
    table = TRANSITIONS[action]
    if period.status not in table:
        allowed = _("、").join(str(PeriodStatus(s).label) for s in table)
        raise Conflict(
            _("保障期当前为“%(status)s”，不能%(action)s；仅在以下状态可以：%(allowed)s")
            % {"status": period.get_status_display(), "action": ACTION_LABELS[action], "allowed": allowed},
            code="invalid_transition", field="status",
        )
    return table[period.status]


def _duty_notifications(period: SpecialPeriod) -> list[Notification]:
    """One message per person on the period's extra duty or on stand-by, keyed so that a
    person is told once whatever happens later."""
    people: dict[int, tuple[User, list[Shift]]] = {}
    for duty in SpecialPeriodDuty.objects.filter(period=period).select_related("shift__user", "shift__team") \
            .order_by("shift__starts_at"):
        people.setdefault(duty.shift.user.pk, (duty.shift.user, []))[1].append(duty.shift)
    for resource in StandbyResource.objects.filter(period=period, person__isnull=False).select_related("person"):
        assert resource.person is not None  # noqa: S101 - filtered above
        people.setdefault(resource.person.pk, (resource.person, []))
    notifications = []
    for user_id, (user, shifts) in sorted(people.items()):
        lines = [
            _("%(team)s：%(start)s 至 %(end)s") % {
                "team": shift.team.name, "start": _local(shift.starts_at), "end": _local(shift.ends_at)}
            for shift in shifts
        ] or [_("您已登记为待命人员，请保持通讯畅通。")]
        notifications.append(Notification(
            key=f"special-period:{period.pk}:activated:{user_id}", recipient=user.email,
            subject=_("【特殊时期保障】%(name)s 已启动（%(start)s 至 %(end)s）") % {
                "name": period.name, "start": _local(period.starts_at), "end": _local(period.ends_at)},
            body=_("您的保障值班安排：\n%(lines)s") % {"lines": "\n".join(lines)},
        ))
    return notifications


@transaction.atomic
def period_transition(
    *, actor: User, period_id: Any, action: str, reason: str = "", now: dt.datetime | None = None
) -> SpecialPeriod:
    """activate (draft → active: tells each person on extra duty or stand-by, once), close
    (active → closed), cancel (draft or active → cancelled, with a reason: the extra duty not
    yet begun is taken off the roster and the pre-inspection plans are stopped)."""
    _plan(actor)
    if action not in TRANSITIONS:
        raise ValidationFailed(_("未知的操作"), field="action")
    now = now or timezone.now()
    period = _lock_period(period_id)
    target = _next_status(period, action)
    if action == "activate" and period.ends_at <= now:
        raise Conflict(_("保障期已于 %(end)s 结束，不能再启动") % {"end": _local(period.ends_at)},
                       code="period_over", field="status")
    if action == "cancel" and not reason.strip():
        raise ValidationFailed(_("请填写取消原因"), field="reason")
    previous = period.status
    period.status = target
    if action == "activate":
        period.activated_at = now
    else:
        period.finished_at = now
    period.version += 1
    period.save(update_fields=["status", "activated_at", "finished_at", "version", "updated_at"])
    if action == "activate":
        outbox_enqueue(notifications=_duty_notifications(period))
    if action == "cancel":
        _release(actor, period, now)
    _event(period, ACTION_EVENTS[action], actor, now, detail=reason.strip(), from_status=previous,
           to_status=target)
    return period


def _release(actor: User, period: SpecialPeriod, now: dt.datetime) -> None:
    """A cancelled period gives back its future duty and stops its plans; what already
    happened stays as history."""
    for duty in SpecialPeriodDuty.objects.filter(period=period, shift__starts_at__gt=now).select_related("shift"):
        roster.shift_remove(shift_id=duty.shift_id, now=now)
    for link in SpecialPeriodPlan.objects.filter(period=period, plan__is_active=True):
        inspections.plan_update(actor=actor, plan_id=link.plan_id, is_active=False, now=now)


# --- checklist -------------------------------------------------------------------------------


@transaction.atomic
def period_checklist_create(
    *, actor: User, period_id: Any, name: str, items: list[dict[str, Any]], now: dt.datetime | None = None
) -> ChecklistTemplate:
    """The period's own checklist, made by the inspections service and attached to the period
    (replacing the one it had: plans already made keep theirs)."""
    _plan(actor)
    now = now or timezone.now()
    period = _lock_open_period(period_id)
    code = f"sp-{uuid.uuid4().hex[:12]}"
    template = inspections.checklist_template_create(actor=actor, code=code, name=name, items=items)
    period.checklist = template
    period.version += 1
    period.save(update_fields=["checklist", "version", "updated_at"])
    _event(period, EventAction.CHECKLIST_CREATED, actor, now, detail=template.name)
    return template


# --- extra duty ------------------------------------------------------------------------------


def period_duty_add(
    *, actor: User, period_id: Any, team_code: str, user_id: Any, starts_at: dt.datetime,
    ends_at: dt.datetime, note: str = "", idempotency_key: str | None = None, fingerprint: str = "",
    now: dt.datetime | None = None,
) -> tuple[SpecialPeriodDuty, bool]:
    """Put a person on extra duty (节假日值班) within the period. A clash with the person's
    other shifts is the roster's 409."""
    _plan(actor)
    now = now or timezone.now()
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")

    def create(locked: SpecialPeriod | None) -> SpecialPeriodDuty:
        assert locked is not None  # noqa: S101 - _once locks the period
        period = locked
        if not (starts_at < period.ends_at and ends_at > period.starts_at):
            raise ValidationFailed(_("值班时间须在保障期 %(start)s 至 %(end)s 之内") % {
                "start": _local(period.starts_at), "end": _local(period.ends_at)}, field="starts_at")
        team = Team.objects.filter(code=team_code).first()
        if team is None:
            raise ValidationFailed(_("没有这个值班组"), field="team")
        shift = roster.shift_add(team=team, user_id=user_id, starts_at=starts_at, ends_at=ends_at,
                                 kind=ShiftKind.HOLIDAY, note=(note.strip() or period.name)[:200])
        duty = SpecialPeriodDuty.objects.create(period=period, shift=shift, added_by=actor,
                                                idempotency_key=idempotency_key, request_hash=fingerprint)
        _event(period, EventAction.DUTY_ADDED, actor, now, detail=_("%(user)s · %(team)s · %(start)s 至 %(end)s") % {
            "user": shift.user.username, "team": team.name, "start": _local(starts_at), "end": _local(ends_at)})
        return duty

    return _once(SpecialPeriodDuty, idempotency_key, fingerprint, create, period_id=period_id)


@transaction.atomic
def period_duty_remove(*, actor: User, period_id: Any, duty_id: Any, now: dt.datetime | None = None) -> None:
    """Take an extra duty shift off the roster; one already over is history and stays (409)."""
    _plan(actor)
    now = now or timezone.now()
    period = _lock_open_period(period_id)
    duty = SpecialPeriodDuty.objects.filter(pk=_uuid_or_none(duty_id) or uuid.UUID(int=0), period=period) \
        .select_related("shift__user", "shift__team").first()
    if duty is None:
        raise NotFound(_("未找到该保障值班"), code="duty_not_found")
    shift = duty.shift
    detail = _("%(user)s · %(team)s · %(start)s 至 %(end)s") % {
        "user": shift.user.username, "team": shift.team.name, "start": _local(shift.starts_at),
        "end": _local(shift.ends_at)}
    roster.shift_remove(shift_id=shift.pk, now=now)
    _event(period, EventAction.DUTY_REMOVED, actor, now, detail=detail)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


# --- pre-inspection plans --------------------------------------------------------------------


def period_plan_add(
    *, actor: User, period_id: Any, team_code: str, starts_on: dt.date, ends_on: dt.date,
    name: str = "", site_id: Any = None, asset_ids: Iterable[Any] = (), frequency: str = Frequency.DAILY,
    interval_days: int | None = None, idempotency_key: str | None = None, fingerprint: str = "",
    now: dt.datetime | None = None,
) -> tuple[SpecialPeriodPlan, bool]:
    """A pre-inspection plan of one site or a group of assets, with the period's kind and
    checklist, on dates before and/or during the period (never after it)."""
    _plan(actor)
    now = now or timezone.now()
    asset_ids = list(asset_ids)

    def create(locked: SpecialPeriod | None) -> SpecialPeriodPlan:
        assert locked is not None  # noqa: S101 - _once locks the period
        period = locked
        if period.checklist is None:
            raise ValidationFailed(_("请先为保障期指定或制定检查表"), field="checklist")
        first_day = timezone.localdate(period.starts_at)
        last_day = timezone.localdate(period.ends_at)
        if ends_on > last_day:
            raise ValidationFailed(_("预检须在保障期结束（%(day)s）前完成") % {"day": last_day.isoformat()},
                                   field="ends_on")
        if starts_on < first_day - MAX_LEAD:
            raise ValidationFailed(_("预检最早在保障期开始前 %(days)s 天") % {"days": MAX_LEAD.days},
                                   field="starts_on")
        _check_targets(period, site_id, asset_ids)
        plan = inspections.plan_create(
            actor=actor, name=name.strip() or _("%(period)s 预检") % {"period": period.name},
            frequency=frequency, template_code=period.checklist.code, team_code=team_code,
            starts_on=starts_on, ends_on=ends_on, kind=period.kind, site_id=site_id or None,
            asset_ids=asset_ids, interval_days=interval_days,
        )
        link = SpecialPeriodPlan.objects.create(period=period, plan=plan, added_by=actor,
                                                idempotency_key=idempotency_key, request_hash=fingerprint)
        _event(period, EventAction.PLAN_ADDED, actor, now, detail=_("%(plan)s（%(start)s 至 %(end)s）") % {
            "plan": plan.name, "start": starts_on.isoformat(), "end": ends_on.isoformat()})
        return link

    return _once(SpecialPeriodPlan, idempotency_key, fingerprint, create, period_id=period_id)


def _check_targets(period: SpecialPeriod, site_id: Any, asset_ids: list[Any]) -> None:
    """What a plan inspects must be within the period: its sites when it names some, else its
    customer's when it has one."""
    site_ids = set(period.sites.values_list("pk", flat=True))
    if site_id:
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            raise ValidationFailed(_("没有这个站点"), field="site_id")
        if site_ids and site.pk not in site_ids:
            raise ValidationFailed(_("该站点不在保障期的保障站点中"), field="site_id")
        if period.customer_id is not None and site.customer_id != period.customer_id:
            raise ValidationFailed(_("该站点不属于保障期的客户"), field="site_id")
    for asset in Asset.objects.filter(pk__in=asset_ids):
        if site_ids and asset.site_id not in site_ids:
            raise ValidationFailed(_("设备 %(serial)s 不在保障站点中") % {"serial": asset.serial_number},
                                   field="asset_ids")
        if period.customer_id is not None and asset.customer_id != period.customer_id:
            raise ValidationFailed(_("设备 %(serial)s 不属于保障期的客户") % {"serial": asset.serial_number},
                                   field="asset_ids")


# --- stand-by resources ----------------------------------------------------------------------


def _staff_user(user_id: Any) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first() if str(user_id).isdigit() else None
    if user is None or user.role not in STAFF_ROLES:
        raise ValidationFailed(_("没有这位员工"), field="person_id")
    return user


def period_resource_add(
    *, actor: User, period_id: Any, kind: str, description: str = "", quantity: int = 1, location: str = "",
    depot_id: Any = None, part_id: Any = None, product_id: Any = None, person_id: Any = None, note: str = "",
    idempotency_key: str | None = None, fingerprint: str = "", now: dt.datetime | None = None,
) -> tuple[StandbyResource, bool]:
    """Hold a resource ready: a spare part (its depot and how many), a substitute unit (its
    product, its depot), a person on stand-by, a vehicle, a generator or anything else."""
    _plan(actor)
    now = now or timezone.now()
    if kind not in ResourceKind.values:
        raise ValidationFailed(
            _("类型必须是以下之一：%(choices)s") % {"choices": ", ".join(ResourceKind.values)}, field="kind"
        )
    if quantity < 1:
        raise ValidationFailed(_("数量须为正整数"), field="quantity")

    def create(locked: SpecialPeriod | None) -> StandbyResource:
        assert locked is not None  # noqa: S101 - _once locks the period
        period = locked
        depot = _optional(Depot, depot_id, "depot_id", gettext_noop("没有这个备件库"))
        part = _optional(Part, part_id, "part_id", gettext_noop("没有这个备件"))
        product = _optional(Product, product_id, "product_id", gettext_noop("没有这个产品"))
        person = _staff_user(person_id) if person_id not in (None, "") else None
        text = description.strip()
        if kind == ResourceKind.SPARE_PART:
            if part is None:
                raise ValidationFailed(_("请选择备件"), field="part_id")
            if depot is None:
                raise ValidationFailed(_("请选择存放备件的备件库"), field="depot_id")
            if StandbyResource.objects.filter(period=period, kind=kind, part=part, depot=depot).exists():
                raise Conflict(_("该备件库的备件 %(part)s 已登记，请修改数量") % {"part": part.code},
                               code="resource_exists", field="part_id")
            text = text or f"{part.code} {part.name}"
        elif kind == ResourceKind.TECHNICIAN:
            if person is None:
                raise ValidationFailed(_("请选择待命人员"), field="person_id")
            text = text or str(person.get_full_name() or person.username)
        elif kind == ResourceKind.SUBSTITUTE_UNIT and product is not None:
            text = text or f"{product.model} {product.name}"
        if not text:
            raise ValidationFailed(_("请填写说明"), field="description")
        resource = StandbyResource.objects.create(
            period=period, kind=kind, description=text[:200], quantity=quantity, location=location.strip()[:200],
            depot=depot, part=part if kind == ResourceKind.SPARE_PART else None,
            product=product if kind == ResourceKind.SUBSTITUTE_UNIT else None, person=person,
            note=note.strip(), added_by=actor, idempotency_key=idempotency_key, request_hash=fingerprint,
        )
        _event(period, EventAction.RESOURCE_ADDED, actor, now, detail=str(resource))
        return resource

    return _once(StandbyResource, idempotency_key, fingerprint, create, period_id=period_id)


def _optional(model: Any, pk: Any, field: str, message: str) -> Any:
    if pk in (None, ""):
        return None
    row = model.objects.filter(pk=_uuid_or_none(pk) or uuid.UUID(int=0)).first()
    if row is None:
        raise ValidationFailed(_(message), field=field)
    return row


@transaction.atomic
def period_resource_remove(*, actor: User, period_id: Any, resource_id: Any,
                           now: dt.datetime | None = None) -> None:
    _plan(actor)
    now = now or timezone.now()
    period = _lock_open_period(period_id)
    resource = StandbyResource.objects.filter(
        pk=_uuid_or_none(resource_id) or uuid.UUID(int=0), period=period).first()
    if resource is None:
        raise NotFound(_("未找到该保障资源"), code="resource_not_found")
    detail = str(resource)
    resource.delete()
    _event(period, EventAction.RESOURCE_REMOVED, actor, now, detail=detail)
