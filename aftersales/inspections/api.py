"""HTTP API of the inspections app (/api/v1/); handlers parse, call one service, render."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inspections"])
