"""Commitment imports: create one from a document, review its items, preview and apply it.

Applying writes nothing itself: SLA policies, tiers and contracts go through the contracts
services, the 24×7 calendar through the calendars service, warranty terms through the assets
service, parts delivery and the return window through the parts and returns services, return
visits through the surveys services. It is one transaction, and idempotent: the same reviewed
import applied again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.assets.services import product_set_terms
from aftersales.calendars.models import Calendar
from aftersales.calendars.services import calendar_create
from aftersales.commitments.documents import Document
from aftersales.commitments.mapping import (
    APPLICABLE_KINDS,
    SEVERITIES,
    VALUE_UNITS,
    Figures,
    informational_reason,
    initial_items,
    plan_figures,
    reviewed_from,
)
from aftersales.commitments.models import CommitmentImport, CommitmentItem, ImportStatus, ItemKind
from aftersales.commitments.parser import Kind, parse_commitments
from aftersales.contracts.models import Contract, ServiceTier, SlaPolicy, SlaTarget
from aftersales.contracts.services import (
    contract_set_policy_override,
    default_policy,
    service_tier_set_policy,
    service_tier_set_return_visit_months,
    sla_policy_create,
    sla_policy_set_calendar,
    sla_policy_set_targets,
)
from aftersales.core.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import CONFIGURING_ROLES, STAFF_ROLES
from aftersales.parts.models import PartsDeliveryTarget
from aftersales.parts.services import delivery_target_set
from aftersales.returns.models import ReturnPolicy
from aftersales.returns.services import return_policy_set
from aftersales.surveys import periods
from aftersales.surveys.models import VisitFrequency
from aftersales.surveys.services import contract_visit_plan, return_visit_plan_set_for_contract

CALENDAR_24X7_CODE = "24x7"
MAX_REGIONS = 20
MAX_VALUE = 10 * 365 * 24 * 60


def _require(actor: User, doing: str) -> None:
    require_role(actor, CONFIGURING_ROLES, doing=doing)


def require_configuring(actor: User) -> None:
    """Refuse before reading an upload: only admins and managers import commitments."""
    _require(actor, _("导入服务承诺"))


def get_commitment_import(*, actor: User, import_id: Any) -> CommitmentImport:
    _require(actor, _("查看服务承诺导入"))
    found = CommitmentImport.objects.filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("没有这个服务承诺导入"), code="commitment_import_not_found")
    return found


@transaction.atomic
def commitment_import_create(*, actor: User, document: Document) -> CommitmentImport:
    """Parse the document and keep it with its draft and one reviewable row per item."""
    _require(actor, _("导入服务承诺"))
    draft = parse_commitments(document.text)
    commitment_import = CommitmentImport.objects.create(
        source_name=document.name, source_kind=document.kind, text=document.text,
        draft=draft.to_dict(), created_by=actor,
    )
    CommitmentItem.objects.bulk_create(
        CommitmentItem(
            commitment_import=commitment_import, position=position, kind=item.kind.value,
            severity=defaults.severity, regions=list(defaults.regions), value=item.value,
            value_unit=item.value_unit.value if item.value_unit else "", original_value=item.value,
            basis=item.basis.value, conditions=item.conditions.to_dict(),
            start_event=item.start_event.value if item.start_event else "",
            subject=item.subject or "", is_included=defaults.is_included, reason=defaults.reason,
            span_start=item.span.start, span_end=item.span.end, span_text=item.span.text,
            figure_text=(item.figure.text if item.figure else "")[:100],
            sentence_start=item.sentence.start, sentence_end=item.sentence.end,
            rule=item.rule[:200],
        )
        for position, (item, defaults) in enumerate(initial_items(draft), start=1)
    )
    return commitment_import


def _lock_import(import_id: Any) -> CommitmentImport:
    found = CommitmentImport.objects.select_for_update().filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("没有这个服务承诺导入"), code="commitment_import_not_found")
    return found


def _clean_regions(regions: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for name in regions:
        name = str(name).strip()
        if not name:
            continue
        if len(name) > 100:
            raise ValidationFailed(_("地区名称过长"), field="regions")
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_REGIONS:
        raise ValidationFailed(_("地区过多"), field="regions")
    return cleaned


@transaction.atomic
def commitment_item_update(
    *,
    actor: User,
    import_id: Any,
    item_id: Any,
    version: int,
    kind: str | None = None,
    severity: str | None = None,
    regions: Sequence[str] | None = None,
    value: int | None = None,
    is_included: bool | None = None,
    note: str | None = None,
) -> CommitmentItem:
    """Edit one item of a draft import (None keeps a field). `version` is the import's version
    the editor saw; a stale one is refused, as is any edit once the import is applied."""
    _require(actor, _("审核服务承诺"))
    commitment_import = _lock_import(import_id)
    if commitment_import.status != ImportStatus.DRAFT:
        raise Conflict(_("该导入已应用，不能再修改"), code="already_applied")
    if version != commitment_import.version:
        raise PreconditionFailed(_("该导入已被他人修改，请刷新后重试"), field="version")
    item = CommitmentItem.objects.filter(commitment_import=commitment_import, pk=item_id).first()
    if item is None:
        raise NotFound(_("没有这个条目"), code="commitment_item_not_found")
    if kind is not None:
        if kind not in ItemKind.values:
            raise ValidationFailed(_("未知的类型“%(kind)s”") % {"kind": kind}, field="kind")
        item.kind = kind
    if severity is not None:
        if severity not in ("", *SEVERITIES):
            raise ValidationFailed(_("严重等级须为空（全部）或 P1–P4"), field="severity")
        item.severity = severity
    if regions is not None:
        item.regions = _clean_regions(regions)
    if value is not None:
        if not 0 <= value <= MAX_VALUE:
            raise ValidationFailed(_("数值超出范围"), field="value")
        item.value = value
    applied_unit = VALUE_UNITS.get(Kind(item.kind))
    if (value is not None or kind is not None) and applied_unit is not None:
        # An edited figure is in the unit its kind applies in (a weekly visit set to 1 is monthly).
        item.value_unit = applied_unit
    if note is not None:
        item.note = note.strip()[:500]
    if is_included is not None:
        item.is_included = is_included
    if item.is_included:
        if item.kind not in APPLICABLE_KINDS:
            raise ValidationFailed(informational_reason(item.kind), field="is_included")
        if item.kind != ItemKind.SERVICE_HOURS_24X7 and item.value is None:
            raise ValidationFailed(_("请先填写数值"), field="value")
        item.reason = ""
    item.save()
    CommitmentImport.objects.filter(pk=commitment_import.pk).update(version=F("version") + 1)
    return item


# --- the target, the preview and apply -----------------------------------------------------


@dataclass(frozen=True)
class ApplyTarget:
    """Where the import goes: a policy by code (created with `policy_name` when it does not
    exist), optionally made a tier's policy or a contract's own; products get the warranty
    terms. Parts delivery and the return window go to the contract, else the company default.
    Return visits go to the contract's plan (a new plan is visited by `visit_assignee_id`) and
    to the tier's promised interval."""

    policy_code: str
    policy_name: str = ""
    tier_code: str = ""
    contract_number: str = ""
    product_models: tuple[str, ...] = ()
    visit_assignee_id: str = ""


