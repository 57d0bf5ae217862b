"""Search tokens for Chinese and English text, the same on SQLite and PostgreSQL. Pure.

Chinese has no spaces between words, and a dictionary segmenter misses the short terms service
people search for (断电, 卡, 黑屏) as often as it finds them. So a run of CJK characters is indexed
as every single character and every pair of neighbours (断电了 → 断 电 了 断电 电了); a query of
one character looks for that character, a longer one for each of its pairs (黑屏幕 → 黑屏 AND 屏幕).
Latin letters and digits form words, lower-cased after NFKC (so ＥＴＣ and ETC are one word);
a model number like RSU-5000 is its parts (rsu, 5000) and the parts joined (rsu5000).
"""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs (with extensions and compatibility), kana and hangul: no spaces between words.
CJK_CLASS = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
_PIECES = re.compile(f"[{CJK_CLASS}]+|[0-9a-z]+(?:[-_./][0-9a-z]+)*")
_WORD_PARTS = re.compile(r"[0-9a-z]+")
_CJK = re.compile(f"[{CJK_CLASS}]")
MAX_TOKENS = 20_000


def normalise(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_cjk(piece: str) -> bool:
    return bool(_CJK.match(piece))


def _word_tokens(piece: str) -> list[str]:
    parts = _WORD_PARTS.findall(piece)
    return parts if len(parts) == 1 else [*parts, "".join(parts)]


def index_tokens(text: str) -> list[str]:
    """Every token of a text, in order (repeats kept: they count for relevance)."""
    tokens: list[str] = []
    for piece in _PIECES.findall(normalise(text)):
        if _is_cjk(piece):
            tokens.extend(piece)
            tokens.extend(piece[i:i + 2] for i in range(len(piece) - 1))
        else:
            tokens.extend(_word_tokens(piece))
        if len(tokens) >= MAX_TOKENS:
            return tokens[:MAX_TOKENS]
    return tokens


def query_terms(text: str) -> list[str]:
    """What a query asks for: each term must be in a document (AND), once each."""
    terms: list[str] = []
    for piece in _PIECES.findall(normalise(text)):
        if _is_cjk(piece):
            terms.extend([piece] if len(piece) == 1 else [piece[i:i + 2] for i in range(len(piece) - 1)])
        else:
            parts = _WORD_PARTS.findall(piece)
            terms.extend(parts)
    return list(dict.fromkeys(terms))


def title_key(text: str) -> str:
    """A title as an exact match compares it: normalised, without spaces and punctuation."""
    return "".join(_PIECES.findall(normalise(text)))[:200]
