"""Search over articles and cases with the database's own full-text engine (SQLite FTS5 with
bm25, PostgreSQL tsvector/GIN with ts_rank_cd), over the tokens of `tokens.py`.

`index_document` and `remove_document` keep the index in the same transaction as the change
that calls them; `search` answers through the scoping rules of SearchDocument (the one place
that decides who finds what)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from aftersales.knowledge.models import DocumentKind, SearchDocument
from aftersales.knowledge.tokens import index_tokens, query_terms, title_key

MAX_LIMIT = 50
# bm25 weights of the title, body and audience columns on SQLite; PostgreSQL weights them A, B, D.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
# How many matches of each kind are ranked: the most recent ones. Ranking every match of a
# common term (断电 in a tenth of a million cases) costs a second; the newest 500 hold what a
# person searching wants, and every article and case is still found by a narrower query.
CANDIDATES = 500
# PostgreSQL finds them by walking the newest documents of the kind when matches are frequent
# there, and by the GIN index when they are sparse (see _pg_candidates): a first window of
# PROBE documents; when at least PROBE_RATE of it matched, a second window of WALK documents,
# whose matches are enough when there are MIN_FOUND of them.
PROBE, PROBE_RATE, WALK, MIN_FOUND = 2000, 0.004, 15_000, 50
# ts_rank_cd weights for D, C, B, A: the audience tokens (D) never count for relevance.
PG_WEIGHTS = "{0, 0.2, 0.4, 1.0}"


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: uuid.UUID
    title: str
    score: float
    is_exact_title: bool


def audience_tokens(*, kind: str, customer_id: Any, staff_visible: bool, customer_visible: bool) -> str:
    """Who may find a document, as index tokens (letters and digits only, so no tokenizer splits
    them). Rare conditions are the tokens (hidden from staff, published to customers, one
    customer), so that a search for the common case adds no long list for the engine to walk."""
    tokens = []
    if not staff_visible:
        tokens.append("audhidden")
    if customer_visible:
        tokens.append("audpublic")
    if customer_id is not None:
        tokens.append(f"cust{uuid.UUID(str(customer_id)).hex}")
    return " ".join(tokens)


def _fields(*, kind: str, title: str, body: Iterable[str], customer_id: Any, staff_visible: bool,
            customer_visible: bool) -> dict[str, Any]:
    return {
        "title": title[:200], "title_key": title_key(title), "title_tokens": " ".join(index_tokens(title)),
        "body_tokens": " ".join(index_tokens("\n".join(part for part in body if part))),
        "customer_id": customer_id, "staff_visible": staff_visible, "customer_visible": customer_visible,
        "audience_tokens": audience_tokens(kind=kind, customer_id=customer_id, staff_visible=staff_visible,
                                           customer_visible=customer_visible),
    }


def index_document(*, kind: str, object_id: Any, title: str, body: Iterable[str], customer_id: Any = None,
                   staff_visible: bool = True, customer_visible: bool = False, is_new: bool = False) -> None:
    """Add or replace the document of an article or a case (`is_new`: it cannot exist yet, so
    one INSERT does)."""
    fields = _fields(kind=kind, title=title, body=body, customer_id=customer_id, staff_visible=staff_visible,
                     customer_visible=customer_visible)
    if is_new:
        SearchDocument.objects.create(kind=kind, object_id=object_id, **fields)
    else:
        SearchDocument.objects.update_or_create(kind=kind, object_id=object_id, defaults=fields)


def document_row(*, kind: str, object_id: Any, title: str, body: Iterable[str], customer_id: Any = None,
                 staff_visible: bool = True, customer_visible: bool = False) -> SearchDocument:
    """An unsaved document, for rebuilding the index in bulk."""
    return SearchDocument(kind=kind, object_id=object_id, **_fields(
        kind=kind, title=title, body=body, customer_id=customer_id, staff_visible=staff_visible,
        customer_visible=customer_visible))


def remove_document(*, kind: str, object_id: Any) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def _audience(user: Any) -> dict[str, tuple[str, str]]:
    """Per kind of document, what its audience tokens must say for this user: ("with", token),
    ("without", token) or ("any", ""). No entry: the user finds nothing."""
    if getattr(user, "is_customer_user", False):
        if getattr(user, "customer_id", None) is None:
            return {}
        # A customer finds its own organisation's cases and the articles published to customers.
        return {DocumentKind.ARTICLE: ("with", "audpublic"),
                DocumentKind.CASE: ("with", f"cust{uuid.UUID(str(user.customer_id)).hex}")}
    if getattr(user, "is_staff_member", False):
        return {DocumentKind.ARTICLE: ("without", "audhidden"), DocumentKind.CASE: ("any", "")}
    return {}


def _ranked(kind: str, terms: list[str], audience: tuple[str, str], limit: int,
            customer_id: Any = None) -> list[tuple[Any, ...]]:
    """The best of the most recent CANDIDATES matches of one kind: (kind, object_id, title, score)."""
    rule, token = audience
    # Only fixed SQL and placeholders go into the statements: the terms (letters, digits and CJK
    # only) and the audience token (letters and hex digits) are passed as parameters; the FTS5
    # table name comes from DocumentKind.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            match = " & ".join(f"'{term}':AB" for term in terms)
            if rule != "any":
                match += f" & {'!' if rule == 'without' else ''}'{token}':D"
            # A customer's own cases: walk only those (the audience token still decides).
            own = customer_id if rule == "with" and kind == DocumentKind.CASE else None
            candidates = _pg_candidates(cursor, kind, match, own)
            if not candidates:
                return []
            cursor.execute(
                "SELECT kind, object_id, title,"
                " ts_rank_cd(%s::float4[], search_vector, to_tsquery('simple'::regconfig, %s), 1) AS score"
                " FROM knowledge_searchdocument WHERE id = ANY(%s) ORDER BY score DESC, id DESC LIMIT %s",
                [PG_WEIGHTS, " & ".join(f"'{term}'" for term in terms), candidates, limit])
        else:
            table = f"knowledge_{DocumentKind(kind).value}_fts"
            match = "{title_tokens body_tokens} : (" + " AND ".join(f'"{term}"' for term in terms) + ")"
            if rule != "any":
                match += f" {'NOT' if rule == 'without' else 'AND'} audience_tokens : {token}"
            cursor.execute(
                "SELECT d.kind, d.object_id, d.title, c.score FROM ("  # noqa: S608
                f" SELECT rowid, -bm25({table}, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0) AS score"
                f"  FROM {table} WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s) c"
                " JOIN knowledge_searchdocument d ON d.id = c.rowid ORDER BY c.score DESC, c.rowid DESC LIMIT %s",
                [match, CANDIDATES, limit])
        return list(cursor.fetchall())


def _pg_candidates(cursor: Any, kind: str, match: str, customer_id: Any = None) -> list[int]:
    """Ids of the newest CANDIDATES documents of the kind matching the tsquery, newest first.

    The planner cannot tell how often several terms occur together (RSU and 5000 always do), so
    it may read every match of two common terms through the GIN index (a heap visit each: 70,000
    for RSU-5000), or walk back through all documents for terms that rarely meet. Instead the
    work is bounded here: the newest documents are walked in windows while matches are frequent
    in them, and the GIN index answers only when they are sparse, when there are few to visit.
    With frequent matches the candidates may be those of the newest PROBE + WALK documents.
    `customer_id`: only that customer's documents are walked."""
    found: list[int] = []
    upper = 2**63 - 1
    own = ("AND customer_id = %s", [customer_id]) if customer_id is not None else ("", [])
    for window in (PROBE, WALK):
        found += _walk(cursor, kind, match, upper, window, CANDIDATES - len(found), own)
        lower = _window_start(cursor, kind, upper, window, own)
        if len(found) >= CANDIDATES or lower is None:
            return found  # enough, or every document of the kind was walked
        upper = lower
        if window == PROBE and len(found) < PROBE * PROBE_RATE:
            break  # sparse: the GIN index for the rest
        if window == WALK and len(found) >= MIN_FOUND:
            return found
    # `id + 0` keeps the planner on the GIN index instead of a walk back through every id.
    cursor.execute(
        "SELECT id FROM knowledge_searchdocument WHERE kind = %s AND id < %s"
        " AND search_vector @@ to_tsquery('simple'::regconfig, %s) ORDER BY id + 0 DESC LIMIT %s",
        [kind, upper, match, CANDIDATES - len(found)])
    return found + [int(row[0]) for row in cursor.fetchall()]


