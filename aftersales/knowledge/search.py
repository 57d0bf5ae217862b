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
# bm25 weights of the title and body columns on SQLite; PostgreSQL weights them A and B.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: uuid.UUID
    title: str
    score: float
    is_exact_title: bool


def index_document(*, kind: str, object_id: Any, title: str, body: Iterable[str], customer_id: Any = None,
                   staff_visible: bool = True, customer_visible: bool = False, is_new: bool = False) -> None:
    """Add or replace the document of an article or a case (`is_new`: it cannot exist yet, so
    one INSERT does)."""
    fields = {
        "title": title[:200], "title_key": title_key(title), "title_tokens": " ".join(index_tokens(title)),
        "body_tokens": " ".join(index_tokens("\n".join(part for part in body if part))),
        "customer_id": customer_id, "staff_visible": staff_visible, "customer_visible": customer_visible,
    }
    if is_new:
        SearchDocument.objects.create(kind=kind, object_id=object_id, **fields)
    else:
        SearchDocument.objects.update_or_create(kind=kind, object_id=object_id, defaults=fields)


def document_row(*, kind: str, object_id: Any, title: str, body: Iterable[str], customer_id: Any = None,
                 staff_visible: bool = True, customer_visible: bool = False) -> SearchDocument:
    """An unsaved document, for rebuilding the index in bulk."""
    return SearchDocument(
        kind=kind, object_id=object_id, title=title[:200], title_key=title_key(title),
        title_tokens=" ".join(index_tokens(title)),
        body_tokens=" ".join(index_tokens("\n".join(part for part in body if part))),
        customer_id=customer_id, staff_visible=staff_visible, customer_visible=customer_visible,
    )


def remove_document(*, kind: str, object_id: Any) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def _scope(user: Any) -> tuple[str, list[Any]]:
    if getattr(user, "is_customer_user", False):
        if getattr(user, "customer_id", None) is None:
            return "1 = 0", []
        # A customer finds its own organisation's cases and the articles published to customers.
        return ("((d.kind = %s AND d.customer_id = %s) OR (d.kind = %s AND d.customer_visible))",
                [DocumentKind.CASE.value, _uuid_param(user.customer_id), DocumentKind.ARTICLE.value])
    if getattr(user, "is_staff_member", False):
        return "d.staff_visible", []
    return "1 = 0", []


def _uuid_param(value: Any) -> Any:
    # Django stores UUIDs as 32 hex characters on SQLite and as uuid on PostgreSQL.
    return uuid.UUID(str(value)).hex if connection.vendor == "sqlite" else uuid.UUID(str(value))


def search(*, user: Any, query: str, kinds: Iterable[str] = (), limit: int = 10) -> list[SearchHit]:
    """The best matches for `query` the user may see, best first: an exact title match first,
    then by relevance. Every term of the query must occur (AND)."""
    terms = query_terms(query)
    if not terms:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    scope, scope_params = _scope(user)
    kinds = [kind for kind in kinds if kind in DocumentKind.values]
    kind_sql = f" AND d.kind IN ({', '.join(['%s'] * len(kinds))})" if kinds else ""
    key = title_key(query)
    # Only fixed SQL and placeholders go into the statement: the scope and kinds are built here
    # from constants, and the terms (letters, digits, CJK only) are passed as a parameter.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT d.kind, d.object_id, d.title, ts_rank_cd(d.search_vector, q, 1) AS score, d.title_key = %s"  # noqa: S608
            " FROM knowledge_searchdocument d, to_tsquery('simple'::regconfig, %s) q"
            f" WHERE d.search_vector @@ q AND {scope}{kind_sql}"
            " ORDER BY d.title_key = %s DESC, score DESC, d.id DESC LIMIT %s"
        )
        match = " & ".join(f"'{term}'" for term in terms)
        params: list[Any] = [key, match, *scope_params, *kinds, key, limit]
    else:
        sql = (
            f"SELECT d.kind, d.object_id, d.title, -bm25(knowledge_search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})"  # noqa: S608
            " AS score, d.title_key = %s"
            " FROM knowledge_search_fts JOIN knowledge_searchdocument d ON d.id = knowledge_search_fts.rowid"
            f" WHERE knowledge_search_fts MATCH %s AND {scope}{kind_sql}"
            " ORDER BY d.title_key = %s DESC, score DESC, d.id DESC LIMIT %s"
        )
        match = " AND ".join(f'"{term}"' for term in terms)
        params = [key, match, *scope_params, *kinds, key, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [SearchHit(kind=kind, object_id=uuid.UUID(str(object_id)), title=title, score=float(score),
                      is_exact_title=bool(exact)) for kind, object_id, title, score, exact in rows]
