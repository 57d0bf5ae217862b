"""HTTP API of the workorders app (/api/v1/); handlers parse, call one service, render."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from aftersales.core.api_types import IdempotencyKey
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.workorders import services
from aftersales.workorders.images import signature_png_from_text
from aftersales.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPhoto,
    WorkOrderSignature,
)
from aftersales.workorders.report import parts_lines_for, work_order_report_pdf
from aftersales.workorders.schemas import (
    PhotoOut,
    SignatureIn,
    StatusIn,
    WorkOrderActionIn,
    WorkOrderCreateIn,
    WorkOrderDetailOut,
    WorkOrderPageOut,
)
from aftersales.workorders.selectors import (
    WorkOrderFilters,
    get_photo_for_user,
    get_work_order_for_user,
    work_order_events,
    work_order_list,
    work_order_photos,
)

router = Router(tags=["workorders"])

# A stored file never runs script in our origin, whatever it contains.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _fields(work_order: WorkOrder) -> dict[str, Any]:
    case = work_order.case
    technician = work_order.technician
    return dict(
        id=work_order.pk, number=work_order.number, case_id=case.pk, case_number=case.number,
        customer_id=case.customer_id, customer_name=case.customer.name, kind=work_order.kind,
        status=work_order.status, technician_id=work_order.technician_id,
        technician=technician.username if technician is not None else None, summary=work_order.summary,
        scheduled_for=work_order.scheduled_for, travel_started_at=work_order.travel_started_at,
        checked_in_at=work_order.checked_in_at, work_done_at=work_order.work_done_at,
        signed_at=work_order.signed_at, closed_at=work_order.closed_at, cancelled_at=work_order.cancelled_at,
        cancel_reason=work_order.cancel_reason, diagnosis=work_order.diagnosis,
        work_performed=work_order.work_performed, result=work_order.result,
        time_spent_minutes=work_order.time_spent_minutes, version=work_order.version,
        created_at=work_order.created_at,
    )


def _event_out(event: WorkOrderEvent) -> dict[str, Any]:
    return dict(sequence=event.sequence, kind=event.kind, at=event.at,
                actor=event.actor.username if event.actor is not None else None,
                status_before=event.status_before, status_after=event.status_after, data=event.data)


def _photo_out(photo: WorkOrderPhoto) -> dict[str, Any]:
    return dict(id=photo.pk, caption=photo.caption, content_type=photo.content_type, size=photo.size,
                uploaded_by=photo.uploaded_by.username, created_at=photo.created_at)


def _detail(request: HttpRequest, response: HttpResponse, work_order_id: Any) -> dict[str, Any]:
    """Read back through the scoping layer, with its timeline, photos and signature."""
    work_order = get_work_order_for_user(request.user, work_order_id)
    signature = WorkOrderSignature.objects.filter(work_order=work_order).first()
    photos = WorkOrderPhoto.objects.filter(work_order=work_order).select_related("uploaded_by")
    response["ETag"] = f'"{work_order.version}"'
    return dict(
        **_fields(work_order), events=[_event_out(e) for e in work_order_events(work_order)],
        photos=[_photo_out(p) for p in photos.order_by("created_at")],
        signature=dict(signer_name=signature.signer_name, signed_at=signature.signed_at,
                       width=signature.width, height=signature.height) if signature else None,
    )


def _expected_version(body_value: int | None, if_match: str | None) -> int | None:
    if body_value is not None or not if_match:
        return body_value
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ValidationFailed(_("If-Match 须为派工单的 ETag"), field="If-Match") from None


@router.post("", response={200: WorkOrderDetailOut, 201: WorkOrderDetailOut})
def work_order_create(
    request: HttpRequest, response: HttpResponse, payload: WorkOrderCreateIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Status[WorkOrderDetailOut]:
    """Dispatch a work order for a case. With an Idempotency-Key, a repeat (even a concurrent
    one) returns the first work order with status 200 instead of creating another."""
    data = payload.dict()
    work_order, created = services.work_order_create(
        actor=request.user, case_id=data["case_id"], kind=data["kind"], technician_id=data["technician_id"],
        scheduled_for=data["scheduled_for"], summary=data["summary"], idempotency_key=idempotency_key,
        fingerprint=services.request_fingerprint(data) if idempotency_key else "",
    )
    return Status(201 if created else 200, _detail(request, response, work_order.pk))


class WorkOrderListQuery(Schema):
    case: uuid.UUID | None = None
    technician: int | None = None
    status: StatusIn | None = None
    mine: bool = Field(default=False, description="only the signed-in technician's work orders")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


@router.get("", response=WorkOrderPageOut)
def work_order_list_view(request: HttpRequest, query: Query[WorkOrderListQuery]) -> dict[str, Any]:
    """Work orders the user may see: open first, by scheduled time."""
    filters = WorkOrderFilters(
        case_id=query.case, status=query.status,
        technician_id=request.user.pk if query.mine else query.technician,
    )
    rows = work_order_list(request.user, filters, limit=query.limit, offset=query.offset)
    has_more = len(rows) > query.limit
    return {
        "items": [_fields(w) for w in rows[: query.limit]], "limit": query.limit, "offset": query.offset,
        "next_offset": query.offset + query.limit if has_more else None,
    }


@router.get("/{work_order_id}", response=WorkOrderDetailOut)
def work_order_detail(request: HttpRequest, response: HttpResponse, work_order_id: uuid.UUID) -> dict[str, Any]:
    return _detail(request, response, work_order_id)


ActionName = Literal["assign", "start_travel", "check_in", "record", "complete", "close", "cancel"]


@router.post("/{work_order_id}/actions/{action}", response=WorkOrderDetailOut)
def work_order_action(
    request: HttpRequest, response: HttpResponse, work_order_id: uuid.UUID, action: ActionName,
    payload: WorkOrderActionIn | None = None,
    if_match: str | None = Header(default=None, alias="If-Match"),
) -> dict[str, Any]:
    """Perform an action; 409 when the work order's status does not allow it or it changed since
    `expected_version` (or If-Match). The signature has its own endpoints."""
    data = payload or WorkOrderActionIn()
    services.work_order_act(
        actor=request.user, work_order_id=work_order_id, action=action, technician_id=data.technician_id,
        note=data.note, diagnosis=data.diagnosis, work_performed=data.work_performed, result=data.result,
        time_spent_minutes=data.time_spent_minutes, reason=data.reason,
        expected_version=_expected_version(data.expected_version, if_match),
    )
    return _detail(request, response, work_order_id)


@router.post("/{work_order_id}/photos", response={201: PhotoOut})
def work_order_photo_upload(
    request: HttpRequest, work_order_id: uuid.UUID, file: File[UploadedFile],
    caption: Form[str] = "",
) -> Status[PhotoOut]:
    """Upload a site photo (multipart: file, caption): PNG, JPEG, GIF or WebP, by content."""
    photo = services.work_order_add_photo(actor=request.user, work_order_id=work_order_id, upload=file,
                                          caption=caption)
    return Status(201, _photo_out(photo))


@router.get("/{work_order_id}/photos/{photo_id}", response={200: None})
def work_order_photo_file(request: HttpRequest, work_order_id: uuid.UUID, photo_id: uuid.UUID) -> FileResponse:
    photo = get_photo_for_user(request.user, work_order_id, photo_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post("/{work_order_id}/signature", response=WorkOrderDetailOut)
def work_order_signature(
    request: HttpRequest, response: HttpResponse, work_order_id: uuid.UUID, payload: SignatureIn,
    if_match: str | None = Header(default=None, alias="If-Match"),
) -> dict[str, Any]:
    """The customer's signature from a canvas, as JSON {signer_name, signature: data URL}."""
    services.work_order_sign(
        actor=request.user, work_order_id=work_order_id, signature_png=signature_png_from_text(payload.signature),
        signer_name=payload.signer_name, expected_version=_expected_version(payload.expected_version, if_match),
    )
    return _detail(request, response, work_order_id)