@dataclass(frozen=True)
class Change:
    area: str  # policy, calendar, sla_target, tier, contract, product, parts_delivery, return_window,
    # return_visits
    label: str
    old: str
    new: str


@dataclass
class Preview:
    changes: list[Change]
    figures: Figures
    policy: SlaPolicy | None
    is_new_policy: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Resolved:
    policy: SlaPolicy | None
    tier: ServiceTier | None
    contract: Contract | None
    products: tuple[Product, ...]


def _resolve(target: ApplyTarget) -> _Resolved:
    code = target.policy_code.strip()
    if not code:
        raise ValidationFailed(_("请填写 SLA 策略代码"), field="policy_code")
    policy = SlaPolicy.objects.select_related("calendar").filter(code=code).first()
    if policy is None:
        if not re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", code):
            raise ValidationFailed(_("代码只能包含字母、数字、- 和 _"), field="policy_code")
        if not target.policy_name.strip():
            raise ValidationFailed(_("新建策略请填写名称"), field="policy_name")
    tier = None
    if target.tier_code:
        tier = ServiceTier.objects.filter(code=target.tier_code).first()
        if tier is None:
            raise ValidationFailed(_("没有代码为“%(code)s”的服务等级") % {"code": target.tier_code},
                                   field="tier_code")
    contract = None
    if target.contract_number:
        contract = Contract.objects.filter(number=target.contract_number).first()
        if contract is None:
            raise ValidationFailed(
                _("没有编号为“%(number)s”的合同") % {"number": target.contract_number},
                field="contract_number")
    products = tuple(Product.objects.filter(model__in=target.product_models).order_by("model"))
    missing = sorted(set(target.product_models) - {p.model for p in products})
    if missing:
        raise ValidationFailed(_("没有型号为“%(model)s”的产品") % {"model": missing[0]},
                               field="product_models")
    if target.visit_assignee_id:
        visitor = User.objects.filter(pk=target.visit_assignee_id).first() if _is_int(target.visit_assignee_id) else None
        if visitor is None or not visitor.is_active or visitor.role not in STAFF_ROLES:
            raise ValidationFailed(_("回访人须为在职的服务人员"), field="visit_assignee_id")
    return _Resolved(policy=policy, tier=tier, contract=contract, products=products)


