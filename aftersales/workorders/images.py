"""What may be stored as a work order's photo or signature: checked by content with Pillow,
never by the name or the browser's claim."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from aftersales.cases.attachments import sniff_content_type
from aftersales.core.errors import ValidationFailed

PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# A phone canvas at three device pixels per CSS pixel stays far below these.
SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MIN_SIZE = (100, 40)
SIGNATURE_MAX_SIZE = (4000, 2000)
# Pixels that differ this much in brightness from the background count as ink.
INK_CONTRAST = 48
# Fewer ink pixels than this is an empty pad or a stray tap, not a signature.
MIN_INK_PIXELS = 50
# Decoding is refused beyond this many pixels (a small file can expand to gigabytes).
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CheckedSignature:
    width: int
    height: int
    size: int
    sha256: str


def _decodes(data: IO[bytes]) -> tuple[int, int] | None:
    """Width and height if Pillow reads the whole image without error, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(data) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return None
                image.verify()
                return width, height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None


def photo_check(upload: IO[bytes]) -> CheckedFile:
    """A photo: PNG, JPEG, GIF or WebP that decodes, up to the attachment size limit.
    Leaves `upload` at its start."""
    limit = settings.ATTACHMENT_MAX_BYTES
    head = upload.read(16)
    content_type = sniff_content_type(head)
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed(_("只能上传图片（PNG、JPEG、GIF、WebP）。"), code="photo_type", field="file")
    digest = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        size += len(chunk)
        if size > limit:
            raise ValidationFailed(_("文件超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)},
                                   code="photo_too_large", field="file")
        digest.update(chunk)
    upload.seek(0)
    if _decodes(upload) is None:
        raise ValidationFailed(_("图片已损坏或无法识别。"), code="photo_unreadable", field="file")
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())


def _ink_pixels(data: bytes) -> int:
    """Pixels that stand out from the most common brightness, over a white backdrop: a pad
    that is transparent only, or one flat colour, has none."""
    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
    backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(backdrop, rgba).convert("L")
    histogram = grey.histogram()
    background = max(range(256), key=histogram.__getitem__)
    return sum(count for level, count in enumerate(histogram) if abs(level - background) > INK_CONTRAST)


def signature_check(data: bytes) -> CheckedSignature:
    """A drawn signature: a real PNG of a sane size with visible strokes."""
    if not data:
        raise ValidationFailed(_("签名图片为空。"), code="signature_empty", field="signature")
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationFailed(
            _("签名图片超过 %(kb)d KB。") % {"kb": SIGNATURE_MAX_BYTES // 1024},
            code="signature_too_large", field="signature",
        )
    if not data.startswith(PNG_MAGIC):
        raise ValidationFailed(_("签名须为 PNG 图片。"), code="signature_not_png", field="signature")
    dimensions = _decodes(io.BytesIO(data))
    if dimensions is None:
        raise ValidationFailed(_("签名图片已损坏或无法识别。"), code="signature_unreadable", field="signature")
    width, height = dimensions
    (min_width, min_height), (max_width, max_height) = SIGNATURE_MIN_SIZE, SIGNATURE_MAX_SIZE
    if not (min_width <= width <= max_width and min_height <= height <= max_height):
        raise ValidationFailed(
            _("签名图片尺寸须在 %(min)s 与 %(max)s 像素之间（现为 %(size)s）。") % {
                "min": f"{min_width}×{min_height}", "max": f"{max_width}×{max_height}",
                "size": f"{width}×{height}",
            },
            code="signature_size", field="signature",
        )
    if _ink_pixels(data) < MIN_INK_PIXELS:
        raise ValidationFailed(_("签名是空白的，请客户在签名板上签字。"), code="signature_blank",
                               field="signature")
    return CheckedSignature(width=width, height=height, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest())


DATA_URL_PREFIX = "data:image/png;base64,"


def signature_png_from_text(text: str) -> bytes:
    """The PNG bytes of a canvas data URL (data:image/png;base64,...) or of plain base64."""
    text = text.strip()
    if text.startswith("data:"):
        if not text.startswith(DATA_URL_PREFIX):
            raise ValidationFailed(_("签名须为 PNG 图片（data:image/png;base64,...）"),
                                   code="signature_not_png", field="signature")
        text = text[len(DATA_URL_PREFIX):]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("签名不是有效的 Base64 数据"), code="signature_encoding",
                               field="signature") from None
