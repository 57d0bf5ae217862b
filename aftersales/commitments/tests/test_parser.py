"""The parser's general behaviour: sentences, spans, determinism, JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.commitments.parser import Kind, parse_commitments, split_sentences
from aftersales.commitments.tests.helpers import DOCUMENTS

_PIECES = [
    "我们承诺",
    "京津地区",
    "其他地区",
    "2小时",
    "半小时",
    "一个半小时",
    "２４小时",
    "内",
    "到场",
    "电话响应",
    "解决",
    "恢复",
    "保修期",
    "为12个月",
    "，",
    "。",
    "；",
    "\n",
    "1、",
    "(",
    ")",
    "一般故障",
    "严重故障",
    "无维保合同",
    "7×24小时",
    "终身维护",
    "定期回访",
    "尽快",
    "备件",
    "We will",
    " respond within 30 minutes",
    " on site",
    ". ",
    "1.5 hours",
    "warranty",
]


def test_sentences_split_at_chinese_and_english_ends_but_not_at_decimals():
    # given
    text = "一、响应：1.5小时内响应；2小时到场。\nWe respond within 1.5 hours. 1. Reply in 2 days. Done!"
    # when
    sentences = split_sentences(text)
    # then
    assert [sentence.text for sentence in sentences] == [
        "一、响应：1.5小时内响应；",
        "2小时到场。",
        "We respond within 1.5 hours.",
        "1. Reply in 2 days.",
        "Done!",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_list_markers_start_a_new_sentence():
    sentences = split_sentences("售后服务措施及承诺1、试用期为12个月。2、保修期为12个月")
    assert [sentence.text for sentence in sentences] == [
        "售后服务措施及承诺",
        "1、试用期为12个月。",
        "2、保修期为12个月",
    ]


def test_text_without_promises_gives_an_empty_draft():
    draft = parse_commitments("公司连续两届六年被评为上海市劳动模范集体。地址在新华北路16号34楼。")
    assert (draft.items, draft.unmapped) == ((), ())


def test_a_bracketed_aside_does_not_classify_the_figure_after_it():
    # given: "维修" inside the brackets must not make the 12 months a repair target
    text = "保修期(指维修费用由我方承担,含软件)为12个月。"
    # when
    [item] = parse_commitments(text).items
    # then
    assert (item.kind, item.value, item.span.text) == (Kind.WARRANTY, 12, text[:-1])


def test_the_draft_is_plain_json():
    # given
    text = (DOCUMENTS / "english.txt").read_text(encoding="utf-8")
    # when
    data = json.loads(json.dumps(parse_commitments(text).to_dict(), ensure_ascii=False))
    # then
    first = data["items"][0]
    assert first["kind"] == "service_hours_24x7"
    assert first["span"]["text"] == "24x7"
    assert set(first) == {
        "kind",
        "value",
        "value_unit",
        "basis",
        "conditions",
        "start_event",
        "subject",
        "span",
        "figure",
        "sentence",
        "rule",
        "amount",
        "written_unit",
        "lower_value",
    }
    warranty = next(item for item in data["items"] if item["kind"] == "warranty")
    assert (warranty["value"], warranty["value_unit"], warranty["start_event"]) == (
        12,
        "months",
        "final_acceptance",
    )
    assert data["unmapped"][0]["reason"] == "unclassified_figure"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_every_span_points_into_the_text_and_parsing_is_deterministic(pieces):
    # given
    text = "".join(pieces)
    # when
    draft = parse_commitments(text)
    # then
    assert draft == parse_commitments(text)
    for found in (*draft.items, *draft.unmapped):
        assert text[found.span.start : found.span.end] == found.span.text
        assert text[found.sentence.start : found.sentence.end] == found.sentence.text
        assert found.sentence.start <= found.span.start < found.span.end <= found.sentence.end
    for item in draft.items:
        assert item.rule
        if item.figure is not None:
            assert item.span.start <= item.figure.start < item.figure.end <= item.span.end
