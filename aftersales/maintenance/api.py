"""HTTP API of the maintenance app (/api/v1/); handlers parse, call one service, render."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["maintenance"])