def _is_int(value: str) -> bool:
    return value.isdigit() and len(value) < 19


def _is_24x7(calendar: Calendar) -> bool:
    return not calendar.working_hours


def _calendar_24x7() -> Calendar | None:
    for calendar in Calendar.objects.order_by("code"):
        if _is_24x7(calendar):
            return calendar
    return None


def _minutes(value: int | None) -> str:
    if value is None:
        return "—"
    if value % 1440 == 0:
        return _("%(n)s 天") % {"n": value // 1440}
    if value % 60 == 0:
        return _("%(n)s 小时") % {"n": value // 60}
    return _("%(n)s 分钟") % {"n": value}


TARGET_LABELS = {
    "first_response_minutes": gettext_lazy("首次响应"),
    "on_site_minutes": gettext_lazy("到场"),
    "resolution_minutes": gettext_lazy("故障修复"),
    "restoration_minutes": gettext_lazy("恢复正常"),
}


def _preview(commitment_import: CommitmentImport, target: ApplyTarget) -> tuple[Preview, _Resolved]:
    resolved = _resolve(target)
    figures = plan_figures(reviewed_from(commitment_import.items.all()))
    policy = resolved.policy
    changes: list[Change] = []
    notes: list[str] = []
    if policy is None:
        changes.append(Change("policy", _("新建 SLA 策略"), "", f"{target.policy_code} {target.policy_name}"))
    if figures.is_24x7 and (policy is None or not _is_24x7(policy.calendar)):
        changes.append(Change("calendar", _("策略日历"), policy.calendar.name if policy else "",
                              _("7×24 小时")))
    current: dict[tuple[str, str, str], int | None] = {}
    if policy is not None:
        for row in SlaTarget.objects.filter(policy=policy):
            for name in TARGET_LABELS:
                current[(row.region, row.severity, name)] = getattr(row, name)
    for region, severities in sorted(figures.targets.items()):
        for severity, values in sorted(severities.items()):
            for name, minutes in values.items():
                old = current.get((region, severity, name))
                if old != minutes:
                    where = region or _("默认")
                    changes.append(Change(
                        "sla_target", f"{where} {severity} {TARGET_LABELS[name]}", _minutes(old),
                        _minutes(minutes)))
    if resolved.tier is not None and (policy is None or resolved.tier.policy_id != policy.pk):
        changes.append(Change("tier", _("服务等级 %(code)s 的策略") % {"code": resolved.tier.code},
                              resolved.tier.policy.code, target.policy_code))
    if resolved.contract is not None and (
        policy is None or resolved.contract.policy_override_id != policy.pk
    ):
        old_override = resolved.contract.policy_override
        changes.append(Change("contract", _("合同 %(number)s 的专属策略") % {"number": resolved.contract.number},
                              old_override.code if old_override else "—", target.policy_code))
    for product in resolved.products:
        for attribute, value, label in (("trial_months", figures.trial_months, _("试用期（月）")),
                                        ("warranty_months", figures.warranty_months, _("保修期（月）"))):
            if value is not None and getattr(product, attribute) != value:
                changes.append(Change("product", f"{product.model} {label}",
                                      str(getattr(product, attribute)), str(value)))
    if (figures.trial_months is not None or figures.warranty_months is not None) and not resolved.products:
        notes.append(_("未选择产品：保修期与试用期不会写入任何产品"))
    scope = (_("合同 %(number)s") % {"number": resolved.contract.number}) if resolved.contract else _("公司默认")
    for kind, minutes in sorted(figures.parts.items()):
        delivery = PartsDeliveryTarget.objects.filter(contract=resolved.contract, kind=kind).first()
        if delivery is None or delivery.minutes != minutes:
            changes.append(Change("parts_delivery", f"{scope} {_('常规备件') if kind == 'regular' else _('非常规备件')}",
                                  _minutes(delivery.minutes if delivery else None), _minutes(minutes)))
    if figures.return_days is not None:
        lookup: dict[str, Any] = ({"contract": resolved.contract} if resolved.contract is not None
                                  else {"is_default": True})
        existing = ReturnPolicy.objects.filter(**lookup).first()
        if existing is None or existing.window_days != figures.return_days:
            changes.append(Change("return_window", f"{scope} {_('退换货期限（天）')}",
                                  str(existing.window_days) if existing and existing.window_days is not None else "—",
                                  str(figures.return_days)))
    if figures.return_visit_months is not None:
        _preview_visits(figures.return_visit_months, resolved, target, changes, notes)
    return Preview(changes=changes, figures=figures, policy=policy, is_new_policy=policy is None,
                   notes=notes), resolved


def _visit_frequency(months: int) -> str:
    frequency = periods.frequency_for_months(months)
    if frequency is None:  # plan_figures never gives less than a month
        raise ValidationFailed(_("回访间隔须至少一个月"), field="items")
    return frequency


def _preview_visits(months: int, resolved: _Resolved, target: ApplyTarget, changes: list[Change],
                    notes: list[str]) -> None:
    frequency = _visit_frequency(months)
    label = str(VisitFrequency(frequency).label)
    if periods.MONTHS[frequency] != months:
        notes.append(_("承诺每 %(months)s 个月回访：按%(label)s回访，不少于承诺") % {"months": months, "label": label})
    if resolved.tier is not None and resolved.tier.return_visit_months != months:
        old = resolved.tier.return_visit_months
        changes.append(Change("return_visits", _("服务等级 %(code)s 的回访间隔（月）") % {"code": resolved.tier.code},
                              str(old) if old else "—", str(months)))
    if resolved.contract is not None:
        plan = contract_visit_plan(resolved.contract.pk)
        if plan is None or plan.frequency != frequency:
            if plan is None and not target.visit_assignee_id:
                raise ValidationFailed(_("合同 %(number)s 还没有回访计划，请选择回访人")
                                       % {"number": resolved.contract.number}, field="visit_assignee_id")
            changes.append(Change("return_visits", _("合同 %(number)s 的回访计划") % {"number": resolved.contract.number},
                                  str(VisitFrequency(plan.frequency).label) if plan else "—", label))
    if resolved.tier is None and resolved.contract is None:
        notes.append(_("未选择服务等级或合同：回访频率不会写入"))


def commitment_preview(*, actor: User, import_id: Any, target: ApplyTarget) -> Preview:
    """What applying would change now (nothing is written)."""
    commitment_import = get_commitment_import(actor=actor, import_id=import_id)
    preview, _resolved = _preview(commitment_import, target)
    return preview


def _fingerprint(commitment_import: CommitmentImport, target: ApplyTarget) -> str:
    payload = {
        "target": {**asdict(target), "product_models": sorted(target.product_models)},
        "items": [asdict(item) for item in reviewed_from(commitment_import.items.all())],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=list)
                          .encode()).hexdigest()


def _policy_for(resolved: _Resolved, target: ApplyTarget, figures: Figures) -> SlaPolicy:
    policy = resolved.policy
    calendar = None
    if figures.is_24x7 and (policy is None or not _is_24x7(policy.calendar)):
        calendar = _calendar_24x7() or calendar_create(code=CALENDAR_24X7_CODE, name=_("7×24 小时"))
    if policy is None:
        if calendar is None:
            try:
                calendar = default_policy().calendar
            except NotFound:
                calendar = Calendar.objects.order_by("code").first()
            if calendar is None:
                calendar = _calendar_24x7() or calendar_create(code=CALENDAR_24X7_CODE, name=_("7×24 小时"))
        return sla_policy_create(code=target.policy_code.strip(), name=target.policy_name.strip(),
                                 calendar_code=calendar.code, targets={})
    if calendar is not None:
        policy = sla_policy_set_calendar(policy=policy, calendar=calendar)
    return policy


@transaction.atomic
def commitment_apply(
    *, actor: User, import_id: Any, target: ApplyTarget, version: int | None = None
) -> CommitmentImport:
    """Apply the reviewed items, all or nothing. Applying the same reviewed import to the same
    target again returns it unchanged; with other edits or another target, 409."""
    _require(actor, _("应用服务承诺"))
    commitment_import = _lock_import(import_id)
    fingerprint = _fingerprint(commitment_import, target)
    if commitment_import.status == ImportStatus.APPLIED:
        if fingerprint == commitment_import.applied_fingerprint:
            return commitment_import
        raise Conflict(_("该导入已按其他内容应用过"), code="already_applied")
    if version is not None and version != commitment_import.version:
        raise Conflict(_("该导入已被他人修改，请刷新后重试"), code="stale_version", field="version")
    preview, resolved = _preview(commitment_import, target)
    figures = preview.figures
    if figures.is_empty() and resolved.tier is None and resolved.contract is None:
        raise ValidationFailed(_("没有勾选任何可应用的条目"), field="items")
    policy = _policy_for(resolved, target, figures)
    current = {(row.region, row.severity): row for row in SlaTarget.objects.filter(policy=policy)}
    for region, severities in sorted(figures.targets.items()):
        changed: dict[str, dict[str, int | None]] = {}
        for severity, values in severities.items():
            row = current.get((region, severity))
            different = {name: minutes for name, minutes in values.items()
                         if row is None or getattr(row, name) != minutes}
            if different:
                changed[severity] = dict(different)
        if changed:
            sla_policy_set_targets(policy=policy, targets=changed, region=region)
    if resolved.tier is not None:
        service_tier_set_policy(tier=resolved.tier, policy=policy)
    if resolved.contract is not None:
        contract_set_policy_override(contract=resolved.contract, policy=policy)
    for product in resolved.products:
        product_set_terms(product=product, trial_months=figures.trial_months,
                          warranty_months=figures.warranty_months)
    for kind, minutes in sorted(figures.parts.items()):
        delivery = PartsDeliveryTarget.objects.filter(contract=resolved.contract, kind=kind).first()
        if delivery is None or delivery.minutes != minutes:
            delivery_target_set(kind=kind, minutes=minutes, contract=resolved.contract,
                                calendar=delivery.calendar if delivery else None)
    if figures.return_days is not None:
        lookup: dict[str, Any] = ({"contract": resolved.contract} if resolved.contract is not None
                                  else {"is_default": True})
        existing = ReturnPolicy.objects.filter(**lookup).first()
        if existing is None or existing.window_days != figures.return_days:
            return_policy_set(
                actor=actor, contract=resolved.contract, window_days=figures.return_days,
                is_quality_fault_free_in_warranty=(existing.is_quality_fault_free_in_warranty
                                                   if existing else True),
                is_return_shipping_paid_by_seller=(existing.is_return_shipping_paid_by_seller
                                                   if existing else True),
            )
    if figures.return_visit_months is not None:
        months = figures.return_visit_months
        if resolved.tier is not None:
            service_tier_set_return_visit_months(tier=resolved.tier, months=months)
        if resolved.contract is not None:
            return_visit_plan_set_for_contract(actor=actor, contract=resolved.contract,
                                               frequency=_visit_frequency(months),
                                               assignee_id=target.visit_assignee_id or None)
    commitment_import.status = ImportStatus.APPLIED
    commitment_import.applied_by = actor
    commitment_import.applied_at = timezone.now()
    commitment_import.target_policy = policy
    commitment_import.target_tier = resolved.tier
    commitment_import.target_contract = resolved.contract
    commitment_import.applied_fingerprint = fingerprint
    commitment_import.applied_changes = [asdict(change) for change in preview.changes]
    commitment_import.version += 1
    commitment_import.save()
    return commitment_import