@router.post("/{work_order_id}/signature/file", response=WorkOrderDetailOut)
def work_order_signature_file(
    request: HttpRequest, response: HttpResponse, work_order_id: uuid.UUID,
    signature: File[UploadedFile], signer_name: Form[str],
    expected_version: Form[int | None] = None,
) -> dict[str, Any]:
    """The customer's signature as a PNG file (multipart: signature, signer_name)."""
    services.work_order_sign(
        actor=request.user, work_order_id=work_order_id,
        signature_png=signature.read(services.SIGNATURE_READ_LIMIT),
        signer_name=signer_name, expected_version=expected_version,
    )
    return _detail(request, response, work_order_id)


@router.get("/{work_order_id}/signature.png", response={200: None})
def work_order_signature_image(request: HttpRequest, work_order_id: uuid.UUID) -> FileResponse:
    work_order = get_work_order_for_user(request.user, work_order_id)
    signature = WorkOrderSignature.objects.filter(work_order=work_order).first()
    if signature is None:
        raise NotFound(_("该派工单还没有客户签名"), code="signature_not_found")
    response = FileResponse(signature.file.open("rb"), content_type="image/png")
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get("/{work_order_id}/report.pdf", response={200: None})
def work_order_report(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    """The printable field service report (现场服务报告) with the parts used and the signature."""
    work_order = get_work_order_for_user(request.user, work_order_id)
    pdf = work_order_report_pdf(
        work_order=work_order, parts=parts_lines_for(work_order),
        time_zone=getattr(request.user, "time_zone", "") or None,
        photos_count=len(work_order_photos(work_order)),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{work_order.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
