"""Filing, acting on and editing service cases. Every change records a CaseEvent and
re-derives the case's SLA clocks in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from aftersales.accounts.models import STAFF_ROLES, Role, User
from aftersales.assets.models import Asset
from aftersales.calendars.services import business_calendar
from aftersales.cases.clocks import ClockValue, EventRecord, derive_clocks, event_records
from aftersales.cases.models import (
    QUEUE_END,
    SEVERITY_BY_IMPACT,
    Case,
    CaseClock,
    CaseEvent,
    CaseNumber,
    Category,
    Channel,
    ClockState,
    ClockTarget,
    ClosureConsent,
    ConsentMethod,
    EscalationLevel,
    EventKind,
    IdempotencyKey,
    Impact,
    Status,
)
from aftersales.cases.notify import assignment_notification
from aftersales.cases.transitions import ACTION_LABELS, next_status
from aftersales.contracts.models import Severity, SlaPolicy
from aftersales.contracts.services import (
    PolicyInForce,
    policy_in_force,
    policy_regions,
    policy_targets,
)
from aftersales.core.db.fast_insert import insert_rows
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.customers.models import Contact, Site
from aftersales.customers.selectors import get_customer_for_user
from aftersales.emergencies.services import FaultLevel, fault_class_for_code, fault_level
from aftersales.notifications.services import outbox_enqueue

CUSTOMER_ACTIONS = frozenset({"confirm_closure", "reopen", "customer_reply"})
POLICY_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})
# Inputs as users read them, for messages; an error's `field` stays the API name.
FIELD_LABELS = {
    "title": gettext_lazy("标题"),
    "description": gettext_lazy("描述"),
    "channel": gettext_lazy("渠道"),
    "category": gettext_lazy("类别"),
    "impact": gettext_lazy("影响程度"),
    "severity": gettext_lazy("严重等级"),
    "contact_id": gettext_lazy("联系人"),
    "site_id": gettext_lazy("站点"),
    "asset_id": gettext_lazy("设备"),
    "policy": gettext_lazy("SLA 策略"),
    "assignee_id": gettext_lazy("处理人"),
    "fault_class": gettext_lazy("故障类别"),
    "target": gettext_lazy("目标"),
    "due_at": gettext_lazy("到期时间"),
}
NOT_THE_CUSTOMERS = {
    "contact_id": gettext_noop("该客户没有这个联系人"),
    "site_id": gettext_noop("该客户没有这个站点"),
    "asset_id": gettext_noop("该客户没有这台设备"),
}


# --- the case's text, for apps above -------------------------------------------------------

# Apps above cases keep copies of a case's text (the knowledge base's search index). They
# register here and are called in the same transaction as every change of that text, with the
# resolution just given (None: unchanged since the last call) and whether the case is new.
CaseTextHook = Callable[[Case, str | None, bool], None]
_text_hooks: list[CaseTextHook] = []


def register_case_text_hook(hook: CaseTextHook) -> None:
    if hook not in _text_hooks:
        _text_hooks.append(hook)


def _text_changed(case: Case, *, resolution: str | None = None, is_new: bool = False) -> None:
    for hook in _text_hooks:
        hook(case, resolution, is_new)


# Apps above cases that act when a case changes status (a survey when it is closed) register
# here; they are called in the same transaction, after the case and its event are saved, with
# the status before and after and the time of the change.
CaseStatusHook = Callable[[Case, str, str, dt.datetime], None]
_status_hooks: list[CaseStatusHook] = []


def register_case_status_hook(hook: CaseStatusHook) -> None:
    if hook not in _status_hooks:
        _status_hooks.append(hook)


def _status_changed(case: Case, before: str, after: str, now: dt.datetime) -> None:
    for hook in _status_hooks:
        hook(case, before, after, now)


# Cases of some categories keep promises of their own rather than their contract's (a complaint
# runs the `complaint` policy); the app that owns such a category registers its policy code
# here. The case is still the contract's; the policy is chosen when it is filed, like the
# contract's, unless staff choose one.
_category_policies: dict[str, str] = {}


def register_category_policy(category: str, policy_code: str) -> None:
    _category_policies[category] = policy_code


def _category_policy(category: str, governing: PolicyInForce) -> PolicyInForce:
    """The policy a case of `category` runs under: the registered one where it exists (the
    contract stays), else the contract's."""
    code = _category_policies.get(category)
    if code is None:
        return governing
    policy = SlaPolicy.objects.select_related("calendar").filter(code=code).first()
    if policy is None:  # deleted by an administrator: the contract's promises hold
        return governing
    return PolicyInForce(contract_id=governing.contract_id, contract_number=governing.contract_number,
                         policy=policy)