Own = tuple[str, list[Any]]


def _walk(cursor: Any, kind: str, match: str, upper: int, size: int, limit: int, own: Own) -> list[int]:
    """Matching ids among the `size` newest documents of the kind below `upper`, newest first."""
    cursor.execute(
        "SELECT id FROM (SELECT id, search_vector FROM knowledge_searchdocument"  # noqa: S608
        f" WHERE kind = %s {own[0]} AND id < %s ORDER BY id DESC LIMIT %s) w"  # own: fixed SQL
        " WHERE search_vector @@ to_tsquery('simple'::regconfig, %s) ORDER BY id DESC LIMIT %s",
        [kind, *own[1], upper, size, match, limit])
    return [int(row[0]) for row in cursor.fetchall()]


def _window_start(cursor: Any, kind: str, upper: int, size: int, own: Own) -> int | None:
    """The id of the size-th newest document of the kind below `upper`; None when there are fewer."""
    cursor.execute(
        f"SELECT id FROM knowledge_searchdocument WHERE kind = %s {own[0]} AND id < %s"  # noqa: S608
        " ORDER BY id DESC OFFSET %s LIMIT 1",
        [kind, *own[1], upper, size - 1])
    row = cursor.fetchone()
    return int(row[0]) if row else None


def _exact(kinds: list[str], key: str, audience: dict[str, tuple[str, str]], limit: int) -> list[tuple[Any, ...]]:
    """Documents whose whole title is the query (by the indexed title key), newest first."""
    # Only the title key in SQL: with `kind IN` there too, SQLite without fresh statistics for
    # the (kind, customer, id) index walked half the documents by kind (2.7 s at 1.1 M).
    rows = SearchDocument.objects.filter(title_key=key).order_by("-id")
    found = []
    for kind, object_id, title, tokens in rows.values_list("kind", "object_id", "title", "audience_tokens")[:limit * 4]:
        if kind not in kinds:
            continue
        rule, token = audience[kind]
        if rule == "any" or (token in tokens.split()) == (rule == "with"):
            found.append((kind, object_id, title))
    return found[:limit]


