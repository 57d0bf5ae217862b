"""The knowledge-base pages: the console's search (terms highlighted, text escaped), articles by
status, the article page and its actions, the form, a draft from a case, "this article solved
the case", the suggestions fragment; the portal's search and articles (scoped); and the
highlighting itself."""

from __future__ import annotations

import pytest

from aftersales.cases import services as cases
from aftersales.knowledge import services
from aftersales.knowledge.models import Article, CaseSolution
from aftersales.knowledge.selectors import highlight, snippet

pytestmark = pytest.mark.django_db

CONSOLE = "/console/knowledge/"
PORTAL = "/portal/knowledge/"


# --- highlighting ---------------------------------------------------------------------------


def test_highlight_escapes_the_text_and_marks_every_term():
    assert highlight("<b>天线</b>断电了", "天线断电") == "&lt;b&gt;<mark>天线</mark>&lt;/b&gt;<mark>断电</mark>了"
    # overlapping pairs of a longer query merge into one mark
    assert highlight("显示器黑屏幕", "黑屏幕") == "显示器<mark>黑屏幕</mark>"
    # a term never cuts an entity the escaping made
    assert highlight("a<lt>&amp", "lt amp") == "a&lt;<mark>lt</mark>&gt;&amp;<mark>amp</mark>"
    # case and full-width forms fold as the search does
    assert highlight("ＲＳＵ-5000 etc", "rsu ETC") == "<mark>ＲＳＵ</mark>-5000 <mark>etc</mark>"
    assert highlight("<script>", "") == "&lt;script&gt;"


def test_snippet_is_plain_text_around_the_first_match():
    text = "前言" * 100 + "天线断电" + "后记" * 100
    found = snippet(["", text], "断电", length=40)
    assert "断电" in found
    assert found.startswith("…")
    assert found.endswith("…")
    assert len(found) == 42
    assert snippet(["无关内容\n  第二行"], "断电") == "无关内容 第二行"
    assert snippet(["", " "], "断电") == ""


# --- console: search -------------------------------------------------------------------------


