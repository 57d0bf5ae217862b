from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aftersales.cases.sweep import sla_sweep
from aftersales.notifications.services import outbox_deliver


class Command(BaseCommand):
    help = "Run one SLA sweep now (the worker runs it every minute) and deliver notifications."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sla_sweep()
        sent = outbox_deliver()
        self.stdout.write(
            f"recomputed {result.recomputed} case(s), {result.warnings} warning(s), "
            f"{result.breaches} breach(es); {sent} notification(s) sent"
        )