# Apps above cases that tell others about a case's events (webhooks) register here; they are
# called in the same transaction with the events just recorded (in order, several at once when
# a case is filed or the sweep records a batch). The case of each event holds its state after
# the event. A hook that has nothing to do must cost no query: filing is measured.
CaseEventHook = Callable[[Sequence[CaseEvent]], object]
_event_hooks: list[CaseEventHook] = []


def register_case_event_hook(hook: CaseEventHook) -> None:
    if hook not in _event_hooks:
        _event_hooks.append(hook)


def case_events_recorded(events: Sequence[CaseEvent]) -> None:
    """Call the event hooks. Caller holds the transaction the events are written in."""
    if events:
        for hook in _event_hooks:
            hook(events)


# --- clocks ---------------------------------------------------------------------------------


def case_region(case: Case) -> str:
    """Where the case is, for targets that differ by region: its site's region, else its
    customer's."""
    if case.site_id is not None and case.site is not None and case.site.region:
        return str(case.site.region)
    return str(case.customer.region or "")


def case_targets(case: Case, fault: FaultLevel | None = None) -> dict[str, int | None]:
    """{clock target: minutes}: the policy's for the case's severity (a region's own where the
    policy has them for the case's region), replaced by the targets its fault class's emergency
    level sets (R10)."""
    regions = policy_regions(case.policy)
    region = case_region(case) if regions else ""
    targets = policy_targets(case.policy, case.severity, region if region in regions else "")
    if case.fault_class_id is not None:
        fault = fault if fault is not None else fault_level(case.fault_class_id)
        if fault is not None:
            targets.update(fault.targets)
    return targets


def _derive(case: Case, events: Sequence[EventRecord], now: dt.datetime,
            fault: FaultLevel | None = None) -> list[ClockValue]:
    policy = case.policy
    return derive_clocks(
        events=events,
        category=case.category,
        targets=case_targets(case, fault),
        calendar=business_calendar(policy.calendar),
        warning_percent=policy.warning_percent,
        now=now,
    )


def _summarise(case: Case, values: Sequence[ClockValue]) -> None:
    """Copy what the queue sorts and filters on from the clocks onto the case row."""
    running = [v.due_at for v in values if v.state == ClockState.RUNNING and v.due_at is not None]
    case.next_due_at = min(running) if running else None
    case.queue_at = case.next_due_at if case.next_due_at is not None and case.is_open else QUEUE_END
    case.is_breached = any(v.is_breached for v in values)


CLOCK_FIELDS = (
    "target_minutes", "state", "started_at", "due_at", "calendar_due_at", "agreed_due_at",
    "agreed_reason", "warn_at", "met_at", "paused_at", "is_breached", "elapsed_seconds",
)


def _clock_row(case: Case, value: ClockValue) -> CaseClock:
    return CaseClock(case=case, **{name: getattr(value, name) for name in ("target", *CLOCK_FIELDS)})


def clocks_sync(*, case: Case, now: dt.datetime | None = None) -> list[CaseClock]:
    """Re-derive the case's clocks from its whole history and store them.

    Caller holds the case lock and saves the case afterwards (its summary fields change).
    A warning or breach mark is cleared when the new time lies in the future, so a moved
    deadline is warned about and breached anew — once.
    """
    now = now or timezone.now()
    rows = CaseEvent.objects.filter(case=case).order_by("sequence").values_list("kind", "at", "data")
    values = _derive(case, event_records(rows), now)
    _summarise(case, values)
    existing = {clock.target: clock for clock in CaseClock.objects.filter(case=case)}
    to_create, to_update = [], []
    for value in values:
        clock = existing.pop(value.target, None)
        if clock is None:
            to_create.append(_clock_row(case, value))
            continue
        for name in CLOCK_FIELDS:
            setattr(clock, name, getattr(value, name))
        if clock.warn_at is not None and clock.warn_at > now:
            clock.warning_recorded_at = None
        if clock.due_at is not None and clock.due_at > now:
            clock.breach_recorded_at = None
        clock.updated_at = now
        to_update.append(clock)
    if to_create:
        CaseClock.objects.bulk_create(to_create)
    if to_update:
        CaseClock.objects.bulk_update(
            to_update, [*CLOCK_FIELDS, "warning_recorded_at", "breach_recorded_at", "updated_at"]
        )
    if existing:  # targets the policy no longer sets for this severity
        CaseClock.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return sorted([*to_create, *to_update], key=lambda c: c.target)


# --- events ---------------------------------------------------------------------------------


