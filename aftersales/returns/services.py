"""Return, exchange and repair requests (R11): filed by staff or the customer's own user,
checked against the policy, decided (the policy's answer unless a manager overrides it with a
written reason), received into a depot through the parts services, completed with the
solution. Each step of a request linked to a case is an internal note on the case's timeline.

Lock order: the request, then stock rows (inside the parts services), then the case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Role, User
from aftersales.assets.models import Asset
from aftersales.assets.selectors import get_asset_for_user
from aftersales.assets.services import asset_warranty
from aftersales.cases.selectors import get_case_for_user
from aftersales.cases.services import case_note
from aftersales.contracts.models import Contract
from aftersales.contracts.services import contract_in_force
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.scoping import get_scoped_or_404
from aftersales.parts.models import Depot, Part
from aftersales.parts.services import stock_receive, stock_return_faulty
from aftersales.returns import policy
from aftersales.returns.models import (
    Decision,
    ReturnKind,
    ReturnPolicy,
    ReturnRequest,
    ReturnStatus,
    ShippingPayer,
)

DECIDING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
# Only these may decide against the policy, and only with a written reason.
OVERRIDING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
HANDLING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT, Role.ENGINEER})

TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {ReturnStatus.REQUESTED: ReturnStatus.APPROVED},
    "reject": {ReturnStatus.REQUESTED: ReturnStatus.REJECTED},
    "receive": {ReturnStatus.APPROVED: ReturnStatus.RECEIVED},
    "complete": {ReturnStatus.RECEIVED: ReturnStatus.COMPLETED},
}
ACTION_LABELS = {
    "approve": gettext_lazy("批准"), "reject": gettext_lazy("拒绝"),
    "receive": gettext_lazy("收货"), "complete": gettext_lazy("完成"),
}
REASON_TEXT = {
    policy.Why.WITHIN_WINDOW: gettext_lazy("在购买后 %(window)s 天内"),
    policy.Why.NO_PURCHASE_DATE: gettext_lazy("没有购买日期，无法按退换货期限处理"),
    policy.Why.WINDOW_PASSED: gettext_lazy("已超过购买后 %(window)s 天的退换货期限"),
    policy.Why.NOT_QUALITY_FAULT: gettext_lazy("非质量故障"),
    policy.Why.OUT_OF_WARRANTY: gettext_lazy("设备不在保修期内"),
    policy.Why.IN_WARRANTY_QUALITY_FAULT: gettext_lazy("保修期内质量故障，免费维修或更换，退回运费由卖方承担"),
    policy.Why.QUALITY_FAULTS_NOT_FREE: gettext_lazy("合同约定质量故障不免费"),
}


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def policy_explanation(check: policy.PolicyCheck) -> str:
    """The policy's reasons as one sentence, for the decision and the user."""
    return _("；").join(str(REASON_TEXT[why]) % {"window": check.window_days} for why in check.reasons)


# --- the policy -----------------------------------------------------------------------------


def return_rules(asset: Asset, *, on: dt.date) -> policy.Rules:
    """The rules for the asset on the date: its customer's contract in force, else the default
    row, else the built-in rules; the window from the policy or else the product."""
    contract = contract_in_force(customer_id=asset.customer_id, on=on)
    row = None
    if contract is not None:
        row = ReturnPolicy.objects.filter(contract=contract).first()
    if row is None:
        row = ReturnPolicy.objects.filter(is_default=True).first()
    window = asset.product.return_days
    if row is None:
        return policy.Rules(window_days=window)
    return policy.Rules(
        window_days=row.window_days if row.window_days is not None else window,
        is_quality_fault_free_in_warranty=row.is_quality_fault_free_in_warranty,
        is_return_shipping_paid_by_seller=row.is_return_shipping_paid_by_seller,
    )


def return_policy_check(*, asset: Asset, kind: str, is_quality_fault: bool, on: dt.date) -> policy.PolicyCheck:
    if kind not in ReturnKind.values:
        raise ValidationFailed(
            _("类型必须是以下之一：%(choices)s") % {"choices": ", ".join(ReturnKind.values)},
            field="kind",
        )
    warranty = asset_warranty(asset, on=on)
    return policy.check(
        rules=return_rules(asset, on=on), kind=kind, is_quality_fault=is_quality_fault,
        purchased_on=asset.purchased_on, in_warranty=warranty.is_free_of_charge,
        warranty_state=warranty.state.value, on=on,
    )


