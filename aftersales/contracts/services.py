"""SLA policies, service tiers and contracts, and which policy governs a customer's case."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from aftersales.calendars.models import Calendar
from aftersales.contracts.models import Contract, ServiceTier, Severity, SlaPolicy, SlaTarget
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.customers.models import Customer

TARGET_FIELDS = (
    "first_response_minutes",
    "on_site_minutes",
    "resolution_minutes",
    "restoration_minutes",
)


def _validate_targets(targets: Mapping[str, Mapping[str, Any]]) -> None:
    for severity, values in targets.items():
        if severity not in Severity.values:
            raise ValidationFailed(
                _("未知的严重等级“%(severity)s”") % {"severity": severity}, field=f"targets.{severity}"
            )
        for name, minutes in values.items():
            if name not in TARGET_FIELDS:
                raise ValidationFailed(
                    _("未知的目标“%(target)s”") % {"target": name}, field=f"targets.{severity}.{name}"
                )
            if minutes is not None and (not isinstance(minutes, int) or minutes <= 0):
                raise ValidationFailed(
                    _("必须是正整数分钟数或 null"), field=f"targets.{severity}.{name}"
                )


@transaction.atomic
def sla_policy_create(
    *,
    code: str,
    name: str,
    calendar_code: str,
    targets: Mapping[str, Mapping[str, int | None]],
    warning_percent: int = 80,
    is_default: bool = False,
) -> SlaPolicy:
    calendar = Calendar.objects.filter(code=calendar_code).first()
    if calendar is None:
        raise ValidationFailed(_("没有代码为“%(code)s”的日历") % {"code": calendar_code}, field="calendar")
    if not 1 <= warning_percent <= 99:
        raise ValidationFailed(
            _("必须在 %(low)s 到 %(high)s 之间") % {"low": 1, "high": 99},
            field="warning_percent",
        )
    _validate_targets(targets)
    if SlaPolicy.objects.filter(code=code).exists():
        raise Conflict(
            _("代码为“%(code)s”的 SLA 策略已存在") % {"code": code},
            code="policy_exists", field="code",
        )
    if is_default:
        SlaPolicy.objects.filter(is_default=True).update(is_default=False)
    policy = SlaPolicy.objects.create(
        code=code, name=name, calendar=calendar, warning_percent=warning_percent, is_default=is_default
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(policy=policy, severity=severity, **dict(values))
        for severity, values in targets.items()
    )
    return policy


@transaction.atomic
def sla_policy_set_targets(
    *, policy: SlaPolicy, targets: Mapping[str, Mapping[str, int | None]], region: str = ""
) -> SlaPolicy:
    """Replace targets (the default ones, or a region's); open cases under this policy are
    re-derived at the next sweep."""
    _validate_targets(targets)
    region = region.strip()
    if len(region) > REGION_MAX_LENGTH:
        raise ValidationFailed(_("地区名称过长"), field="region")
    for severity, values in targets.items():
        SlaTarget.objects.update_or_create(policy=policy, severity=severity, region=region, defaults=dict(values))
    SlaPolicy.objects.filter(pk=policy.pk).update(version=F("version") + 1)
    policy.refresh_from_db()
    return policy


@transaction.atomic
def sla_policy_remove_region(*, policy: SlaPolicy, region: str) -> SlaPolicy:
    """Drop a region's targets: its cases go back to the default ones at the next sweep."""
    if not region.strip():
        raise ValidationFailed(_("请填写地区"), field="region")
    deleted, _rows = SlaTarget.objects.filter(policy=policy, region=region.strip()).delete()
    if not deleted:
        raise NotFound(_("该策略没有地区“%(region)s”的目标") % {"region": region}, code="region_not_found")
    SlaPolicy.objects.filter(pk=policy.pk).update(version=F("version") + 1)
    policy.refresh_from_db()
    return policy


def sla_policy_touch(*, policy: SlaPolicy) -> None:
    """Record that a policy changed by other means (the admin site): its version moves on, so
    caches keyed by it are not used and open cases are re-derived at the next sweep."""
    SlaPolicy.objects.filter(pk=policy.pk).update(version=F("version") + 1)
    policy.refresh_from_db(fields=["version"])


REGION_MAX_LENGTH = 100
_targets_cache: dict[tuple[Any, int, str, str], dict[str, int | None]] = {}
_regions_cache: dict[tuple[Any, int], frozenset[str]] = {}


def policy_regions(policy: SlaPolicy) -> frozenset[str]:
    """The regions that have targets of their own in the policy (most policies: none, and then
    a case's region is never looked up)."""
    key = (policy.pk, policy.version)
    cached = _regions_cache.get(key)
    if cached is None:
        cached = frozenset(SlaTarget.objects.filter(policy=policy).exclude(region="")
                           .values_list("region", flat=True).distinct())
        _regions_cache[key] = cached
    return cached


def policy_targets(policy: SlaPolicy, severity: str, region: str = "") -> dict[str, int | None]:
    """{clock target: minutes} of the policy for a severity (empty when none is set); for a
    region with targets of its own, those it fills replace the default ones."""
    key = (policy.pk, policy.version, severity, region)
    cached = _targets_cache.get(key)
    if cached is not None:
        return dict(cached)
    regions = ["", region] if region else [""]
    rows = {row.pop("region"): row for row in
            SlaTarget.objects.filter(policy=policy, severity=severity, region__in=regions).values("region", *TARGET_FIELDS)}
    value: dict[str, int | None] = {}
    default = rows.get("")
    if default is not None:
        value = {name.removesuffix("_minutes"): minutes for name, minutes in default.items()}
    regional = rows.get(region) if region else None
    if regional is not None:
        value.update({name.removesuffix("_minutes"): minutes for name, minutes in regional.items() if minutes is not None})
    _targets_cache[key] = value
    return dict(value)


@transaction.atomic
def service_tier_create(
    *, code: str, name: str, policy_code: str, included_services: list[str], description: str = "",
    return_visit_months: int | None = None,
) -> ServiceTier:
    policy = SlaPolicy.objects.filter(code=policy_code).first()
    if policy is None:
        raise ValidationFailed(_("没有代码为“%(code)s”的 SLA 策略") % {"code": policy_code}, field="policy")
    if ServiceTier.objects.filter(code=code).exists():
        raise Conflict(
            _("代码为“%(code)s”的服务等级已存在") % {"code": code},
            code="tier_exists", field="code",
        )
    _check_visit_months(return_visit_months)
    return ServiceTier.objects.create(
        code=code, name=name, policy=policy, included_services=included_services, description=description,
        return_visit_months=return_visit_months,
    )


def _check_visit_months(months: int | None) -> None:
    if months is not None and not 1 <= months <= 12:
        raise ValidationFailed(_("回访间隔须为 1–12 个月"), field="return_visit_months")


@transaction.atomic
def contract_create(
    *,
    number: str,
    customer: Customer,
    tier_code: str,
    starts_on: dt.date,
    ends_on: dt.date,
    policy_override_code: str | None = None,
) -> Contract:
    tier = ServiceTier.objects.filter(code=tier_code).first()
    if tier is None:
        raise ValidationFailed(_("没有代码为“%(code)s”的服务等级") % {"code": tier_code}, field="tier")
    if ends_on < starts_on:
        raise ValidationFailed(_("结束日期早于开始日期"), field="ends_on")
    override = None
    if policy_override_code:
        override = SlaPolicy.objects.filter(code=policy_override_code).first()
        if override is None:
            raise ValidationFailed(
                _("没有代码为“%(code)s”的 SLA 策略") % {"code": policy_override_code},
                field="policy_override",
            )
    if Contract.objects.filter(number=number).exists():
        raise Conflict(
            _("编号为“%(number)s”的合同已存在") % {"number": number},
            code="contract_exists", field="number",
        )
    return Contract.objects.create(
        number=number,
        customer=customer,
        tier=tier,
        starts_on=starts_on,
        ends_on=ends_on,
        policy_override=override,
    )


def contract_in_force(*, customer_id: Any, on: dt.date) -> Contract | None:
    """The contract covering the date; with overlaps, the one that started last."""
    return (
        Contract.objects.select_related("tier__policy__calendar", "policy_override__calendar")
        .filter(customer_id=customer_id, starts_on__lte=on, ends_on__gte=on)
        .order_by("-starts_on", "number")
        .first()
    )


@dataclass(frozen=True)
class PolicyInForce:
    """What governs a new case of a customer: the contract in force (if any) and its policy."""

    contract_id: Any
    contract_number: str | None
    policy: SlaPolicy


_policy_cache: dict[tuple[Any, int, int], SlaPolicy] = {}

# Filing a case asks this every time. Written as SQL because building the equivalent ORM query
# (four joins, ordering) costs more than the rest of filing's reads together; the versions
# returned let the policy (with its calendar) come from a per-process cache that cannot go stale.
_IN_FORCE_SQL = """
SELECT c.id, c.number, p.id, p.version, cal.version
FROM {contract} c
JOIN {tier} t ON t.id = c.tier_id
JOIN {policy} p ON p.id = COALESCE(c.policy_override_id, t.policy_id)
JOIN {calendar} cal ON cal.id = p.calendar_id
WHERE c.customer_id = %s AND c.starts_on <= %s AND c.ends_on >= %s
ORDER BY c.starts_on DESC, c.number
LIMIT 1
"""
_DEFAULT_SQL = """
SELECT p.id, p.version, cal.version FROM {policy} p JOIN {calendar} cal ON cal.id = p.calendar_id
WHERE p.is_default = %s
"""


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return dict(
        contract=quote(Contract._meta.db_table), tier=quote(ServiceTier._meta.db_table),
        policy=quote(SlaPolicy._meta.db_table), calendar=quote(Calendar._meta.db_table),
    )


def _cached_policy(policy_id: Any, policy_version: int, calendar_version: int) -> SlaPolicy:
    key = (policy_id, policy_version, calendar_version)
    policy = _policy_cache.get(key)
    if policy is None:
        policy = SlaPolicy.objects.select_related("calendar").get(pk=policy_id)
        if len(_policy_cache) > 1_000:
            _policy_cache.clear()
        _policy_cache[key] = policy
    # A copy, so that a caller that refreshes or edits its policy cannot change the cached one.
    return copy.copy(policy)


def policy_in_force(*, customer_id: Any, on: dt.date) -> PolicyInForce:
    """The contract in force on the date (as contract_in_force) and its policy, or no contract
    and the default policy."""
    tables = _tables()
    uuid_field = Contract._meta.get_field("id")
    date_field = Contract._meta.get_field("starts_on")
    with connection.cursor() as cursor:
        cursor.execute(
            _IN_FORCE_SQL.format(**tables),
            [
                uuid_field.get_db_prep_value(customer_id, connection),
                date_field.get_db_prep_value(on, connection),
                date_field.get_db_prep_value(on, connection),
            ],
        )
        row = cursor.fetchone()
        if row is not None:
            contract_id, number, policy_id, policy_version, calendar_version = row
            return PolicyInForce(
                contract_id=uuid_field.to_python(contract_id), contract_number=number,
                policy=_cached_policy(uuid_field.to_python(policy_id), policy_version, calendar_version),
            )
        cursor.execute(_DEFAULT_SQL.format(**tables), [True])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("尚未配置默认 SLA 策略"), code="no_default_policy")
    return PolicyInForce(
        contract_id=None, contract_number=None, policy=_cached_policy(uuid_field.to_python(row[0]), row[1], row[2])
    )


