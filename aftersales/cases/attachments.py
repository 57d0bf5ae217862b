"""Attachments of cases: what may be uploaded (images and PDF, by their content, up to a size),
storing them without losing or half-writing anything, and who may read them."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.cases.models import CaseAttachment, EventKind
from aftersales.cases.services import _lock_case, _record
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.core.scoping import ScopedUser, get_scoped_or_404

# The first bytes of each accepted type. The name and the browser's claim are not trusted.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
)
ALLOWED_TYPES = frozenset(t for _sig, _at, t in SIGNATURES)


def sniff_content_type(head: bytes) -> str | None:
    for signature, offset, content_type in SIGNATURES:
        if head[offset : offset + len(signature)] == signature and (offset == 0 or head[:4] == b"RIFF"):
            return content_type
    return None


def clean_file_name(name: str) -> str:
    """The name to show: no path, no control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return (name.strip() or "attachment")[:200]


def case_attach(*, actor: User, case_id: Any, upload: IO[bytes], name: str, visible_to_customer: bool = True,
                now: Any = None) -> CaseAttachment:
    """Store a file on the case and record it in the timeline. A customer's files are always
    visible to the customer; only staff may attach internal files."""
    limit = settings.ATTACHMENT_MAX_BYTES
    head = upload.read(16)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationFailed(_("只能上传图片（PNG、JPEG、GIF、WebP）或 PDF 文件。"), field="file")
    digest = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        size += len(chunk)
        if size > limit:
            raise ValidationFailed(_("文件超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}, field="file")
        digest.update(chunk)
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), field="file")
    upload.seek(0)
    if actor.is_customer_user:
        visible_to_customer = True
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        attachment = CaseAttachment(case=case, name=clean_file_name(name), content_type=content_type, size=size,
                                    sha256=digest.hexdigest(), uploaded_by=actor,
                                    visible_to_customer=visible_to_customer, created_at=now)
        # The file is written first; if the transaction then fails, it is removed again.
        attachment.file.save(attachment.pk.hex, File(upload), save=False)
        try:
            attachment.save(force_insert=True)
            _record(case, kind=EventKind.ATTACHED, actor=actor, at=now, before=case.status, after=case.status,
                    data={"name": attachment.name, "attachment": str(attachment.pk),
                          "internal": not visible_to_customer}).save()
            case.save(update_fields=["last_event_sequence", "updated_at"])
        except BaseException:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachments_for(user: ScopedUser, case: Any) -> list[CaseAttachment]:
    queryset = CaseAttachment.objects.filter(case=case).select_related("uploaded_by").defer(
        "uploaded_by__password", "uploaded_by__last_login", "uploaded_by__email", "uploaded_by__first_name",
        "uploaded_by__last_name", "uploaded_by__date_joined")
    if getattr(user, "is_customer_user", False):
        queryset = queryset.filter(visible_to_customer=True)
    return list(queryset)


def get_attachment_for_user(user: ScopedUser, attachment_id: Any) -> CaseAttachment:
    attachment = get_scoped_or_404(CaseAttachment.objects.select_related("case"), user,
                                   customer_field="case__customer_id", what="attachment", pk=attachment_id)
    if getattr(user, "is_customer_user", False) and not attachment.visible_to_customer:
        raise NotFound(_("附件不存在。"), code="attachment_not_found")
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    return attachment
