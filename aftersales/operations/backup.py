"""Backup and restore of the database and the uploaded files, as one archive.

The archive is a tar of:

- `manifest.json`: format and version, database vendor, the applied migrations, when, and the
  size and SHA-256 of each other part;
- `database.sqlite3.gz` (SQLite's online backup API: a consistent copy while the product runs)
  or `database.pgdump` (`pg_dump -Fc`: one snapshot transaction);
- `media.tar`: everything under MEDIA_ROOT (attachments, photos, signatures, materials).

Restore checks everything before it touches anything: the manifest, every part's hash, the
vendor, and that the backup's migrations are all known to this code (a backup of a newer
version is refused). An older backup is restored, then `migrate` brings it forward.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "aftersales-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PART = "media.tar"
DATABASE_PARTS = {"sqlite": "database.sqlite3.gz", "postgresql": "database.pgdump"}
_CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """The archive cannot be made or restored; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupManifest:
    vendor: str
    created_at: str
    migrations: list[str]
    parts: dict[str, dict[str, Any]]
    format_version: int = FORMAT_VERSION

    def as_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT, "format_version": self.format_version, "vendor": self.vendor,
            "created_at": self.created_at, "migrations": self.migrations, "parts": self.parts,
        }, indent=2, sort_keys=True).encode()


def backup_create(*, output: Path, connection: BaseDatabaseWrapper | None = None) -> BackupManifest:
    """Write a backup of the database (default unless another connection is given) and
    MEDIA_ROOT to `output` (replaced atomically)."""
    connection = connection or connections["default"]
    vendor = connection.vendor
    if vendor not in DATABASE_PARTS:
        raise BackupRefused(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aftersales-backup-", dir=output.parent) as work:
        work_dir = Path(work)
        # Read before the dump: a migration applied meanwhile makes the archive look older than
        # it is, which restore handles (migrate), never newer.
        migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
        database_part = work_dir / DATABASE_PARTS[vendor]
        if vendor == "sqlite":
            _sqlite_dump(connection.settings_dict, database_part)
        else:
            _postgresql_dump(connection.settings_dict, database_part)
        media_part = work_dir / MEDIA_PART
        _media_pack(Path(settings.MEDIA_ROOT), media_part)
        manifest = BackupManifest(
            vendor=vendor,
            created_at=timezone.now().isoformat(),
            migrations=migrations,
            parts={part.name: {"sha256": _sha256(part), "size": part.stat().st_size}
                   for part in (database_part, media_part)},
        )
        partial = work_dir / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, manifest.as_json())
            archive.add(database_part, arcname=database_part.name)
            archive.add(media_part, arcname=media_part.name)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, output)
    return manifest


def backup_read_manifest(*, archive: Path) -> BackupManifest:
    """The archive's manifest, after checking it is one of ours and of a format we read."""
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            raw = json.loads(member.read())
    except FileNotFoundError:
        raise BackupRefused(_("找不到备份文件：%(path)s") % {"path": archive}) from None
    except (tarfile.TarError, KeyError, ValueError, OSError):
        raise BackupRefused(_("这不是售后系统的备份文件，或文件已损坏。")) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupRefused(_("这不是售后系统的备份文件，或文件已损坏。"))
    if raw.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(_("备份格式版本 %(version)s 无法由本版本读取。") % {"version": raw.get("format_version")})
    try:
        return BackupManifest(vendor=str(raw["vendor"]), created_at=str(raw["created_at"]),
                              migrations=[str(m) for m in raw["migrations"]],
                              parts=dict(raw["parts"]), format_version=int(raw["format_version"]))
    except (KeyError, TypeError, ValueError):
        raise BackupRefused(_("这不是售后系统的备份文件，或文件已损坏。")) from None


def backup_restore(*, archive: Path, connection: BaseDatabaseWrapper | None = None) -> BackupManifest:
    """Replace the database (default unless another connection is given) and MEDIA_ROOT with
    the archive's contents.

    Precondition: the product is stopped (web processes and workers), or at least takes no
    writes; a restore is the end of every change made since the backup.
    """
    manifest = backup_read_manifest(archive=archive)
    connection = connection or connections["default"]
    if manifest.vendor != connection.vendor:
        raise BackupRefused(
            _("备份来自 %(backup)s 数据库，当前数据库是 %(current)s：不能恢复到不同类型的数据库。")
            % {"backup": manifest.vendor, "current": connection.vendor}
        )
    unknown = sorted(set(manifest.migrations) - _code_migrations())
    if unknown:
        raise BackupRefused(
            _("备份来自更新的版本（本版本没有迁移 %(migrations)s）：请先升级程序再恢复。")
            % {"migrations": ", ".join(unknown[:5])}
        )
    database_name = DATABASE_PARTS[manifest.vendor]
    if set(manifest.parts) != {database_name, MEDIA_PART}:
        raise BackupRefused(_("这不是售后系统的备份文件，或文件已损坏。"))
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Beside MEDIA_ROOT, so the new media folder replaces the old one by a rename.
    with tempfile.TemporaryDirectory(prefix=".aftersales-restore-", dir=media_root.parent) as work:
        work_dir = Path(work)
        _extract_parts(archive, manifest, work_dir)
        connection.close()
        if manifest.vendor == "sqlite":
            _sqlite_load(connection.settings_dict, work_dir / database_name)
        else:
            _postgresql_load(connection.settings_dict, work_dir / database_name)
        _media_unpack(work_dir / MEDIA_PART, media_root, work_dir)
    return manifest


