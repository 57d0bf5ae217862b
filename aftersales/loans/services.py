"""Substitute units: candidates, proposals (by the periodic scan or by hand), loans out and
back, and the overdue scan.

Lock order, everywhere: the case, then the proposal, then the loan, then the unit (the case
note a step writes re-locks the case this transaction already holds). Each step is also written to the case's timeline as an internal note.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import STAFF_ROLES, Role, User
from aftersales.assets.models import Product
from aftersales.cases.models import OPEN_STATUSES, Case, CaseClock, ClockState, ClockTarget
from aftersales.cases.services import case_note, case_system_note
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.customers.models import Site
from aftersales.loans.models import (
    Loan,
    LoanStatus,
    ProposalReason,
    ProposalStatus,
    SubstituteProposal,
    SubstituteUnit,
    UnitStatus,
)
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.parts.models import Depot

M = TypeVar("M", SubstituteUnit, SubstituteProposal, Loan)

# Who looks after the pool of units (adds, repairs, retires them).
POOL_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})

# Status changes made by hand; on_loan is entered and left only by lending and returning.
UNIT_TRANSITIONS: dict[str, frozenset[str]] = {
    UnitStatus.AVAILABLE: frozenset({UnitStatus.IN_REPAIR, UnitStatus.RETIRED}),
    UnitStatus.IN_REPAIR: frozenset({UnitStatus.AVAILABLE, UnitStatus.RETIRED}),
    UnitStatus.ON_LOAN: frozenset(),
    UnitStatus.RETIRED: frozenset(),
}


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _replayed(model: type[M], key: str | None, fingerprint: str) -> M | None:
    """The row an earlier request with this key created; the key with another request is a
    Conflict, since replaying it would answer a different question."""
    if not key:
        return None
    row = model.objects.filter(idempotency_key=key).first()
    if row is not None and row.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    return row


def _once(model: type[M], key: str | None, fingerprint: str, create: Callable[[], M]) -> tuple[M, bool]:
    """(row, created): run `create` once per key; a racing duplicate is answered from the
    winner's row after the unique key refuses it."""
    replayed = _replayed(model, key, fingerprint)
    if replayed is not None:
        return replayed, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        replayed = _replayed(model, key, fingerprint)
        if replayed is not None:
            return replayed, False
        raise


def _staff(actor: User, doing: str) -> None:
    require_role(actor, STAFF_ROLES, doing=doing)


def _note(actor: User, case_id: Any, text: str, now: dt.datetime) -> None:
    case_note(actor=actor, case_id=case_id, text=text, now=now)


def _unit_label(unit: SubstituteUnit) -> str:
    return f"{unit.product.model} {unit.serial_number}"


# --- the pool -------------------------------------------------------------------------------


def substitute_unit_create(
    *, actor: User, product: Product, serial_number: str, depot: Depot, condition_note: str = "",
    idempotency_key: str | None = None, fingerprint: str = "",
) -> tuple[SubstituteUnit, bool]:
    require_role(actor, POOL_ROLES, doing=_("登记替代设备"))
    serial_number = serial_number.strip()
    if not serial_number:
        raise ValidationFailed(_("请填写序列号"), field="serial_number")

    def create() -> SubstituteUnit:
        if SubstituteUnit.objects.filter(product=product, serial_number=serial_number).exists():
            raise Conflict(
                _("产品 %(model)s 已有序列号为“%(serial)s”的替代设备")
                % {"model": product.model, "serial": serial_number},
                code="unit_exists", field="serial_number",
            )
        return SubstituteUnit.objects.create(
            product=product, serial_number=serial_number, depot=depot,
            condition_note=condition_note.strip(), idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )

    return _once(SubstituteUnit, idempotency_key, fingerprint, create)


