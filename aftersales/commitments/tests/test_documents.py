"""Issue #8, acceptance 2: documents written for the tests, one concern each."""

from __future__ import annotations

import pytest

from aftersales.commitments.parser import (
    OTHER_REGION,
    Draft,
    Kind,
    StartEvent,
    TimeBasis,
    ValueUnit,
    parse_commitments,
)
from aftersales.commitments.tests.helpers import DOCUMENTS, assert_points_at, only_item


def _parse(name: str) -> tuple[str, Draft]:
    text = (DOCUMENTS / name).read_text(encoding="utf-8")
    return text, parse_commitments(text)


def test_targets_differ_by_region():
    # given
    text, draft = _parse("regions_zh.txt")
    # then
    beijing = only_item(draft, Kind.ON_SITE, 2 * 60, region="京津地区")
    elsewhere = only_item(draft, Kind.ON_SITE, 48 * 60, region=OTHER_REGION)
    assert_points_at(text, beijing, "2小时到场", in_sentence="京津地区2小时到场，其他地区48小时")
    assert_points_at(text, elsewhere, "48小时", in_sentence="其他地区48小时")
    assert elsewhere.rule == "ellipsis: on_site with its own condition"
    only_item(draft, Kind.ON_SITE, 4 * 60, region="省内")
    only_item(draft, Kind.ON_SITE, 24 * 60, region="省外")
    only_item(draft, Kind.PHONE_RESPONSE, 30, region="市区")
    assert len(draft.items) == 5
    assert draft.unmapped == ()


def test_targets_differ_by_fault_class():
    # given
    text, draft = _parse("fault_classes_zh.txt")
    # then
    only_item(draft, Kind.FIRST_RESPONSE, 2 * 60, fault_class="general")
    only_item(draft, Kind.RESOLUTION, 24 * 60, fault_class="general")
    only_item(draft, Kind.FIRST_RESPONSE, 30, fault_class="severe")
    only_item(draft, Kind.ON_SITE, 4 * 60, fault_class="severe")
    restored = only_item(draft, Kind.RESTORATION, 8 * 60, fault_class="severe")
    assert_points_at(text, restored, "8小时内恢复", in_sentence="2、严重故障：")
    only_item(draft, Kind.PHONE_RESPONSE, 10, fault_class="major")
    only_item(draft, Kind.ON_SITE, 2 * 60, fault_class="major")
    substitute = only_item(draft, Kind.SUBSTITUTE_UNIT, 24 * 60, fault_class="major")
    assert_points_at(text, substitute, "二十四小时内无法解决", in_sentence="提供备用机")


def test_a_semicolon_carries_the_kind_to_the_next_parallel_target():
    # given
    text, draft = _parse("fault_classes_zh.txt")
    # then
    only_item(draft, Kind.RESOLUTION, 48 * 60, fault_class="general")
    severe = only_item(draft, Kind.RESOLUTION, 12 * 60, fault_class="severe")
    assert_points_at(text, severe, "12小时", in_sentence="严重故障12小时内")


def test_targets_differ_by_contract_type_and_warranty_status():
    # given
    text, draft = _parse("contracts_warranty_zh.txt")
    # then
    with_contract = "with_maintenance_contract"
    without_contract = "without_maintenance_contract"
    only_item(draft, Kind.FIRST_RESPONSE, 60, contract=with_contract)
    only_item(draft, Kind.ON_SITE, 4 * 60, contract=with_contract)
    response = only_item(draft, Kind.FIRST_RESPONSE, 480, contract=without_contract)
    assert (response.basis, response.amount, response.written_unit) == (
        TimeBasis.WORKING,
        1,
        "working_day",
    )
    assert_points_at(text, response, "一个工作日内响应", in_sentence="无维保合同的客户")
    only_item(draft, Kind.ON_SITE, 3 * 480, contract=without_contract)
    in_warranty = only_item(draft, Kind.ON_SITE, 4 * 60, warranty_status="in_warranty")
    out_of_warranty = only_item(draft, Kind.ON_SITE, 24 * 60, warranty_status="out_of_warranty")
    assert_points_at(text, in_warranty, "4小时到场", in_sentence="保修期内4小时到场")
    assert_points_at(text, out_of_warranty, "24小时到场", in_sentence="保修期外24小时到场")
    assert len(draft.of_kind(Kind.SERVICE_HOURS_24X7)) == 1


def test_whole_unit_and_part_warranties_start_at_completion_acceptance():
    # given
    text, draft = _parse("contracts_warranty_zh.txt")
    # then
    whole = only_item(draft, Kind.WARRANTY, 36, scope="whole_unit")
    part = only_item(draft, Kind.WARRANTY, 60, scope="part")
    assert whole.start_event is part.start_event is StartEvent.COMPLETION_ACCEPTANCE
    assert (whole.value_unit, part.value_unit) == (ValueUnit.MONTHS, ValueUnit.MONTHS)
    assert_points_at(text, whole, "保修三年", in_sentence="整机保修三年")
    assert_points_at(text, part, "保修五年", in_sentence="主要部件保修五年")


def test_a_promised_figure_without_a_known_kind_is_listed_as_unmapped():
    # given
    text, draft = _parse("contracts_warranty_zh.txt")
    # then
    [unmapped] = draft.unmapped
    assert (unmapped.reason, unmapped.span.text) == ("unclassified_figure", "3天")
    assert unmapped.sentence.text == "我们承诺每次服务后3天内提交服务报告。"
    assert text[unmapped.span.start : unmapped.span.end] == "3天"