def search(*, user: Any, query: str, kinds: Iterable[str] = (), limit: int = 10) -> list[SearchHit]:
    """The best matches for `query` the user may see, best first: an exact title match first,
    then by relevance (bm25 / ts_rank_cd) among the most recent matches of each kind. Every term
    of the query must occur (AND)."""
    terms = query_terms(query)
    audience = _audience(user)
    if not terms or not audience:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    wanted = [kind for kind in DocumentKind.values if not kinds or kind in set(kinds)]
    hits: dict[tuple[str, uuid.UUID], SearchHit] = {}
    key = title_key(query)
    for kind, object_id, title in _exact(wanted, key, audience, limit) if key else []:
        hit_id = uuid.UUID(str(object_id))
        hits[(kind, hit_id)] = SearchHit(kind=kind, object_id=hit_id, title=title, score=float("inf"),
                                         is_exact_title=True)
    customer_id = getattr(user, "customer_id", None) if getattr(user, "is_customer_user", False) else None
    ranked = [row for kind in wanted for row in _ranked(kind, terms, audience[kind], limit, customer_id)]
    for kind, object_id, title, score in sorted(ranked, key=lambda row: -float(row[3])):
        hit_id = uuid.UUID(str(object_id))
        hits.setdefault((kind, hit_id), SearchHit(kind=kind, object_id=hit_id, title=title, score=float(score),
                                                  is_exact_title=False))
    return list(hits.values())[:limit]
