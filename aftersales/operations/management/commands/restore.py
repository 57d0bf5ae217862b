from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from aftersales.operations.backup import BackupRefused, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = ("Replace the database and the uploaded files with a backup made by `backup`. "
            "Stop the web processes and workers first; needs --yes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a backup archive")
        parser.add_argument("--yes", action="store_true",
                            help="confirm: everything changed since the backup is lost")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_read_manifest(archive=Path(options["archive"]))
            if not options["yes"]:
                raise CommandError(_("恢复会用 %(created_at)s 的备份替换当前全部数据和上传的文件；"
                                     "确认请加 --yes。") % {"created_at": manifest.created_at})
            manifest = backup_restore(archive=Path(options["archive"]), connection=connections[options["database"]])
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"restored the backup of {manifest.created_at} ({manifest.vendor}); "
            "now run `aftersales manage migrate` if this version has newer migrations"
        )
