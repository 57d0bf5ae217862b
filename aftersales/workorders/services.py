"""Creating and acting on work orders (派工单). Every action locks the work-order row, checks
the transition table, appends a WorkOrderEvent and bumps the version, in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.cases.models import Case, CaseEvent, EventKind, Status
from aftersales.cases.selectors import get_case_for_user
from aftersales.cases.services import case_acknowledge, case_check_in
from aftersales.cases.transitions import TRANSITIONS as CASE_TRANSITIONS
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.scoping import scope_to_user
from aftersales.notifications.services import outbox_enqueue
from aftersales.workorders.images import SIGNATURE_MAX_BYTES, photo_check, signature_check
from aftersales.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderEventKind,
    WorkOrderIdempotencyKey,
    WorkOrderKind,
    WorkOrderNumber,
    WorkOrderPhoto,
    WorkOrderResult,
    WorkOrderSignature,
    WorkOrderStatus,
)
from aftersales.workorders.notify import assignment_notification
from aftersales.workorders.transitions import ACTION_LABELS, next_status

# Inputs as users read them, for messages; an error's `field` stays the API name.
FIELD_LABELS = {
    "kind": gettext_lazy("类型"),
    "technician_id": gettext_lazy("工程师"),
    "scheduled_for": gettext_lazy("计划时间"),
    "summary": gettext_lazy("任务说明"),
    "diagnosis": gettext_lazy("诊断"),
    "work_performed": gettext_lazy("处理措施"),
    "result": gettext_lazy("结果"),
    "time_spent_minutes": gettext_lazy("工时"),
    "reason": gettext_lazy("原因"),
    "signer_name": gettext_lazy("签字人"),
    "signature": gettext_lazy("签名"),
}
MAX_TIME_SPENT_MINUTES = 14 * 24 * 60
# Read one byte past the limit so that an oversized upload is refused, not silently cut.
SIGNATURE_READ_LIMIT = SIGNATURE_MAX_BYTES + 1

# How the work order's check-in reached the case's on-site clock (kept in the event's data).
CASE_CHECKED_IN = "checked_in"
CASE_ACKNOWLEDGED_AND_CHECKED_IN = "acknowledged_and_checked_in"
CASE_ALREADY_CHECKED_IN = "already_checked_in"
CASE_NOT_CHECKED_IN = "not_checked_in"


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _one_of(field: str, choices: list[str]) -> str:
    return _("%(field)s必须是以下之一：%(choices)s") % {"field": FIELD_LABELS[field], "choices": ", ".join(choices)}


def _require_staff(actor: User, action: str) -> None:
    if not actor.is_staff_member:
        raise PermissionDenied(
            _("“%(action)s”由服务团队执行") % {"action": ACTION_LABELS.get(action, action)}, code="staff_only"
        )


def _technician(technician_id: Any) -> User:
    try:
        found = User.objects.filter(pk=technician_id, is_active=True, role__in=STAFF_ROLES).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise ValidationFailed(_("没有这个在职的服务人员"), code="unknown_technician", field="technician_id")
    return found


# Apps above work orders that tell others about their events (webhooks) register here; they
# are called in the same transaction with each event just saved (its work order holds the state
# after it). A hook that has nothing to do must cost no query.
WorkOrderEventHook = Callable[[list[WorkOrderEvent]], object]
_event_hooks: list[WorkOrderEventHook] = []


def register_work_order_event_hook(hook: WorkOrderEventHook) -> None:
    if hook not in _event_hooks:
        _event_hooks.append(hook)


def _record(work_order: WorkOrder, *, kind: str, actor: User | None, at: dt.datetime, before: str,
            after: str, data: dict[str, Any] | None = None) -> WorkOrderEvent:
    """The next event of the work order, saved. Caller holds the row lock and saves the row."""
    work_order.last_event_sequence += 1
    event = WorkOrderEvent(work_order=work_order, sequence=work_order.last_event_sequence, kind=kind,
                           actor=actor, at=at, status_before=before, status_after=after, data=data or {})
    event.save(force_insert=True)
    for hook in _event_hooks:
        hook([event])
    return event


# --- creating --------------------------------------------------------------------------------


def _replayed(actor: User, key: str, fingerprint: str) -> WorkOrder | None:
    row = WorkOrderIdempotencyKey.objects.select_related("work_order").filter(user=actor, key=key).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Conflict(_("此 Idempotency-Key 已用于另一个请求"), code="idempotency_key_reused",
                       field="Idempotency-Key")
    return row.work_order


def work_order_create(
    *, actor: User, case_id: Any, kind: str, technician_id: Any = None,
    scheduled_for: dt.datetime | None = None, summary: str = "", idempotency_key: str | None = None,
    fingerprint: str = "", now: dt.datetime | None = None,
) -> tuple[WorkOrder, bool]:
    """Dispatch a work order for an open case (a case may have several). Returns
    (work_order, created). A repeated Idempotency-Key returns the first work order with created
    False, also when two requests race; the same key with another request is a Conflict."""
    if idempotency_key:
        existing = _replayed(actor, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
    try:
        return _work_order_create(
            actor=actor, case_id=case_id, kind=kind, technician_id=technician_id,
            scheduled_for=scheduled_for, summary=summary, idempotency_key=idempotency_key,
            fingerprint=fingerprint, now=now,
        ), True
    except IntegrityError:
        if idempotency_key:
            existing = _replayed(actor, idempotency_key, fingerprint)
            if existing is not None:
                return existing, False
        raise


def _work_order_create(
    *, actor: User, case_id: Any, kind: str, technician_id: Any, scheduled_for: dt.datetime | None,
    summary: str, idempotency_key: str | None, fingerprint: str, now: dt.datetime | None,
) -> WorkOrder:
    get_case_for_user(actor, case_id)  # 404 before 403: ids of other customers leak nothing
    if not actor.is_staff_member:
        raise PermissionDenied(_("派工由服务团队执行"), code="staff_only")
    if kind not in WorkOrderKind.values:
        raise ValidationFailed(_one_of("kind", WorkOrderKind.values), field="kind")
    if scheduled_for is not None and scheduled_for.tzinfo is None:
        raise ValidationFailed(_("计划时间须带时区偏移"), field="scheduled_for")
    technician = _technician(technician_id) if technician_id else None
    now = now or timezone.now()
    with transaction.atomic():
        # The case's lock keeps it from closing while a visit is being added to it.
        case = Case.objects.select_for_update(of=("self",)).select_related("customer", "site").get(pk=case_id)
        if not case.is_open:
            raise Conflict(
                _("服务工单当前为“%(status)s”，不能再派工") % {"status": Status(case.status).label},
                code="case_not_open", field="case_id",
            )
        work_order = WorkOrder(
            case=case, kind=kind, status=WorkOrderStatus.SCHEDULED, technician=technician,
            created_by=actor, summary=summary.strip(), scheduled_for=scheduled_for, created_at=now,
        )
        work_order.number = f"WO{timezone.localdate(now):%y%m%d}-{WorkOrderNumber.objects.create().pk:06d}"
        work_order.save(force_insert=True)
        _record(work_order, kind=WorkOrderEventKind.CREATED, actor=actor, at=now, before="",
                after=WorkOrderStatus.SCHEDULED, data={
                    "case": case.number, "kind": kind, "summary": work_order.summary,
                    "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
                })
        if technician is not None:
            event = _record(work_order, kind=WorkOrderEventKind.ASSIGNED, actor=actor, at=now,
                            before=WorkOrderStatus.SCHEDULED, after=WorkOrderStatus.SCHEDULED,
                            data={"technician": technician.username, "technician_id": technician.pk})
            outbox_enqueue(notifications=assignment_notification(
                work_order=work_order, technician=technician, sequence=event.sequence))
        work_order.save(update_fields=["last_event_sequence", "updated_at"])
        if idempotency_key:
            WorkOrderIdempotencyKey.objects.create(user=actor, key=idempotency_key, request_hash=fingerprint,
                                                   work_order=work_order)
    return work_order


# --- actions ---------------------------------------------------------------------------------


def _lock(actor: User, work_order_id: Any) -> WorkOrder:
    """The work order, locked for this transaction, if the actor may see it (404 otherwise)."""
    queryset = scope_to_user(
        WorkOrder.objects.select_for_update(of=("self",)).select_related("case"), actor,
        customer_field="case__customer_id",
    )
    try:
        return queryset.get(pk=work_order_id)
    except (WorkOrder.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该派工单"), code="work_order_not_found") from None


def _perform(
    *, actor: User, work_order_id: Any, action: str, kind: str, data: dict[str, Any] | None = None,
    apply: Callable[[WorkOrder, dt.datetime], None] | None = None,
    extra: Callable[[WorkOrder, WorkOrderEvent], None] | None = None,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> WorkOrder:
    with transaction.atomic():
        work_order = _lock(actor, work_order_id)
        _require_staff(actor, action)
        if expected_version is not None and expected_version != work_order.version:
            raise Conflict(
                _("派工单在版本 %(expected)s 之后已被修改（当前为 %(current)s），请重新加载")
                % {"expected": expected_version, "current": work_order.version},
                code="stale_version", field="expected_version",
            )
        before = work_order.status
        after = next_status(action, before)
        now = now or timezone.now()
        if apply is not None:
            apply(work_order, now)
        work_order.status = after
        event = _record(work_order, kind=kind, actor=actor, at=now, before=before, after=after, data=data)
        work_order.version += 1
        work_order.save()
        if extra is not None:
            extra(work_order, event)
        return work_order


def work_order_assign(*, actor: User, work_order_id: Any, technician_id: Any,
                      expected_version: int | None = None, now: dt.datetime | None = None) -> WorkOrder:
    """Give the visit to a technician and notify them through the outbox."""
    if not technician_id:
        raise ValidationFailed(_("请选择工程师"), field="technician_id")
    technician = _technician(technician_id)

    def apply(work_order: WorkOrder, _now: dt.datetime) -> None:
        work_order.technician = technician

    def notify(work_order: WorkOrder, event: WorkOrderEvent) -> None:
        outbox_enqueue(notifications=assignment_notification(
            work_order=work_order, technician=technician, sequence=event.sequence))

    return _perform(actor=actor, work_order_id=work_order_id, action="assign", kind=WorkOrderEventKind.ASSIGNED,
                    data={"technician": technician.username, "technician_id": technician.pk},
                    apply=apply, extra=notify, expected_version=expected_version, now=now)


def _needs_technician(work_order: WorkOrder) -> None:
    if work_order.technician_id is None:
        raise Conflict(_("派工单还没有指派工程师"), code="no_technician", field="technician_id")


def work_order_start_travel(*, actor: User, work_order_id: Any, expected_version: int | None = None,
                            now: dt.datetime | None = None) -> WorkOrder:
    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        _needs_technician(work_order)
        work_order.travel_started_at = now

    return _perform(actor=actor, work_order_id=work_order_id, action="start_travel",
                    kind=WorkOrderEventKind.TRAVEL_STARTED, apply=apply,
                    expected_version=expected_version, now=now)


def _check_in_case(actor: User, work_order: WorkOrder, now: dt.datetime) -> str:
    """Stop the case's on-site clock with this arrival, when it is the case's first one.

    Caller holds the work-order lock; the case lock is taken after it (work order, then case).
    Only the first check-in of a case stops its clock, so a later visit leaves the case alone.
    A case still new is acknowledged first: dispatching someone to it has accepted it. A case
    waiting on the customer, resolved or closed does not take a check-in (the case state machine
    would answer 409); the visit is still recorded on the work order.
    """
    case = Case.objects.select_for_update(of=("self",)).get(pk=work_order.case_id)
    if CaseEvent.objects.filter(case=case, kind=EventKind.CHECKED_IN).exists():
        return CASE_ALREADY_CHECKED_IN
    note = _("派工单 %(number)s 到场") % {"number": work_order.number}
    if case.status == Status.NEW:
        case_acknowledge(actor=actor, case_id=case.pk, now=now)
        case_check_in(actor=actor, case_id=case.pk, note=note, now=now)
        return CASE_ACKNOWLEDGED_AND_CHECKED_IN
    if case.status in CASE_TRANSITIONS["check_in"]:
        case_check_in(actor=actor, case_id=case.pk, note=note, now=now)
        return CASE_CHECKED_IN
    return CASE_NOT_CHECKED_IN


def work_order_check_in(*, actor: User, work_order_id: Any, note: str = "",
                        expected_version: int | None = None, now: dt.datetime | None = None) -> WorkOrder:
    """Arrival on site: records the time and, for the case's first arrival, stops its on-site clock."""
    data: dict[str, Any] = {"note": note.strip()}

    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        _needs_technician(work_order)
        work_order.checked_in_at = now
        data["case_status"] = work_order.case.status
        data["case_check_in"] = _check_in_case(actor, work_order, now)

    return _perform(actor=actor, work_order_id=work_order_id, action="check_in",
                    kind=WorkOrderEventKind.CHECKED_IN, data=data, apply=apply,
                    expected_version=expected_version, now=now)


