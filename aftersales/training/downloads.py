"""Serving a training material to someone allowed to read it (API, console and portal)."""

from __future__ import annotations

from django.http import FileResponse

from aftersales.training.models import TrainingMaterial

# A stored file never runs script in our origin, whatever it contains.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4"})


def material_response(material: TrainingMaterial) -> FileResponse:
    """The caller has fetched the material through the scoping layer."""
    response = FileResponse(
        material.file.open("rb"), content_type=material.content_type,
        as_attachment=material.content_type not in INLINE_TYPES, filename=material.file_name,
    )
    response["Content-Security-Policy"] = FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
