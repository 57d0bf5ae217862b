"""The ranking rules one by one, on plain values (no database)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from aftersales.dispatch.ranking import (
    Proximity,
    RankingSettings,
    ScoreParts,
    SkillMatch,
    haversine_km,
    rank,
    score,
    travel_minutes,
)
from aftersales.dispatch.tests.factories import (
    OTHER_PRODUCT_ID,
    PRODUCT_ID,
    T0,
    candidate,
    needs,
)

DEFAULTS = RankingSettings()


def _one(**fields):
    return score(needs(), candidate("张工", **fields), DEFAULTS)


# --- distance and travel arithmetic -----------------------------------------------------------


def test_haversine_gives_great_circle_kilometres():
    assert haversine_km(39.9, 116.4, 39.9, 116.4) == 0.0
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, abs=0.001)
    # Beijing (Tiananmen) to Shanghai (People's Square)
    assert haversine_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067.3, abs=0.1)
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(111.195, abs=0.001)


@pytest.mark.parametrize(
    ("kind", "distance", "minutes"),
    [
        (Proximity.MEASURED, 100.0, 20 + 100),
        (Proximity.MEASURED, 0.0, 20),
        (Proximity.MEASURED, 0.1, 20 + 1),  # a started minute counts
        (Proximity.MEASURED, 45.0, 20 + 45),
        (Proximity.SAME_REGION, None, 20 + 60),
        (Proximity.OTHER_REGION, None, 20 + 240),
        (Proximity.UNKNOWN, None, 20 + 240),
    ],
)
def test_travel_is_the_departure_delay_plus_the_drive(kind, distance, minutes):
    assert travel_minutes(kind, distance, DEFAULTS) == minutes


def test_speed_and_delays_are_configurable():
    slow = RankingSettings(average_speed_kmh=30, departure_delay_minutes=5,
                           same_region_drive_minutes=45, other_region_drive_minutes=100)
    assert travel_minutes(Proximity.MEASURED, 100.0, slow) == 5 + 200
    assert travel_minutes(Proximity.SAME_REGION, None, slow) == 5 + 45
    assert travel_minutes(Proximity.OTHER_REGION, None, slow) == 5 + 100


@pytest.mark.parametrize("bad", [dict(average_speed_kmh=0), dict(departure_delay_minutes=-1),
                                 dict(distance_zero_km=0), dict(other_region_drive_minutes=-5)])
def test_nonsense_settings_are_refused(bad):
    with pytest.raises(ValueError, match="must"):
        RankingSettings(**bad)


def test_projected_arrival_is_now_plus_travel_and_the_margin_is_to_the_deadline():
    # given a technician 100 km away and 4 hours to be on site
    item = _one(km_north=100)
    # then
    assert (item.proximity, item.distance_km, item.travel_minutes) == (Proximity.MEASURED, 100.0, 120)
    assert item.arrival_at == T0 + dt.timedelta(minutes=120)
    assert (item.arrives_in_time, item.margin_minutes) == (True, 120)


def test_arriving_exactly_at_the_deadline_is_in_time_and_a_minute_later_is_not():
    exactly = score(needs(on_site_due_at=T0 + dt.timedelta(minutes=120)),
                    candidate("张工", km_north=100), DEFAULTS)
    late = score(needs(on_site_due_at=T0 + dt.timedelta(minutes=119, seconds=30)),
                 candidate("张工", km_north=100), DEFAULTS)
    assert (exactly.arrives_in_time, exactly.margin_minutes) == (True, 0)
    assert (late.arrives_in_time, late.margin_minutes) == (False, -1)


def test_a_deadline_already_passed_is_missed_by_everyone():
    item = score(needs(on_site_due_at=T0 - dt.timedelta(minutes=30)), candidate("张工", km_north=0),
                 DEFAULTS)
    assert (item.arrives_in_time, item.margin_minutes) == (False, -50)


def test_without_an_on_site_deadline_there_is_no_verdict():
    item = score(needs(on_site_due_at=None), candidate("张工", km_north=10), DEFAULTS)
    assert (item.arrives_in_time, item.margin_minutes, item.travel_minutes) == (None, None, 30)


# --- the parts of the score -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "match", "points"),
    [
        (dict(product_ids=frozenset({PRODUCT_ID}), product_categories=frozenset({"路侧单元"})),
         SkillMatch.PRODUCT, 40.0),
        (dict(product_ids=frozenset({OTHER_PRODUCT_ID}), product_categories=frozenset({"路侧单元"})),
         SkillMatch.CATEGORY, 25.0),
        (dict(product_ids=frozenset({OTHER_PRODUCT_ID}), product_categories=frozenset({"摄像机"})),
         SkillMatch.NONE, 0.0),
    ],
)
def test_skill_counts_the_exact_product_above_its_category(fields, match, points):
    item = _one(**fields)
    assert (item.skill_match, item.parts.skill) == (match, points)


def test_a_product_without_category_matches_no_technician_by_an_empty_category():
    item = score(needs(product_category=""), candidate("张工", product_categories=frozenset({""})),
                 DEFAULTS)
    assert item.skill_match is SkillMatch.NONE


@pytest.mark.parametrize(("km", "points"), [(0, 30.0), (1, 29.9), (150, 15.0), (300, 0.0), (320, 0.0)])
def test_distance_points_fall_linearly_to_zero_at_300_km(km, points):
    item = _one(km_north=km)
    assert (item.distance_km, item.parts.distance) == (float(km), points)


@pytest.mark.parametrize(
    ("site_region", "technician_region", "kind", "points", "minutes"),
    [
        ("北京", "北京", Proximity.SAME_REGION, 20.0, 80),
        ("北京", "天津", Proximity.OTHER_REGION, 0.0, 260),
        ("", "北京", Proximity.UNKNOWN, 0.0, 260),
        ("北京", "", Proximity.UNKNOWN, 0.0, 260),
    ],
)
def test_without_coordinates_the_region_decides(site_region, technician_region, kind, points, minutes):
    item = score(needs(region=site_region), candidate("张工", region=technician_region), DEFAULTS)
    assert (item.proximity, item.distance_km, item.parts.distance, item.travel_minutes) == (
        kind, None, points, minutes)


def test_coordinates_beat_the_region_when_both_sides_have_them():
    # given a technician filed under another region but 5 km from the site
    item = _one(km_north=5, region="天津")
    assert (item.proximity, item.parts.distance) == (Proximity.MEASURED, 29.5)


def test_a_site_without_coordinates_falls_back_to_the_region():
    item = score(needs(latitude=None, longitude=None), candidate("张工", km_north=5), DEFAULTS)
    assert item.proximity is Proximity.SAME_REGION


def test_being_on_duty_now_adds_20_points():
    assert _one(is_on_duty=True).parts.on_duty == 20.0
    assert _one(is_on_duty=False).parts.on_duty == 0.0


@pytest.mark.parametrize(("open_orders", "capacity", "points", "full"),
                         [(0, 5, 10.0, False), (2, 5, 6.0, False), (4, 5, 2.0, False),
                          (5, 5, 0.0, True), (7, 5, 0.0, True), (0, 0, 0.0, True), (1, 3, 6.7, False)])
def test_load_points_are_the_free_share_of_capacity(open_orders, capacity, points, full):
    item = _one(open_work_orders=open_orders, capacity=capacity)
    assert (item.parts.load, item.is_at_capacity) == (points, full)


def test_the_score_is_the_sum_of_its_parts():
    item = _one(km_north=150, product_ids=frozenset({PRODUCT_ID}), is_on_duty=True,
                open_work_orders=2)
    assert item.parts == ScoreParts(skill=40.0, distance=15.0, on_duty=20.0, load=6.0)
    assert item.score == 81.0


# --- the order ------------------------------------------------------------------------------


def _names(items):
    return [item.candidate.name for item in items]


def test_higher_score_ranks_first_and_ranks_count_from_one():
    # given
    near = candidate("近", 1, km_north=5, product_ids=frozenset({PRODUCT_ID}))
    far = candidate("远", 2, km_north=200, product_ids=frozenset({PRODUCT_ID}))
    on_duty = candidate("在班", 3, km_north=250, product_ids=frozenset({PRODUCT_ID}), is_on_duty=True)
    # when: everyone can be there within the 8 hours the case allows
    ranked = rank(needs(on_site_due_at=T0 + dt.timedelta(hours=8)), [far, near, on_duty])
    # then
    assert _names(ranked) == ["近", "在班", "远"]
    assert [item.rank for item in ranked] == [1, 2, 3]
    assert [item.score for item in ranked] == [79.5, 75.0, 60.0]


def test_a_technician_at_capacity_is_listed_last_and_marked_however_good():
    # given the best technician in every other respect has no room left
    full = candidate("满负荷", 1, km_north=1, product_ids=frozenset({PRODUCT_ID}), is_on_duty=True,
                     open_work_orders=5, capacity=5)
    unskilled = candidate("不擅长", 2, km_north=250)
    skilled = candidate("擅长", 3, km_north=250, product_categories=frozenset({"路侧单元"}))
    # when
    ranked = rank(needs(), [full, unskilled, skilled])
    # then
    assert _names(ranked) == ["擅长", "不擅长", "满负荷"]
    assert [item.is_at_capacity for item in ranked] == [False, False, True]
    assert ranked[2].score > ranked[0].score
    assert "已满负荷：5/5 张在办派工单，排在最后" in ranked[2].reasons


def test_any_skilled_technician_ranks_before_an_unskilled_one():
    # given an unskilled technician who scores higher (near, on duty, free)
    unskilled = candidate("近而不擅长", 1, km_north=0, is_on_duty=True)
    skilled = candidate("远而擅长", 2, km_north=290, product_categories=frozenset({"路侧单元"}),
                        open_work_orders=4)
    # when
    ranked = rank(needs(), [unskilled, skilled])
    # then
    assert ranked[1].score > ranked[0].score
    assert _names(ranked) == ["远而擅长", "近而不擅长"]


def test_who_arrives_in_time_ranks_before_who_would_be_late_whatever_the_score():
    # given a 4-hour deadline: 250 km takes 270 minutes, 200 km 220
    late = candidate("迟到", 1, km_north=250, product_ids=frozenset({PRODUCT_ID}), is_on_duty=True)
    in_time = candidate("准时", 2, km_north=200, product_categories=frozenset({"路侧单元"}),
                        open_work_orders=4)
    # when
    ranked = rank(needs(), [late, in_time])
    # then
    assert [(item.score, item.arrives_in_time) for item in ranked] == [(37.0, True), (75.0, False)]
    assert _names(ranked) == ["准时", "迟到"]


def test_without_a_deadline_the_score_alone_orders_the_skilled():
    late = candidate("远而在班", 1, km_north=250, product_ids=frozenset({PRODUCT_ID}), is_on_duty=True)
    near = candidate("近", 2, km_north=200, product_categories=frozenset({"路侧单元"}),
                     open_work_orders=4)
    ranked = rank(needs(on_site_due_at=None), [near, late])
    assert _names(ranked) == ["远而在班", "近"]


def test_equal_scores_go_to_the_earlier_arrival():
    # given 100 km measured (20 points, 120 min) and the same region unmeasured (20 points, 80 min)
    measured = candidate("测距", 1, km_north=100)
    regional = candidate("同区", 2)
    # when
    ranked = rank(needs(), [measured, regional])
    # then
    assert [item.score for item in ranked] == [30.0, 30.0]
    assert _names(ranked) == ["同区", "测距"]


def test_equal_scores_and_arrivals_go_to_fewer_open_work_orders():
    busier = candidate("甲", 1, km_north=10, open_work_orders=2, capacity=10)  # load 8.0
    freer = candidate("乙", 2, km_north=10, open_work_orders=1, capacity=5)  # load 8.0
    ranked = rank(needs(), [busier, freer])
    assert [item.score for item in ranked] == [item.score for item in ranked[::-1]]
    assert _names(ranked) == ["乙", "甲"]


def test_full_ties_are_broken_by_name_then_technician_id():
    twins = [candidate("王工", 3), candidate("李工", 9), candidate("王工", 2)]
    ranked = rank(needs(), twins)
    assert [(item.candidate.name, item.candidate.technician_id) for item in ranked] == [
        ("李工", uuid.UUID(int=9)), ("王工", uuid.UUID(int=2)), ("王工", uuid.UUID(int=3))]


def test_the_order_does_not_depend_on_the_input_order():
    pool = [candidate(f"工程师{n % 7}", n, km_north=float(n % 11) * 20,
                      product_ids=frozenset({PRODUCT_ID}) if n % 3 == 0 else frozenset(),
                      is_on_duty=n % 2 == 0, open_work_orders=n % 6) for n in range(1, 60)]
    expected = [item.candidate.technician_id for item in rank(needs(), pool)]
    shuffled = pool[1::2] + pool[::2][::-1]
    assert [item.candidate.technician_id for item in rank(needs(), shuffled)] == expected


def test_limit_keeps_the_best():
    pool = [candidate(f"工程师{n:02d}", n, km_north=float(n)) for n in range(1, 31)]
    ranked = rank(needs(), pool, limit=3)
    assert _names(ranked) == ["工程师01", "工程师02", "工程师03"]
    assert [item.rank for item in ranked] == [1, 2, 3]


def test_no_candidates_give_an_empty_list():
    assert rank(needs(), []) == []


# --- the explanation ------------------------------------------------------------------------


def test_reasons_name_each_part_with_its_points():
    ranked = rank(needs(), [candidate("张工", km_north=150, product_ids=frozenset({PRODUCT_ID}),
                                      is_on_duty=True, open_work_orders=2)])
    assert ranked[0].reasons == (
        "擅长该产品（+40）",
        "距站点约 150.0 公里（+15）",
        "正在值班（+20）",
        "在办派工单 2/5（+6）",
        "预计 170 分钟到场，早于到场时限 70 分钟",
    )


def test_reasons_explain_a_weak_candidate_too():
    ranked = rank(needs(on_site_due_at=T0 + dt.timedelta(hours=1)),
                  [candidate("赵工", region="天津", product_categories=frozenset({"摄像机"}))])
    assert ranked[0].reasons == (
        "不擅长该产品或类别",
        "常驻“天津”，与站点不在同一地区",
        "当前不在班",
        "在办派工单 0/5（+10）",
        "预计 260 分钟到场，将超出到场时限 200 分钟",
    )


def test_reasons_for_a_case_without_product_location_or_deadline():
    ranked = rank(needs(product_id=None, product_category="", latitude=None, longitude=None,
                        region="", on_site_due_at=None), [candidate("钱工", product_categories=frozenset({"路侧单元"}))])
    assert ranked[0].reasons == (
        "服务工单未关联设备，无法按技能匹配",
        "站点或工程师的位置未知",
        "当前不在班",
        "在办派工单 0/5（+10）",
        "预计 260 分钟到场（无到场时限）",
    )
    assert ranked[0].proximity is Proximity.UNKNOWN


def test_the_kinds_of_match_have_labels_for_pages():
    assert [match.label for match in SkillMatch] == ["擅长该产品", "擅长该类别", "不擅长"]
    assert [kind.label for kind in Proximity] == ["按坐标测距", "同一地区", "其他地区", "位置未知"]