def work_order_record(
    *, actor: User, work_order_id: Any, diagnosis: str | None = None, work_performed: str | None = None,
    result: str | None = None, time_spent_minutes: int | None = None,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> WorkOrder:
    """Write the findings; fields left None keep their value. Allowed on site and when done."""
    if result is not None and result != "" and result not in WorkOrderResult.values:
        raise ValidationFailed(_one_of("result", WorkOrderResult.values), field="result")
    if time_spent_minutes is not None and not 0 <= time_spent_minutes <= MAX_TIME_SPENT_MINUTES:
        raise ValidationFailed(
            _("工时须在 0 到 %(max)d 分钟之间") % {"max": MAX_TIME_SPENT_MINUTES}, field="time_spent_minutes"
        )
    given: dict[str, Any] = {
        "diagnosis": diagnosis.strip() if diagnosis is not None else None,
        "work_performed": work_performed.strip() if work_performed is not None else None,
        "result": result, "time_spent_minutes": time_spent_minutes,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise ValidationFailed(_("请至少填写诊断、处理措施、结果或工时之一"), code="nothing_to_record",
                               field="diagnosis")
    data: dict[str, Any] = {"changes": changes}

    def apply(work_order: WorkOrder, _now: dt.datetime) -> None:
        data["before"] = {name: getattr(work_order, name) for name in changes}
        for name, value in changes.items():
            setattr(work_order, name, value)

    return _perform(actor=actor, work_order_id=work_order_id, action="record", kind=WorkOrderEventKind.RECORDED,
                    data=data, apply=apply, expected_version=expected_version, now=now)


def work_order_complete(*, actor: User, work_order_id: Any, expected_version: int | None = None,
                        now: dt.datetime | None = None) -> WorkOrder:
    """Work done: the report the customer will sign needs a diagnosis and a result."""
    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        for field in ("diagnosis", "result"):
            if not getattr(work_order, field):
                raise ValidationFailed(
                    _("完工前请先记录%(field)s") % {"field": FIELD_LABELS[field]}, code="missing_findings",
                    field=field,
                )
        work_order.work_done_at = now

    return _perform(actor=actor, work_order_id=work_order_id, action="complete",
                    kind=WorkOrderEventKind.COMPLETED, apply=apply, expected_version=expected_version, now=now)


def _deleting_files_on_failure(files: list[FieldFile], perform: Callable[[], WorkOrder]) -> WorkOrder:
    """Files are written before their rows; a failed transaction removes them again."""
    try:
        return perform()
    except BaseException:
        for stored in files:
            stored.delete(save=False)
        raise


def work_order_sign(
    *, actor: User, work_order_id: Any, signature_png: bytes, signer_name: str,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> WorkOrder:
    """The customer's signature, drawn on the technician's phone, accepts the work done."""
    signer_name = signer_name.strip()
    if not signer_name:
        raise ValidationFailed(_("请填写签字人姓名"), field="signer_name")
    if len(signer_name) > 100:
        raise ValidationFailed(_("签字人姓名过长"), field="signer_name")
    checked = signature_check(signature_png)
    written: list[FieldFile] = []
    data: dict[str, Any] = {"signer_name": signer_name}

    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        signature = WorkOrderSignature(
            work_order=work_order, signer_name=signer_name, signed_at=now, captured_by=actor,
            width=checked.width, height=checked.height, size=checked.size, sha256=checked.sha256,
            created_at=now,
        )
        signature.file.save(f"{signature.pk.hex}.png", ContentFile(signature_png), save=False)
        written.append(signature.file)
        signature.save(force_insert=True)
        work_order.signed_at = now
        data["signature"] = str(signature.pk)

    return _deleting_files_on_failure(written, lambda: _perform(
        actor=actor, work_order_id=work_order_id, action="sign", kind=WorkOrderEventKind.SIGNED, data=data,
        apply=apply, expected_version=expected_version, now=now,
    ))


def work_order_close(*, actor: User, work_order_id: Any, expected_version: int | None = None,
                     now: dt.datetime | None = None) -> WorkOrder:
    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        work_order.closed_at = now

    return _perform(actor=actor, work_order_id=work_order_id, action="close", kind=WorkOrderEventKind.CLOSED,
                    apply=apply, expected_version=expected_version, now=now)


# What other apps undo when a work order is cancelled, in the same transaction (the parts app
# releases what was reserved for it: it sits above this app and registers itself).
CancelHook = Callable[[WorkOrder, User, dt.datetime], None]
_cancel_hooks: list[CancelHook] = []


def register_cancel_hook(hook: CancelHook) -> None:
    if hook not in _cancel_hooks:
        _cancel_hooks.append(hook)


def work_order_cancel(*, actor: User, work_order_id: Any, reason: str, expected_version: int | None = None,
                      now: dt.datetime | None = None) -> WorkOrder:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("取消派工须说明原因"), field="reason")

    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        work_order.cancelled_at = now
        work_order.cancel_reason = reason
        for hook in _cancel_hooks:
            hook(work_order, actor, now)

    return _perform(actor=actor, work_order_id=work_order_id, action="cancel", kind=WorkOrderEventKind.CANCELLED,
                    data={"reason": reason}, apply=apply, expected_version=expected_version, now=now)


def work_order_add_photo(
    *, actor: User, work_order_id: Any, upload: IO[bytes], caption: str = "",
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> WorkOrderPhoto:
    """Store a site photo (checked by content) and record it in the timeline."""
    caption = caption.strip()[:200]
    checked = photo_check(upload)
    written: list[FieldFile] = []
    photos: list[WorkOrderPhoto] = []
    data: dict[str, Any] = {"caption": caption, "content_type": checked.content_type, "size": checked.size}

    def apply(work_order: WorkOrder, now: dt.datetime) -> None:
        photo = WorkOrderPhoto(work_order=work_order, content_type=checked.content_type, size=checked.size,
                               sha256=checked.sha256, caption=caption, uploaded_by=actor, created_at=now)
        photo.file.save(photo.pk.hex, File(upload), save=False)
        written.append(photo.file)
        photo.save(force_insert=True)
        photos.append(photo)
        data["photo"] = str(photo.pk)

    _deleting_files_on_failure(written, lambda: _perform(
        actor=actor, work_order_id=work_order_id, action="add_photo", kind=WorkOrderEventKind.PHOTO_ADDED,
        data=data, apply=apply, expected_version=expected_version, now=now,
    ))
    return photos[0]


# --- one entry for every action (API and pages) ----------------------------------------------


def work_order_act(
    *, actor: User, work_order_id: Any, action: str, technician_id: Any = None, note: str = "",
    diagnosis: str | None = None, work_performed: str | None = None, result: str | None = None,
    time_spent_minutes: int | None = None, reason: str = "", signer_name: str = "",
    signature_png: bytes | None = None, expected_version: int | None = None,
) -> WorkOrder:
    """Perform the named action with the inputs it takes; unknown actions are a ValidationFailed."""
    common: dict[str, Any] = {"actor": actor, "work_order_id": work_order_id, "expected_version": expected_version}
    match action:
        case "assign":
            return work_order_assign(**common, technician_id=technician_id)
        case "start_travel":
            return work_order_start_travel(**common)
        case "check_in":
            return work_order_check_in(**common, note=note)
        case "record":
            return work_order_record(**common, diagnosis=diagnosis, work_performed=work_performed,
                                     result=result, time_spent_minutes=time_spent_minutes)
        case "complete":
            return work_order_complete(**common)
        case "sign":
            if not signature_png:
                raise ValidationFailed(_("请上传客户签名"), code="signature_empty", field="signature")
            return work_order_sign(**common, signature_png=signature_png, signer_name=signer_name)
        case "close":
            return work_order_close(**common)
        case "cancel":
            return work_order_cancel(**common, reason=reason)
    raise ValidationFailed(_("未知操作“%(action)s”") % {"action": action}, field="action")
