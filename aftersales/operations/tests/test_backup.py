from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from aftersales.customers.models import Customer
from aftersales.customers.services import customer_create
from aftersales.operations.backup import (
    DATABASE_PARTS,
    FORMAT_VERSION,
    MEDIA_PART,
    backup_create,
    backup_read_manifest,
    backup_restore,
    postgresql_environment,
)

SCRATCH_DATABASE = "aftersales_ops_scratch"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "cases" / "2026").mkdir(parents=True)
    (root / "cases" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo bytes")
    (root / "signature.png").write_bytes(b"\x89PNG signature")
    settings.MEDIA_ROOT = root
    return root


def _backup(tmp_path: Path) -> Path:
    archive = tmp_path / "out" / "aftersales.backup"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def rewrite(archive: Path, *, manifest_changes: dict | None = None, damage: str | None = None) -> Path:
    """A copy of the archive with its manifest changed or one part's bytes changed."""
    target = archive.with_name("changed.backup")
    with tarfile.open(archive, "r:") as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest_changes:
                data = json.dumps({**json.loads(data), **manifest_changes}).encode()
            if member.name == damage:
                data = data[:100] + bytes(b ^ 0xFF for b in data[100:110]) + data[110:]
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_brings_back_deleted_data_and_files(tmp_path, media):
    # given a customer and two files, backed up
    kept = customer_create(name="Acme 高速公路管理处", code="acme")
    archive = _backup(tmp_path)
    # when the customer is deleted, one file removed, one added after the backup
    Customer.objects.filter(pk=kept.pk).delete()
    customer_create(name="Globex 交通局", code="globex")
    (media / "cases" / "2026" / "photo.jpg").unlink()
    (media / "later.txt").write_text("after the backup")
    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)
    # then the database and the files are those of the backup
    assert list(Customer.objects.values_list("code", "name")) == [("acme", "Acme 高速公路管理处")]
    assert Customer.objects.get(code="acme").pk == kept.pk
    assert (media / "cases" / "2026" / "photo.jpg").read_bytes() == b"\xff\xd8\xff photo bytes"
    assert (media / "signature.png").read_bytes() == b"\x89PNG signature"
    assert not (media / "later.txt").exists()
    assert f"({connection.vendor})" in out.getvalue()
    # and the product keeps working on the restored database
    customer_create(name="Initech 运营中心", code="initech")
    assert Customer.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database(tmp_path, media, extra_connection):
    # given a backup of a customer, and a new empty database (a fresh server after a loss)
    customer_create(name="Acme 高速公路管理处", code="acme")
    archive = _backup(tmp_path)
    if connection.vendor == "sqlite":
        scratch = extra_connection("scratch", NAME=str(tmp_path / "fresh.sqlite3"))
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}")
            cursor.execute(f"CREATE DATABASE {SCRATCH_DATABASE}")
        scratch = extra_connection("scratch", NAME=SCRATCH_DATABASE)
    try:
        # when
        manifest = backup_restore(archive=archive, connection=scratch)
        # then it holds the data and the schema, migrations recorded
        with scratch.cursor() as cursor:
            cursor.execute("SELECT code FROM customers_customer")
            assert cursor.fetchall() == [("acme",)]
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            assert cursor.fetchone()[0] == len(manifest.migrations)
        # and a change there followed by another restore is undone again
        with scratch.cursor() as cursor:
            cursor.execute("DELETE FROM customers_customer")
        backup_restore(archive=archive, connection=scratch)
        with scratch.cursor() as cursor:
            cursor.execute("SELECT code FROM customers_customer")
            assert cursor.fetchall() == [("acme",)]
    finally:
        scratch.close()
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}")


