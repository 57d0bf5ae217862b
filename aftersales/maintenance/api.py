"""HTTP API of the maintenance app (/api/v1/maintenance); handlers parse, call one service,
render."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aftersales.core.api_types import SQL_INT_MAX, ErrorOut
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.maintenance import services
from aftersales.maintenance.chain import verify_chain
from aftersales.maintenance.logbook import log_pdf, logbook_pdf, logbook_xlsx
from aftersales.maintenance.models import MaintenanceLog, PeriodKind
from aftersales.maintenance.schemas import (
    CorrectionIn,
    LogCreateIn,
    LogOut,
    LogPageOut,
    LogUpdateIn,
    OwnerLinkIn,
    OwnerLinkOut,
    OwnerSignIn,
    TechnicianSignIn,
    TokenSignIn,
    VerifyOut,
)
from aftersales.maintenance.selectors import get_log_for_user, get_site_for_user, log_list
from aftersales.workorders.images import signature_png_from_text

router = Router(tags=["maintenance"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(log: MaintenanceLog) -> dict[str, Any]:
    return dict(
        id=log.pk, site_id=log.site_id, site_name=log.site.name, asset_id=log.asset_id,
        work_order_id=log.work_order_id, period_kind=log.period_kind, status=log.status,
        performed_at=log.performed_at, problem=log.problem, symptom=log.symptom, diagnosis=log.diagnosis,
        treatment=log.treatment, state_after=log.state_after, parts_used=log.parts_used,
        time_spent_minutes=log.time_spent_minutes, technician_id=log.technician_id,
        technician_name=log.technician_name, technician_signed_at=log.technician_signed_at,
        owner_name=log.owner_name, owner_signed_at=log.owner_signed_at, owner_signed_via=log.owner_signed_via,
        corrects_id=log.corrects_id, sealed_at=log.sealed_at, chain_index=log.chain_index,
        previous_hash=log.previous_hash, content_hash=log.content_hash, created_at=log.created_at,
    )


def _detail(request: HttpRequest, log_id: Any) -> dict[str, Any]:
    return _out(get_log_for_user(request.user, log_id))


def _require_staff(request: HttpRequest) -> None:
    """Customer users read logs; writes are for staff (the owner signs by token or drawn)."""
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied(_("只有服务人员可以编写维修保养记录"), code="staff_only")


class MaintenanceListQuery(Schema):
    site: uuid.UUID | None = None
    status: str | None = None
    period_kind: str | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=SQL_INT_MAX)


@router.get("", response=LogPageOut)
def maintenance_log_list(request: HttpRequest, filters: Query[MaintenanceListQuery]) -> dict[str, Any]:
    queryset = log_list(request.user, site_id=filters.site, status=filters.status,
                        period_kind=filters.period_kind)
    page = queryset[filters.offset:filters.offset + filters.limit]
    return {"count": queryset.count(), "items": [_out(log) for log in page]}


@router.post("", response={201: LogOut})
def maintenance_log_create(request: HttpRequest, payload: LogCreateIn) -> Status[dict[str, Any]]:
    _require_staff(request)
    log = services.maintenance_log_create(actor=request.user, **payload.dict())
    return Status(201, _detail(request, log.pk))


@router.get("/verify", response=VerifyOut)
def maintenance_verify(request: HttpRequest, site: uuid.UUID | None = None) -> dict[str, Any]:
    """Prove the chain of sealed logs intact (one site, or all for staff) or name the first
    broken link."""
    if site is not None:
        get_site_for_user(request.user, site)
    else:
        _require_staff(request)
    report = verify_chain(site)
    return {"intact": report.is_intact, "checked": report.checked, "sites": report.sites,
            "broken": asdict(report.broken) if report.broken else None}


@router.post("/owner-sign", response=LogOut, auth=None)
def maintenance_owner_sign_by_token(request: HttpRequest, payload: TokenSignIn) -> dict[str, Any]:
    """The owner's representative signs through the e-mailed one-time link: no login."""
    log = services.owner_sign_with_token(payload.token, payload.signer_name,
                                         signature_png_from_text(payload.signature))
    return _out(MaintenanceLog.objects.select_related("site").get(pk=log.pk))


