"""Emergency levels and fault classes (/api/v1/emergencies): staff read them, managers set them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from aftersales.core.permissions import require_role
from aftersales.core.roles import CONFIGURING_ROLES, STAFF_ROLES
from aftersales.emergencies.models import TARGET_FIELDS, EmergencyLevel, FaultClass
from aftersales.emergencies.schemas import (
    EmergencyLevelIn,
    EmergencyLevelOut,
    FaultClassIn,
    FaultClassOut,
)
from aftersales.emergencies.services import emergency_level_save, fault_class_create

router = Router(tags=["emergencies"])


def _level_out(level: EmergencyLevel) -> EmergencyLevelOut:
    return EmergencyLevelOut(
        id=level.pk, level=level.level, name=level.name, severity=level.severity,
        targets={f.removesuffix("_minutes"): getattr(level, f) for f in TARGET_FIELDS},
        required_actions=list(level.required_actions or []), breach_reason_required=level.breach_reason_required,
    )


def _fault_class_out(fault_class: FaultClass) -> FaultClassOut:
    return FaultClassOut(
        id=fault_class.pk, code=fault_class.code, name=fault_class.name, level=fault_class.level.level,
        level_name=fault_class.level.name, severity=fault_class.level.severity, is_active=fault_class.is_active,
    )


@router.get("/levels", response=list[EmergencyLevelOut])
def level_list(request: HttpRequest) -> list[EmergencyLevelOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看应急响应级别"))
    return [_level_out(level) for level in EmergencyLevel.objects.order_by("level")]


@router.put("/levels/{level}", response=EmergencyLevelOut)
def level_save(request: HttpRequest, level: int, payload: EmergencyLevelIn) -> EmergencyLevelOut:
    require_role(request.user, CONFIGURING_ROLES, doing=_("设置应急响应级别"))
    saved = emergency_level_save(
        level=level, name=payload.name, severity=payload.severity, targets=payload.targets,
        required_actions=payload.required_actions, breach_reason_required=payload.breach_reason_required,
    )
    return _level_out(saved)


@router.get("/fault-classes", response=list[FaultClassOut])
def fault_class_list(request: HttpRequest) -> list[FaultClassOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看故障类别"))
    return [_fault_class_out(f) for f in FaultClass.objects.select_related("level").order_by("level__level", "code")]


@router.post("/fault-classes", response={201: FaultClassOut})
def fault_class_create_view(request: HttpRequest, payload: FaultClassIn) -> Status[FaultClassOut]:
    require_role(request.user, CONFIGURING_ROLES, doing=_("定义故障类别"))
    created = fault_class_create(code=payload.code, name=payload.name, level=payload.level,
                                 description=payload.description)
    return Status(201, _fault_class_out(FaultClass.objects.select_related("level").get(pk=created.pk)))
