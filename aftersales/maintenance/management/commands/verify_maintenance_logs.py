"""`aftersales manage verify_maintenance_logs [--site ID]`: prove the chains of sealed
maintenance logs intact, or name the first broken link (exit status 1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.maintenance.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chains of sealed maintenance logs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", help="only this site's chain (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(options["site"])
        if report.broken is not None:
            raise CommandError(f"chain broken after {report.checked} intact logs: {report.broken.describe()}")
        self.stdout.write(f"intact: {report.checked} sealed logs over {report.sites} sites")