@pytest.mark.parametrize(
    ("kind", "value", "conditions", "phrase"),
    [
        (Kind.PHONE_RESPONSE, 10, {}, "十分钟内电话响应"),
        (Kind.REPLY, 30, {}, "半小时内给予书面回复"),
        (Kind.ON_SITE, 120, {}, "两小时内到达现场"),
        (Kind.RESTORATION, 1440, {}, "二十四小时内恢复"),
        (Kind.RESOLUTION, 90, {"fault_class": "general"}, "一个半小时内解决"),
        (Kind.SUBSTITUTE_UNIT, 240, {}, "半个工作日内提供备用机"),
        (Kind.REPLY, 1440, {}, "一天内答复"),
        (Kind.ON_SITE, 1440, {}, "２４小时内到场"),
        (Kind.FIRST_RESPONSE, 90, {}, "１．５小时内响应"),
        (Kind.PARTS_DELIVERY, 240, {"part_class": "regular"}, "备件2-4小时"),
        (Kind.RETURN_WINDOW, 15, {}, "退换货期限为十五天"),
        (Kind.WARRANTY, 24, {}, "保修两年"),
        (Kind.RETURN_VISIT_FREQUENCY, 6, {}, "每6个月回访一次"),
        (Kind.INSPECTION_FREQUENCY, 1, {}, "每月巡检一次"),
        (Kind.SURVEY, 3, {}, "每季度进行一次满意度调查"),
        (Kind.INSPECTION_FREQUENCY, 6, {}, "每年巡检两次"),
        (Kind.TRAINING, None, {"charge": "free"}, "培训"),
        (Kind.LIFETIME_SUPPORT, None, {"charge": "free"}, "终身免费保修"),
    ],
)
def test_chinese_numerals_and_full_width_digits(kind, value, conditions, phrase):
    # given
    text, draft = _parse("numerals_zh.txt")
    # when
    item = only_item(draft, kind, value, **conditions)
    # then
    assert_points_at(text, item, phrase, in_sentence=phrase)


def test_half_a_working_day_is_working_time_and_ranges_keep_their_lower_bound():
    # given
    _, draft = _parse("numerals_zh.txt")
    # then
    substitute = only_item(draft, Kind.SUBSTITUTE_UNIT, 240)
    assert substitute.basis is TimeBasis.WORKING
    parts = only_item(draft, Kind.PARTS_DELIVERY, 240, part_class="regular")
    assert (parts.lower_value, parts.figure and parts.figure.text) == (120, "2-4小时")
    warranty = only_item(draft, Kind.WARRANTY, 24)
    assert warranty.start_event is StartEvent.PURCHASE
    assert only_item(draft, Kind.RETURN_WINDOW, 15).value_unit is ValueUnit.DAYS


@pytest.mark.parametrize(
    ("kind", "value", "conditions", "phrase"),
    [
        (Kind.FIRST_RESPONSE, 30, {}, "respond within 30 minutes"),
        (Kind.SERVICE_HOURS_24X7, None, {}, "24x7"),
        (Kind.ON_SITE, 240, {"region": "urban areas"}, "on site within 4 hours"),
        (Kind.ON_SITE, 1440, {"region": OTHER_REGION}, "24 hours"),
        (Kind.RESOLUTION, 1440, {"fault_class": "general"}, "resolved within 24 hours"),
        (Kind.RESOLUTION, 240, {"fault_class": "severe"}, "half a working day"),
        (Kind.RESTORATION, 2880, {}, "restored within 48 hours"),
        (
            Kind.PARTS_DELIVERY,
            120,
            {"part_class": "regular"},
            "spare parts are delivered within 2 hours",
        ),
        (Kind.PARTS_DELIVERY, 4320, {"part_class": "non_regular"}, "parts within 2-3 days"),
        (Kind.WARRANTY, 12, {}, "12-month warranty"),
        (Kind.RETURN_WINDOW, 7, {}, "Returns are accepted within 7 days"),
        (Kind.SUBSTITUTE_UNIT, 1440, {}, "cannot be resolved within 24 hours"),
        (Kind.REPLY, 480, {}, "reply to written requests within one business day"),
        (Kind.RETURN_VISIT_FREQUENCY, 6, {}, "return visits every 6 months"),
        (Kind.INSPECTION_FREQUENCY, 1, {}, "inspections monthly"),
        (
            Kind.LIFETIME_SUPPORT,
            None,
            {"contract": "with_maintenance_contract", "charge": "free"},
            "lifetime technical support free of charge",
        ),
    ],
)
def test_english_text(kind, value, conditions, phrase):
    # given
    text, draft = _parse("english.txt")
    # when
    item = only_item(draft, kind, value, **conditions)
    # then
    assert_points_at(text, item, phrase, in_sentence=phrase)


def test_english_start_events_time_basis_and_unmapped_promises():
    # given
    _, draft = _parse("english.txt")
    # then
    assert only_item(draft, Kind.WARRANTY, 12).start_event is StartEvent.FINAL_ACCEPTANCE
    assert only_item(draft, Kind.RETURN_WINDOW, 7).start_event is StartEvent.PURCHASE
    assert only_item(draft, Kind.REPLY, 480).basis is TimeBasis.WORKING
    assert [(unmapped.reason, unmapped.span.text) for unmapped in draft.unmapped] == [
        ("unclassified_figure", "2-hour"),
        ("no_figure", "as soon as possible"),
    ]
