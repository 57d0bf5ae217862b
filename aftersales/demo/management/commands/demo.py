from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from aftersales.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo company (once) and print its logins; --cases N adds N bulk cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=0, help="also load N realistic bulk cases")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("AFTERSALES_DEMO_PASSWORD") or "aftersales-demo"
        users = load_demo(password=password)
        if options["cases"]:
            from aftersales.demo.bulk import load_bulk_cases

            load_bulk_cases(count=options["cases"], progress=not options["quiet"])
        if not options["quiet"]:
            self.stdout.write(f"Demo users (password: {users.password}): {', '.join(users.usernames)}")
