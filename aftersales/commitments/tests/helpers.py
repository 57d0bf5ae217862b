"""Look-ups over a parsed draft, shared by the parser tests."""

from __future__ import annotations

from pathlib import Path

from aftersales.commitments.parser import Conditions, Draft, Item, Kind

DOCUMENTS = Path(__file__).resolve().parent / "documents"


def only_item(draft: Draft, kind: Kind, value: int | None, **conditions: str) -> Item:
    """The one item of this kind, value and exact conditions; fails listing what there is."""
    wanted = Conditions(**conditions)
    matches = [
        item for item in draft.of_kind(kind) if item.value == value and item.conditions == wanted
    ]
    assert len(matches) == 1, (
        f"{kind} {value} {wanted}: found {len(matches)} among "
        f"{[(item.value, item.conditions, item.span.text) for item in draft.of_kind(kind)]}"
    )
    return matches[0]


def assert_points_at(text: str, item: Item, phrase: str, *, in_sentence: str) -> None:
    """The item's span is exactly `phrase` in the original text, inside its sentence."""
    assert item.span.text == phrase
    assert text[item.span.start : item.span.end] == phrase
    assert text[item.sentence.start : item.sentence.end] == item.sentence.text
    assert item.sentence.start <= item.span.start <= item.span.end <= item.sentence.end
    assert in_sentence in item.sentence.text
