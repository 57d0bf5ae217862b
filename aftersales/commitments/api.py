"""Commitment imports over HTTP: create from text or an uploaded file, read with its items and
spans, edit an item, preview and apply. Admins and managers only (the services check)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from aftersales.commitments import services
from aftersales.commitments.documents import read_upload, text_document, uploaded_document
from aftersales.commitments.models import CommitmentImport, CommitmentItem
from aftersales.commitments.schemas import (
    ApplyIn,
    ChangeOut,
    ImportCreateIn,
    ImportOut,
    ItemOut,
    ItemUpdateIn,
    PreviewOut,
    SpanOut,
    UnmappedOut,
)

router = Router(tags=["commitments"])


def _item_out(row: CommitmentItem) -> ItemOut:
    text = row.commitment_import.text
    return ItemOut(
        id=row.pk, position=row.position, kind=row.kind, severity=row.severity,
        regions=list(row.regions), value=row.value, value_unit=row.value_unit,
        original_value=row.original_value, basis=row.basis, conditions=dict(row.conditions),
        start_event=row.start_event, subject=row.subject, is_included=row.is_included,
        reason=row.reason, figure=row.figure_text, rule=row.rule, note=row.note,
        span=SpanOut(start=row.span_start, end=row.span_end, text=row.span_text),
        sentence=SpanOut(start=row.sentence_start, end=row.sentence_end,
                         text=text[row.sentence_start:row.sentence_end]),
    )


def import_out(commitment_import: CommitmentImport) -> ImportOut:
    items = list(commitment_import.items.select_related("commitment_import"))
    unmapped = commitment_import.draft.get("unmapped", []) if isinstance(commitment_import.draft, dict) else []
    return ImportOut(
        id=commitment_import.pk, source_name=commitment_import.source_name,
        source_kind=commitment_import.source_kind, status=commitment_import.status,
        version=commitment_import.version, text=commitment_import.text,
        created_at=commitment_import.created_at, applied_at=commitment_import.applied_at,
        target_policy=commitment_import.target_policy.code if commitment_import.target_policy else None,
        target_tier=commitment_import.target_tier.code if commitment_import.target_tier else None,
        target_contract=(commitment_import.target_contract.number
                         if commitment_import.target_contract else None),
        items=[_item_out(item) for item in items],
        unmapped=[UnmappedOut(**entry) for entry in unmapped],
        applied_changes=[ChangeOut(**change) for change in commitment_import.applied_changes],
    )


def _target(payload: ApplyIn) -> services.ApplyTarget:
    return services.ApplyTarget(
        policy_code=payload.policy_code, policy_name=payload.policy_name,
        tier_code=payload.tier_code, contract_number=payload.contract_number,
        product_models=tuple(payload.product_models), visit_assignee_id=payload.visit_assignee_id,
    )


@router.post("/imports", response={201: ImportOut})
def import_create(request: HttpRequest, payload: ImportCreateIn) -> Status[ImportOut]:
    """Paste a commitment document's text: it is parsed into a draft to review."""
    created = services.commitment_import_create(
        actor=request.user,  # type: ignore[arg-type]
        document=text_document(text=payload.text, name=payload.name),
    )
    return Status(201, import_out(created))


@router.post("/imports/upload", response={201: ImportOut})
def import_upload(request: HttpRequest, file: File[UploadedFile], name: Form[str] = "") -> Status[ImportOut]:
    """Upload a document (multipart `file`): .txt (UTF-8 or GB18030), .docx or .pdf."""
    services.require_configuring(request.user)  # type: ignore[arg-type]
    document = uploaded_document(name=name or file.name or "", content=read_upload(file))
    created = services.commitment_import_create(actor=request.user, document=document)  # type: ignore[arg-type]
    return Status(201, import_out(created))


@router.get("/imports/{import_id}", response=ImportOut)
def import_detail(request: HttpRequest, import_id: uuid.UUID) -> ImportOut:
    found = services.get_commitment_import(actor=request.user, import_id=import_id)  # type: ignore[arg-type]
    return import_out(found)


@router.patch("/imports/{import_id}/items/{item_id}", response=ItemOut)
def item_update(request: HttpRequest, import_id: uuid.UUID, item_id: uuid.UUID, payload: ItemUpdateIn) -> ItemOut:
    item = services.commitment_item_update(
        actor=request.user, import_id=import_id, item_id=item_id,  # type: ignore[arg-type]
        version=payload.version, kind=payload.kind, severity=payload.severity, regions=payload.regions,
        value=payload.value, is_included=payload.is_included, note=payload.note,
    )
    return _item_out(item)


@router.post("/imports/{import_id}/preview", response=PreviewOut)
def import_preview(request: HttpRequest, import_id: uuid.UUID, payload: ApplyIn) -> PreviewOut:
    """What applying to this target would change now; nothing is written."""
    preview = services.commitment_preview(actor=request.user, import_id=import_id,  # type: ignore[arg-type]
                                          target=_target(payload))
    return PreviewOut(is_new_policy=preview.is_new_policy,
                      changes=[ChangeOut(**asdict(change)) for change in preview.changes],
                      notes=preview.notes, targets=preview.figures.targets)


@router.post("/imports/{import_id}/apply", response=ImportOut)
def import_apply(request: HttpRequest, import_id: uuid.UUID, payload: ApplyIn) -> ImportOut:
    """Apply the reviewed items (one transaction). The same request again changes nothing;
    409 once applied otherwise, or when `version` is not the import's."""
    applied = services.commitment_apply(actor=request.user, import_id=import_id,  # type: ignore[arg-type]
                                        target=_target(payload), version=payload.version)
    return import_out(applied)