def test_the_search_page_ranks_and_highlights_safely(client_for, agent, publish, resolved_case):
    article = publish("<script>alert(1)</script> 天线断电", "更换适配器", problem="车道天线断电")
    response = client_for(agent).get(CONSOLE, {"q": "断电"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 天线<mark>断电</mark>" in body
    assert f'href="/console/knowledge/articles/{article.pk}/"' in body
    assert f'href="/console/cases/{resolved_case.pk}/"' in body
    # the article's title says it (weighted ten times the body): it comes first
    assert body.index(f'data-id="{article.pk}"') < body.index(f'data-id="{resolved_case.pk}"')
    only_cases = client_for(agent).get(CONSOLE, {"q": "断电", "kind": "case"}).content.decode()
    assert f'data-id="{article.pk}"' not in only_cases
    assert f'data-id="{resolved_case.pk}"' in only_cases


def test_the_home_shows_my_drafts_and_for_reviewers_what_waits(client_for, agent, expert):
    draft = services.article_create(actor=agent, title="我的草稿文章", solution="x")
    waiting = services.article_create(actor=agent, title="等待审核的文章", solution="x")
    services.article_transition(actor=agent, article_id=waiting.pk, action="submit")
    mine = client_for(agent).get(CONSOLE).content.decode()
    assert draft.title in mine
    assert "待我审核" not in mine
    reviewer = client_for(expert).get(CONSOLE).content.decode()
    assert "待我审核" in reviewer
    assert waiting.title in reviewer


def test_customer_users_get_404_in_the_console(client_for, alice, publish):
    article = publish("黑屏", "重启", visibility="customers")
    client = client_for(alice)
    for path in (CONSOLE, f"{CONSOLE}articles/", f"{CONSOLE}articles/{article.pk}/", f"{CONSOLE}suggest?q=黑屏"):
        assert client.get(path).status_code == 404, path


# --- console: articles ----------------------------------------------------------------------


def test_the_list_opens_on_my_drafts_for_writers_and_in_review_for_reviewers(client_for, agent, expert):
    mine = services.article_create(actor=agent, title="坐席的草稿", solution="x")
    other = services.article_create(actor=expert, title="专家的草稿", solution="x")
    waiting = services.article_create(actor=agent, title="待审核的文章", solution="x")
    services.article_transition(actor=agent, article_id=waiting.pk, action="submit")
    body = client_for(agent).get(f"{CONSOLE}articles/").content.decode()
    assert mine.title in body
    assert other.title not in body
    assert waiting.title not in body
    body = client_for(expert).get(f"{CONSOLE}articles/").content.decode()
    assert waiting.title in body
    assert mine.title not in body
    body = client_for(expert).get(f"{CONSOLE}articles/", {"status": ""}).content.decode()
    assert all(a.title in body for a in (mine, other, waiting))


def test_a_new_article_from_the_form(client_for, agent, acme_asset):
    client = client_for(agent)
    assert client.get(f"{CONSOLE}articles/new/").status_code == 200
    invalid = client.post(f"{CONSOLE}articles/new/", {"title": "", "solution": "", "visibility": "internal"})
    assert invalid.status_code == 422
    response = client.post(f"{CONSOLE}articles/new/", {
        "title": "ETC 天线断电", "solution": "更换适配器", "problem": "", "symptoms": "", "cause": "",
        "products": [str(acme_asset.product_id)], "fault_class": "", "visibility": "customers",
    })
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}articles/{article.pk}/"
    assert (article.author, article.visibility) == (agent, "customers")
    assert list(article.products.all()) == [acme_asset.product]


def _form(article, **changes):
    data = {"title": article.title, "problem": article.problem, "symptoms": article.symptoms,
            "cause": article.cause, "solution": article.solution,
            "products": [str(p.pk) for p in article.products.all()], "fault_class": "",
            "visibility": article.visibility, "version": str(article.version)}
    data.update(changes)
    return data


def test_an_edit_keeps_the_version_and_a_stale_one_is_refused(client_for, agent):
    article = services.article_create(actor=agent, title="黑屏", solution="重启")
    client = client_for(agent)
    assert client.get(f"{CONSOLE}articles/{article.pk}/edit/").status_code == 200
    saved = client.post(f"{CONSOLE}articles/{article.pk}/edit/", _form(article, title="花屏"))
    assert saved.status_code == 302
    stale = client.post(f"{CONSOLE}articles/{article.pk}/edit/", _form(article, title="旧"))
    assert stale.status_code == 412
    assert "已被他人修改" in stale.content.decode()
    article.refresh_from_db()
    assert (article.title, article.version) == ("花屏", 2)


def test_the_article_page_offers_what_its_status_allows(client_for, agent, expert):
    article = services.article_create(actor=agent, title="黑屏", solution="重启")
    body = client_for(agent).get(f"{CONSOLE}articles/{article.pk}/").content.decode()
    assert 'data-action="submit"' in body
    assert 'data-action="publish"' not in body
    assert client_for(agent).post(f"{CONSOLE}articles/{article.pk}/submit", {"version": "1"}).status_code == 302
    body = client_for(agent).get(f"{CONSOLE}articles/{article.pk}/").content.decode()
    assert 'data-action="publish"' not in body
    refused = client_for(agent).post(f"{CONSOLE}articles/{article.pk}/publish", {"version": "2"})
    assert refused.status_code == 403
    body = client_for(expert).get(f"{CONSOLE}articles/{article.pk}/").content.decode()
    assert 'data-action="publish"' in body
    assert 'data-action="return"' in body
    stale = client_for(expert).post(f"{CONSOLE}articles/{article.pk}/publish", {"version": "1"})
    assert stale.status_code == 412
    published = client_for(expert).post(f"{CONSOLE}articles/{article.pk}/publish", {"version": "2"})
    assert published.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.reviewed_by) == ("published", expert)
    # a published article: the agent cannot edit it any more, the expert can
    assert client_for(agent).get(f"{CONSOLE}articles/{article.pk}/edit/").status_code == 404
    assert client_for(expert).get(f"{CONSOLE}articles/{article.pk}/edit/").status_code == 200
    assert client_for(expert).post(f"{CONSOLE}articles/{article.pk}/explode").status_code == 404


def test_a_draft_from_a_case_in_one_click_and_only_once(client_for, agent, resolved_case, acme, diamond_contract):
    client = client_for(agent)
    first = client.post(f"{CONSOLE}from-case/{resolved_case.pk}")
    article = Article.objects.get()
    assert first["Location"] == f"{CONSOLE}articles/{article.pk}/"
    assert client.post(f"{CONSOLE}from-case/{resolved_case.pk}")["Location"] == first["Location"]
    assert Article.objects.count() == 1
    assert client.get(f"{CONSOLE}from-case/{resolved_case.pk}").status_code == 405
    open_case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电")
    refused = client.post(f"{CONSOLE}from-case/{open_case.pk}", follow=True)
    assert refused.redirect_chain[0][0] == f"/console/cases/{open_case.pk}/"
    assert "工单解决后才能生成知识库文章" in refused.content.decode()