# --- parts ---------------------------------------------------------------------------------


def _extract_parts(archive: Path, manifest: BackupManifest, work_dir: Path) -> None:
    try:
        with tarfile.open(archive, "r:") as tar:
            for name, expected in manifest.parts.items():
                member = tar.getmember(name)
                if not member.isfile():
                    raise KeyError(name)
                source = tar.extractfile(member)
                if source is None:
                    raise KeyError(name)
                with source, (work_dir / name).open("wb") as target:
                    shutil.copyfileobj(source, target, _CHUNK)
                if _sha256(work_dir / name) != expected.get("sha256"):
                    raise BackupRefused(_("备份文件已损坏：%(part)s 的校验值不符。") % {"part": name})
    except (tarfile.TarError, KeyError, OSError):
        raise BackupRefused(_("这不是售后系统的备份文件，或文件已损坏。")) from None


def _sqlite_dump(settings_dict: dict[str, Any], target: Path) -> None:
    copy = target.with_suffix("")
    source = sqlite3.connect(str(settings_dict["NAME"]))
    destination = sqlite3.connect(copy)
    try:
        # All pages in one step: one read transaction, so the copy is one consistent moment
        # even while web processes and workers write.
        source.backup(destination, pages=-1)
    finally:
        destination.close()
        source.close()
    with copy.open("rb") as plain, gzip.open(target, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(plain, packed, _CHUNK)
    copy.unlink()


def _sqlite_load(settings_dict: dict[str, Any], packed: Path) -> None:
    plain = packed.with_suffix("")
    with gzip.open(packed, "rb") as source, plain.open("wb") as target:
        shutil.copyfileobj(source, target, _CHUNK)
    name = str(settings_dict["NAME"])
    with _sqlite_writer_lock(name):
        source_db = sqlite3.connect(plain)
        destination = sqlite3.connect(name, timeout=float(settings_dict.get("OPTIONS", {}).get("timeout", 30)))
        try:
            # The backup API writes the pages into the live file under SQLite's own locks: other
            # connections see the restored database, never a half-written file.
            source_db.backup(destination, pages=-1)
        finally:
            destination.close()
            source_db.close()


@contextlib.contextmanager
def _sqlite_writer_lock(name: str) -> Iterator[None]:
    """Queue with the product's writers (core/db/sqlite3: a flock beside the database)."""
    descriptor = os.open(f"{name}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def postgresql_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for the client tools: the password never on a command line."""
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        value = settings_dict.get(key)
        if value:
            environment[variable] = str(value)
        else:
            environment.pop(variable, None)
    options = settings_dict.get("OPTIONS", {})
    for variable, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"),
                          ("PGOPTIONS", "options"), ("PGCONNECT_TIMEOUT", "connect_timeout")):
        if options.get(key):
            environment[variable] = str(options[key])
    return environment


def _run_tool(command: list[str], settings_dict: dict[str, Any]) -> None:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            command, env=postgresql_environment(settings_dict), capture_output=True, text=True, check=False,
        )
    except FileNotFoundError:
        raise BackupRefused(_("找不到 %(tool)s：请安装 PostgreSQL 客户端工具。") % {"tool": command[0]}) from None
    if completed.returncode != 0:
        # The tools' own message names objects, not rows: safe and useful to show.
        raise BackupRefused(_("%(tool)s 失败：%(error)s") % {"tool": command[0],
                                                            "error": completed.stderr.strip()[-2000:]})


def _postgresql_dump(settings_dict: dict[str, Any], target: Path) -> None:
    _run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
              settings_dict)


def _postgresql_load(settings_dict: dict[str, Any], dump: Path) -> None:
    # --clean --if-exists drops what the dump recreates; --single-transaction: all or nothing.
    _run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
               "--single-transaction", f"--dbname={settings_dict['NAME']}", str(dump)], settings_dict)


def _media_pack(media_root: Path, target: Path) -> None:
    with tarfile.open(target, "w") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)


def _media_unpack(packed: Path, media_root: Path, work_dir: Path) -> None:
    fresh = work_dir / "media"
    fresh.mkdir()
    with tarfile.open(packed, "r:") as tar:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        tar.extractall(fresh, filter="data")
    retired = work_dir / "media-before-restore"
    if media_root.exists():
        os.replace(media_root, retired)
    os.replace(fresh, media_root)


def _code_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(tz=dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))
