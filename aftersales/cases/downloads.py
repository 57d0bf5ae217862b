"""Serving an attachment to someone allowed to read it (console and portal share this)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest

from aftersales.cases.attachments import get_attachment_for_user
from aftersales.core.errors import NotFound


def attachment_response(request: HttpRequest, attachment_id: Any) -> FileResponse:
    try:
        attachment = get_attachment_for_user(request.user, attachment_id)
    except NotFound:
        raise Http404 from None
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=attachment.content_type == "application/pdf",
                            filename=attachment.name)
    # A stored file never runs script in our origin, whatever it contains.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
