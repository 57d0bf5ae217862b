"""Tokens: CJK runs as characters and pairs, words lower-cased after NFKC, model numbers whole
and in parts; queries of one CJK character look for it, longer ones for their pairs."""

from __future__ import annotations

import pytest

from aftersales.knowledge.tokens import MAX_TOKENS, index_tokens, query_terms, title_key


def test_a_cjk_run_is_indexed_as_characters_and_pairs():
    assert index_tokens("断电了") == ["断", "电", "了", "断电", "电了"]


@pytest.mark.parametrize(("query", "terms"), [
    ("卡", ["卡"]),
    ("断电", ["断电"]),
    ("黑屏幕", ["黑屏", "屏幕"]),
    ("ETC 天线", ["etc", "天线"]),
    ("ＥＴＣ天线", ["etc", "天线"]),  # full-width letters fold to ASCII
    ("RSU-5000", ["rsu", "5000"]),
    ("rsu5000", ["rsu5000"]),
    ("断电 断电", ["断电"]),
    ("！？ ,", []),
])
def test_query_terms(query, terms):
    assert query_terms(query) == terms


def test_model_numbers_are_indexed_whole_and_in_parts():
    assert index_tokens("RSU-5000 故障") == ["rsu", "5000", "rsu5000", "故", "障", "故障"]


def test_every_query_term_of_a_text_is_among_its_index_tokens():
    text = "ETC 天线在收费站 3 号车道黑屏，RSU-5000 重启后恢复；Ｆａｕｌｔ code E-17"
    indexed = set(index_tokens(text))
    for query in ("ETC 天线", "黑屏", "RSU-5000", "车道", "fault", "e-17", "收费站", "卡" if "卡" in text else "站"):
        assert set(query_terms(query)) <= indexed, query


def test_a_title_key_ignores_case_width_spaces_and_punctuation():
    assert title_key("ETC 天线 断电！") == title_key("etc天线断电") == title_key("ＥＴＣ 天线断电")
    assert title_key("ETC 天线") != title_key("ETC 天线断电")


def test_the_tokens_of_a_huge_text_are_capped():
    assert len(index_tokens("断电" * 50_000)) == MAX_TOKENS
