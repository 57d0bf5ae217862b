from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import Role
from aftersales.accounts.services import user_create
from aftersales.core.errors import DomainError
from aftersales.customers.models import Customer


class Command(BaseCommand):
    help = "Create a user: createuser NAME --role ROLE [--customer ID|CODE] [--email E]."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--customer", help="customer id or code (customer users only)")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="default: $AFTERSALES_NEW_USER_PASSWORD, else asked interactively"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customer = None
        if options["customer"]:
            key = options["customer"]
            customer = Customer.objects.filter(code=key).first()
            if customer is None:
                try:
                    customer = Customer.objects.filter(pk=key).first()
                except Exception:  # noqa: BLE001 - not a UUID: fall through to the error
                    customer = None
            if customer is None:
                raise CommandError(f"no customer with id or code {key!r}")
        password = options["password"] or os.environ.get("AFTERSALES_NEW_USER_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
        try:
            user = user_create(username=options["username"], password=password, role=options["role"],
                               customer=customer, email=options["email"])
        except DomainError as error:
            raise CommandError(f"{error.field or 'error'}: {error.detail}") from None
        self.stdout.write(f"created {user.username} ({user.role})")
