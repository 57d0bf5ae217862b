"""Compile the translation catalogues (.po to .mo) with polib, so that no machine needs GNU
gettext's msgfmt. A catalogue with an untranslated or fuzzy entry, or a translation that drops
or invents a placeholder, is refused: the interface would show Chinese in English pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]")


def placeholders(text: str) -> list[str]:
    """The %-placeholders of a message, sorted (%% is not one)."""
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def catalogue_problems(catalogue: polib.POFile) -> list[str]:
    """Why the catalogue may not be compiled; empty when it may."""
    problems = []
    if catalogue.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy")
    for entry in catalogue:
        if entry.obsolete:
            continue
        name = entry.msgid.splitlines()[0] if entry.msgid else ""
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {name}")
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not translations or not all(translations):
            problems.append(f"untranslated: {name}")
            continue
        if "python-format" in entry.flags:
            expected = placeholders(entry.msgid_plural or entry.msgid)
            for translation in translations:
                # A singular form may leave out the number ("one minute"), never add one.
                found = placeholders(translation)
                if found != expected and not (entry.msgid_plural and set(found) <= set(expected)):
                    problems.append(f"placeholders {found} instead of {expected}: {name}")
                    break
    return problems


def catalogue_paths() -> list[Path]:
    return sorted(
        path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/django.po")
    )


class Command(BaseCommand):
    help = "Compile every catalogue in LOCALE_PATHS to .mo; fail on untranslated or fuzzy entries."

    def handle(self, *args: Any, **options: Any) -> None:
        paths = catalogue_paths()
        if not paths:
            raise CommandError(f"no django.po found in {[str(p) for p in settings.LOCALE_PATHS]}")
        failed = {}
        for path in paths:
            catalogue = polib.pofile(str(path))
            problems = catalogue_problems(catalogue)
            if problems:
                failed[path] = problems
                continue
            catalogue.save_as_mofile(str(path.with_suffix(".mo")))
            self.stdout.write(f"compiled {path.with_suffix('.mo')} ({len(catalogue.translated_entries())} messages)")
        if failed:
            lines = [f"{path}: {problem}" for path, problems in failed.items() for problem in problems]
            raise CommandError(
                "catalogue not compiled; translate these entries (and remove their fuzzy flag):\n"
                + "\n".join(lines)
            )
