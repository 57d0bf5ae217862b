"""Demo field service: emergency levels and fault classes, duty rosters, technicians, spare-parts
depots with stock, and work orders in every state. Loaded after the demo cases, through the
services, as a dispatcher and engineers would enter it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.assets.models import Asset, Product
from aftersales.cases import services as case_services
from aftersales.cases.models import Case
from aftersales.emergencies.services import emergency_level_save, fault_class_create
from aftersales.loans import services as loans
from aftersales.parts import services as parts
from aftersales.parts.models import Part
from aftersales.returns import services as returns
from aftersales.roster import services as roster
from aftersales.workorders import services as work_orders

LEVELS = [
    # level, name, severity, targets, required actions
    (1, "一级（重大）", "P1", {"first_response": 10, "on_site": 120},
     ["立即通知业主值班室和公司应急领导小组", "30 分钟内派出抢修队", "每小时向业主通报进展"]),
    (2, "二级（较大）", "P2", {"first_response": 30, "on_site": 240}, ["通知业主机电科", "当日派出工程师"]),
    (3, "三级（一般）", "P3", {}, []),
]
FAULT_CLASSES = [
    ("lane-down", "收费车道中断", 1), ("power-failure", "供电故障", 1), ("comms-loss", "通信中断", 1),
    ("camera-offline", "摄像机离线", 2), ("sign-fault", "情报板故障", 3),
]


def load_field_service(*, staff: dict[str, User], engineers: list[User], products: dict[str, Product],
                       assets: dict[str, Asset], customers: dict[str, Any]) -> None:
    now = timezone.now()
    for level, name, severity, targets, actions in LEVELS:
        emergency_level_save(level=level, name=name, severity=severity, targets=targets, required_actions=actions)
    for code, name, level in FAULT_CLASSES:
        fault_class_create(code=code, name=name, level=level)
    _rosters(staff, engineers, products, now)
    depots = _parts(staff, products)
    _work_orders(staff, engineers, assets, customers, depots, now)
    _loans_and_returns(staff, products, assets, depots, now)


def _rosters(staff: dict[str, User], engineers: list[User], products: dict[str, Product], now: dt.datetime) -> None:
    hotline = roster.team_create(code="hotline", name="7×24 服务热线", kind="hotline", region="新疆")
    urumqi = roster.team_create(code="field-urumqi", name="乌鲁木齐现场服务组", kind="field", region="新疆·乌鲁木齐")
    kashi = roster.team_create(code="field-kashi", name="喀什现场服务组", kind="field", region="新疆·喀什")
    toll = [products["RSU-5800"].pk, products["LANE-2000"].pk]
    people = [  # user, team, region, base, products, categories
        (engineers[0], urumqi, "新疆·乌鲁木齐", ("43.8256", "87.6168"), toll, ["收费系统", "供配电系统"]),
        (engineers[1], urumqi, "新疆·乌鲁木齐", ("43.9012", "87.5731"), [products["CAM-HD3000"].pk], ["监控系统"]),
        (engineers[2], kashi, "新疆·喀什", ("39.4677", "75.9938"), [products["OTN-960"].pk], ["通信系统", "收费系统"]),
        (staff["expert"], urumqi, "新疆·乌鲁木齐", None, [], ["收费系统", "监控系统", "通信系统"]),
    ]
    for user, team, region, base, product_ids, categories in people:
        roster.technician_create(user_id=user.pk, team_code=team.code, region=region,
                                 base_latitude=base[0] if base else None, base_longitude=base[1] if base else None,
                                 product_ids=product_ids, product_categories=categories)
    # Two weeks of 12-hour shifts from this morning at 08:00, holidays included; the Kashi
    # group has no night cover on its last three nights, which the gap report shows.
    start = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    for day in range(15):
        morning = start + dt.timedelta(days=day)
        evening = morning + dt.timedelta(hours=12)
        night_end = evening + dt.timedelta(hours=12)
        roster.shift_add(team=hotline, user_id=staff["agent"].pk, starts_at=morning, ends_at=evening)
        roster.shift_add(team=hotline, user_id=staff["dispatcher"].pk, starts_at=evening, ends_at=night_end,
                         kind="on_call")
        day_engineer, night_engineer = (engineers[0], engineers[1]) if day % 2 else (engineers[1], engineers[0])
        roster.shift_add(team=urumqi, user_id=day_engineer.pk, starts_at=morning, ends_at=evening)
        roster.shift_add(team=urumqi, user_id=night_engineer.pk, starts_at=evening, ends_at=night_end, kind="on_call")
        roster.shift_add(team=kashi, user_id=engineers[2].pk, starts_at=morning, ends_at=evening)
        if day < 12:
            roster.shift_add(team=kashi, user_id=staff["expert"].pk, starts_at=evening, ends_at=night_end,
                             kind="on_call", note="远程技术支持")


def _parts(staff: dict[str, User], products: dict[str, Product]) -> dict[str, Any]:
    manager = staff["manager"]
    depots = {
        "urumqi": parts.depot_create(code="urumqi", name="乌鲁木齐中心备件库", region="新疆·乌鲁木齐",
                                     address="乌鲁木齐市经开区", latitude=Decimal("43.8256"),
                                     longitude=Decimal("87.6168")),
        "kashi": parts.depot_create(code="kashi", name="喀什备件库", region="新疆·喀什", address="喀什市",
                                    latitude=Decimal("39.4677"), longitude=Decimal("75.9938")),
    }
    catalogue = [  # code, name, kind, cost, price, reorder point/qty, product, stock (urumqi, kashi)
        ("RSU-ANT-01", "RSU 天线板卡", "regular", "800", "1200", 2, 5, "RSU-5800", (6, 2)),
        ("LANE-MB-02", "车道控制机主板", "regular", "1500", "2300", 1, 3, "LANE-2000", (3, 1)),
        ("CAM-LENS-8", "摄像机 8mm 镜头", "non_regular", "650", "980", 1, 2, "CAM-HD3000", (1, 0)),
        ("OTN-LC-10G", "OTN 10G 线路板", "non_regular", "5200", "7800", 1, 1, "OTN-960", (0, 1)),
        ("UPS-BAT-12", "UPS 12V 蓄电池", "consumable", "320", "520", 8, 20, "UPS-20K", (24, 6)),
    ]
    for code, name, kind, cost, price, point, quantity, model, (urumqi, kashi) in catalogue:
        part = parts.part_create(code=code, name=name, kind=kind, unit_cost=Decimal(cost), sale_price=Decimal(price),
                                 reorder_point=point, reorder_quantity=quantity,
                                 compatible_product_ids=[products[model].pk])
        for depot, stock in ((depots["urumqi"], urumqi), (depots["kashi"], kashi)):
            if stock:
                parts.stock_receive(actor=manager, depot=depot, part=part, quantity=stock, reason="期初入库")
    return depots


def _work_orders(staff: dict[str, User], engineers: list[User], assets: dict[str, Asset], customers: dict[str, Any],
                 depots: dict[str, Any], now: dt.datetime) -> None:
    """Work orders in every state, on the demo cases they belong to."""
    dispatcher = staff["dispatcher"]
    by_title = {c.title: c for c in Case.objects.filter(in_queue=True)}

    def at(hours_ago: float) -> dt.datetime:
        return now - dt.timedelta(hours=hours_ago)

    def order(case: Case, engineer: User, hours_ago: float, summary: str) -> Any:
        work_order, _created = work_orders.work_order_create(
            actor=dispatcher, case_id=case.pk, kind="repair", technician_id=engineer.pk,
            scheduled_for=at(hours_ago - 0.5), summary=summary, now=at(hours_ago))
        return work_order

    # An emergency filed just now: lane down, level 1, dispatched, engineer on the road.
    lane, _ = case_services.case_open(
        actor=staff["agent"], customer_id=customers["xjjt-urumqi"].pk, channel="phone", category="fault",
        title="昌吉收费站 2 号车道整道断电", fault_class="power-failure", asset_id=assets["LN2K-2203-0442"].pk,
        description="车道配电箱跳闸，无法合闸，车道关闭。", now=at(0.5))
    travelling = order(lane, engineers[0], 0.4, "携带车道配电备件，检查配电箱")
    work_orders.work_order_start_travel(actor=engineers[0], work_order_id=travelling.pk, now=at(0.3))
    # Scheduled: the new ETC case.
    etc = by_title.get("乌鲁木齐北收费站ETC车道无法交易")
    if etc is not None:
        order(etc, engineers[1], 0.1, "检查 3 号车道 RSU，必要时更换天线板卡")
    # On site with parts used: the lane controller.
    lane_pc = by_title.get("车道控制机频繁死机")
    if lane_pc is not None:
        wo = order(lane_pc, engineers[0], 4.5, "现场排查死机原因")
        work_orders.work_order_start_travel(actor=engineers[0], work_order_id=wo.pk, now=at(3.5))
        work_orders.work_order_check_in(actor=engineers[0], work_order_id=wo.pk, note="已到场", now=at(2.5))
        work_orders.work_order_record(actor=engineers[0], work_order_id=wo.pk, diagnosis="主板电容鼓包",
                                      work_performed="更换主板，观察运行中", now=at(2))
        parts.stock_issue(actor=engineers[0], depot=depots["urumqi"], part=_part("LANE-MB-02"),
                          quantity=1, work_order=wo, now=at(2))
    # Work done, signed and closed: three visits to the tunnel camera (escalated, still open).
    camera = by_title.get("天山胜利隧道摄像机黑屏")
    if camera is not None:
        closed = order(camera, engineers[1], 50, "首次上门排查")
        _through_work_done(engineers[1], closed, at(48), diagnosis="镜头进水起雾", work="清洁镜头并加装防水罩",
                           result="temporarily_restored")
        _sign(engineers[1], closed, at(47.5))
        work_orders.work_order_close(actor=dispatcher, work_order_id=closed.pk, now=at(47))
        signed = order(camera, engineers[1], 8, "更换镜头")
        _through_work_done(engineers[1], signed, at(6), diagnosis="镜头模组损坏", work="更换 8mm 镜头并调焦",
                           result="fixed", parts_used=("CAM-LENS-8", 1), depot=depots["urumqi"])
        _sign(engineers[1], signed, at(5.5))
        done = order(camera, staff["expert"], 5, "专家复核图像参数")
        _through_work_done(staff["expert"], done, at(4), diagnosis="夜间增益设置过低", work="调整图像参数",
                           result="fixed")
    # Cancelled: the customer restored the optical link remotely.
    optical = by_title.get("疏勒通信分中心光传输告警")
    if optical is not None:
        cancelled = order(optical, engineers[2], 1.3, "检查 OTN 2 号板卡")
        work_orders.work_order_cancel(actor=dispatcher, work_order_id=cancelled.pk,
                                      reason="业主远程复位后告警消除，暂不上门", now=at(1))
        kashi_request = order(optical, engineers[2], 0.9, "携带 10G 线路板备件上门更换")
        parts.parts_request_open(actor=dispatcher, work_order=kashi_request,
                                 part=_part("OTN-LC-10G"), depot=depots["kashi"], quantity=1,
                                 now=at(0.9))


def _through_work_done(engineer: User, work_order: Any, when: dt.datetime, *, diagnosis: str, work: str,
                       result: str, parts_used: tuple[str, int] | None = None, depot: Any = None) -> None:
    work_orders.work_order_start_travel(actor=engineer, work_order_id=work_order.pk, now=when - dt.timedelta(minutes=50))
    work_orders.work_order_check_in(actor=engineer, work_order_id=work_order.pk, now=when - dt.timedelta(minutes=20))
    work_orders.work_order_record(actor=engineer, work_order_id=work_order.pk, diagnosis=diagnosis,
                                  work_performed=work, result=result, time_spent_minutes=60,
                                  now=when - dt.timedelta(minutes=10))
    if parts_used is not None:
        code, quantity = parts_used
        parts.stock_issue(actor=engineer, depot=depot, part=_part(code), quantity=quantity,
                          work_order=work_order, now=when - dt.timedelta(minutes=5))
    work_orders.work_order_complete(actor=engineer, work_order_id=work_order.pk, now=when)


def _sign(engineer: User, work_order: Any, when: dt.datetime) -> None:
    work_orders.work_order_sign(actor=engineer, work_order_id=work_order.pk, signature_png=demo_signature(),
                                signer_name="马建国", now=when)


def _loans_and_returns(staff: dict[str, User], products: dict[str, Product], assets: dict[str, Asset],
                       depots: dict[str, Any], now: dt.datetime) -> None:
    """Substitute units in the depots, one lent while a Kashi antenna is away for repair, one
    lent and returned; returns and exchanges of the consumer line, decided by the 7-day rule."""
    manager, dispatcher = staff["manager"], staff["dispatcher"]
    units = {}
    for model, serial, depot in (("RSU-5800", "RSU58-SPARE-01", "kashi"), ("RSU-5800", "RSU58-SPARE-02", "urumqi"),
                                 ("LANE-2000", "LN2K-SPARE-01", "urumqi"), ("CAM-HD3000", "CAMHD-SPARE-01", "urumqi")):
        units[serial], _created = loans.substitute_unit_create(actor=manager, product=products[model],
                                                               serial_number=serial, depot=depots[depot])
    rsu = Case.objects.filter(title="喀什东收费站RSU天线损坏需返厂").first()
    if rsu is not None:
        proposal, _created = loans.substitute_propose(actor=dispatcher, case_id=rsu.pk, reason="unit_taken_away",
                                                      unit_id=units["RSU58-SPARE-01"].pk, now=now - dt.timedelta(hours=15))
        loans.loan_out(actor=dispatcher, proposal_id=proposal.pk, due_back_at=now + dt.timedelta(days=4),
                       condition_out="外观完好，已预装当前版本固件", now=now - dt.timedelta(hours=14))
    lane = Case.objects.filter(title="车道控制机频繁死机").first()
    if lane is not None:
        loan, _created = loans.loan_out(actor=dispatcher, case_id=lane.pk, unit_id=units["LN2K-SPARE-01"].pk,
                                        due_back_at=now + dt.timedelta(days=2), condition_out="完好",
                                        now=now - dt.timedelta(hours=4))
        loans.loan_return(actor=dispatcher, loan_id=loan.pk, condition_in="完好，已清洁",
                          now=now - dt.timedelta(hours=1))
    purifier = assets.get("AP300-2508-77821")
    if purifier is not None:
        agent = staff["agent"]
        exchange, _created = returns.return_request_open(
            actor=agent, asset_id=purifier.pk, kind="exchange", reason="使用三天后风机异响，客户要求换新",
            is_quality_fault=True, now=now - dt.timedelta(days=1))
        returns.return_decide(actor=manager, request_id=exchange.pk, now=now - dt.timedelta(hours=20))
        returns.return_receive(actor=dispatcher, request_id=exchange.pk, depot=depots["urumqi"],
                               part=_returned_part(products["AP-300"]),
                               now=now - dt.timedelta(hours=6))
        returns.return_complete(actor=manager, request_id=exchange.pk, solution="已换新机，运费由我方承担",
                                now=now - dt.timedelta(hours=5))
        # Past the 7 days and no quality fault: the policy turns the return down.
        late, _created = returns.return_request_open(
            actor=agent, asset_id=purifier.pk, kind="return", reason="客户不想要了", now=now - dt.timedelta(hours=2))
        returns.return_decide(actor=manager, request_id=late.pk, now=now - dt.timedelta(hours=1))


def _returned_part(product: Product) -> Part:
    """The stock item a returned consumer unit is booked under (整机退货入库)."""
    found = Part.objects.filter(code=f"UNIT-{product.model}").first()
    return found or parts.part_create(code=f"UNIT-{product.model}", name=f"{product.name}（整机）",
                                      kind="regular", compatible_product_ids=[product.pk])


def _part(code: str) -> Part:
    return Part.objects.get(code=code)


def demo_signature() -> bytes:
    """A drawn signature, as the pad on the phone exports it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 120), (120, 30), (200, 130), (300, 40), (380, 110)], fill=(20, 20, 80, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
