"""`aftersales import-commitments FILE [--apply --policy CODE ...]`: read a written service
commitment (.txt, .docx or .pdf) into a draft import, print its table (kind, value, conditions,
source phrase) and, with --apply, apply it as parsed to the policy given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.accounts.models import User
from aftersales.commitments.documents import MAX_UPLOAD_BYTES, uploaded_document
from aftersales.commitments.services import (
    ApplyTarget,
    commitment_apply,
    commitment_import_create,
)
from aftersales.core.errors import DomainError
from aftersales.core.roles import CONFIGURING_ROLES, Role


def _value(value: int | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "minutes":
        if value % 60 == 0:
            return f"{value // 60} h"
        return f"{value} min"
    return f"{value} {unit}"


class Command(BaseCommand):
    help = "Read a written service commitment into a draft import (and optionally apply it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the document: .txt (UTF-8 or GB18030), .docx or .pdf")
        parser.add_argument("--user", help="who imports (an admin or manager; default: the first admin)")
        parser.add_argument("--apply", action="store_true", help="apply the draft as parsed")
        parser.add_argument("--policy", default="", help="the SLA policy's code (new or existing)")
        parser.add_argument("--policy-name", default="", help="the name of a new policy")
        parser.add_argument("--tier", default="", help="make it this service tier's policy")
        parser.add_argument("--contract", default="", help="make it this contract's own policy")
        parser.add_argument("--product", action="append", default=[],
                            help="a product model that takes the warranty terms (repeatable)")
        parser.add_argument("--visitor", default="",
                            help="username of who makes the return visits of a contract without a plan")

    def _actor(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True, role__in=CONFIGURING_ROLES)
        actor = (users.filter(username=username) if username else
                 users.filter(role=Role.ADMIN).order_by("date_joined")).first()
        if actor is None:
            raise CommandError(f"no active admin or manager {username or ''}".strip()
                               + " (--user USERNAME)")
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"file: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        if options["apply"] and not options["policy"]:
            raise CommandError("--apply needs --policy CODE")
        actor = self._actor(options["user"])
        try:
            document = uploaded_document(name=path.name, content=path.read_bytes())
            commitment = commitment_import_create(actor=actor, document=document)
        except DomainError as refused:
            raise CommandError(f"{refused.field or 'file'}: {refused.detail}") from None
        items = list(commitment.items.all())
        self.stdout.write(f"{'#':>3}  {'kind':<22} {'value':>9}  {'sev':<3} {'apply':<5} "
                          f"conditions / source phrase")
        for item in items:
            conditions = ", ".join(f"{k}={v}" for k, v in item.conditions.items())
            regions = "/".join(item.regions)
            where = "; ".join(part for part in (conditions, regions and f"regions={regions}") if part)
            self.stdout.write(
                f"{item.position:>3}  {item.kind:<22} {_value(item.value, item.value_unit):>9}  "
                f"{item.severity or '*':<3} {'yes' if item.is_included else 'no':<5} "
                f"{where + ' | ' if where else ''}{item.span_text}"
            )
            if item.reason:
                self.stdout.write(f"{'':>5}({item.reason})")
        unmapped = commitment.draft.get("unmapped", [])
        for entry in unmapped:
            self.stdout.write(f"  -  unmapped ({entry['reason']}): {entry['span']['text']}")
        self.stdout.write(f"import {commitment.pk}: {len(items)} items, {len(unmapped)} unmapped "
                          f"(review: /console/commitments/{commitment.pk}/)")
        if not options["apply"]:
            return
        visitor = ""
        if options["visitor"]:
            found = User.objects.filter(username=options["visitor"]).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"--visitor: no user {options['visitor']}")
            visitor = str(found)
        target = ApplyTarget(policy_code=options["policy"], policy_name=options["policy_name"],
                             tier_code=options["tier"], contract_number=options["contract"],
                             product_models=tuple(options["product"]), visit_assignee_id=visitor)
        try:
            applied = commitment_apply(actor=actor, import_id=commitment.pk, target=target)
        except DomainError as refused:
            raise CommandError(f"{refused.field or 'apply'}: {refused.detail}") from None
        for change in applied.applied_changes:
            self.stdout.write(f"applied: {change['label']}: {change['old'] or '-'} -> {change['new']}")
        self.stdout.write(f"applied to policy {options['policy']}: {len(applied.applied_changes)} changes")
