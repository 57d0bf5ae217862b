"""Articles: drafted by hand or from a resolved case (once), edited with the version, reviewed
and published, archived; search follows every change; which article solved a case is counted."""

from __future__ import annotations

import pytest

from aftersales.cases import services as cases
from aftersales.core.errors import Conflict, PermissionDenied, PreconditionFailed, ValidationFailed
from aftersales.knowledge import services
from aftersales.knowledge.models import Article, CaseSolution
from aftersales.knowledge.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(make_user):
    return make_user("expert", "expert")


@pytest.fixture
def resolved_case(agent, acme, acme_asset, diamond_contract):
    case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                              title="北收费站 ETC 天线断电", description="3 号车道天线无信号", asset_id=acme_asset.pk,
                              impact="outage")
    cases.case_acknowledge(actor=agent, case_id=case.pk)
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="更换天线电源适配器后恢复")
    case.refresh_from_db()
    return case


def _found(user, query):
    return [hit.object_id for hit in search(user=user, query=query)]


def test_a_draft_is_numbered_and_found_by_staff_only(agent, alice):
    article = services.article_create(actor=agent, title="读卡器卡卡", solution="清理卡槽", symptoms="IC 卡读卡器卡住")
    assert article.number.startswith("KB")
    assert article.status == "draft"
    assert _found(agent, "卡") == [article.pk]
    assert _found(alice, "卡") == []


def test_bad_input_is_refused_by_field(agent):
    with pytest.raises(ValidationFailed) as no_title:
        services.article_create(actor=agent, title=" ", solution="x")
    assert no_title.value.field == "title"
    with pytest.raises(ValidationFailed) as no_solution:
        services.article_create(actor=agent, title="x", solution="")
    assert no_solution.value.field == "solution"
    with pytest.raises(ValidationFailed) as visibility:
        services.article_create(actor=agent, title="x", solution="y", visibility="world")
    assert visibility.value.field == "visibility"
    with pytest.raises(ValidationFailed) as fault:
        services.article_create(actor=agent, title="x", solution="y", fault_class="nope")
    assert fault.value.field == "fault_class"
    assert not Article.objects.exists()


def test_customers_cannot_write_articles(alice):
    with pytest.raises(PermissionDenied):
        services.article_create(actor=alice, title="x", solution="y")


def test_a_draft_from_a_resolved_case_takes_its_text_product_and_is_made_once(agent, resolved_case, acme_asset):
    article, created = services.article_draft_from_case(actor=agent, case_id=resolved_case.pk)
    assert created
    assert article.title == resolved_case.title
    assert article.problem == "3 号车道天线无信号"
    assert article.solution == "更换天线电源适配器后恢复"
    assert list(article.products.all()) == [acme_asset.product]
    assert article.source_case_id == resolved_case.pk
    again, created_again = services.article_draft_from_case(actor=agent, case_id=resolved_case.pk)
    assert (again.pk, created_again) == (article.pk, False)
    # found beside the case it came from
    assert set(_found(agent, "适配器")) == {article.pk, resolved_case.pk}


def test_an_open_case_gives_no_draft(agent, acme, diamond_contract):
    case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电")
    with pytest.raises(Conflict):
        services.article_draft_from_case(actor=agent, case_id=case.pk)


def test_review_publish_to_customers_and_archive_follow_in_search(agent, expert, alice):
    article = services.article_create(actor=agent, title="显示屏黑屏", solution="更换电源模块", visibility="customers")
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=agent, article_id=article.pk, action="publish")
    services.article_transition(actor=agent, article_id=article.pk, action="submit")
    with pytest.raises(Conflict):
        services.article_transition(actor=agent, article_id=article.pk, action="submit")
    assert _found(alice, "黑屏") == []
    published = services.article_transition(actor=expert, article_id=article.pk, action="publish")
    assert published.reviewed_by == expert
    assert published.published_at is not None
    assert _found(alice, "黑屏") == [article.pk]
    services.article_transition(actor=expert, article_id=article.pk, action="archive")
    assert _found(alice, "黑屏") == []
    assert _found(agent, "黑屏") == []
    with pytest.raises(ValidationFailed):
        services.article_transition(actor=expert, article_id=article.pk, action="explode")