def _lock_unit(unit_id: Any, field: str = "unit_id") -> SubstituteUnit:
    try:
        return SubstituteUnit.objects.select_for_update(of=("self",)).select_related(
            "product", "depot"
        ).get(pk=unit_id)
    except (SubstituteUnit.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise ValidationFailed(_("没有这台替代设备"), field=field) from None


@transaction.atomic
def substitute_unit_set_status(
    *, actor: User, unit_id: Any, status: str, condition_note: str | None = None
) -> SubstituteUnit:
    """Send a unit to repair, back to the pool, or retire it."""
    require_role(actor, POOL_ROLES, doing=_("变更替代设备状态"))
    if status not in UnitStatus.values:
        raise ValidationFailed(
            _("状态必须是以下之一：%(choices)s") % {"choices": ", ".join(UnitStatus.values)},
            field="status",
        )
    unit = _lock_unit(unit_id)
    if status not in UNIT_TRANSITIONS[unit.status]:
        raise Conflict(
            _("替代设备当前为“%(current)s”，不能改为“%(status)s”")
            % {"current": unit.get_status_display(), "status": UnitStatus(status).label},
            code="invalid_unit_transition", field="status",
        )
    unit.status = status
    if condition_note is not None:
        unit.condition_note = condition_note.strip()
    unit.save(update_fields=["status", "condition_note", "updated_at"])
    return unit


# --- candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    unit: SubstituteUnit
    distance_km: float | None
    is_same_region: bool


def _distance_km(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _case_site(case: Case) -> Site | None:
    if case.site_id is not None:
        return case.site
    if case.asset_id is not None and case.asset is not None:
        return case.asset.site
    return None


def substitute_candidates(case: Case) -> list[Candidate]:
    """Available units of the case asset's product in active depots: nearest depot first when
    both the site and the depot have coordinates, then those of the site's region, then the
    rest. No asset, no candidates."""
    if case.asset_id is None:
        return []
    product_id = Case.objects.filter(pk=case.pk).values_list("asset__product_id", flat=True).get()
    site = _case_site(case)
    here = None
    if site is not None and site.latitude is not None and site.longitude is not None:
        here = (site.latitude, site.longitude)
    region = (site.region if site is not None else "") or case.customer.region
    units = SubstituteUnit.objects.select_related("depot", "product").filter(
        product_id=product_id, status=UnitStatus.AVAILABLE, depot__is_active=True
    )
    found = []
    for unit in units:
        depot = unit.depot
        distance = None
        if here is not None and depot.latitude is not None and depot.longitude is not None:
            distance = _distance_km(here, (depot.latitude, depot.longitude))
        found.append(Candidate(unit, distance, bool(region) and depot.region == region))

    def order(candidate: Candidate) -> tuple[int, float, str, str]:
        if candidate.distance_km is not None:
            return (0, candidate.distance_km, candidate.unit.depot.code, candidate.unit.serial_number)
        rank = 1 if candidate.is_same_region else 2
        return (rank, 0.0, candidate.unit.depot.code, candidate.unit.serial_number)

    return sorted(found, key=order)


def _first_free(candidates: list[Candidate]) -> SubstituteUnit | None:
    """The best candidate no other open proposal names yet; else the best one."""
    if not candidates:
        return None
    promised = set(
        SubstituteProposal.objects.filter(
            status=ProposalStatus.OPEN, unit_id__in=[c.unit.pk for c in candidates]
        ).values_list("unit_id", flat=True)
    )
    for candidate in candidates:
        if candidate.unit.pk not in promised:
            return candidate.unit
    return candidates[0].unit


# --- proposals ------------------------------------------------------------------------------


def _proposal_notifications(proposal: SubstituteProposal, case: Case, managers: Iterable[str]) -> list[Notification]:
    unit = proposal.unit
    subject = _("【替代设备建议】%(number)s 可借用 %(unit)s（%(depot)s）") % {
        "number": case.number, "unit": _unit_label(unit), "depot": unit.depot.name,
    }
    body = _("工单 %(number)s：%(title)s\n原因：%(reason)s\n") % {
        "number": case.number, "title": case.title,
        "reason": ProposalReason(proposal.reason).label,
    }
    assignee = case.assignee.email if case.assignee_id and case.assignee else ""
    recipients = sorted({*([assignee] if assignee else []), *managers})
    return [
        Notification(key=f"substitute-proposal:{proposal.pk}:{recipient}", recipient=recipient,
                     subject=subject, body=body)
        for recipient in recipients
    ]


def _manager_emails() -> list[str]:
    return list(
        User.objects.filter(role=Role.MANAGER, is_active=True).exclude(email="")
        .order_by("username").values_list("email", flat=True)
    )


def _at_risk_cases(now: dt.datetime) -> Any:
    """Open cases with an asset whose resolution clock runs past its warning point (or its due
    time), that were never offered a unit for this reason and have no unit on loan."""
    clocks = CaseClock.objects.filter(
        case=OuterRef("pk"), target=ClockTarget.RESOLUTION, state=ClockState.RUNNING,
    ).filter(Q(warn_at__lte=now) | Q(due_at__lte=now))
    already = SubstituteProposal.objects.filter(case=OuterRef("pk")).filter(
        Q(status=ProposalStatus.OPEN) | Q(reason=ProposalReason.RESOLUTION_AT_RISK)
    )
    lent = Loan.objects.filter(case=OuterRef("pk"), status=LoanStatus.OUT)
    available = SubstituteUnit.objects.filter(
        product_id=OuterRef("asset__product_id"), status=UnitStatus.AVAILABLE, depot__is_active=True
    )
    return (
        Case.objects.filter(in_queue=True, asset__isnull=False)
        .filter(Exists(clocks), Exists(available))
        .exclude(Exists(already))
        .exclude(Exists(lent))
    )


def propose_substitutes(*, now: dt.datetime | None = None, batch_size: int = 200) -> int:
    """The periodic scan: propose a unit for each case whose repair will not be finished in
    time, and notify its assignee and the managers. Returns the number of proposals made.

    Cases are claimed under row locks other scans skip (PostgreSQL SKIP LOCKED; on SQLite the
    IMMEDIATE transaction holds the write lock); after the claim the candidates are read again,
    so a proposal another scan committed meanwhile is seen, and the one-open-proposal constraint
    stands behind it: each case gets one proposal, even with two scans at once.
    """
    now = now or timezone.now()
    managers = _manager_emails()
    made = 0
    while True:
        with transaction.atomic():
            claimed = list(
                _at_risk_cases(now).select_for_update(skip_locked=True, of=("self",))
                .order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not claimed:
                return made
            cases = (
                _at_risk_cases(now).filter(pk__in=claimed)
                .select_related("customer", "site", "asset__site", "assignee")
            )
            notifications: list[Notification] = []
            for case in cases:
                unit = _first_free(substitute_candidates(case))
                if unit is None:
                    continue
                proposal = SubstituteProposal.objects.create(
                    case=case, unit=unit, proposed_at=now, reason=ProposalReason.RESOLUTION_AT_RISK,
                )
                case_system_note(case_id=case.pk, now=now, text=_(
                    "故障修复时限将超时，系统建议借用替代设备 %(unit)s（%(depot)s）") % {
                    "unit": _unit_label(unit), "depot": unit.depot.name})
                notifications += _proposal_notifications(proposal, case, managers)
                made += 1
            outbox_enqueue(notifications=notifications)
        if len(claimed) < batch_size:
            return made


def _lock_case(case_id: Any) -> Case:
    """The case, locked for this transaction; 404 when unknown. Lending is staff work, so the
    case need not be scoped to a customer."""
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "site", "asset__site", "asset__product", "assignee")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该工单"), code="case_not_found") from None


def _lock_open_case(case_id: Any) -> Case:
    case = _lock_case(case_id)
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            _("工单 %(number)s 已%(status)s，不能再借用替代设备")
            % {"number": case.number, "status": case.get_status_display()},
            code="case_not_open", field="case_id",
        )
    if case.asset_id is None:
        raise Conflict(_("工单未关联设备，无法确定替代设备的型号"), code="case_without_asset",
                       field="case_id")
    return case


def substitute_propose(
    *, actor: User, case_id: Any, reason: str = ProposalReason.UNIT_TAKEN_AWAY,
    unit_id: Any = None, idempotency_key: str | None = None, fingerprint: str = "",
    now: dt.datetime | None = None,
) -> tuple[SubstituteProposal, bool]:
    """Propose a unit by hand, typically because the repair takes the customer's unit away.
    With no unit given, the nearest available one."""
    _staff(actor, _("建议替代设备"))
    if reason not in ProposalReason.values:
        raise ValidationFailed(
            _("原因必须是以下之一：%(choices)s") % {"choices": ", ".join(ProposalReason.values)},
            field="reason",
        )
    now = now or timezone.now()

    def create() -> SubstituteProposal:
        case = _lock_open_case(case_id)
        if SubstituteProposal.objects.filter(case=case, status=ProposalStatus.OPEN).exists():
            raise Conflict(_("该工单已有待处理的替代设备建议"), code="proposal_exists",
                           field="case_id")
        if unit_id is not None:
            unit = SubstituteUnit.objects.select_related("product", "depot").filter(pk=unit_id).first()
            if unit is None:
                raise ValidationFailed(_("没有这台替代设备"), field="unit_id")
            _check_lendable(unit, case)
        else:
            found = _first_free(substitute_candidates(case))
            if found is None:
                raise Conflict(_("没有可借用的同型号替代设备"), code="no_substitute_available",
                               field="case_id")
            unit = found
        proposal = SubstituteProposal.objects.create(
            case=case, unit=unit, proposed_at=now, reason=reason, proposed_by=actor,
            idempotency_key=idempotency_key, request_hash=fingerprint,
        )
        _note(actor, case.pk, _("建议借用替代设备 %(unit)s（%(depot)s），原因：%(reason)s") % {
            "unit": _unit_label(unit), "depot": unit.depot.name,
            "reason": ProposalReason(reason).label,
        }, now)
        outbox_enqueue(notifications=_proposal_notifications(proposal, case, _manager_emails()))
        return proposal

    return _once(SubstituteProposal, idempotency_key, fingerprint, create)


@transaction.atomic
def substitute_decline(
    *, actor: User, proposal_id: Any, reason: str, now: dt.datetime | None = None
) -> SubstituteProposal:
    _staff(actor, _("处理替代设备建议"))
    if not reason.strip():
        raise ValidationFailed(_("请填写拒绝原因"), field="reason")
    now = now or timezone.now()
    _lock_case(_proposal(proposal_id).case_id)
    proposal = _lock_proposal(proposal_id)
    _require_open(proposal)
    proposal.status = ProposalStatus.DECLINED
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.decline_reason = reason.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
    _note(actor, proposal.case_id, _("不借用替代设备 %(unit)s：%(reason)s") % {
        "unit": _unit_label(proposal.unit), "reason": proposal.decline_reason,
    }, now)
    return proposal


def _proposal(proposal_id: Any) -> SubstituteProposal:
    try:
        return SubstituteProposal.objects.get(pk=proposal_id)
    except (SubstituteProposal.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该替代设备建议"), code="proposal_not_found") from None


def _lock_proposal(proposal_id: Any) -> SubstituteProposal:
    _proposal(proposal_id)
    return (
        SubstituteProposal.objects.select_for_update(of=("self",))
        .select_related("unit__product", "unit__depot").get(pk=proposal_id)
    )


def _require_open(proposal: SubstituteProposal) -> None:
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(
            _("该建议已%(status)s") % {"status": proposal.get_status_display()},
            code="proposal_not_open",
        )


def _check_lendable(unit: SubstituteUnit, case: Case) -> None:
    if unit.status != UnitStatus.AVAILABLE:
        raise Conflict(
            _("替代设备 %(unit)s 当前为“%(status)s”，不能借出")
            % {"unit": _unit_label(unit), "status": unit.get_status_display()},
            code="unit_on_loan" if unit.status == UnitStatus.ON_LOAN else "unit_not_available",
            field="unit_id",
        )
    if case.asset is None or unit.product_id != case.asset.product_id:
        raise ValidationFailed(_("替代设备与工单设备型号不同"), field="unit_id")


# --- loans ----------------------------------------------------------------------------------


def loan_out(
    *, actor: User, due_back_at: dt.datetime, condition_out: str, proposal_id: Any = None,
    case_id: Any = None, unit_id: Any = None, idempotency_key: str | None = None,
    fingerprint: str = "", now: dt.datetime | None = None,
) -> tuple[Loan, bool]:
    """Lend a unit for a case: from a proposal (its unit unless another is given), or for a case
    and unit directly. The unit is locked; one already on loan answers 409."""
    _staff(actor, _("借出替代设备"))
    now = now or timezone.now()
    if timezone.is_naive(due_back_at):
        raise ValidationFailed(_("应归还时间须带时区"), field="due_back_at")
    if due_back_at <= now:
        raise ValidationFailed(_("应归还时间须晚于借出时间"), field="due_back_at")
    if not condition_out.strip():
        raise ValidationFailed(_("请填写借出时的设备状况"), field="condition_out")
    if proposal_id is None and (case_id is None or unit_id is None):
        raise ValidationFailed(_("请指定替代设备建议，或同时指定工单和设备"), field="proposal_id")

    def create() -> Loan:
        proposal = None
        chosen_case_id, chosen_unit_id = case_id, unit_id
        if proposal_id is not None:
            chosen_case_id = _proposal(proposal_id).case_id
        case = _lock_open_case(chosen_case_id)
        if proposal_id is not None:
            proposal = _lock_proposal(proposal_id)
            _require_open(proposal)
            chosen_unit_id = unit_id or proposal.unit_id
        unit = _lock_unit(chosen_unit_id)
        _check_lendable(unit, case)
        if proposal is None:
            # Lending without the proposal closes it: the case is served.
            proposal = (
                SubstituteProposal.objects.select_for_update()
                .filter(case=case, status=ProposalStatus.OPEN).first()
            )
        loan = Loan.objects.create(
            unit=unit, case=case, proposal=proposal, customer_id=case.customer_id,
            site=_case_site(case), lent_at=now, due_back_at=due_back_at,
            condition_out=condition_out.strip(), lent_by=actor,
            idempotency_key=idempotency_key, request_hash=fingerprint,
        )
        unit.status = UnitStatus.ON_LOAN
        unit.save(update_fields=["status", "updated_at"])
        if proposal is not None:
            proposal.status = ProposalStatus.ACCEPTED
            proposal.decided_by, proposal.decided_at = actor, now
            proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        _note(actor, case.pk, _("借出替代设备 %(unit)s，应于 %(due)s 归还；借出状况：%(condition)s") % {
            "unit": _unit_label(unit), "due": timezone.localtime(due_back_at).strftime("%Y-%m-%d %H:%M"),
            "condition": loan.condition_out,
        }, now)
        return loan

    return _once(Loan, idempotency_key, fingerprint, create)


@transaction.atomic
def loan_return(
    *, actor: User, loan_id: Any, condition_in: str, faulty: bool = False,
    now: dt.datetime | None = None,
) -> Loan:
    """The unit comes back: to the pool, or (faulty) to repair."""
    _staff(actor, _("接收归还的替代设备"))
    if not condition_in.strip():
        raise ValidationFailed(_("请填写归还时的设备状况"), field="condition_in")
    now = now or timezone.now()
    try:
        case_id = Loan.objects.values_list("case_id", flat=True).get(pk=loan_id)
    except (Loan.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该借用记录"), code="loan_not_found") from None
    _lock_case(case_id)
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan_id)
    if loan.status != LoanStatus.OUT:
        raise Conflict(_("该替代设备已于 %(at)s 归还") % {
            "at": timezone.localtime(loan.returned_at).strftime("%Y-%m-%d %H:%M")
            if loan.returned_at else "-",
        }, code="loan_already_returned")
    unit = _lock_unit(loan.unit_id)
    loan.status = LoanStatus.RETURNED
    loan.returned_at, loan.received_by = now, actor
    loan.condition_in, loan.is_returned_faulty = condition_in.strip(), faulty
    loan.save(update_fields=["status", "returned_at", "received_by", "condition_in",
                             "is_returned_faulty", "updated_at"])
    unit.status = UnitStatus.IN_REPAIR if faulty else UnitStatus.AVAILABLE
    unit.condition_note = loan.condition_in
    unit.save(update_fields=["status", "condition_note", "updated_at"])
    _note(actor, loan.case_id, _("替代设备 %(unit)s 已归还%(faulty)s；归还状况：%(condition)s") % {
        "unit": _unit_label(unit), "faulty": _("（有故障，送修）") if faulty else "",
        "condition": loan.condition_in,
    }, now)
    return loan


def loans_flag_overdue(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Record each loan past its due time once and tell whoever lent it (the managers when the
    lender has no e-mail). Claimed like the SLA sweep: skip-locked rows, mark only where empty."""
    now = now or timezone.now()
    total = 0
    managers: list[str] | None = None
    while True:
        with transaction.atomic():
            claimed = list(
                Loan.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=LoanStatus.OUT, overdue_recorded_at__isnull=True, due_back_at__lte=now)
                .select_related("unit__product", "case", "customer", "lent_by")
                .order_by("due_back_at")[:batch_size]
            )
            if not claimed:
                return total
            Loan.objects.filter(
                pk__in=[loan.pk for loan in claimed], overdue_recorded_at__isnull=True
            ).update(overdue_recorded_at=now, updated_at=now)
            notifications = []
            for loan in claimed:
                recipient = loan.lent_by.email
                if not recipient:
                    managers = managers if managers is not None else _manager_emails()
                    recipient = managers[0] if managers else ""
                notifications.append(Notification(
                    key=f"loan:{loan.pk}:overdue", recipient=recipient,
                    subject=_("【替代设备逾期】%(unit)s 应于 %(due)s 归还（工单 %(number)s）") % {
                        "unit": _unit_label(loan.unit),
                        "due": timezone.localtime(loan.due_back_at).strftime("%Y-%m-%d %H:%M"),
                        "number": loan.case.number,
                    },
                    body=_("客户：%(customer)s\n") % {"customer": loan.customer.name},
                ))
            outbox_enqueue(notifications=notifications)
            total += len(claimed)
        if len(claimed) < batch_size:
            return total
