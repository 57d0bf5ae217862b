"""Types shared by the API schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from pydantic import PlainSerializer

# Aware datetimes leave the API in the server's time zone, as ISO 8601 with the offset.
LocalDateTime = Annotated[
    dt.datetime, PlainSerializer(lambda v: timezone.localtime(v).isoformat(), return_type=str)
]