def test_edits_use_the_version_and_a_published_article_needs_a_reviewer(agent, expert):
    article = services.article_create(actor=agent, title="黑屏", solution="重启")
    edited = services.article_update(actor=agent, article_id=article.pk, expected_version=1,
                                     changes={"title": "花屏", "solution": "更换排线"})
    assert edited.version == 2
    assert _found(agent, "黑屏") == []
    assert _found(agent, "花屏") == [article.pk]
    with pytest.raises(PreconditionFailed):
        services.article_update(actor=agent, article_id=article.pk, expected_version=1, changes={"title": "旧"})
    with pytest.raises(ValidationFailed) as unknown:
        services.article_update(actor=agent, article_id=article.pk, expected_version=2, changes={"number": "KB1"})
    assert unknown.value.field == "number"
    services.article_transition(actor=agent, article_id=article.pk, action="submit")
    services.article_transition(actor=expert, article_id=article.pk, action="publish")
    with pytest.raises(PermissionDenied):
        services.article_update(actor=agent, article_id=article.pk, expected_version=None, changes={"title": "x"})
    services.article_update(actor=expert, article_id=article.pk, expected_version=None, changes={"cause": "排线老化"})
    assert _found(agent, "老化") == [article.pk]


def test_the_article_that_solved_a_case_is_counted_once_and_can_be_changed(agent, expert, resolved_case):
    first = services.article_create(actor=agent, title="天线断电", solution="更换适配器")
    second = services.article_create(actor=agent, title="天线无信号", solution="调整角度")
    with pytest.raises(ValidationFailed):  # not published
        services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=first.pk)
    for article in (first, second):
        services.article_transition(actor=agent, article_id=article.pk, action="submit")
        services.article_transition(actor=expert, article_id=article.pk, action="publish")
    services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=first.pk)
    services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=first.pk)
    first.refresh_from_db()
    assert first.solved_count == 1
    services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.solved_count, second.solved_count) == (0, 1)
    assert CaseSolution.objects.get().article_id == second.pk


def test_cases_are_indexed_when_filed_edited_and_resolved(agent, alice, charlie, acme, diamond_contract):
    case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                              title="南收费站车道黑屏", description="显示屏无输出", impact="outage")
    assert _found(agent, "黑屏") == [case.pk]
    assert _found(alice, "黑屏") == [case.pk]
    assert _found(charlie, "黑屏") == []
    assert _found(agent, case.number) == [case.pk]
    cases.case_update(actor=agent, case_id=case.pk, expected_version=case.version, changes={"title": "南收费站车道花屏"})
    assert _found(agent, "黑屏") == []
    assert _found(agent, "花屏") == [case.pk]
    cases.case_acknowledge(actor=agent, case_id=case.pk)
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="更换 HDMI 线缆")
    assert _found(agent, "线缆") == [case.pk]
    assert _found(agent, "hdmi") == [case.pk]


def test_the_index_is_rebuilt_from_the_cases_and_articles(agent, acme, diamond_contract, resolved_case, capsys):
    from django.core.management import call_command

    from aftersales.knowledge.models import SearchDocument

    article = services.article_create(actor=agent, title="读卡器卡卡", solution="清理卡槽")
    SearchDocument.objects.all().delete()  # as after a bulk load that went around the services
    assert _found(agent, "适配器") == []
    call_command("search_reindex", "--batch-size", "1")
    assert "indexed 1 articles and 1 cases" in capsys.readouterr().out
    assert _found(agent, "适配器") == [resolved_case.pk]
    assert _found(agent, "卡槽") == [article.pk]
    # again: the same documents, none twice
    services.search_reindex()
    assert SearchDocument.objects.count() == 2