@transaction.atomic
def return_policy_set(
    *, actor: User, contract: Contract | None = None, window_days: int | None = None,
    is_quality_fault_free_in_warranty: bool = True, is_return_shipping_paid_by_seller: bool = True,
) -> ReturnPolicy:
    """Set the default policy (no contract) or a contract's."""
    require_role(actor, OVERRIDING_ROLES, doing=_("设定退换货政策"))
    if window_days is not None and not 0 <= window_days <= 365:
        raise ValidationFailed(_("退换货期限须在 0 到 365 天之间"), field="window_days")
    lookup: dict[str, Any] = {"contract": contract} if contract is not None else {"is_default": True}
    row, _created = ReturnPolicy.objects.select_for_update().update_or_create(
        **lookup,
        defaults=dict(
            window_days=window_days,
            is_quality_fault_free_in_warranty=is_quality_fault_free_in_warranty,
            is_return_shipping_paid_by_seller=is_return_shipping_paid_by_seller,
        ),
    )
    return row


# --- requests -------------------------------------------------------------------------------


def _replayed(key: str | None, fingerprint: str) -> ReturnRequest | None:
    if not key:
        return None
    row = ReturnRequest.objects.filter(idempotency_key=key).first()
    if row is not None and row.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    return row


def return_request_open(
    *, actor: User, asset_id: Any, kind: str, reason: str, is_quality_fault: bool = False,
    case_id: Any = None, idempotency_key: str | None = None, fingerprint: str = "",
    now: dt.datetime | None = None,
) -> tuple[ReturnRequest, bool]:
    """File a request for an asset the actor may see (404 otherwise). Returns (request,
    created); a repeated Idempotency-Key returns the first request."""
    replayed = _replayed(idempotency_key, fingerprint)
    if replayed is not None:
        return replayed, False
    asset = get_asset_for_user(actor, asset_id)
    if not reason.strip():
        raise ValidationFailed(_("请填写退换货原因"), field="reason")
    now = now or timezone.now()
    check = return_policy_check(
        asset=asset, kind=kind, is_quality_fault=is_quality_fault, on=timezone.localdate(now)
    )
    case = None
    if case_id is not None:
        case = get_case_for_user(actor, case_id)
        if case.customer_id != asset.customer_id or (case.asset_id and case.asset_id != asset.pk):
            raise ValidationFailed(_("该工单与这台设备无关"), field="case_id")
    try:
        with transaction.atomic():
            request = ReturnRequest.objects.create(
                asset=asset, case=case, customer_id=asset.customer_id, kind=kind,
                reason=reason.strip(), is_quality_fault=is_quality_fault, requested_at=now,
                requested_by=actor, policy_outcome=check.outcome.value,
                is_policy_eligible=check.eligible, idempotency_key=idempotency_key,
                request_hash=fingerprint,
            )
            if case is not None and not actor.is_customer_user:
                case_note(actor=actor, case_id=case.pk, now=now, text=_(
                    "登记%(kind)s申请（设备 %(serial)s）；政策：%(why)s"
                ) % {"kind": request.get_kind_display(), "serial": asset.serial_number,
                     "why": policy_explanation(check)})
    except IntegrityError:
        replayed = _replayed(idempotency_key, fingerprint)
        if replayed is not None:
            return replayed, False
        raise
    return request, True


def _lock_request(actor: User, request_id: Any, action: str) -> ReturnRequest:
    """The request, locked, if the actor may see it (404 otherwise) and act on it (403)."""
    found = get_scoped_or_404(
        ReturnRequest.objects.all(), actor, customer_field="customer_id", what="return request",
        pk=request_id,
    )
    if actor.is_customer_user:
        raise PermissionDenied(
            _("“%(action)s”由服务团队执行") % {"action": ACTION_LABELS[action]}, code="staff_only"
        )
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("asset__product", "case").get(pk=found.pk)
    )


def _next(request: ReturnRequest, action: str) -> str:
    table = TRANSITIONS[action]
    if request.status not in table:
        allowed = _("、").join(str(ReturnStatus(s).label) for s in table)
        raise Conflict(
            _("申请当前为“%(status)s”，不能%(action)s；仅在以下状态可以：%(allowed)s")
            % {"status": request.get_status_display(), "action": ACTION_LABELS[action],
               "allowed": allowed},
            code="invalid_transition",
        )
    return table[request.status]


def _note(actor: User, request: ReturnRequest, text: str, now: dt.datetime) -> None:
    if request.case_id is not None:
        case_note(actor=actor, case_id=request.case_id, text=text, now=now)


