"""Filing complaints, their root cause and corrective/preventive actions (CAPA), the closing
guard, and the service-quality evaluation snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.calendars.engine import add_business_time
from aftersales.calendars.services import business_calendar
from aftersales.cases.models import Case, Category, Channel, Status
from aftersales.cases.services import case_file
from aftersales.complaints.evaluation import evaluation_figures, evaluation_subjects, month_bounds
from aftersales.complaints.models import (
    CASE_SEVERITY,
    COMPLAINT_POLICY_CODE,
    ActionKind,
    ActionStatus,
    Complaint,
    ComplaintSeverity,
    CorrectiveAction,
    QualityEvaluation,
    RootCauseCategory,
)
from aftersales.contracts.models import SlaPolicy
from aftersales.contracts.services import policy_targets
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.core.roles import STAFF_ROLES, Role
from aftersales.roster.models import Team, Technician
from aftersales.workorders.models import WorkOrder

# Who takes complaints, analyses them and plans actions; who verifies actions.
HANDLING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
VERIFYING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
TEXT_MAX = 4000


def _require(actor: User, roles: frozenset[str], doing: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(_("您的角色无权%(doing)s") % {"doing": doing}, code="role_forbidden")


def complaint_deadlines(*, severity: str, start: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(acknowledge by, resolve by): the complaint policy's first-response and resolution
    targets for the severity, counted on the policy's calendar from `start`."""
    policy = SlaPolicy.objects.select_related("calendar").filter(code=COMPLAINT_POLICY_CODE).first()
    if policy is None:
        return None, None
    targets = policy_targets(policy, CASE_SEVERITY[ComplaintSeverity(severity)])
    calendar = business_calendar(policy.calendar)

    def due(minutes: int | None) -> dt.datetime | None:
        return add_business_time(calendar, start, dt.timedelta(minutes=minutes)) if minutes else None

    return due(targets.get("first_response")), due(targets.get("resolution"))


def _subjects(actor: User, customer_id: Any, subject_case_id: Any, subject_work_order_id: Any,
              subject_technician_id: Any, subject_team_id: Any, subject_case_number: str = "") -> dict[str, Any]:
    """The complaint's links, checked: a case or work order of the same customer; a technician
    and team named by staff only (customers name the work order; its technician follows)."""
    found: dict[str, Any] = {"subject_case": None, "subject_work_order": None, "subject_technician": None,
                             "subject_team": None}
    if subject_case_id or subject_case_number:
        lookup = {"pk": subject_case_id} if subject_case_id else {"number": subject_case_number.strip()}
        case = Case.objects.filter(customer_id=customer_id, **lookup).first()
        if case is None:
            raise ValidationFailed(_("该客户没有这个工单"), field="subject_case_id")
        found["subject_case"] = case
    if subject_work_order_id:
        work_order = (WorkOrder.objects.select_related("case")
                      .filter(pk=subject_work_order_id, case__customer_id=customer_id).first())
        if work_order is None:
            raise ValidationFailed(_("该客户没有这个派工单"), field="subject_work_order_id")
        found["subject_work_order"] = work_order
        found["subject_case"] = found["subject_case"] or work_order.case
        if work_order.technician_id is not None:
            found["subject_technician"] = work_order.technician
    if (subject_technician_id or subject_team_id) and actor.is_customer_user:
        raise PermissionDenied(_("被投诉的工程师和班组由服务团队确定"), field="subject_technician_id")
    if subject_technician_id:
        technician = User.objects.filter(pk=subject_technician_id, role__in=STAFF_ROLES).first()
        if technician is None:
            raise ValidationFailed(_("没有这个服务人员"), field="subject_technician_id")
        found["subject_technician"] = technician
    if subject_team_id:
        team = Team.objects.filter(pk=subject_team_id).first()
        if team is None:
            raise ValidationFailed(_("没有这个班组"), field="subject_team_id")
        found["subject_team"] = team
    if found["subject_team"] is None and found["subject_technician"] is not None:
        profile = Technician.objects.filter(user=found["subject_technician"]).first()
        found["subject_team"] = profile.team if profile is not None else None
    return found


