"""Emergency levels and fault classes: what a fault class does to a case's severity and targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from aftersales.contracts.models import Severity
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.emergencies.models import TARGET_FIELDS, EmergencyLevel, FaultClass


@dataclass(frozen=True)
class FaultLevel:
    """What a case needs of its fault class: the level, severity, targets, duties."""

    fault_class_id: Any
    fault_class_code: str
    fault_class_name: str
    level: int
    level_name: str
    severity: str
    targets: dict[str, int]  # clock target -> minutes, only those the level sets
    required_actions: tuple[str, ...]
    breach_reason_required: bool


def _fault_level(row: dict[str, Any]) -> FaultLevel:
    return FaultLevel(
        fault_class_id=row["id"], fault_class_code=row["code"], fault_class_name=row["name"],
        level=row["level__level"], level_name=row["level__name"], severity=row["level__severity"],
        targets={
            name.removesuffix("_minutes"): row[f"level__{name}"]
            for name in TARGET_FIELDS if row[f"level__{name}"] is not None
        },
        required_actions=tuple(str(a) for a in row["level__required_actions"] or ()),
        breach_reason_required=row["level__breach_reason_required"],
    )


_FIELDS = ("id", "code", "name", "level__level", "level__name", "level__severity",
           "level__required_actions", "level__breach_reason_required", *(f"level__{f}" for f in TARGET_FIELDS))


def fault_level(fault_class_id: Any) -> FaultLevel | None:
    """The level of a fault class by id (None when there is no such class): one query."""
    if fault_class_id is None:
        return None
    row = FaultClass.objects.filter(pk=fault_class_id).values(*_FIELDS).first()
    return None if row is None else _fault_level(row)


def fault_class_for_code(code: str) -> FaultLevel:
    """An active fault class by its code, for filing a case; unknown or inactive: ValidationFailed."""
    row = FaultClass.objects.filter(code=code, is_active=True).values(*_FIELDS).first()
    if row is None:
        raise ValidationFailed(_("没有代码为“%(code)s”的故障类别") % {"code": code}, field="fault_class")
    return _fault_level(row)


def _minutes(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationFailed(_("必须是正整数（分钟）"), field=field)
    return value


@transaction.atomic
def emergency_level_save(
    *, level: int, name: str, severity: str, targets: dict[str, Any] | None = None,
    required_actions: list[str] | None = None, breach_reason_required: bool = True,
) -> EmergencyLevel:
    """Create or change a level. A change moves its version on, so open cases of its fault
    classes are re-derived at the next sweep."""
    if not 1 <= level <= 9:
        raise ValidationFailed(_("级别必须在 1 到 9 之间"), field="level")
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if severity not in Severity.values:
        raise ValidationFailed(_("严重等级必须是 %(values)s 之一") % {"values": ", ".join(Severity.values)},
                               field="severity")
    targets = targets or {}
    unknown = set(targets) - {f.removesuffix("_minutes") for f in TARGET_FIELDS}
    if unknown:
        raise ValidationFailed(_("未知的时效目标：%(names)s") % {"names": ", ".join(sorted(unknown))},
                               field="targets")
    values: dict[str, Any] = {
        "name": name.strip(), "severity": severity,
        "required_actions": [a.strip() for a in required_actions or [] if a.strip()],
        "breach_reason_required": breach_reason_required,
        **{f: _minutes(targets.get(f.removesuffix("_minutes")), f"targets.{f.removesuffix('_minutes')}")
           for f in TARGET_FIELDS},
    }
    found = EmergencyLevel.objects.select_for_update().filter(level=level).first()
    if found is None:
        return EmergencyLevel.objects.create(level=level, **values)
    for key, value in values.items():
        setattr(found, key, value)
    found.version = F("version") + 1
    found.save()
    found.refresh_from_db()
    return found


def emergency_level_touch(*, level: EmergencyLevel) -> None:
    """Record that a level changed by other means (the admin site): open cases are re-derived."""
    EmergencyLevel.objects.filter(pk=level.pk).update(version=F("version") + 1)
    level.refresh_from_db(fields=["version"])


@transaction.atomic
def fault_class_create(*, code: str, name: str, level: int, description: str = "") -> FaultClass:
    found_level = EmergencyLevel.objects.filter(level=level).first()
    if found_level is None:
        raise ValidationFailed(_("没有第 %(level)s 级应急响应级别") % {"level": level}, field="level")
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if FaultClass.objects.filter(code=code).exists():
        raise Conflict(_("代码为“%(code)s”的故障类别已存在") % {"code": code}, code="fault_class_exists",
                       field="code")
    return FaultClass.objects.create(code=code, name=name.strip(), level=found_level, description=description)
