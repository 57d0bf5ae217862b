from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


class QuestionIn(Schema):
    code: str = Field(pattern=CODE_PATTERN, max_length=50)
    label: str = Field(min_length=1, max_length=300)
    kind: Literal["rating", "yes_no", "text"]
    is_required: bool = True


class QuestionOut(Schema):
    code: str
    position: int
    label: str
    kind: str
    is_required: bool


class SurveyTemplateCreateIn(Schema):
    code: str = Field(pattern=CODE_PATTERN, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    intro: str = Field(default="", max_length=2000)
    low_score_threshold: int = Field(default=2, ge=0, le=4)
    questions: list[QuestionIn] = Field(min_length=1, max_length=30)


class TemplateUpdateIn(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    intro: str | None = Field(default=None, max_length=2000)
    low_score_threshold: int | None = Field(default=None, ge=0, le=4)
    is_active: bool | None = None
    questions: list[QuestionIn] | None = Field(default=None, min_length=1, max_length=30)


class AssignmentIn(Schema):
    tier: str | None = Field(default=None, description="service tier code (diamond, gold, silver …)")
    contract_id: uuid.UUID | None = None


class SurveyAssignmentOut(Schema):
    id: uuid.UUID
    template: str
    tier: str | None
    contract_id: uuid.UUID | None


class SurveyTemplateOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    intro: str
    low_score_threshold: int
    is_default: bool
    is_active: bool
    questions: list[QuestionOut]


class LinkSurveyOut(Schema):
    """What the one-time link shows: the case's number and title only, and the questions."""

    case_number: str
    case_title: str
    expires_at: LocalDateTime
    intro: str
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(description="question code → rating 1–5, true/false, or text")


class AnswerOut(Schema):
    question: str
    label: str
    kind: str
    rating: int | None
    yes_no: bool | None
    text: str


class SurveyOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    case_title: str
    round: int
    customer_id: uuid.UUID
    contract_id: uuid.UUID | None
    template: str
    status: str
    sent_at: LocalDateTime
    expires_at: LocalDateTime
    answered_at: LocalDateTime | None
    answered_via: str
    is_low_score: bool
    follow_up_case_id: uuid.UUID | None
    follow_up_case_number: str | None
    answers: list[AnswerOut] | None = None


class AnsweredOut(Schema):
    status: str
    answered_at: LocalDateTime
    is_low_score: bool


class SurveyQuery(Schema):
    customer_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    status: Literal["pending", "answered", "expired", "low", ""] = ""
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class SurveyPageOut(Schema):
    items: list[SurveyOut]
    limit: int
    offset: int
    next_offset: int | None


class SummaryQuery(Schema):
    customer_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    start: dt.date
    end: dt.date = Field(description="included")


class AverageOut(Schema):
    label: str
    average: float
    count: int


class SummaryOut(Schema):
    sent: int
    answered: int
    response_rate: float | None
    averages: dict[str, AverageOut]
    overall_average: float | None
    low_score_count: int


class ReturnVisitPlanCreateIn(Schema):
    customer_id: uuid.UUID
    contract_id: uuid.UUID | None = None
    frequency: Literal["monthly", "quarterly", "half_yearly", "yearly"] | None = Field(
        default=None, description="none: the contract's tier gives it (diamond quarterly)")
    assignee_id: int
    starts_on: dt.date
    ends_on: dt.date | None = None
    note: str = Field(default="", max_length=2000)


class ReturnVisitPlanUpdateIn(Schema):
    expected_version: int | None = None
    assignee_id: int | None = None
    ends_on: dt.date | None = None
    clear_ends_on: bool = False
    note: str | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class ReturnVisitPlanOut(Schema):
    id: uuid.UUID
    customer_id: uuid.UUID
    contract_id: uuid.UUID | None
    frequency: str
    assignee: str
    assignee_id: int
    starts_on: dt.date
    ends_on: dt.date | None
    note: str
    is_active: bool
    version: int


class VisitQuery(Schema):
    mine: bool = False
    customer_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    state: Literal["open", "overdue", "done", ""] = ""
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class VisitOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    customer_id: uuid.UUID
    customer: str
    period_start: dt.date
    due_on: dt.date
    is_overdue: bool
    assignee: str
    status: str
    is_reached: bool | None
    satisfaction: int | None
    notes: str
    is_follow_up_needed: bool
    follow_up_case_id: uuid.UUID | None
    done_at: LocalDateTime | None
    version: int


class VisitPageOut(Schema):
    items: list[VisitOut]
    limit: int
    offset: int
    next_offset: int | None


class OutcomeIn(Schema):
    is_reached: bool
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    notes: str = Field(default="", max_length=2000)
    is_follow_up_needed: bool = False
    expected_version: int | None = None