def complaint_file(
    *, actor: User, customer_id: Any, title: str, description: str = "", channel: str = Channel.PHONE,
    severity: str = ComplaintSeverity.GENERAL, contact_id: Any = None, site_id: Any = None,
    asset_id: Any = None, subject_case_id: Any = None, subject_work_order_id: Any = None,
    subject_technician_id: Any = None, subject_team_id: Any = None, subject_case_number: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "", now: dt.datetime | None = None,
) -> tuple[Complaint, bool]:
    """File a complaint: a case of category complaint and its Complaint row, in one transaction.
    Customers file for their own organisation (their severity is always "general"; staff set
    it). A repeated Idempotency-Key returns the first complaint with created False."""
    if actor.role not in HANDLING_ROLES and not actor.is_customer_user:
        _require(actor, HANDLING_ROLES, _("登记投诉"))
    if severity not in ComplaintSeverity.values:
        raise ValidationFailed(_("投诉等级必须是以下之一：%(choices)s")
                               % {"choices": ", ".join(ComplaintSeverity.values)}, field="severity")
    if actor.is_customer_user and severity != ComplaintSeverity.GENERAL:
        raise PermissionDenied(_("投诉等级由服务团队决定"), field="severity")
    now = now or timezone.now()
    with transaction.atomic():
        # The case first: it checks the customer is the actor's own (404 otherwise).
        filed = case_file(
            actor=actor, customer_id=customer_id, channel=channel, category=Category.COMPLAINT, title=title,
            description=description, contact_id=contact_id, site_id=site_id, asset_id=asset_id,
            severity=None if actor.is_customer_user else CASE_SEVERITY[ComplaintSeverity(severity)],
            impact="limited" if actor.is_customer_user else "",
            idempotency_key=idempotency_key, fingerprint=fingerprint, now=now,
        )
        if not filed.created:
            existing = Complaint.objects.filter(case=filed.case).first()
            if existing is None:
                raise Conflict(_("此 Idempotency-Key 已用于另一个请求"), code="idempotency_key_reused",
                               field="Idempotency-Key")
            return existing, False
        subjects = _subjects(actor, filed.case.customer_id, subject_case_id, subject_work_order_id,
                             subject_technician_id, subject_team_id, subject_case_number)
        acknowledge_due, resolve_due = complaint_deadlines(severity=severity, start=now)
        complaint = Complaint.objects.create(
            case=filed.case, customer_id=filed.case.customer_id, channel=channel, severity=severity,
            filed_at=now, acknowledge_due_at=acknowledge_due, resolve_due_at=resolve_due,
            acknowledged_at=now if filed.case.status != Status.NEW else None, created_at=now, **subjects,
        )
        return complaint, True