@pytest.mark.django_db
def test_the_archive_holds_a_manifest_with_vendor_migrations_and_hashes(tmp_path, media):
    archive = tmp_path / "aftersales.backup"
    made = backup_create(output=archive)
    read = backup_read_manifest(archive=archive)
    assert read == made
    assert read.vendor == connection.vendor
    assert read.format_version == FORMAT_VERSION
    assert "cases.0001_initial" in read.migrations
    assert set(read.parts) == {DATABASE_PARTS[connection.vendor], MEDIA_PART}
    assert all(len(part["sha256"]) == 64 and part["size"] > 0 for part in read.parts.values())
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted(["manifest.json", *read.parts])
        media_tar = tarfile.open(fileobj=tar.extractfile(MEDIA_PART))
        assert sorted(media_tar.getnames()) == ["cases/2026/photo.jpg", "signature.png"]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_restore_without_yes_is_refused_and_changes_nothing(tmp_path, media):
    archive = _backup(tmp_path)
    customer_create(name="Globex 交通局", code="globex")
    (media / "later.txt").write_text("after the backup")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Customer.objects.filter(code="globex").exists()
    assert (media / "later.txt").exists()


@pytest.mark.django_db
def test_restore_of_another_vendors_backup_is_refused(tmp_path, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = rewrite(_backup(tmp_path), manifest_changes={"vendor": other})
    customer_create(name="Globex 交通局", code="globex")
    with pytest.raises(CommandError, match=f"备份来自 {other} 数据库，当前数据库是 {connection.vendor}"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert Customer.objects.filter(code="globex").exists()


@pytest.mark.django_db
def test_restore_of_a_backup_with_newer_migrations_is_refused(tmp_path, media):
    archive = _backup(tmp_path)
    newer = backup_read_manifest(archive=archive).migrations + ["cases.9999_from_a_newer_version"]
    changed = rewrite(archive, manifest_changes={"migrations": newer})
    with pytest.raises(CommandError, match=r"更新的版本.*cases\.9999_from_a_newer_version"):
        call_command("restore", str(changed), yes=True, stdout=io.StringIO())
    assert (media / "signature.png").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["database", MEDIA_PART])
def test_restore_of_a_damaged_part_is_refused_before_anything_changes(tmp_path, media, part):
    name = DATABASE_PARTS[connection.vendor] if part == "database" else part
    (media / "big.bin").write_bytes(bytes(range(256)) * 4)
    archive = rewrite(_backup(tmp_path), damage=name)
    (media / "later.txt").write_text("after the backup")
    with pytest.raises(CommandError, match=f"备份文件已损坏：{name} 的校验值不符"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert (media / "later.txt").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"not a backup at all" * 100, None])
def test_restore_of_something_else_is_refused(tmp_path, content):
    archive = tmp_path / "something.backup"
    if content is None:  # a tar, but not ours
        with tarfile.open(archive, "w") as tar:
            tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    else:
        archive.write_bytes(content)
    with pytest.raises(CommandError, match="这不是售后系统的备份文件，或文件已损坏"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_of_a_truncated_backup_is_refused(tmp_path, media):
    archive = _backup(tmp_path)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="这不是售后系统的备份文件，或文件已损坏|校验值不符"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_of_a_newer_backup_format_is_refused(tmp_path, media):
    archive = rewrite(_backup(tmp_path), manifest_changes={"format_version": FORMAT_VERSION + 1})
    with pytest.raises(CommandError, match=f"备份格式版本 {FORMAT_VERSION + 1} 无法由本版本读取"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())


def test_restore_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nothing.backup"), yes=True, stdout=io.StringIO())


def test_the_postgresql_password_goes_to_the_tools_environment_only():
    environment = postgresql_environment({
        "HOST": "db.internal", "PORT": "5433", "USER": "aftersales", "PASSWORD": "pa ss", "NAME": "prod",
        "OPTIONS": {"sslmode": "require", "options": "-c synchronous_commit=off"},
    })
    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"], environment["PGDATABASE"]) == (
        "db.internal", "5433", "aftersales", "prod")
    assert environment["PGPASSWORD"] == "pa ss"
    assert environment["PGSSLMODE"] == "require"
    assert environment["PGOPTIONS"] == "-c synchronous_commit=off"
