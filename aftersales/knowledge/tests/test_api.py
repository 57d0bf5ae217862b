"""The knowledge API (/api/v1/knowledge): search with snippets and page addresses, articles
written and reviewed by staff, read by customers only once published to them (else 404), a
draft from a resolved case, and which article solved a case."""

from __future__ import annotations

import pytest

from aftersales.cases import services as cases
from aftersales.knowledge import services
from aftersales.knowledge.models import Article

pytestmark = pytest.mark.django_db

BASE = "/api/v1/knowledge"


# --- search ---------------------------------------------------------------------------------


def test_search_finds_a_two_character_term_with_a_snippet_and_the_page(api, agent, publish, resolved_case):
    article = publish("RSU-5000 天线断电", "更换天线电源适配器", problem="收费站 ETC 车道天线突然断电，交易失败")
    body = api(agent).get(f"{BASE}/search?q=断电").json()
    assert body["terms"] == ["断电"]
    by_id = {hit["id"]: hit for hit in body["items"]}
    assert set(by_id) == {str(article.pk), str(resolved_case.pk)}
    hit = by_id[str(article.pk)]
    assert (hit["kind"], hit["number"], hit["status"]) == ("article", article.number, "published")
    assert hit["url"] == f"/console/knowledge/articles/{article.pk}/"
    assert "断电" in hit["snippet"]
    assert "<" not in hit["snippet"]
    assert hit["score"] > 0
    assert by_id[str(resolved_case.pk)]["url"] == f"/console/cases/{resolved_case.pk}/"


def test_search_ranks_an_exact_title_first_and_filters_kinds(api, agent, publish, resolved_case):
    publish("天线断电后无法交易的处理", "检查电源", problem="天线断电")
    exact = publish("天线断电", "更换适配器")
    client = api(agent)
    items = client.get(f"{BASE}/search?q=天线断电").json()["items"]
    assert items[0]["id"] == str(exact.pk)
    assert (items[0]["exact_title"], items[0]["score"]) == (True, None)
    assert items[1]["exact_title"] is False
    assert items[1]["score"] > 0
    only_cases = client.get(f"{BASE}/search?q=天线断电&kinds=case").json()["items"]
    assert [hit["id"] for hit in only_cases] == [str(resolved_case.pk)]
    assert len(client.get(f"{BASE}/search?q=天线断电&limit=1").json()["items"]) == 1


def test_search_refuses_bad_kinds_and_limits(api, agent):
    client = api(agent)
    assert client.get(f"{BASE}/search?q=x&kinds=user").json()["field"] == "kinds"
    assert client.get(f"{BASE}/search?q=x&limit=0").status_code == 422
    assert client.get(f"{BASE}/search?q=x&limit=51").status_code == 422
    assert client.get(f"{BASE}/search?q=").json()["items"] == []


def test_a_customer_finds_its_own_cases_and_articles_published_to_customers(
    api, alice, charlie, publish, resolved_case,
):
    shared = publish("ETC 天线断电", "更换适配器", visibility="customers")
    publish("天线断电（内部）", "内部处理办法")
    items = api(alice).get(f"{BASE}/search?q=断电").json()["items"]
    assert {hit["id"] for hit in items} == {str(shared.pk), str(resolved_case.pk)}
    urls = {hit["url"] for hit in items}
    assert urls == {f"/portal/knowledge/articles/{shared.pk}/", f"/portal/cases/{resolved_case.pk}/"}
    assert [hit["id"] for hit in api(charlie).get(f"{BASE}/search?q=断电").json()["items"]] == [str(shared.pk)]


def test_anonymous_callers_are_refused(api):
    assert api(None).get(f"{BASE}/search?q=断电").status_code == 401


# --- articles -------------------------------------------------------------------------------


def test_staff_create_edit_with_the_version_and_publish(api, agent, expert, acme_asset):
    client = api(agent)
    created = client.post(f"{BASE}/articles", {
        "title": "车道控制机黑屏", "solution": "更换显示器电源", "symptoms": "显示器无输出",
        "product_ids": [str(acme_asset.product_id)], "visibility": "customers",
    })
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["version"], body["author"]) == ("draft", 1, "agent")
    assert [p["model"] for p in body["products"]] == ["RSU-1"]
    assert body["actions"] == ["submit"]
    article_id = body["id"]
    edited = client.patch(f"{BASE}/articles/{article_id}", {"expected_version": 1, "cause": "电源老化"})
    assert (edited.status_code, edited.json()["version"], edited.json()["cause"]) == (200, 2, "电源老化")
    stale = client.patch(f"{BASE}/articles/{article_id}", {"expected_version": 1, "cause": "x"})
    assert stale.status_code == 412
    submitted = client.post(f"{BASE}/articles/{article_id}/transitions", {"action": "submit"})
    assert submitted.json()["status"] == "in_review"
    refused = client.post(f"{BASE}/articles/{article_id}/transitions", {"action": "publish"})
    assert refused.status_code == 403
    published = api(expert).post(f"{BASE}/articles/{article_id}/transitions", {"action": "publish"}).json()
    assert (published["status"], published["reviewed_by"]) == ("published", "expert")
    assert published["actions"] == ["archive"]
    again = api(expert).post(f"{BASE}/articles/{article_id}/transitions", {"action": "publish"})
    assert (again.status_code, again.json()["code"]) == (409, "article_state")
    # a published article is edited by reviewers only
    assert client.patch(f"{BASE}/articles/{article_id}", {"cause": "x"}).status_code == 403


