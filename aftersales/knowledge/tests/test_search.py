"""Search with the database's full-text engine, on SQLite and PostgreSQL alike: one- and
two-character Chinese terms, mixed Chinese/English and model numbers, an exact title first,
kept in sync on edits and deletes, and scoped (a customer finds only its own cases and the
articles published to customers)."""

from __future__ import annotations

import uuid

import pytest

from aftersales.knowledge.models import DocumentKind, SearchDocument
from aftersales.knowledge.search import index_document, remove_document, search

pytestmark = pytest.mark.django_db


def _article(title: str, *body: str, public: bool = False, archived: bool = False) -> uuid.UUID:
    object_id = uuid.uuid4()
    index_document(kind=DocumentKind.ARTICLE, object_id=object_id, title=title, body=body,
                   staff_visible=not archived, customer_visible=public)
    return object_id


def _case(title: str, customer_id: uuid.UUID, *body: str) -> uuid.UUID:
    object_id = uuid.uuid4()
    index_document(kind=DocumentKind.CASE, object_id=object_id, title=title, body=body, customer_id=customer_id)
    return object_id


@pytest.fixture
def corpus(acme, globex):
    return {
        "power": _article("收费站断电后 RSU 无法启动", "市电断电，UPS 电池耗尽", "检查 UPS 后依次上电", public=True),
        "screen": _article("车道显示屏黑屏", "显示屏黑屏，无任何显示", "更换电源模块"),
        "stuck": _article("读卡器卡卡", "IC 卡读卡器卡住", "清理卡槽"),
        "antenna": _article("ETC 天线 信号弱", "RSU-5000 天线 信号强度低于 -70dBm", "调整天线角度", public=True),
        "exact": _article("ETC 天线", "天线常见问题汇总"),
        "old": _article("旧版 RSU-3000 断电处理", "已停产", archived=True),
        "acme_case": _case("北收费站 ETC 天线 断电", acme.pk, "3 号车道 RSU-5000 断电"),
        "globex_case": _case("南收费站 天线 断电", globex.pk, "RSU-5000 断电"),
    }


def _ids(hits):
    return [hit.object_id for hit in hits]


def test_one_and_two_character_chinese_terms(agent, corpus):
    assert set(_ids(search(user=agent, query="卡"))) == {corpus["stuck"]}
    assert set(_ids(search(user=agent, query="黑屏"))) == {corpus["screen"]}
    assert set(_ids(search(user=agent, query="断电"))) == {corpus["power"], corpus["acme_case"], corpus["globex_case"]}


def test_mixed_chinese_english_and_model_numbers(agent, corpus):
    assert set(_ids(search(user=agent, query="ETC 天线"))) == {corpus["antenna"], corpus["exact"], corpus["acme_case"]}
    assert set(_ids(search(user=agent, query="RSU-5000"))) == {
        corpus["antenna"], corpus["acme_case"], corpus["globex_case"]}
    assert set(_ids(search(user=agent, query="rsu5000"))) == set(_ids(search(user=agent, query="RSU-5000")))
    assert _ids(search(user=agent, query="ｅｔｃ 天线"))[0] == corpus["exact"]


def test_an_exact_title_match_ranks_first_then_the_title_before_the_body(agent, corpus):
    hits = search(user=agent, query="ETC 天线")
    assert hits[0].object_id == corpus["exact"]
    assert hits[0].is_exact_title
    # 黑屏 in the title of one article; a second mentions it only in its body
    body_only = _article("显示屏故障汇总", "偶尔黑屏")
    hits = search(user=agent, query="黑屏")
    assert _ids(hits) == [corpus["screen"], body_only]
    assert hits[0].score > hits[1].score


def test_every_term_must_occur(agent, corpus):
    assert search(user=agent, query="天线 黑屏") == []
    assert search(user=agent, query="！！") == []


def test_edits_and_deletes_are_seen_at_once(agent, corpus):
    index_document(kind=DocumentKind.ARTICLE, object_id=corpus["screen"], title="车道显示屏花屏",
                   body=["显示屏花屏"])
    assert search(user=agent, query="黑屏") == []
    assert _ids(search(user=agent, query="花屏")) == [corpus["screen"]]
    remove_document(kind=DocumentKind.ARTICLE, object_id=corpus["screen"])
    assert search(user=agent, query="花屏") == []
    assert SearchDocument.objects.filter(object_id=corpus["screen"]).count() == 0


def test_staff_do_not_find_archived_articles(agent, corpus):
    assert corpus["old"] not in _ids(search(user=agent, query="RSU-3000"))


def test_a_customer_finds_its_own_cases_and_public_articles_only(alice, charlie, corpus):
    found = set(_ids(search(user=alice, query="断电")))
    assert found == {corpus["power"], corpus["acme_case"]}
    assert set(_ids(search(user=charlie, query="断电"))) == {corpus["power"], corpus["globex_case"]}
    assert search(user=alice, query="黑屏") == []  # internal article


def test_kinds_and_limit(agent, corpus):
    assert set(_ids(search(user=agent, query="断电", kinds=["case"]))) == {corpus["acme_case"], corpus["globex_case"]}
    assert len(search(user=agent, query="断电", limit=1)) == 1


def test_query_text_cannot_break_out_of_the_match_expression(agent, corpus):
    for hostile in ('" OR 1=1 --', "天线' ) OR ('1'='1", "NEAR(天线 断电)", "天线*", "title_tokens:天线"):
        search(user=agent, query=hostile)  # no error, whatever it finds