def return_decide(
    *, actor: User, request_id: Any, approve: bool | None = None, reason: str = "",
    chargeable: bool | None = None, return_shipping_paid_by: str | None = None,
    now: dt.datetime | None = None,
) -> ReturnRequest:
    """Approve or reject. Without `approve` the policy decides (checked again on the request
    date, so a later policy change applies); deciding otherwise, or changing the charge or who
    pays shipping, is an override: managers only, with a written reason."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_request(actor, request_id, "approve" if approve is not False else "reject")
        require_role(actor, DECIDING_ROLES, doing=_("决定退换货申请"))
        check = return_policy_check(
            asset=request.asset, kind=request.kind, is_quality_fault=request.is_quality_fault,
            on=timezone.localdate(request.requested_at),
        )
        decided = check.default_approve if approve is None else approve
        if return_shipping_paid_by is not None and return_shipping_paid_by not in ShippingPayer.values:
            raise ValidationFailed(
                _("运费承担方必须是以下之一：%(choices)s") % {"choices": ", ".join(ShippingPayer.values)},
                field="return_shipping_paid_by",
            )
        policy_chargeable = check.chargeable if decided else False
        is_override = (
            decided != check.default_approve
            or (chargeable is not None and chargeable != policy_chargeable)
            or (return_shipping_paid_by is not None
                and return_shipping_paid_by != check.return_shipping_paid_by)
        )
        written = reason.strip()
        if is_override:
            if actor.role not in OVERRIDING_ROLES:
                raise PermissionDenied(
                    _("与退换货政策不同的决定须由服务经理作出"), code="override_forbidden"
                )
            if not written:
                raise ValidationFailed(_("与政策不同的决定须写明理由"), field="reason")
        request.status = _next(request, "approve" if decided else "reject")
        request.decision = Decision.APPROVED if decided else Decision.REJECTED
        request.decision_reason = written or policy_explanation(check)
        request.is_override = is_override
        request.decided_by, request.decided_at = actor, now
        if decided:
            request.is_chargeable = policy_chargeable if chargeable is None else chargeable
            request.return_shipping_paid_by = return_shipping_paid_by or check.return_shipping_paid_by
        request.save()
        _note(actor, request, _("%(kind)s申请%(decision)s：%(reason)s") % {
            "kind": request.get_kind_display(), "decision": request.get_decision_display(),
            "reason": request.decision_reason,
        }, now)
        return request


def return_receive(
    *, actor: User, request_id: Any, depot: Depot, part: Part, faulty: bool | None = None,
    quantity: int = 1, note: str = "", now: dt.datetime | None = None,
) -> ReturnRequest:
    """The goods are back: one stock movement into the depot through the parts services, a
    faulty return (never available) for a faulty unit — by default when a quality fault was
    reported — else a receipt into stock."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_request(actor, request_id, "receive")
        require_role(actor, HANDLING_ROLES, doing=_("退换货收货"))
        request.status = _next(request, "receive")
        is_faulty = request.is_quality_fault if faulty is None else faulty
        text = _("退换货收货：设备 %(serial)s %(note)s") % {
            "serial": request.asset.serial_number, "note": note.strip(),
        }
        move = stock_return_faulty if is_faulty else stock_receive
        change = move(
            actor=actor, depot=depot, part=part, quantity=quantity, reason=text.strip(),
            idempotency_key=f"return-request:{request.pk}:receive", now=now,
        )
        request.received_at, request.received_by = now, actor
        request.received_depot, request.stock_movement = depot, change.movements[0]
        request.save()
        _note(actor, request, _("退回的设备已入 %(depot)s（%(part)s ×%(quantity)s，%(kind)s）") % {
            "depot": depot.name, "part": part.code, "quantity": quantity,
            "kind": change.movements[0].get_kind_display(),
        }, now)
        return request


def return_complete(
    *, actor: User, request_id: Any, solution: str, now: dt.datetime | None = None
) -> ReturnRequest:
    if not solution.strip():
        raise ValidationFailed(_("请填写处理结果"), field="solution")
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_request(actor, request_id, "complete")
        require_role(actor, HANDLING_ROLES, doing=_("完成退换货"))
        request.status = _next(request, "complete")
        request.solution = solution.strip()
        request.completed_at, request.completed_by = now, actor
        request.save()
        _note(actor, request, _("%(kind)s完成：%(solution)s") % {
            "kind": request.get_kind_display(), "solution": request.solution,
        }, now)
        return request
