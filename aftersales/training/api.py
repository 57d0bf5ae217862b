"""HTTP API of training (/api/v1/training); handlers parse, call one service, render.
Customer users read their own organisation's sessions and the published customer materials of
the products it owns (anything else answers 404); every change is staff work. Creating a
session honours an Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from aftersales.core.api_types import (
    IdempotencyKey,
    created_or_replayed,
    idempotency_key_for_user,
    page,
)
from aftersales.training import selectors, services
from aftersales.training.downloads import material_response
from aftersales.training.models import (
    Qualification,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)
from aftersales.training.schemas import (
    AttendanceOut,
    AttendanceRecordIn,
    AttendeeIn,
    AudienceIn,
    HoldOut,
    MaterialKindIn,
    MaterialOut,
    MaterialPageOut,
    PageQuery,
    QualificationGrantIn,
    QualificationOut,
    QualificationPageOut,
    QualificationRevokeIn,
    SessionCancelIn,
    SessionCreateIn,
    SessionOut,
    SessionPageOut,
    SessionUpdateIn,
)

router = Router(tags=["training"])

StatusIn = Literal["planned", "held", "cancelled"]


def session_out(row: TrainingSession) -> dict[str, Any]:
    registered = getattr(row, "registered", None)
    return dict(
        id=row.pk, product_id=row.product_id, product_model=row.product.model, title=row.title,
        audience=row.audience, customer_id=row.customer_id,
        customer_name=row.customer.name if row.customer else None, starts_at=row.starts_at,
        ends_at=row.ends_at, location=row.location, trainer_id=row.trainer_id,
        trainer_name=row.trainer.get_full_name() or row.trainer.username, capacity=row.capacity,
        registered=registered if registered is not None else row.attendances.count(),
        status=row.status, grants_qualification=row.grants_qualification,
        qualification_months=row.qualification_months, note=row.note, version=row.version,
        held_at=row.held_at, cancelled_at=row.cancelled_at, cancel_reason=row.cancel_reason,
    )


def attendance_out(row: TrainingAttendance) -> dict[str, Any]:
    return dict(
        id=row.pk, session_id=row.session_id, user_id=row.user_id, contact_id=row.contact_id,
        name=row.attendee_name, attended=row.attended, passed=row.passed, score=row.score,
        recorded_at=row.recorded_at,
    )


def material_out(row: TrainingMaterial) -> dict[str, Any]:
    return dict(
        id=row.pk, product_id=row.product_id, product_model=row.product.model, title=row.title,
        kind=row.kind, audience=row.audience, version=row.version, file_name=row.file_name,
        content_type=row.content_type, size=row.size, sha256=row.sha256,
        is_published=row.is_published, published_at=row.published_at, created_at=row.created_at,
        download_url=reverse("api-v1:training_material_download", args=[row.pk]),
    )


def qualification_out(row: Qualification) -> dict[str, Any]:
    return dict(
        id=row.pk, user_id=row.user_id, username=row.user.username, product_id=row.product_id,
        product_model=row.product.model, granted_on=row.granted_on, expires_on=row.expires_on,
        session_id=row.session_id, granted_by=row.granted_by.username, revoked_at=row.revoked_at,
        revoked_reason=row.revoked_reason,
    )


def _session(request: HttpRequest, session_id: Any) -> dict[str, Any]:
    return session_out(selectors.get_session_for_user(request.user, session_id))


# --- sessions -------------------------------------------------------------------------------


@router.get("/sessions", response=SessionPageOut)
def session_list(
    request: HttpRequest, query: Query[PageQuery], status: StatusIn | None = None,
    product_id: uuid.UUID | None = None, audience: AudienceIn | None = None,
    upcoming: bool | None = None,
) -> Any:
    rows = selectors.sessions_for_user(
        request.user, status=status, product_id=product_id, audience=audience, upcoming=upcoming
    )
    return page(rows, query, session_out)


@router.post("/sessions", response={200: SessionOut, 201: SessionOut})
def session_create(
    request: HttpRequest, payload: SessionCreateIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """Plan a session; a customer session names its customer, a staff one none."""
    row, created = services.training_session_create(
        actor=request.user, idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=services.request_fingerprint(payload.dict()), **payload.dict(),
    )
    return created_or_replayed(created, _session(request, row.pk))


@router.get("/sessions/{session_id}", response=SessionOut)
def session_detail(request: HttpRequest, session_id: uuid.UUID) -> Any:
    return _session(request, session_id)


@router.patch("/sessions/{session_id}", response=SessionOut)
def session_update(request: HttpRequest, session_id: uuid.UUID, payload: SessionUpdateIn) -> Any:
    """Change a planned session; with `expected_version`, a stale edit answers 412."""
    changes = payload.dict(exclude_unset=True)
    expected_version = changes.pop("expected_version", None)
    # null means "no expiry" for the months; for the other fields it means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "qualification_months"}
    services.training_session_update(
        actor=request.user, session_id=session_id, changes=changes, expected_version=expected_version
    )
    return _session(request, session_id)


@router.post("/sessions/{session_id}/cancel", response=SessionOut)
def session_cancel(request: HttpRequest, session_id: uuid.UUID, payload: SessionCancelIn) -> Any:
    services.training_session_cancel(actor=request.user, session_id=session_id, reason=payload.reason)
    return _session(request, session_id)


@router.post("/sessions/{session_id}/hold", response=HoldOut)
def session_hold(request: HttpRequest, session_id: uuid.UUID) -> Any:
    """Mark as held; staff who passed a qualifying session get (or renew) a qualification."""
    _row, granted = services.training_session_hold(actor=request.user, session_id=session_id)
    return dict(session=_session(request, session_id), qualification_ids=[q.pk for q in granted])


@router.get("/sessions/{session_id}/attendances", response=list[AttendanceOut])
def attendance_list(request: HttpRequest, session_id: uuid.UUID) -> Any:
    session = selectors.get_session_for_user(request.user, session_id)
    return [attendance_out(row) for row in selectors.attendances_of(session)]


@router.post("/sessions/{session_id}/attendances", response={200: AttendanceOut, 201: AttendanceOut})
def attendee_register(request: HttpRequest, session_id: uuid.UUID, payload: AttendeeIn) -> Any:
    """Register a staff member or a contact of the session's customer; registering again
    answers 200 with the first registration. A full session answers 409."""
    row, created = services.training_attendee_register(
        actor=request.user, session_id=session_id, user_id=payload.user_id,
        contact_id=payload.contact_id,
    )
    return created_or_replayed(
        created, attendance_out(selectors.get_attendance_for_user(request.user, row.pk))
    )


@router.post("/attendances/{attendance_id}", response=AttendanceOut)
def attendance_record(
    request: HttpRequest, attendance_id: uuid.UUID, payload: AttendanceRecordIn
) -> Any:
    services.training_attendance_record(
        actor=request.user, attendance_id=attendance_id, attended=payload.attended,
        passed=payload.passed, score=payload.score,
    )
    return attendance_out(selectors.get_attendance_for_user(request.user, attendance_id))


# --- materials ------------------------------------------------------------------------------


@router.get("/materials", response=MaterialPageOut)
def material_list(
    request: HttpRequest, query: Query[PageQuery], product_id: uuid.UUID | None = None
) -> Any:
    rows = selectors.materials_for_user(request.user, product_id=product_id)
    return page(rows, query, material_out)


@router.post("/materials", response={200: MaterialOut, 201: MaterialOut})
def material_upload(
    request: HttpRequest, file: File[UploadedFile], product_id: Form[uuid.UUID], title: Form[str],
    kind: Form[MaterialKindIn], audience: Form[AudienceIn], version: Form[str] = "",
    publish: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """Upload (multipart): PDF, images, Office documents or MP4, told by content. The same
    file again for the product answers 200 with the first material."""
    row, created = services.training_material_upload(
        actor=request.user, product_id=product_id, title=title, kind=kind, audience=audience,
        upload=file, name=file.name or "", version=version, publish=publish,
    )
    return created_or_replayed(created, material_out(row))


@router.get("/materials/{material_id}", response=MaterialOut)
def material_detail(request: HttpRequest, material_id: uuid.UUID) -> Any:
    return material_out(selectors.get_material_for_user(request.user, material_id))


@router.get("/materials/{material_id}/file", response={200: None}, url_name="training_material_download")
def material_download(request: HttpRequest, material_id: uuid.UUID) -> FileResponse:
    return material_response(selectors.get_material_for_user(request.user, material_id))


@router.post("/materials/{material_id}/publish", response=MaterialOut)
def material_publish(request: HttpRequest, material_id: uuid.UUID) -> Any:
    return material_out(services.training_material_publish(actor=request.user, material_id=material_id))


@router.post("/materials/{material_id}/withdraw", response=MaterialOut)
def material_withdraw(request: HttpRequest, material_id: uuid.UUID) -> Any:
    return material_out(services.training_material_withdraw(actor=request.user, material_id=material_id))


# --- qualifications -------------------------------------------------------------------------


@router.get("/qualifications", response=QualificationPageOut)
def qualification_list(
    request: HttpRequest, query: Query[PageQuery], product_id: uuid.UUID | None = None,
    user_id: int | None = None, include_revoked: bool = False,
) -> Any:
    """Staff only (customer users get an empty list): who may work on which product."""
    rows = selectors.qualifications_for_user(
        request.user, product_id=product_id, user_id=user_id, include_revoked=include_revoked
    )
    return page(rows, query, qualification_out)


@router.post("/qualifications", response={200: QualificationOut, 201: QualificationOut})
def qualification_grant(request: HttpRequest, payload: QualificationGrantIn) -> Any:
    """Grant by hand (managers, admins); one already held is renewed (200) instead."""
    row, created = services.qualification_grant(
        actor=request.user, user_id=payload.user_id, product_id=payload.product_id,
        expires_on=payload.expires_on,
    )
    return created_or_replayed(
        created, qualification_out(selectors.get_qualification_for_user(request.user, row.pk))
    )


@router.post("/qualifications/{qualification_id}/revoke", response=QualificationOut)
def qualification_revoke(
    request: HttpRequest, qualification_id: uuid.UUID, payload: QualificationRevokeIn
) -> Any:
    services.qualification_revoke(
        actor=request.user, qualification_id=qualification_id, reason=payload.reason
    )
    return qualification_out(selectors.get_qualification_for_user(request.user, qualification_id))