def default_policy() -> SlaPolicy:
    policy = SlaPolicy.objects.select_related("calendar").filter(is_default=True).first()
    if policy is None:
        raise NotFound(_("尚未配置默认 SLA 策略"), code="no_default_policy")
    return policy


@transaction.atomic
def sla_policy_set_calendar(*, policy: SlaPolicy, calendar: Calendar) -> SlaPolicy:
    """Measure the policy's targets on another calendar; open cases under it are re-derived at
    the next sweep (the version moves on)."""
    if policy.calendar_id == calendar.pk:
        return policy
    SlaPolicy.objects.filter(pk=policy.pk).update(calendar=calendar, version=F("version") + 1)
    policy.refresh_from_db()
    return policy


@transaction.atomic
def service_tier_set_policy(*, tier: ServiceTier, policy: SlaPolicy) -> ServiceTier:
    """Give a tier another SLA policy: cases filed afterwards under its contracts use it."""
    if tier.policy_id != policy.pk:
        ServiceTier.objects.filter(pk=tier.pk).update(policy=policy)
        tier.refresh_from_db()
    return tier


def service_tier_set_return_visit_months(*, tier: ServiceTier, months: int | None) -> ServiceTier:
    """Set the months between the return visits promised to a tier's customers (None: the
    built-in default of its code); plans created afterwards for its contracts take it."""
    _check_visit_months(months)
    if tier.return_visit_months != months:
        ServiceTier.objects.filter(pk=tier.pk).update(return_visit_months=months)
        tier.refresh_from_db()
    return tier


@transaction.atomic
def contract_set_policy_override(*, contract: Contract, policy: SlaPolicy | None) -> Contract:
    """Make the policy the contract's own (None: back to its tier's); cases filed afterwards
    under the contract use it."""
    policy_id = policy.pk if policy is not None else None
    if contract.policy_override_id != policy_id:
        Contract.objects.filter(pk=contract.pk).update(policy_override=policy)
        contract.refresh_from_db()
    return contract
