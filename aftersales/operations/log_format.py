"""Log records as JSON lines (AFTERSALES_LOG_FORMAT=json), each carrying the request it belongs to.

Imported by the LOGGING configuration before the apps load: no models here.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from dataclasses import dataclass

from aftersales.core.logging import mask_personal_data


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    route: str


# Set by MetricsMiddleware for the duration of a request; every line logged meanwhile (by any
# logger, in the same thread) names the request.
current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "aftersales_current_request", default=None
)

# The fields an access line adds through `extra=`; nothing else from `extra` is written, so a
# caller cannot put personal data in a line by passing it along.
_EXTRA_FIELDS = ("method", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, route, status,
    duration in milliseconds (the last two on access lines), the exception if any.

    Masks personal data itself too, so a handler configured without the filter still hides it.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        context = current_request.get()
        request_id = getattr(record, "request_id", None) or (context.request_id if context else None)
        route = getattr(record, "route", None) or (context.route if context else None)
        if request_id:
            line["request_id"] = request_id
        if route:
            line["route"] = route
        for field in _EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = mask_personal_data(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)