def _lock_complaint(actor: User, complaint_id: Any) -> Complaint:
    """The complaint, locked, if the actor may see it (404 otherwise)."""
    lookup: dict[str, Any] = {"pk": complaint_id}
    if actor.is_customer_user:
        lookup["customer_id"] = actor.customer_id
    try:
        return Complaint.objects.select_for_update(of=("self",)).select_related("case").get(**lookup)
    except (Complaint.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该投诉"), code="complaint_not_found") from None


def _require_open(complaint: Complaint) -> None:
    if complaint.case.status == Status.CLOSED:
        raise Conflict(_("投诉已关闭，请先重新打开"), code="complaint_closed")


def complaint_set_root_cause(*, actor: User, complaint_id: Any, category: str, text: str,
                             expected_version: int | None = None, now: dt.datetime | None = None) -> Complaint:
    """Record (or correct) the root cause (根本原因): a category and the analysis."""
    _require(actor, HANDLING_ROLES, _("分析投诉原因"))
    if category not in RootCauseCategory.values:
        raise ValidationFailed(_("根本原因类别必须是以下之一：%(choices)s")
                               % {"choices": ", ".join(RootCauseCategory.values)}, field="category")
    text = text.strip()
    if not text:
        raise ValidationFailed(_("请填写根本原因分析"), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("内容过长"), field="text")
    with transaction.atomic():
        complaint = _lock_complaint(actor, complaint_id)
        if expected_version is not None and expected_version != complaint.version:
            raise PreconditionFailed(_("投诉已被他人修改，请重新加载"), field="version")
        _require_open(complaint)
        now = now or timezone.now()
        complaint.root_cause_category = category
        complaint.root_cause = text
        complaint.root_cause_by = actor
        complaint.root_cause_at = now
        complaint.version += 1
        complaint.save(update_fields=["root_cause_category", "root_cause", "root_cause_by", "root_cause_at",
                                      "version", "updated_at"])
        return complaint


def action_add(*, actor: User, complaint_id: Any, kind: str, description: str, owner_id: Any,
               due_on: dt.date, now: dt.datetime | None = None) -> CorrectiveAction:
    """Plan a corrective or preventive action with its owner and due date."""
    _require(actor, HANDLING_ROLES, _("制定纠正预防措施"))
    if kind not in ActionKind.values:
        raise ValidationFailed(_("措施类型必须是以下之一：%(choices)s")
                               % {"choices": ", ".join(ActionKind.values)}, field="kind")
    description = description.strip()
    if not description:
        raise ValidationFailed(_("请填写措施内容"), field="description")
    if len(description) > TEXT_MAX:
        raise ValidationFailed(_("内容过长"), field="description")
    owner = User.objects.filter(pk=owner_id, is_active=True, role__in=STAFF_ROLES).first() if owner_id else None
    if owner is None:
        raise ValidationFailed(_("请选择在职的服务人员作为责任人"), field="owner_id")
    now = now or timezone.now()
    if due_on < timezone.localdate(now):
        raise ValidationFailed(_("完成期限不能早于今天"), field="due_on")
    with transaction.atomic():
        complaint = _lock_complaint(actor, complaint_id)
        _require_open(complaint)
        return CorrectiveAction.objects.create(
            complaint=complaint, kind=kind, description=description, owner=owner, due_on=due_on,
            created_by=actor, created_at=now,
        )


def _lock_action(actor: User, action_id: Any) -> CorrectiveAction:
    try:
        action = CorrectiveAction.objects.select_for_update(of=("self",)).select_related(
            "complaint__case").get(pk=action_id)
    except (CorrectiveAction.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该措施"), code="action_not_found") from None
    if actor.is_customer_user:
        raise NotFound(_("未找到该措施"), code="action_not_found")
    return action


def action_complete(*, actor: User, action_id: Any, note: str = "", now: dt.datetime | None = None) -> CorrectiveAction:
    """The owner (or a manager) reports the action done; it then waits for verification."""
    with transaction.atomic():
        action = _lock_action(actor, action_id)
        if actor.pk != action.owner_id and actor.role not in VERIFYING_ROLES:
            raise PermissionDenied(_("只有责任人或服务经理可以报告措施完成"), code="not_owner")
        _require_open(action.complaint)
        if action.status != ActionStatus.OPEN:
            raise Conflict(_("措施当前为“%(status)s”，不能再报告完成")
                           % {"status": ActionStatus(action.status).label}, code="action_not_open")
        action.status = ActionStatus.DONE
        action.done_at = now or timezone.now()
        action.done_by = actor
        action.done_note = note.strip()[:TEXT_MAX]
        action.save(update_fields=["status", "done_at", "done_by", "done_note", "updated_at"])
        return action


def action_verify(*, actor: User, action_id: Any, accepted: bool = True, note: str = "",
                  now: dt.datetime | None = None) -> CorrectiveAction:
    """A manager who is neither the owner nor the one who reported it done verifies the
    action's effect (verified), or sends it back (open again, with the reason)."""
    _require(actor, VERIFYING_ROLES, _("验证纠正预防措施"))
    with transaction.atomic():
        action = _lock_action(actor, action_id)
        if actor.pk in (action.owner_id, action.done_by_id):
            raise PermissionDenied(_("措施须由责任人以外的经理验证"), code="verifier_is_owner")
        _require_open(action.complaint)
        if action.status != ActionStatus.DONE:
            raise Conflict(_("措施当前为“%(status)s”，只有已完成的措施可以验证")
                           % {"status": ActionStatus(action.status).label}, code="action_not_done")
        if not accepted and not note.strip():
            raise ValidationFailed(_("退回措施须说明原因"), field="note")
        if accepted:
            action.status = ActionStatus.VERIFIED
            action.verified_at = now or timezone.now()
            action.verified_by = actor
        else:
            action.status = ActionStatus.OPEN
            action.done_at = None
            action.done_by = None
        action.verification_note = note.strip()[:TEXT_MAX]
        action.save(update_fields=["status", "verified_at", "verified_by", "done_at", "done_by",
                                   "verification_note", "updated_at"])
        return action


# --- the case's status: called by cases in the same transaction --------------------------------


def complaint_case_status_changed(case: Case, before: str, after: str, now: dt.datetime) -> None:
    """Keep the complaint's milestones with its case, and refuse to close a complaint whose
    root cause is missing or whose actions are not all verified (409; the case's transaction
    rolls back)."""
    if case.category != Category.COMPLAINT:
        return
    complaint = Complaint.objects.select_for_update().filter(case=case).first()
    if complaint is None:
        return
    changed: list[str] = []
    if before == Status.NEW and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
        changed.append("acknowledged_at")
    if after == Status.RESOLVED:
        complaint.resolved_at = now
        changed.append("resolved_at")
    if after == Status.CLOSED:
        complaint_require_closable(complaint)
        complaint.closed_at = now
        changed.append("closed_at")
    if before in (Status.RESOLVED, Status.CLOSED) and after not in (Status.RESOLVED, Status.CLOSED):
        complaint.resolved_at = None
        complaint.closed_at = None
        changed += ["resolved_at", "closed_at"]
    if changed:
        complaint.save(update_fields=[*dict.fromkeys(changed), "updated_at"])


def complaint_require_closable(complaint: Complaint) -> None:
    if not complaint.root_cause_category:
        raise Conflict(_("投诉须先记录根本原因才能关闭"), code="root_cause_required")
    pending = list(complaint.actions.exclude(status=ActionStatus.VERIFIED).order_by("due_on")
                   .values_list("description", flat=True))
    if pending:
        raise Conflict(
            _("投诉还有 %(count)s 项纠正预防措施未经验证，不能关闭：%(first)s")
            % {"count": len(pending), "first": pending[0][:60]},
            code="actions_not_verified",
        )


# --- service-quality evaluation -----------------------------------------------------------------


def evaluations_snapshot(*, period_start: dt.date, period_end: dt.date | None = None,
                         now: dt.datetime | None = None) -> int:
    """Store the evaluation of every active team and technician for the period, once: a subject
    already evaluated for the period is kept (unique constraint, `ON CONFLICT DO NOTHING`), so
    two concurrent runs store each evaluation exactly once. Returns the rows inserted by
    this call (as far as the database tells)."""
    if period_end is None:
        period_start, period_end = month_bounds(period_start)
    if period_end <= period_start:
        raise ValidationFailed(_("期间结束须晚于开始"), field="period_end")
    now = now or timezone.now()
    done = set(QualityEvaluation.objects.filter(period_start=period_start)
               .values_list("subject_key", flat=True))
    rows = []
    for subject in evaluation_subjects():
        if subject.key in done:
            continue
        figures = evaluation_figures(subject=subject, start=period_start, end=period_end)
        rows.append(QualityEvaluation(
            subject_kind=subject.kind, subject_key=subject.key, subject_name=subject.name,
            team_id=subject.team_id, technician_id=subject.technician_id, period_start=period_start,
            period_end=period_end, clocks_met=figures.clocks_met, clocks_breached=figures.clocks_breached,
            work_orders_done=figures.work_orders_done, complaints=figures.complaints,
            satisfaction_average=figures.satisfaction_average,
            satisfaction_responses=figures.satisfaction_responses, score=figures.score,
            parts=figures.parts, note=figures.note, computed_at=now, created_at=now,
        ))
    if not rows:
        return 0
    with transaction.atomic():
        before = QualityEvaluation.objects.filter(period_start=period_start).count()
        QualityEvaluation.objects.bulk_create(rows, ignore_conflicts=True)
        return QualityEvaluation.objects.filter(period_start=period_start).count() - before


def evaluations_snapshot_last_month(*, now: dt.datetime | None = None) -> int:
    """The monthly run: evaluate the calendar month before `now` (local time)."""
    today = timezone.localdate(now or timezone.now())
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return evaluations_snapshot(period_start=last_month, now=now)
