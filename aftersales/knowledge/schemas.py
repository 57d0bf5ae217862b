from __future__ import annotations

import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

StatusIn = Literal["draft", "in_review", "published", "archived"]
VisibilityIn = Literal["internal", "customers"]
ActionIn = Literal["submit", "return", "publish", "archive", "restore"]
OrderIn = Literal["recent", "useful"]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


# --- search ---------------------------------------------------------------------------------


class SearchHitOut(Schema):
    kind: str
    id: uuid.UUID
    number: str
    title: str
    score: float | None = Field(description="Relevance (higher is better); null for an exact title match, "
                                            "which comes first whatever the others score")
    exact_title: bool
    status: str
    snippet: str = Field(description="A short passage around the first match, plain text (no markup).")
    url: str = Field(description="The page of the case or article: the portal's for customer users.")
    solved_count: int | None = None


class SearchOut(Schema):
    query: str
    terms: list[str]
    items: list[SearchHitOut]


# --- articles -------------------------------------------------------------------------------


class ProductRefOut(Schema):
    id: uuid.UUID
    model: str
    name: str


class ArticleCreateIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    solution: str = Field(min_length=1, max_length=20_000)
    problem: str = Field(default="", max_length=20_000)
    symptoms: str = Field(default="", max_length=20_000)
    cause: str = Field(default="", max_length=20_000)
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    fault_class: str | None = Field(default=None, max_length=40, description="A fault class code")
    visibility: VisibilityIn = "internal"


class ArticleUpdateIn(Schema):
    """Only the fields sent change; `expected_version` guards against a lost update (412)."""

    expected_version: int | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    solution: str | None = Field(default=None, min_length=1, max_length=20_000)
    problem: str | None = Field(default=None, max_length=20_000)
    symptoms: str | None = Field(default=None, max_length=20_000)
    cause: str | None = Field(default=None, max_length=20_000)
    product_ids: list[uuid.UUID] | None = Field(default=None, max_length=200)
    fault_class: str | None = Field(default=None, max_length=40,
                                    description='A fault class code; "" removes it, null leaves it')
    visibility: VisibilityIn | None = None


class TransitionIn(Schema):
    action: ActionIn
    expected_version: int | None = None


class ArticleOut(Schema):
    id: uuid.UUID
    number: str
    title: str
    problem: str
    symptoms: str
    cause: str
    solution: str
    products: list[ProductRefOut]
    fault_class: str | None
    fault_class_name: str | None
    status: str
    visibility: str
    source_case_id: uuid.UUID | None = Field(description="Staff only (null for customer users)")
    author: str | None = Field(description="Staff only (null for customer users)")
    reviewed_by: str | None = Field(description="Staff only (null for customer users)")
    published_at: LocalDateTime | None
    solved_count: int
    version: int
    created_at: LocalDateTime
    updated_at: LocalDateTime
    url: str
    actions: list[str] = Field(description="The transitions the caller may perform now")


class ArticlePageOut(Schema):
    items: list[ArticleOut]
    limit: int
    offset: int
    next_offset: int | None


# --- solutions ------------------------------------------------------------------------------


class SolutionIn(Schema):
    case_id: uuid.UUID
    article_id: uuid.UUID


class SolutionOut(Schema):
    case_id: uuid.UUID
    case_number: str
    article_id: uuid.UUID
    article_number: str
    article_title: str
    recorded_by: str
    recorded_at: LocalDateTime
    solved_count: int


class UsefulnessOut(Schema):
    article_id: uuid.UUID
    solved_count: int
    cases: list[SolutionOut] = Field(description="The cases it solved that the caller may see, latest first")
