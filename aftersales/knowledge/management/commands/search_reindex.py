"""Rebuild the search index of articles and cases (after a bulk load, or a new tokenisation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.knowledge.services import search_reindex


class Command(BaseCommand):
    help = "Rebuild the knowledge base's search index from every article and case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        articles, cases = search_reindex(batch_size=max(1, options["batch_size"]))
        self.stdout.write(f"indexed {articles} articles and {cases} cases")