def _period(period_kind: str | None, start: dt.date, end: dt.date) -> None:
    if period_kind and period_kind not in PeriodKind.values:
        raise ValidationFailed(_("记录类别无效"), code="invalid_period_kind", field="period_kind")
    if end < start or (end - start).days > 366 * 5:
        raise ValidationFailed(_("日期范围无效"), code="invalid_range", field="end")


@router.get("/logbook.pdf")
def maintenance_logbook_pdf(request: HttpRequest, site: uuid.UUID, start: dt.date, end: dt.date,
                            period_kind: str | None = None) -> HttpResponse:
    site_row = get_site_for_user(request.user, site)
    _period(period_kind, start, end)
    response = HttpResponse(logbook_pdf(site_row, period_kind, start, end), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="logbook-{start}-{end}.pdf"'
    return response


@router.get("/logbook.xlsx")
def maintenance_logbook_xlsx(request: HttpRequest, site: uuid.UUID, start: dt.date, end: dt.date,
                             period_kind: str | None = None) -> HttpResponse:
    site_row = get_site_for_user(request.user, site)
    _period(period_kind, start, end)
    response = HttpResponse(logbook_xlsx(site_row, period_kind, start, end), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="logbook-{start}-{end}.xlsx"'
    return response


@router.get("/{uuid:log_id}/log.pdf", response={200: None, 409: ErrorOut})
def maintenance_log_pdf(request: HttpRequest, log_id: uuid.UUID) -> HttpResponse:
    """One sealed log with both signatures, as it stands in the log book."""
    log = get_log_for_user(request.user, log_id)
    if not log.is_sealed:
        raise Conflict(_("记录封存后才能导出"), code="log_not_sealed")
    response = HttpResponse(log_pdf(log), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="maintenance-log-{log.chain_index}.pdf"'
    return response


@router.get("/{uuid:log_id}", response=LogOut)
def maintenance_log_detail(request: HttpRequest, log_id: uuid.UUID) -> dict[str, Any]:
    return _detail(request, log_id)


@router.patch("/{uuid:log_id}", response=LogOut)
def maintenance_log_update(request: HttpRequest, log_id: uuid.UUID, payload: LogUpdateIn) -> dict[str, Any]:
    get_log_for_user(request.user, log_id)
    _require_staff(request)
    services.maintenance_log_update(actor=request.user, log_id=log_id, **payload.dict(exclude_unset=True))
    return _detail(request, log_id)


@router.post("/{uuid:log_id}/technician-sign", response=LogOut)
def maintenance_log_technician_sign(request: HttpRequest, log_id: uuid.UUID,
                                    payload: TechnicianSignIn) -> dict[str, Any]:
    get_log_for_user(request.user, log_id)
    services.maintenance_log_technician_sign(
        actor=request.user, log_id=log_id, signature_png=signature_png_from_text(payload.signature),
        signer_name=payload.signer_name)
    return _detail(request, log_id)


@router.post("/{uuid:log_id}/owner-sign", response=LogOut)
def maintenance_log_owner_sign(request: HttpRequest, log_id: uuid.UUID, payload: OwnerSignIn) -> dict[str, Any]:
    services.maintenance_log_owner_sign(
        actor=request.user, log_id=log_id, signer_name=payload.signer_name,
        signature_png=signature_png_from_text(payload.signature))
    return _detail(request, log_id)


@router.post("/{uuid:log_id}/owner-link", response={201: OwnerLinkOut})
def maintenance_log_owner_link(request: HttpRequest, log_id: uuid.UUID,
                               payload: OwnerLinkIn) -> Status[dict[str, Any]]:
    get_log_for_user(request.user, log_id)
    _require_staff(request)
    link, _token = services.maintenance_log_send_owner_link(actor=request.user, log_id=log_id,
                                                            email=payload.email)
    return Status(201, {"id": link.pk, "email": link.email, "expires_at": link.expires_at})


@router.post("/{uuid:log_id}/corrections", response={201: LogOut})
def maintenance_log_correct(request: HttpRequest, log_id: uuid.UUID,
                            payload: CorrectionIn) -> Status[dict[str, Any]]:
    get_log_for_user(request.user, log_id)
    _require_staff(request)
    correction = services.maintenance_log_correct(actor=request.user, log_id=log_id,
                                                  **payload.dict(exclude_unset=True))
    return Status(201, _detail(request, correction.pk))
