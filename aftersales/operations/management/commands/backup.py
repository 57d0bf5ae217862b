from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from aftersales.operations.backup import BackupRefused, backup_create


class Command(BaseCommand):
    help = ("Back up the database and the uploaded files (MEDIA_ROOT) into one archive, "
            "consistently while the product runs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="the archive to write (replaced)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(output=Path(options["output"]), connection=connections[options["database"]])
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"backup written to {options['output']}: {manifest.vendor}, "
            f"{len(manifest.migrations)} migrations, created at {manifest.created_at}"
        )