def test_this_article_solved_the_case(client_for, agent, publish, resolved_case):
    article = publish("天线断电", "更换适配器")
    draft = services.article_create(actor=agent, title="草稿", solution="x")
    client = client_for(agent)
    response = client.post(f"{CONSOLE}articles/{article.pk}/solved", {"case": str(resolved_case.pk)})
    assert response["Location"] == f"/console/cases/{resolved_case.pk}/"
    article.refresh_from_db()
    assert article.solved_count == 1
    refused = client.post(f"{CONSOLE}articles/{draft.pk}/solved", {"case": str(resolved_case.pk)}, follow=True)
    assert "只能选择已发布的文章" in refused.content.decode()
    assert CaseSolution.objects.get().article_id == article.pk
    assert client.post(f"{CONSOLE}articles/{article.pk}/solved", {"case": "nope"}).status_code == 404


# --- console: suggestions -------------------------------------------------------------------


def test_suggestions_are_published_articles_matching_any_term_of_what_is_typed(
    client_for, agent, publish, resolved_case,
):
    best = publish("RSU 天线断电", "更换天线电源适配器", problem="ETC 车道天线断电")
    other = publish("车道控制机黑屏", "更换显示器")
    draft = services.article_create(actor=agent, title="天线断电草稿", solution="x")
    client = client_for(agent)
    body = client.get(f"{CONSOLE}suggest", {"q": "西收费站ETC天线又断电了"}).content.decode()
    assert f'data-id="{best.pk}"' in body
    assert f'data-id="{draft.pk}"' not in body
    assert f'data-id="{other.pk}"' not in body
    assert "<mark>" in body
    # the similar resolved case is suggested as well
    assert f'data-id="{resolved_case.pk}"' in body
    # the intake form's fields are the query as well
    body = client.get(f"{CONSOLE}suggest", {"title": "显示器黑屏", "description": ""}).content.decode()
    assert f'data-id="{other.pk}"' in body
    assert f'data-id="{best.pk}"' not in body
    assert "输入故障简述后" in client.get(f"{CONSOLE}suggest").content.decode()


def test_suggestions_for_a_case_use_its_text_and_offer_the_buttons(client_for, agent, publish, resolved_case):
    article = publish("天线断电", "更换适配器")
    client = client_for(agent)
    body = client.get(f"{CONSOLE}suggest", {"case": str(resolved_case.pk)}).content.decode()
    assert f'data-id="{article.pk}"' in body
    assert f'data-id="{resolved_case.pk}"' not in body  # not similar to itself
    assert f'action="/console/knowledge/from-case/{resolved_case.pk}"' in body
    assert f'action="/console/knowledge/articles/{article.pk}/solved"' in body
    services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=article.pk)
    body = client.get(f"{CONSOLE}suggest", {"case": str(resolved_case.pk)}).content.decode()
    assert "已记录为本工单的解决方案" in body
    assert f'action="/console/knowledge/articles/{article.pk}/solved"' not in body


def test_an_open_case_offers_no_draft(client_for, agent, publish, acme, diamond_contract):
    publish("天线断电", "更换适配器")
    case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="天线断电")
    body = client_for(agent).get(f"{CONSOLE}suggest", {"case": str(case.pk)}).content.decode()
    assert "from-case" not in body
    assert "kb-solved-by" in body


# --- portal ---------------------------------------------------------------------------------


def test_the_portal_searches_published_customer_articles_and_own_cases(
    client_for, alice, charlie, publish, resolved_case,
):
    shared = publish("ETC 天线断电", "更换适配器", visibility="customers")
    internal = publish("天线断电（内部）", "内部办法")
    body = client_for(alice).get(PORTAL, {"q": "断电"}).content.decode()
    assert f'href="/portal/knowledge/articles/{shared.pk}/"' in body
    assert f'href="/portal/cases/{resolved_case.pk}/"' in body
    assert str(internal.pk) not in body
    assert "<mark>断电</mark>" in body
    body = client_for(charlie).get(PORTAL, {"q": "断电"}).content.decode()
    assert str(shared.pk) in body
    assert str(resolved_case.pk) not in body
    assert shared.title in client_for(charlie).get(PORTAL).content.decode()


def test_the_portal_article_page_is_scoped(client_for, alice, bob, agent, expert, publish):
    shared = publish("黑屏处理", "重启设备", visibility="customers")
    internal = publish("黑屏（内部）", "内部办法")
    draft = services.article_create(actor=agent, title="草稿", solution="x", visibility="customers")
    client = client_for(alice)
    page = client.get(f"{PORTAL}articles/{shared.pk}/")
    assert page.status_code == 200
    assert "重启设备" in page.content.decode()
    for hidden in (internal, draft):
        assert client.get(f"{PORTAL}articles/{hidden.pk}/").status_code == 404
    services.article_transition(actor=expert, article_id=shared.pk, action="archive")
    assert client.get(f"{PORTAL}articles/{shared.pk}/").status_code == 404
    assert client_for(bob).get(PORTAL).status_code == 404  # staff read in the console
