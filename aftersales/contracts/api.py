from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from aftersales.contracts.models import Contract, ServiceTier, SlaPolicy
from aftersales.contracts.schemas import (
    ContractIn,
    ContractOut,
    SlaPolicyIn,
    SlaPolicyOut,
    TargetsIn,
    TargetsUpdateIn,
    TierIn,
    TierOut,
)
from aftersales.contracts.services import (
    TARGET_FIELDS,
    contract_create,
    service_tier_create,
    sla_policy_create,
    sla_policy_set_targets,
)
from aftersales.core.api_types import OffsetQuery
from aftersales.core.errors import NotFound
from aftersales.core.permissions import require_role
from aftersales.core.scoping import scope_to_user
from aftersales.customers.selectors import get_customer_for_user

router = Router(tags=["contracts"])
CONFIGURING = ("admin", "manager")


def _policy_out(policy: SlaPolicy) -> SlaPolicyOut:
    return SlaPolicyOut(
        id=policy.pk, code=policy.code, name=policy.name, calendar=policy.calendar.code,
        warning_percent=policy.warning_percent, is_default=policy.is_default, version=policy.version,
        targets={t.severity: TargetsIn(**{f: getattr(t, f) for f in TARGET_FIELDS})
                 for t in policy.targets.all() if not t.region},
        regional_targets=_regional(policy),
    )


def _regional(policy: SlaPolicy) -> dict[str, dict[str, TargetsIn]]:
    regional: dict[str, dict[str, TargetsIn]] = {}
    for t in policy.targets.all():
        if t.region:
            regional.setdefault(t.region, {})[t.severity] = TargetsIn(**{f: getattr(t, f) for f in TARGET_FIELDS})
    return regional


def _policies() -> object:
    return SlaPolicy.objects.select_related("calendar").prefetch_related("targets")


@router.post("/sla-policies", response={201: SlaPolicyOut})
def sla_policy_create_view(request: HttpRequest, payload: SlaPolicyIn) -> Status[SlaPolicyOut]:
    require_role(request.user, CONFIGURING, doing=_("定义 SLA 策略"))
    policy = sla_policy_create(
        code=payload.code, name=payload.name, calendar_code=payload.calendar,
        warning_percent=payload.warning_percent, is_default=payload.is_default,
        targets={severity: t.dict() for severity, t in payload.targets.items()},
    )
    return Status(201, _policy_out(_policies().get(pk=policy.pk)))  # type: ignore[attr-defined]


@router.get("/sla-policies", response=list[SlaPolicyOut])
def sla_policy_list(request: HttpRequest) -> list[SlaPolicyOut]:
    return [_policy_out(p) for p in _policies().order_by("code")[:500]]  # type: ignore[attr-defined]


@router.put("/sla-policies/{code}/targets", response=SlaPolicyOut)
def sla_policy_targets_update(request: HttpRequest, code: str, payload: TargetsUpdateIn) -> SlaPolicyOut:
    require_role(request.user, CONFIGURING, doing=_("修改 SLA 目标"))
    policy = SlaPolicy.objects.filter(code=code).first()
    if policy is None:
        raise NotFound(_("没有代码为“%(code)s”的 SLA 策略") % {"code": code}, code="policy_not_found")
    sla_policy_set_targets(policy=policy, targets={s: t.dict() for s, t in payload.targets.items()},
                           region=payload.region)
    return _policy_out(_policies().get(pk=policy.pk))  # type: ignore[attr-defined]


def _tier_out(tier: ServiceTier) -> TierOut:
    return TierOut(id=tier.pk, code=tier.code, name=tier.name, policy=tier.policy.code,
                   included_services=tier.included_services, description=tier.description,
                   return_visit_months=tier.return_visit_months)


@router.post("/tiers", response={201: TierOut})
def tier_create(request: HttpRequest, payload: TierIn) -> Status[TierOut]:
    require_role(request.user, CONFIGURING, doing=_("定义服务等级"))
    tier = service_tier_create(
        code=payload.code, name=payload.name, policy_code=payload.policy,
        included_services=payload.included_services, description=payload.description,
        return_visit_months=payload.return_visit_months,
    )
    return Status(201, _tier_out(tier))


@router.get("/tiers", response=list[TierOut])
def tier_list(request: HttpRequest) -> list[TierOut]:
    return [_tier_out(t) for t in ServiceTier.objects.select_related("policy").order_by("code")]


def _contract_out(contract: Contract) -> ContractOut:
    return ContractOut(
        id=contract.pk, number=contract.number, customer_id=contract.customer_id,
        tier=contract.tier.code, policy=contract.policy.code, starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )


@router.post("/contracts", response={201: ContractOut})
def contract_create_view(request: HttpRequest, payload: ContractIn) -> Status[ContractOut]:
    require_role(request.user, CONFIGURING, doing=_("录入合同"))
    customer = get_customer_for_user(request.user, payload.customer_id)
    contract = contract_create(
        number=payload.number, customer=customer, tier_code=payload.tier, starts_on=payload.starts_on,
        ends_on=payload.ends_on, policy_override_code=payload.policy_override,
    )
    return Status(201, _contract_out(contract))


@router.get("/contracts", response=list[ContractOut])
def contract_list(
    request: HttpRequest, customer_id: uuid.UUID | None = None, limit: int = 100, offset: int = OffsetQuery
) -> list[ContractOut]:
    queryset = scope_to_user(
        Contract.objects.select_related("tier__policy", "policy_override"), request.user,
        customer_field="customer_id",
    )
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    limit = max(1, min(limit, 500))
    return [_contract_out(c) for c in queryset.order_by("number")[offset : offset + limit]]