def _record(
    case: Case, *, kind: str, actor: User | None, at: dt.datetime, before: str = "", after: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    case.last_event_sequence += 1
    event = CaseEvent(
        case=case, sequence=case.last_event_sequence, kind=kind, actor=actor, at=at,
        status_before=before, status_after=after, data=data or {},
    )
    # A case being filed is not saved yet (no number, outside the transaction): filing calls
    # the hooks itself once its rows are written.
    if not case._state.adding:
        case_events_recorded([event])
    return event


# --- filing ---------------------------------------------------------------------------------


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replayed(actor: User, key: str, fingerprint: str) -> Case | None:
    row = IdempotencyKey.objects.select_related("case").filter(user=actor, key=key).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    return row.case


def _one_of(field: str, choices: Sequence[str]) -> str:
    return _("%(field)s必须是以下之一：%(choices)s") % {
        "field": FIELD_LABELS[field], "choices": ", ".join(choices),
    }


def _belongs(model: Any, object_id: Any, customer_id: Any, field: str) -> Any:
    if object_id is None:
        return None
    found = model.objects.filter(pk=object_id, customer_id=customer_id).first()
    if found is None:
        raise ValidationFailed(_(NOT_THE_CUSTOMERS[field]), field=field)
    return found


def _staff_user(user_id: Any, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True, role__in=STAFF_ROLES).first()
    if user is None:
        raise ValidationFailed(_("没有这个在职的服务人员"), field=field)
    return user


def resolve_policy(*, customer_id: Any, on: dt.date) -> PolicyInForce:
    """The contract in force on the date and its policy; with no contract, the default."""
    return policy_in_force(customer_id=customer_id, on=on)


@dataclass(frozen=True)
class FiledCase:
    """The outcome of filing: the case, whether this call created it, and (when it did) the
    events and clocks just written, so that the caller can answer without reading them back."""

    case: Case
    created: bool
    events: list[CaseEvent] = dataclass_field(default_factory=list)
    clocks: list[CaseClock] = dataclass_field(default_factory=list)


def case_open(*, actor: User, customer_id: Any, channel: str, category: str, title: str,
              **fields: Any) -> tuple[Case, bool]:
    """File a case. Returns (case, created); the other fields and the rules are case_file's."""
    filed = case_file(actor=actor, customer_id=customer_id, channel=channel, category=category, title=title,
                      **fields)
    return filed.case, filed.created


def case_file(
    *,
    actor: User,
    customer_id: Any,
    channel: str,
    category: str,
    title: str,
    description: str = "",
    impact: str = "",
    severity: str | None = None,
    contact_id: Any = None,
    site_id: Any = None,
    asset_id: Any = None,
    policy_code: str | None = None,
    assignee_id: Any = None,
    fault_class: str | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> FiledCase:
    """File a case. A repeated Idempotency-Key returns the first case with created False, also
    when the two requests race (the loser's transaction rolls back); the same key with a
    different request (fingerprint) is a Conflict."""
    arguments = dict(
        actor=actor, customer_id=customer_id, channel=channel, category=category, title=title,
        description=description, impact=impact, severity=severity, contact_id=contact_id,
        site_id=site_id, asset_id=asset_id, policy_code=policy_code, assignee_id=assignee_id,
        fault_class=fault_class, idempotency_key=idempotency_key, fingerprint=fingerprint, now=now,
    )
    try:
        return _case_open(**arguments)
    except IntegrityError:
        if idempotency_key:
            existing = _replayed(actor, idempotency_key, fingerprint)
            if existing is not None:
                return FiledCase(case=existing, created=False)
        raise


def _case_open(
    *, actor: User, customer_id: Any, channel: str, category: str, title: str, description: str,
    impact: str, severity: str | None, contact_id: Any, site_id: Any, asset_id: Any,
    policy_code: str | None, assignee_id: Any, fault_class: str | None, idempotency_key: str | None,
    fingerprint: str, now: dt.datetime | None,
) -> FiledCase:
    # No look-up of the Idempotency-Key first: the key's unique constraint decides, at the end
    # of the write, and case_open answers a repeat from the first case.
    customer = get_customer_for_user(actor, customer_id)
    if actor.is_customer_user:
        for field, value in (("severity", severity), ("policy", policy_code), ("assignee_id", assignee_id),
                             ("fault_class", fault_class)):
            if value:
                raise PermissionDenied(
                    _("%(field)s由服务团队决定") % {"field": FIELD_LABELS[field]}, field=field
                )
    title = title.strip()
    if not title:
        raise ValidationFailed(_("请填写标题"), field="title")
    if channel not in Channel.values:
        raise ValidationFailed(_one_of("channel", Channel.values), field="channel")
    if category not in Category.values:
        raise ValidationFailed(_one_of("category", Category.values), field="category")
    if impact and impact not in Impact.values:
        raise ValidationFailed(_one_of("impact", Impact.values), field="impact")
    if severity and severity not in Severity.values:
        raise ValidationFailed(_one_of("severity", Severity.values), field="severity")
    fault = fault_class_for_code(fault_class) if fault_class else None
    if fault is not None:
        if severity and severity != fault.severity:
            raise ValidationFailed(
                _("故障类别“%(name)s”（%(level)s 级响应）规定严重等级为 %(severity)s")
                % {"name": fault.fault_class_name, "level": fault.level, "severity": fault.severity},
                field="severity",
            )
        severity = fault.severity
    severity = severity or (SEVERITY_BY_IMPACT[Impact(impact)] if impact else Severity.P3)
    contact = _belongs(Contact, contact_id, customer.pk, "contact_id")
    asset = _belongs(Asset, asset_id, customer.pk, "asset_id")
    site = _belongs(Site, site_id, customer.pk, "site_id")
    if site is None and asset is not None:
        site = asset.site
    assignee = _staff_user(assignee_id, "assignee_id") if assignee_id else None

    now = now or timezone.now()
    if policy_code:
        if actor.role not in POLICY_ROLES:
            raise PermissionDenied(_("只有服务经理和调度可以选择 SLA 策略"), field="policy")
        found = SlaPolicy.objects.select_related("calendar").filter(code=policy_code).first()
        if found is None:
            raise ValidationFailed(
                _("没有代码为“%(code)s”的 SLA 策略") % {"code": policy_code},
                field="policy",
            )
        governing = PolicyInForce(contract_id=None, contract_number=None, policy=found)
    else:
        governing = _category_policy(category, resolve_policy(customer_id=customer.pk, on=timezone.localdate(now)))

    case, events, clock_rows = _case_draft(
        actor, customer, contact, site, asset, governing, channel, category, impact, severity, title,
        description, assignee, now, fault,
    )
    # Reads and clock arithmetic above, writes below: on SQLite the write lock (BEGIN IMMEDIATE)
    # is held only for the inserts.
    with transaction.atomic():
        serial = CaseNumber()
        insert_rows(CaseNumber, [serial])
        case.number = f"AS{timezone.localdate(now):%y%m%d}-{serial.pk:06d}"
        case.in_queue = case.is_open  # what Case.save would set
        insert_rows(Case, [case])
        insert_rows(CaseEvent, events)
        insert_rows(CaseClock, clock_rows)
        case_events_recorded(events)
        if idempotency_key:
            insert_rows(IdempotencyKey, [IdempotencyKey(user=actor, key=idempotency_key, request_hash=fingerprint,
                                                         case=case)])
        if assignee is not None:
            outbox_enqueue(notifications=assignment_notification(case=case, assignee=assignee, sequence=2))
        _text_changed(case, resolution="", is_new=True)
    return FiledCase(case=case, created=True, events=events, clocks=clock_rows)


def _case_draft(actor: Any, customer: Any, contact: Any, site: Any, asset: Any,
                governing: PolicyInForce, channel: str, category: str, impact: str, severity: str,
                title: str, description: str, assignee: Any,
                now: dt.datetime, fault: FaultLevel | None = None) -> tuple[Case, list[CaseEvent], list[CaseClock]]:
    """The new case with its first events and derived clocks, not yet saved nor numbered."""
    policy = governing.policy
    case = Case(
        channel=channel, category=category, impact=impact, severity=severity, title=title,
        description=description, customer=customer, contact=contact, site=site, asset=asset,
        contract_id=governing.contract_id, policy=policy, status=Status.NEW, reported_by=actor,
        opened_at=now, created_at=now, fault_class_id=fault.fault_class_id if fault else None,
    )
    opened: dict[str, Any] = {}
    if fault is not None:
        opened = {"fault_class": fault.fault_class_code, "emergency_level": fault.level}
    events = [
        _record(case, kind=EventKind.OPENED, actor=actor, at=now, after=Status.NEW, data={
            "channel": channel, "category": category, "severity": severity, "impact": impact,
            "policy": policy.code, "contract": governing.contract_number, **opened,
        })
    ]
    if assignee is not None:
        case.assignee = assignee
        case.status = next_status("assign", Status.NEW)
        events.append(_record(case, kind=EventKind.ASSIGNED, actor=actor, at=now, before=Status.NEW,
                              after=case.status, data={"assignee": assignee.username}))
    values = _derive(case, [EventRecord(e.kind, e.at, e.data) for e in events], now, fault)
    _summarise(case, values)
    return case, events, [_clock_row(case, v) for v in values]


# --- actions --------------------------------------------------------------------------------


def _lock_case(actor: User, case_id: Any) -> Case:
    """The case, locked for this transaction, if the actor may see it (404 otherwise)."""
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("policy__calendar")
            .get(pk=case_id, **({"customer_id": actor.customer_id} if actor.is_customer_user else {}))
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该工单"), code="case_not_found") from None


def _perform(
    *, actor: User, case_id: Any, action: str, kind: str, data: dict[str, Any] | None = None,
    apply: Callable[[Case, dt.datetime], None] | None = None,
    extra: Callable[[Case, CaseEvent], None] | None = None, now: dt.datetime | None = None,
) -> Case:
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if actor.is_customer_user and action not in CUSTOMER_ACTIONS:
            raise PermissionDenied(
                _("“%(action)s”由服务团队执行") % {"action": ACTION_LABELS.get(action, action)},
                code="staff_only",
            )
        before = case.status
        after = next_status(action, before)
        now = now or timezone.now()
        if apply is not None:
            apply(case, now)
        case.status = after
        event = _record(case, kind=kind, actor=actor, at=now, before=before, after=after, data=data)
        event.save()
        case.version += 1
        clocks_sync(case=case, now=now)
        case.save()
        if extra is not None:
            extra(case, event)
        if after != before:
            _status_changed(case, before, after, now)
        return case


def case_acknowledge(*, actor: User, case_id: Any, now: dt.datetime | None = None) -> Case:
    return _perform(actor=actor, case_id=case_id, action="acknowledge", kind=EventKind.ACKNOWLEDGED, now=now)


def case_respond(*, actor: User, case_id: Any, message: str = "", now: dt.datetime | None = None) -> Case:
    return _perform(actor=actor, case_id=case_id, action="respond", kind=EventKind.RESPONDED,
                    data={"message": message}, now=now)


def case_assign(*, actor: User, case_id: Any, assignee_id: Any, now: dt.datetime | None = None) -> Case:
    if not assignee_id:
        raise ValidationFailed(_("请选择处理人"), field="assignee_id")
    assignee = _staff_user(assignee_id, "assignee_id")

    def apply(case: Case, _now: dt.datetime) -> None:
        case.assignee = assignee

    def notify(case: Case, event: CaseEvent) -> None:
        if assignee.pk == actor.pk:  # taking a case oneself needs no mail about it
            return
        outbox_enqueue(notifications=assignment_notification(
            case=case, assignee=assignee, sequence=event.sequence))

    return _perform(actor=actor, case_id=case_id, action="assign", kind=EventKind.ASSIGNED,
                    data={"assignee": assignee.username, "assignee_id": str(assignee.pk)},
                    apply=apply, extra=notify, now=now)


def case_escalate(*, actor: User, case_id: Any, reason: str, now: dt.datetime | None = None) -> Case:
    if not reason.strip():
        raise ValidationFailed(_("升级须说明原因"), field="reason")
    data: dict[str, Any] = {"reason": reason}

    def apply(case: Case, _now: dt.datetime) -> None:
        if case.escalation_level >= EscalationLevel.EXPERT:
            raise Conflict(_("工单已在三线（技术专家）处理"), code="max_escalation")
        data["from_level"] = case.escalation_level
        case.escalation_level += 1
        data["to_level"] = case.escalation_level

    return _perform(actor=actor, case_id=case_id, action="escalate", kind=EventKind.ESCALATED,
                    data=data, apply=apply, now=now)


def case_wait_on_customer(*, actor: User, case_id: Any, reason: str = "", now: dt.datetime | None = None) -> Case:
    return _perform(actor=actor, case_id=case_id, action="wait_on_customer",
                    kind=EventKind.WAITING_ON_CUSTOMER, data={"reason": reason}, now=now)


def case_resume(*, actor: User, case_id: Any, now: dt.datetime | None = None) -> Case:
    return _perform(actor=actor, case_id=case_id, action="resume", kind=EventKind.RESUMED, now=now)


def case_check_in(*, actor: User, case_id: Any, note: str = "", now: dt.datetime | None = None) -> Case:
    return _perform(actor=actor, case_id=case_id, action="check_in", kind=EventKind.CHECKED_IN,
                    data={"note": note}, now=now)


def case_resolve(*, actor: User, case_id: Any, resolution: str, now: dt.datetime | None = None) -> Case:
    if not resolution.strip():
        raise ValidationFailed(_("请描述解决办法"), field="resolution")

    def apply(case: Case, now: dt.datetime) -> None:
        _require_breach_reasons(case)
        case.resolved_at = now

    return _perform(actor=actor, case_id=case_id, action="resolve", kind=EventKind.RESOLVED,
                    data={"resolution": resolution}, apply=apply, now=now,
                    extra=lambda case, _event: _text_changed(case, resolution=resolution))


def case_restore(*, actor: User, case_id: Any, note: str = "", now: dt.datetime | None = None) -> Case:
    def apply(case: Case, _now: dt.datetime) -> None:
        if CaseEvent.objects.filter(case=case, kind=EventKind.RESTORED).exists() and not \
                CaseEvent.objects.filter(case=case, kind=EventKind.REOPENED).exists():
            raise Conflict(_("已记录过恢复正常运行"), code="already_restored")

    return _perform(actor=actor, case_id=case_id, action="restore", kind=EventKind.RESTORED,
                    data={"note": note}, apply=apply, now=now)


def case_agree_deadline(
    *, actor: User, case_id: Any, target: str, due_at: dt.datetime, reason: str
, now: dt.datetime | None = None) -> Case:
    """A deadline agreed with the owner replaces the calendar's due time for one clock (R5)."""
    if target not in ClockTarget.values:
        raise ValidationFailed(_one_of("target", ClockTarget.values), field="target")
    if due_at.tzinfo is None:
        raise ValidationFailed(_("到期时间须带时区偏移"), field="due_at")
    if not reason.strip():
        raise ValidationFailed(_("请记录约定期限的原因"), field="reason")

    def apply(case: Case, now: dt.datetime) -> None:
        clock = CaseClock.objects.filter(case=case, target=target).first()
        if clock is None:
            raise Conflict(_("该工单没有“%(target)s”时钟") % {"target": ClockTarget(target).label},
                           code="no_such_clock", field="target")
        if clock.state in (ClockState.MET, ClockState.NOT_REQUIRED):
            raise Conflict(_("“%(target)s”时钟已经停止") % {"target": ClockTarget(target).label},
                           code="clock_stopped", field="target")
        if due_at <= case.opened_at:
            raise ValidationFailed(_("约定期限必须晚于工单受理时间"), field="due_at")

    return _perform(actor=actor, case_id=case_id, action="agree_deadline", kind=EventKind.DEADLINE_AGREED,
                    data={"target": target, "due_at": due_at.isoformat(), "reason": reason}, apply=apply, now=now)


def case_confirm_closure(*, actor: User, case_id: Any, note: str = "", contact_id: Any = None, now: dt.datetime | None = None) -> Case:
    """Close with the customer's consent: the customer's own confirmation, or an agent
    recording a consent given by phone (with a note saying who agreed and when)."""
    if actor.is_customer_user:
        method = ConsentMethod.PORTAL
    else:
        method = ConsentMethod.PHONE
        if not note.strip():
            raise ValidationFailed(
                _("服务人员只能记录客户在电话中的同意来关闭工单：请注明同意人和时间"), field="note",
            )

    def apply(case: Case, now: dt.datetime) -> None:
        _require_breach_reasons(case)
        contact = _belongs(Contact, contact_id, case.customer_id, "contact_id") if contact_id else None
        ClosureConsent.objects.create(case=case, method=method, recorded_by=actor, contact=contact, note=note)
        case.closed_at = now

    return _perform(actor=actor, case_id=case_id, action="confirm_closure",
                    kind=EventKind.CLOSURE_CONSENTED, data={"method": method, "note": note}, apply=apply, now=now)


def case_reopen(*, actor: User, case_id: Any, reason: str, now: dt.datetime | None = None) -> Case:
    if not reason.strip():
        raise ValidationFailed(_("请说明重新打开的原因"), field="reason")

    def apply(case: Case, _now: dt.datetime) -> None:
        case.resolved_at = None
        case.closed_at = None

    return _perform(actor=actor, case_id=case_id, action="reopen", kind=EventKind.REOPENED,
                    data={"reason": reason}, apply=apply, now=now)


def _unexplained_breaches(case: Case) -> list[str]:
    """Targets of the case's breached clocks that have no written reason yet."""
    breached = set(CaseClock.objects.filter(case=case, is_breached=True).values_list("target", flat=True))
    if not breached:
        return []
    explained = {
        data.get("target") for data in
        CaseEvent.objects.filter(case=case, kind=EventKind.BREACH_EXPLAINED).values_list("data", flat=True)
    }
    return sorted(breached - explained)


def _require_breach_reasons(case: Case) -> None:
    """A case whose emergency level asks for it cannot be resolved or closed while a missed
    target has no written reason (R10)."""
    if case.fault_class_id is None:
        return
    fault = fault_level(case.fault_class_id)
    if fault is None or not fault.breach_reason_required:
        return
    missing = _unexplained_breaches(case)
    if missing:
        raise Conflict(
            _("%(level)s 级应急工单须先书面说明超时原因：%(targets)s")
            % {"level": fault.level, "targets": _("、").join(str(ClockTarget(t).label) for t in missing)},
            code="breach_reason_required",
        )


def case_explain_breach(*, actor: User, case_id: Any, target: str, reason: str,
                        now: dt.datetime | None = None) -> Case:
    """The written reason why a target was missed (超时原因说明), for one breached clock."""
    if target not in ClockTarget.values:
        raise ValidationFailed(_one_of("target", ClockTarget.values), field="target")
    if not reason.strip():
        raise ValidationFailed(_("请书面说明超时原因"), field="reason")

    def apply(case: Case, _now: dt.datetime) -> None:
        if not CaseClock.objects.filter(case=case, target=target, is_breached=True).exists():
            raise Conflict(_("“%(target)s”时钟没有超时") % {"target": ClockTarget(target).label},
                           code="clock_not_breached", field="target")

    return _perform(actor=actor, case_id=case_id, action="explain_breach", kind=EventKind.BREACH_EXPLAINED,
                    data={"target": target, "reason": reason.strip()}, apply=apply, now=now)


def case_note(*, actor: User, case_id: Any, text: str, now: dt.datetime | None = None) -> Case:
    """An internal note (内部备注): staff only, never shown to the customer, changes nothing."""
    if not text.strip():
        raise ValidationFailed(_("备注内容为空"), field="note")
    return _perform(actor=actor, case_id=case_id, action="note", kind=EventKind.NOTE,
                    data={"note": text.strip()}, now=now)


def case_system_note(*, case_id: Any, text: str, now: dt.datetime | None = None) -> None:
    """A note the system writes itself (a background scan's finding) on the timeline: internal,
    no actor, changes nothing. Callers are services, never a request: no permission applies."""
    if not text.strip():
        raise ValidationFailed(_("备注内容为空"), field="note")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        moment = now or timezone.now()
        _record(case, kind=EventKind.NOTE, actor=None, at=moment, before=case.status, after=case.status,
                data={"note": text.strip(), "by": "system"}).save()
        case.updated_at = moment
        case.save(update_fields=["last_event_sequence", "updated_at"])


def case_customer_reply(*, actor: User, case_id: Any, message: str, now: dt.datetime | None = None) -> Case:
    """A reply from the customer's side (their user, or staff typing what they said). A case
    that was waiting on the customer resumes: its paused clocks run again."""
    if not message.strip():
        raise ValidationFailed(_("回复内容为空"), field="message")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        before = case.status
        after = next_status("customer_reply", before)
        now = now or timezone.now()
        _record(case, kind=EventKind.CUSTOMER_REPLIED, actor=actor, at=now, before=before, after=before,
                data={"message": message.strip()}).save()
        if after != before:
            _record(case, kind=EventKind.RESUMED, actor=actor, at=now, before=before, after=after,
                    data={"by": "customer_reply"}).save()
            case.status = after
        case.version += 1
        clocks_sync(case=case, now=now)
        case.save()
        if after != before:
            _status_changed(case, before, after, now)
        return case


# --- editing --------------------------------------------------------------------------------

EDITABLE_BY_CUSTOMER = frozenset({"title", "description"})
# What the copies of a case's text hold (see register_case_text_hook).
TEXT_FIELDS = frozenset({"title", "description"})
EDITABLE = frozenset({"title", "description", "impact", "severity", "category", "contact_id",
                      "site_id", "asset_id", "policy"})


@transaction.atomic
def case_update(*, actor: User, case_id: Any, expected_version: int | None, changes: dict[str, Any]) -> Case:
    """Edit fields with optimistic concurrency: a stale version answers 412, changing nothing."""
    case = _lock_case(actor, case_id)
    if expected_version is not None and expected_version != case.version:
        raise PreconditionFailed(
            _("工单在版本 %(expected)s 之后已被修改（当前为 %(current)s），请重新加载")
            % {"expected": expected_version, "current": case.version},
            field="If-Match",
        )
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(
            _("不可修改：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if actor.is_customer_user:
        denied = set(changes) - EDITABLE_BY_CUSTOMER
        if denied:
            first = sorted(denied)[0]
            raise PermissionDenied(
                _("%(field)s由服务团队决定") % {"field": FIELD_LABELS[first]},
                field=first,
            )
    if not case.is_open:
        raise Conflict(_("“%(status)s”的工单不能修改，请先重新打开") % {"status": Status(case.status).label},
                       code="case_not_open")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    resolvers: dict[str, Callable[[Any], Any]] = {
        "contact_id": lambda v: _belongs(Contact, v, case.customer_id, "contact_id"),
        "site_id": lambda v: _belongs(Site, v, case.customer_id, "site_id"),
        "asset_id": lambda v: _belongs(Asset, v, case.customer_id, "asset_id"),
    }
    for field, value in changes.items():
        if field == "title" and not str(value).strip():
            raise ValidationFailed(_("请填写标题"), field="title")
        if field == "severity" and value not in Severity.values:
            raise ValidationFailed(_one_of("severity", Severity.values), field="severity")
        if field == "severity" and case.fault_class_id is not None and value != case.severity:
            raise Conflict(_("严重等级由故障类别的应急响应级别决定"), code="severity_from_fault_class",
                           field="severity")
        if field == "impact" and value and value not in Impact.values:
            raise ValidationFailed(_one_of("impact", Impact.values), field="impact")
        if field == "category" and value not in Category.values:
            raise ValidationFailed(_one_of("category", Category.values), field="category")
        if field == "policy":
            if actor.role not in POLICY_ROLES:
                raise PermissionDenied(_("只有服务经理和调度可以更改 SLA 策略"), field="policy")
            policy = SlaPolicy.objects.select_related("calendar").filter(code=value).first()
            if policy is None:
                raise ValidationFailed(
                    _("没有代码为“%(code)s”的 SLA 策略") % {"code": value},
                    field="policy",
                )
            old = case.policy.code
            if old != policy.code:
                before[field], after[field] = old, policy.code
                case.policy = policy
            continue
        if field in resolvers:
            resolved = resolvers[field](value) if value else None
            old = getattr(case, field)
            new = resolved.pk if resolved is not None else None
            if old != new:
                before[field], after[field] = str(old) if old else None, str(new) if new else None
                setattr(case, field, new)
            continue
        old = getattr(case, field)
        if old != value:
            before[field], after[field] = old, value
            setattr(case, field, value)
    if not after:
        return case
    now = timezone.now()
    _record(case, kind=EventKind.UPDATED, actor=actor, at=now, before=case.status, after=case.status,
            data={"before": before, "after": after}).save()
    case.version += 1
    clocks_sync(case=case, now=now)
    case.save()
    if after.keys() & TEXT_FIELDS:
        _text_changed(case)
    return case


# --- one entry for every action (API and pages) ---------------------------------------------


def _required(value: Any, field: str) -> Any:
    if value in (None, ""):
        raise ValidationFailed(_("此操作需要填写%(field)s") % {"field": FIELD_LABELS[field]}, field=field)
    return value


def case_act(
    *, actor: User, case_id: Any, action: str, message: str = "", assignee_id: Any = None,
    reason: str = "", note: str = "", resolution: str = "", target: str | None = None,
    due_at: dt.datetime | None = None, contact_id: Any = None,
) -> Case:
    """Perform the named action with the inputs it takes; unknown actions are a ValidationFailed."""
    match action:
        case "acknowledge":
            return case_acknowledge(actor=actor, case_id=case_id)
        case "respond":
            return case_respond(actor=actor, case_id=case_id, message=message)
        case "assign":
            return case_assign(actor=actor, case_id=case_id, assignee_id=_required(assignee_id, "assignee_id"))
        case "escalate":
            return case_escalate(actor=actor, case_id=case_id, reason=reason)
        case "wait_on_customer":
            return case_wait_on_customer(actor=actor, case_id=case_id, reason=reason)
        case "resume":
            return case_resume(actor=actor, case_id=case_id)
        case "check_in":
            return case_check_in(actor=actor, case_id=case_id, note=note)
        case "resolve":
            return case_resolve(actor=actor, case_id=case_id, resolution=resolution)
        case "restore":
            return case_restore(actor=actor, case_id=case_id, note=note)
        case "agree_deadline":
            return case_agree_deadline(actor=actor, case_id=case_id, target=_required(target, "target"),
                                       due_at=_required(due_at, "due_at"), reason=reason)
        case "confirm_closure":
            return case_confirm_closure(actor=actor, case_id=case_id, note=note, contact_id=contact_id)
        case "reopen":
            return case_reopen(actor=actor, case_id=case_id, reason=reason)
        case "note":
            return case_note(actor=actor, case_id=case_id, text=note)
        case "customer_reply":
            return case_customer_reply(actor=actor, case_id=case_id, message=message)
        case "explain_breach":
            return case_explain_breach(actor=actor, case_id=case_id, target=_required(target, "target"),
                                       reason=reason)
    raise ValidationFailed(_("未知操作“%(action)s”") % {"action": action}, field="action")
