"""What a training material may be: PDF, images, Office documents and MP4 videos, told by
their content (the name and the browser's claim are not trusted), up to a size."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.cases.attachments import clean_file_name, sniff_content_type
from aftersales.core.errors import ValidationFailed

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Office Open XML: the folder inside the zip tells the kind of document.
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Old binary Office files all share one container; its name's extension says which it is.
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def _ooxml_type(upload: IO[bytes]) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in OOXML_TYPES.items():
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def material_content_type(head: bytes, upload: IO[bytes], name: str) -> str | None:
    """The type of an accepted file, or None. `head` holds the file's first 16 bytes."""
    found = sniff_content_type(head)
    if found is not None:
        return found
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(ZIP_SIGNATURE):
        return _ooxml_type(upload)
    if head.startswith(OLE_SIGNATURE):
        return OLE_TYPES.get(name.rsplit(".", 1)[-1].lower() if "." in name else "")
    return None


def check_material_file(upload: IO[bytes], name: str) -> CheckedFile:
    """Read the whole file once: its type, size and digest. The file is left at its start."""
    limit = int(settings.TRAINING_MATERIAL_MAX_BYTES)
    upload.seek(0)
    head = upload.read(16)
    content_type = material_content_type(head, upload, name)
    if content_type is None:
        raise ValidationFailed(
            _("只能上传 PDF、图片（PNG、JPEG、GIF、WebP）、Office 文档（Word、Excel、PowerPoint）或 MP4 视频。"),
            field="file", code="file_type_refused",
        )
    upload.seek(len(head))
    digest = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        size += len(chunk)
        if size > limit:
            raise ValidationFailed(
                _("文件超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}, field="file",
                code="file_too_large",
            )
        digest.update(chunk)
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), field="file", code="file_empty")
    upload.seek(0)
    return CheckedFile(name=clean_file_name(name), content_type=content_type, size=size,
                       sha256=digest.hexdigest())