def test_create_refusals_name_the_field(api, agent):
    client = api(agent)
    assert client.post(f"{BASE}/articles", {"title": "x", "solution": "y", "fault_class": "nope"}).json()["field"] \
        == "fault_class"
    assert client.post(f"{BASE}/articles", {"title": "x", "solution": "y", "visibility": "world"}).status_code == 422
    assert client.post(f"{BASE}/articles", {"title": "", "solution": "y"}).status_code == 422


def test_customers_read_only_articles_published_to_them(api, alice, agent, publish):
    shared = publish("黑屏处理", "重启", visibility="customers")
    internal = publish("黑屏（内部）", "内部办法")
    draft = services.article_create(actor=agent, title="草稿", solution="x", visibility="customers")
    client = api(alice)
    body = client.get(f"{BASE}/articles/{shared.pk}").json()
    assert (body["author"], body["source_case_id"], body["actions"]) == (None, None, [])
    for hidden in (internal, draft):
        response = client.get(f"{BASE}/articles/{hidden.pk}")
        assert (response.status_code, response.json()["code"]) == (404, "article_not_found")
    assert [row["id"] for row in client.get(f"{BASE}/articles").json()["items"]] == [str(shared.pk)]
    assert client.post(f"{BASE}/articles", {"title": "x", "solution": "y"}).status_code == 403
    assert client.post(f"{BASE}/articles/{shared.pk}/transitions", {"action": "archive"}).status_code == 403


def test_the_list_filters_by_status_author_and_usefulness(api, agent, expert, publish, resolved_case):
    mine = services.article_create(actor=agent, title="我的草稿", solution="x")
    services.article_create(actor=expert, title="专家草稿", solution="x")
    useful = publish("天线断电", "更换适配器")
    publish("其他", "y")
    services.case_record_solution(actor=agent, case_id=resolved_case.pk, article_id=useful.pk)
    client = api(agent)
    drafts = client.get(f"{BASE}/articles?status=draft&mine=true").json()["items"]
    assert [row["id"] for row in drafts] == [str(mine.pk)]
    ordered = client.get(f"{BASE}/articles?status=published&order=useful").json()["items"]
    assert (ordered[0]["id"], ordered[0]["solved_count"]) == (str(useful.pk), 1)
    assert client.get(f"{BASE}/articles?limit=1").json()["next_offset"] == 1


def test_a_draft_from_a_resolved_case_once(api, agent, resolved_case, acme, diamond_contract):
    client = api(agent)
    first = client.post(f"{BASE}/articles/from-case/{resolved_case.pk}")
    again = client.post(f"{BASE}/articles/from-case/{resolved_case.pk}")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["source_case_id"] == str(resolved_case.pk)
    assert first.json()["solution"] == "更换天线电源适配器后恢复"
    open_case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="断电")
    refused = client.post(f"{BASE}/articles/from-case/{open_case.pk}")
    assert (refused.status_code, refused.json()["code"]) == (409, "case_not_resolved")
    assert Article.objects.count() == 1


def test_another_customers_case_is_not_found(api, charlie, resolved_case):
    # charlie is refused by role before anything is looked up: no difference between ids
    assert api(charlie).post(f"{BASE}/articles/from-case/{resolved_case.pk}").status_code == 403
    assert api(charlie).get(f"{BASE}/cases/{resolved_case.pk}/solution").status_code == 404


# --- solutions and usefulness ---------------------------------------------------------------


def test_the_article_that_solved_a_case_is_recorded_and_counted(api, agent, alice, charlie, publish, resolved_case):
    first = publish("天线断电", "更换适配器", visibility="customers")
    second = publish("天线无信号", "调整角度")
    client = api(agent)
    assert client.get(f"{BASE}/cases/{resolved_case.pk}/solution").status_code == 404
    recorded = client.post(f"{BASE}/solutions", {"case_id": str(resolved_case.pk), "article_id": str(first.pk)})
    assert recorded.status_code == 200
    assert (recorded.json()["article_number"], recorded.json()["solved_count"]) == (first.number, 1)
    assert client.get(f"{BASE}/cases/{resolved_case.pk}/solution").json()["article_id"] == str(first.pk)
    usefulness = client.get(f"{BASE}/articles/{first.pk}/usefulness").json()
    assert usefulness["solved_count"] == 1
    assert [row["case_number"] for row in usefulness["cases"]] == [resolved_case.number]
    # the customer whose case it is sees it; another sees the count only
    assert [row["case_id"] for row in api(alice).get(f"{BASE}/articles/{first.pk}/usefulness").json()["cases"]] \
        == [str(resolved_case.pk)]
    other = api(charlie).get(f"{BASE}/articles/{first.pk}/usefulness").json()
    assert (other["solved_count"], other["cases"]) == (1, [])
    # moved to another article
    client.post(f"{BASE}/solutions", {"case_id": str(resolved_case.pk), "article_id": str(second.pk)})
    assert client.get(f"{BASE}/articles/{first.pk}").json()["solved_count"] == 0
    assert client.get(f"{BASE}/articles/{second.pk}").json()["solved_count"] == 1
    # an internal article solving alice's case is not shown to alice
    assert api(alice).get(f"{BASE}/cases/{resolved_case.pk}/solution").status_code == 404


def test_only_a_published_article_can_be_recorded(api, agent, resolved_case):
    draft = services.article_create(actor=agent, title="草稿", solution="x")
    response = api(agent).post(f"{BASE}/solutions", {"case_id": str(resolved_case.pk), "article_id": str(draft.pk)})
    assert (response.status_code, response.json()["field"]) == (422, "article_id")


def test_customers_cannot_record_solutions(api, alice, publish, resolved_case):
    article = publish("天线断电", "更换适配器", visibility="customers")
    response = api(alice).post(f"{BASE}/solutions", {"case_id": str(resolved_case.pk), "article_id": str(article.pk)})
    assert response.status_code == 403
