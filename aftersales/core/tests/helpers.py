"""Helpers for the tests of pages built on core's templates (the console's and the portal's)."""

from __future__ import annotations


def field_block(page: str, field_id: str) -> str:
    """The rendered `forms/field.html` block of the input with this id."""
    start = page.rindex('<div class="field', 0, page.index(f'id="{field_id}"'))
    return page[start:page.index("</div>", start)]
