"""Issue #8, acceptance 1: the seed document's figures, each with its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.commitments.parser import Kind, StartEvent, TimeBasis, ValueUnit, parse_commitments
from aftersales.commitments.tests.helpers import assert_points_at, only_item

# A copy of the project's seed document (../shared/seed/), kept with the tests so that they run
# wherever the repository is checked out.
SEED = Path(__file__).resolve().parent / "documents" / "seed.txt"


@pytest.fixture(scope="module")
def seed_text():
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def draft(seed_text):
    return parse_commitments(seed_text)


def test_the_seed_promises_a_reply_within_24_hours(seed_text, draft):
    replies = [item for item in draft.of_kind(Kind.REPLY) if item.value == 24 * 60]
    assert replies
    item = replies[0]
    assert (item.value_unit, item.basis) == (ValueUnit.MINUTES, TimeBasis.NATURAL)
    assert_points_at(seed_text, item, "24小时内给予回复", in_sentence="售后服务请求后,将在24小时内")


def test_the_seed_promises_a_phone_response_within_half_an_hour(seed_text, draft):
    item = only_item(draft, Kind.PHONE_RESPONSE, 30)
    assert item.amount == 0.5
    assert_points_at(
        seed_text, item, "半小时内给予电话响应", in_sentence="接到报修消息后一般半小时内"
    )


def test_the_seed_promises_an_engineer_on_site_within_4_hours(seed_text, draft):
    item = only_item(draft, Kind.ON_SITE, 4 * 60)
    assert_points_at(seed_text, item, "4小时内赶赴现场", in_sentence="电话指导不能解决问题的")


def test_the_seed_promises_general_faults_resolved_within_24_hours(seed_text, draft):
    item = only_item(draft, Kind.RESOLUTION, 24 * 60, fault_class="general")
    assert_points_at(seed_text, item, "24小时内解决", in_sentence="承诺一般故障24小时内解决问题")


def test_the_seed_lets_major_problems_past_24_hours_get_an_agreed_deadline(seed_text, draft):
    item = only_item(draft, Kind.NEGOTIATED_RESOLUTION, 24 * 60, fault_class="major")
    assert_points_at(seed_text, item, "24小时内无法解决", in_sentence="将与业主商议处理期限")


def test_the_seed_promises_normal_operation_restored_within_48_hours(seed_text, draft):
    item = only_item(draft, Kind.RESTORATION, 48 * 60)
    assert_points_at(seed_text, item, "48小时恢复", in_sentence="48小时恢复正常工作")


def test_the_seed_promises_regular_parts_in_2_hours_and_others_in_48(seed_text, draft):
    regular = only_item(draft, Kind.PARTS_DELIVERY, 2 * 60, part_class="regular")
    other = only_item(draft, Kind.PARTS_DELIVERY, 48 * 60, part_class="non_regular")
    assert_points_at(
        seed_text, regular, "零配件的供应在2小时", in_sentence="常规零配件的供应在2小时内到位"
    )
    assert_points_at(
        seed_text,
        other,
        "备件到位时间最长不超过48小时",
        in_sentence="非常规备件到位时间最长不超过48小时",
    )
    assert regular.sentence == other.sentence


def test_the_seed_has_a_12_month_trial_period_from_initial_acceptance(seed_text, draft):
    item = only_item(draft, Kind.TRIAL_PERIOD, 12)
    assert (item.value_unit, item.start_event) == (ValueUnit.MONTHS, StartEvent.INITIAL_ACCEPTANCE)
    assert_points_at(seed_text, item, "试用期为12个月", in_sentence="初验合格证书日期")


def test_the_seed_has_a_12_month_warranty_from_final_acceptance(seed_text, draft):
    items = [
        item
        for item in draft.of_kind(Kind.WARRANTY)
        if item.start_event is StartEvent.FINAL_ACCEPTANCE
    ]
    assert len(items) == 1
    item = items[0]
    assert (item.value, item.value_unit) == (12, ValueUnit.MONTHS)
    assert item.span.text.startswith("保修期(")
    assert item.span.text.endswith(")为12个月")
    assert_points_at(
        seed_text, item, item.span.text, in_sentence="终验合格证书之日为保修期开始日期"
    )


def test_the_seed_allows_returns_within_7_days_of_purchase(seed_text, draft):
    item = only_item(draft, Kind.RETURN_WINDOW, 7)
    assert (item.value_unit, item.start_event) == (ValueUnit.DAYS, StartEvent.PURCHASE)
    assert_points_at(
        seed_text, item, "7天内提供退换货", in_sentence="我们承诺在客户购买产品后的7天内"
    )


def test_the_seed_promises_7x24_service(seed_text, draft):
    spans = {item.span.text for item in draft.of_kind(Kind.SERVICE_HOURS_24X7)}
    assert {"7×24小时", "365天全天候", "24小时全天候"} <= spans
    item = next(
        item for item in draft.of_kind(Kind.SERVICE_HOURS_24X7) if item.span.text == "7×24小时"
    )
    assert_points_at(seed_text, item, "7×24小时", in_sentence="7×24小时服务,24小时到故障现场")


def test_the_seed_offers_lifetime_maintenance_at_preferential_prices(seed_text, draft):
    item = only_item(
        draft, Kind.LIFETIME_SUPPORT, None, charge="preferential", warranty_status="out_of_warranty"
    )
    assert item.subject == "maintenance"
    assert_points_at(seed_text, item, "以优惠的价格提供终身维护", in_sentence="保修期满后")


def test_the_seed_offers_lifetime_parts_at_original_price_and_free_consultation(seed_text, draft):
    parts = only_item(
        draft,
        Kind.LIFETIME_SUPPORT,
        None,
        charge="original_price",
        warranty_status="after_defect_liability",
    )
    consultation = only_item(
        draft, Kind.LIFETIME_SUPPORT, None, charge="free", warranty_status="after_defect_liability"
    )
    assert (parts.subject, consultation.subject) == ("spare_parts", "technical_consultation")
    assert_points_at(seed_text, consultation, "终生免费技术咨询", in_sentence="缺陷责任期后")


def test_the_seed_lists_vague_and_combined_promises_as_unmapped(seed_text, draft):
    reasons = {(unmapped.reason, unmapped.span.text) for unmapped in draft.unmapped}
    assert ("combined_period", "系统试用期及保修期共24个月") in reasons
    assert ("no_figure", "规定时间") in reasons  # 如在规定时间内不能完成维修
    assert ("no_figure", "尽快") in reasons
    for unmapped in draft.unmapped:
        assert seed_text[unmapped.span.start : unmapped.span.end] == unmapped.span.text
        assert unmapped.span.text in unmapped.sentence.text
