"""The knowledge-base pages (知识库, R12), under /console/knowledge/: search over articles and
cases (ranked, the query's terms highlighted), the articles by status (my drafts, in review for
reviewers), an article with the actions its status allows, the new/edit form, a draft from a
resolved case in one click, "this article solved the case", and the suggestions fragment that
the intake and case pages load with htmx while a case is filed or worked.

Every staff member reads and writes drafts; managers, experts and admins review, publish,
archive and restore (the knowledge services' role sets). Customer users get the console's 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.cases.models import Status
from aftersales.cases.selectors import get_case_for_user
from aftersales.console.forms_knowledge import (
    ArticleFilterForm,
    ArticleForm,
    CaseChoiceForm,
    SearchForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError, NotFound
from aftersales.knowledge import selectors, services
from aftersales.knowledge.models import Article, ArticleStatus

PAGE = 50
SEARCH_LIMIT = 30
SIDE_LIMIT = 10
SUGGEST_TEXT_MAX = 2000

# Service field names the forms call otherwise.
ALIASES = {"product_ids": "products", "version": None}


def _labels() -> dict[str, str]:
    # Translated at request time (the module is imported before any language is active).
    return {"submit": _("提交审核"), "return": _("退回修改"), "publish": _("发布"), "archive": _("归档"),
            "restore": _("恢复为草稿")}


def _is_reviewer(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in services.REVIEWING_ROLES


def _rows(request: HttpRequest, query: str, rows: list[selectors.HitRow]) -> list[dict[str, Any]]:
    return [{"hit": row, "title_html": selectors.highlight(row.title, query),
             "snippet_html": selectors.highlight(row.snippet, query)} for row in rows]


# --- home: search ---------------------------------------------------------------------------


@require_GET
@login_required
@staff_only
def home(request: HttpRequest) -> HttpResponse:
    """The search box, the results ranked, and beside them my drafts, what waits for review
    (reviewers) and the most useful articles."""
    form = SearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
    results = (_rows(request, query, selectors.search_rows(request.user, query, kinds=[kind] if kind else [],
                                                           limit=SEARCH_LIMIT)) if query else [])
    user: Any = request.user
    return render(request, "console/knowledge/home.html", {
        "form": form, "query": query, "results": results, "searched": bool(query),
        "my_drafts": list(selectors.articles_for_user(user, status=ArticleStatus.DRAFT, author=user)[:SIDE_LIMIT]),
        "in_review": (list(selectors.articles_for_user(user, status=ArticleStatus.IN_REVIEW)[:SIDE_LIMIT])
                      if _is_reviewer(request) else None),
        "useful": list(selectors.articles_for_user(user, status=ArticleStatus.PUBLISHED, order="useful")[:SIDE_LIMIT]),
    })


# --- article list ---------------------------------------------------------------------------


def _tabs(request: HttpRequest, status: str, mine: bool) -> list[dict[str, Any]]:
    base = reverse("console:knowledge-articles")
    tabs = [("draft", True, _("我的草稿")), ("in_review", False, _("待审核")), ("published", False, _("已发布")),
            ("archived", False, _("已归档")), ("", False, _("全部"))]
    return [{"url": f"{base}?status={code}" + ("&mine=on" if own else ""), "label": label,
             "active": status == code and mine == own} for code, own, label in tabs]


@require_GET
@login_required
@staff_only
def article_list(request: HttpRequest) -> HttpResponse:
    """Articles by status: my drafts first for writers, in review for reviewers."""
    data: dict[str, Any] = {}
    if request.GET:
        filters = ArticleFilterForm(request.GET)
        data = filters.cleaned_data if filters.is_valid() else {}
    else:
        default = {"status": "in_review"} if _is_reviewer(request) else {"status": "draft", "mine": "on"}
        filters = ArticleFilterForm(default)
        data = filters.cleaned_data if filters.is_valid() else {}
    status, mine, offset = data.get("status") or "", bool(data.get("mine")), data.get("offset") or 0
    user: Any = request.user
    found = list(selectors.articles_for_user(user, status=status or None, author=user if mine else None)
                 [offset:offset + PAGE + 1])
    query = request.GET.copy()
    query.pop("offset", None)
    return render(request, "console/knowledge/list.html", {
        "filters": filters, "articles": found[:PAGE], "tabs": _tabs(request, status, mine),
        "query": query.urlencode(), "offset": offset,
        "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None,
    })


# --- article page and actions ---------------------------------------------------------------


def _page_context(request: HttpRequest, article: Article, **extra: Any) -> dict[str, Any]:
    labels = _labels()
    return {
        "article": article, "products": sorted(article.products.all(), key=lambda p: p.model),
        "actions": [{"name": name, "label": labels[name]}
                    for name in services.article_actions(request.user, article)],
        "may_edit": services.article_may_edit(request.user, article),
        "solutions": selectors.solutions_of(request.user, article, limit=20),
        "error": "", **extra,
    }


@require_GET
@login_required
@staff_only
def article_page(request: HttpRequest, article_id: uuid.UUID) -> HttpResponse:
    article = selectors.get_article_for_user(request.user, article_id)
    return render(request, "console/knowledge/article.html", _page_context(request, article))


@require_POST
@login_required
@staff_only
def article_action(request: HttpRequest, article_id: uuid.UUID, action: str) -> HttpResponse:
    """submit, return, publish, archive, restore — with the version the page showed."""
    if action not in services.TRANSITIONS:
        raise Http404
    article = selectors.get_article_for_user(request.user, article_id)  # 404 before anything else
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        services.article_transition(actor=request.user, article_id=article.pk, action=action,
                                    expected_version=version)
    except NotFound:
        raise
    except DomainError as refused:
        article = selectors.get_article_for_user(request.user, article_id)
        return render(request, "console/knowledge/article.html",
                      _page_context(request, article, error=refused.detail), status=refused.status)
    messages.success(request, _("已完成：%(action)s") % {"action": _labels()[action]})
    return HttpResponseRedirect(reverse("console:knowledge-article", args=[article.pk]))


# --- new and edit ---------------------------------------------------------------------------




def _article_data(form: ArticleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"title": data["title"], "problem": data["problem"], "symptoms": data["symptoms"],
            "cause": data["cause"], "solution": data["solution"], "product_ids": data["products"],
            "fault_class": data["fault_class"] or None, "visibility": data["visibility"]}


@login_required
@staff_only
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                article = services.article_create(actor=request.user, **_article_data(form))
            except DomainError as refused:
                status = show_refusal(form, refused, aliases=ALIASES)
            else:
                messages.success(request, _("草稿已保存：%(number)s") % {"number": article.number})
                return HttpResponseRedirect(reverse("console:knowledge-article", args=[article.pk]))
    return render(request, "console/knowledge/form.html", {"form": form, "article": None}, status=status)


@login_required
@staff_only
def article_edit(request: HttpRequest, article_id: uuid.UUID) -> HttpResponse:
    article = selectors.get_article_for_user(request.user, article_id)
    if not services.article_may_edit(request.user, article):
        raise Http404
    initial = {"title": article.title, "problem": article.problem, "symptoms": article.symptoms,
               "cause": article.cause, "solution": article.solution,
               "products": [str(p.pk) for p in article.products.all()],
               "fault_class": article.fault_class.code if article.fault_class else "",
               "visibility": article.visibility, "version": article.version}
    form = ArticleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.article_update(actor=request.user, article_id=article.pk,
                                        expected_version=form.cleaned_data["version"],
                                        changes=_article_data(form))
            except DomainError as refused:
                status = show_refusal(form, refused, aliases=ALIASES)
            else:
                messages.success(request, _("文章已保存。"))
                return HttpResponseRedirect(reverse("console:knowledge-article", args=[article.pk]))
    return render(request, "console/knowledge/form.html", {"form": form, "article": article}, status=status)


# --- from a case ----------------------------------------------------------------------------


@require_POST
@login_required
@staff_only
def draft_from_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """One click on a resolved case: its draft (the one made before, if any), then its page."""
    case = get_case_for_user(request.user, case_id)
    try:
        article, created = services.article_draft_from_case(actor=request.user, case_id=case.pk)
    except NotFound:
        raise
    except DomainError as refused:
        messages.error(request, refused.detail)
        return HttpResponseRedirect(reverse("console:case", args=[case.pk]))
    if created:
        messages.success(request, _("已根据工单 %(case)s 生成草稿 %(number)s。") % {
            "case": case.number, "number": article.number})
    else:
        messages.info(request, _("工单 %(case)s 已有文章 %(number)s。") % {
            "case": case.number, "number": article.number})
    return HttpResponseRedirect(reverse("console:knowledge-article", args=[article.pk]))


@require_POST
@login_required
@staff_only
def article_solved(request: HttpRequest, article_id: uuid.UUID) -> HttpResponse:
    """Record that this (published) article solved the case posted; back to the case."""
    article = selectors.get_article_for_user(request.user, article_id)
    form = CaseChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404
    case = get_case_for_user(request.user, form.cleaned_data["case"])
    try:
        services.case_record_solution(actor=request.user, case_id=case.pk, article_id=article.pk)
    except NotFound:
        raise
    except DomainError as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, _("已记录：%(number)s 解决了工单 %(case)s。") % {
            "number": article.number, "case": case.number})
    return HttpResponseRedirect(reverse("console:case", args=[case.pk]))


# --- suggestions (htmx fragment) ------------------------------------------------------------


@require_GET
@login_required
@staff_only
def suggest(request: HttpRequest) -> HttpResponse:
    """The top published articles and similar resolved cases for a case's text: `q`, or the
    intake form's `title` and `description`, or (with `case` alone) the case's own text. With
    `case`, each article offers "solved by this article", and a resolved or closed case offers
    "draft an article"."""
    parts = [request.GET.get(name, "") for name in ("q", "title", "description")]
    text = " ".join(part.strip() for part in parts if part.strip())[:SUGGEST_TEXT_MAX]
    case = None
    case_id = request.GET.get("case", "").strip()
    if case_id:
        try:
            case = get_case_for_user(request.user, case_id)
        except NotFound:
            case = None
        if case is not None and not text:
            text = f"{case.title} {case.description}"[:SUGGEST_TEXT_MAX]
    user: Any = request.user
    articles = selectors.hit_rows(user, selectors.suggest(user, text, kind="article"), text) if text else []
    cases = (selectors.hit_rows(user, selectors.suggest(user, text, kind="case",
                                                        exclude_case_id=case.pk if case else None), text)
             if text else [])
    solution = selectors.solution_of_case(case) if case is not None else None
    return render(request, "console/knowledge/_suggestions.html", {
        "text": text, "articles": _rows(request, text, articles), "cases": _rows(request, text, cases),
        "case": case, "solved_article_id": solution.article_id if solution else None,
        "may_draft": case is not None and case.status in (Status.RESOLVED, Status.CLOSED),
    })
