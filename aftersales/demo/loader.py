"""Demo data: a highway electromechanical maintenance company in Xinjiang, plus a consumer
product line. Everything goes through the services, as a real user's input would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Role, User
from aftersales.accounts.services import user_create
from aftersales.assets.models import Asset, Product
from aftersales.assets.services import asset_create, product_create
from aftersales.cases import services as case_services
from aftersales.cases.models import Case
from aftersales.contracts.services import contract_create
from aftersales.customers.models import Customer
from aftersales.customers.services import contact_create, customer_create, site_create
from aftersales.demo.complaints import load_complaints
from aftersales.demo.field_service import load_field_service
from aftersales.demo.knowledge import load_knowledge
from aftersales.demo.maintenance import load_inspections, load_maintenance
from aftersales.demo.special_periods import load_special_periods
from aftersales.demo.surveys import load_surveys
from aftersales.demo.training import load_training

STAFF = [
    ("admin", Role.ADMIN, "系统管理员", "admin@aftersales.invalid"),
    ("manager", Role.MANAGER, "王经理", "manager@aftersales.invalid"),
    ("dispatcher", Role.DISPATCHER, "李调度", "dispatcher@aftersales.invalid"),
    ("agent", Role.AGENT, "张坐席", "agent@aftersales.invalid"),
    ("engineer", Role.ENGINEER, "阿不都工程师", "engineer@aftersales.invalid"),
    ("expert", Role.EXPERT, "陈专家", "expert@aftersales.invalid"),
    ("engineer2", Role.ENGINEER, "刘工程师", "engineer2@aftersales.invalid"),
    ("engineer3", Role.ENGINEER, "买买提工程师", "engineer3@aftersales.invalid"),
]

CUSTOMERS: list[dict[str, Any]] = [
    {
        "code": "xjjt-urumqi", "name": "新疆交通投资（集团）有限责任公司乌鲁木齐管理中心",
        "region": "新疆·乌鲁木齐", "tier": "diamond", "user": "xjjt",
        "contacts": [("马建国", "机电科科长", "13899100001", "majg@xjjt.invalid")],
        "sites": [
            ("乌鲁木齐北收费站", "G30连霍高速乌鲁木齐北出口", "43.9012", "87.5731"),
            ("天山胜利隧道监控所", "G0711乌尉高速天山胜利隧道", "43.2611", "87.0233"),
            ("昌吉收费站", "G30连霍高速昌吉出口", "44.0118", "87.2674"),
        ],
    },
    {
        "code": "xjgl-kashi", "name": "新疆公路管理局喀什分局", "region": "新疆·喀什",
        "tier": "gold", "user": "kashi",
        "contacts": [("艾力·买买提", "信息中心主任", "13999800002", "aili@kashi.invalid")],
        "sites": [
            ("喀什东收费站", "G3012吐和高速喀什东出口", "39.4704", "76.0297"),
            ("疏勒通信分中心", "疏勒县", "39.4015", "76.0481"),
        ],
    },
    {
        "code": "turpan-jt", "name": "吐鲁番市交通运输局", "region": "新疆·吐鲁番",
        "tier": "silver", "user": None,
        "contacts": [("赵敏", "设备管理员", "0995-8520003", "zhaomin@tlf.invalid")],
        "sites": [("吐鲁番西收费站", "G30连霍高速吐鲁番西出口", "42.9476", "89.1561")],
    },
    {
        "code": "person-zhangwei", "name": "张伟", "region": "新疆·乌鲁木齐", "tier": None,
        "user": None, "kind": "person",
        "contacts": [("张伟", "", "13600000004", "zhangwei@example.invalid")],
        "sites": [("张伟家", "乌鲁木齐市天山区", None, None)],
    },
]

PRODUCTS = [
    ("RSU-5800", "ETC 路侧单元", "收费系统", True),
    ("LANE-2000", "车道收费控制机", "收费系统", True),
    ("CAM-HD3000", "高清视频监控摄像机", "监控系统", True),
    ("OTN-960", "OTN 光传输设备", "通信系统", True),
    ("UPS-20K", "20kVA 不间断电源", "供配电系统", True),
    ("AP-300", "家用空气净化器", "消费类产品", False),
]

# (customer, product, serial, site index, dates offsets in days before today)
ASSETS = [
    ("xjjt-urumqi", "RSU-5800", "RSU58-2301-0017", 0, (-500, -480, -120)),
    ("xjjt-urumqi", "LANE-2000", "LN2K-2203-0442", 0, (-900, -880, -500)),
    ("xjjt-urumqi", "CAM-HD3000", "CAMHD-2404-1190", 1, (-300, -290, None)),
    ("xjjt-urumqi", "UPS-20K", "UPS20K-2102-0031", 2, (-1500, -1490, -1100)),
    ("xjgl-kashi", "OTN-960", "OTN960-2305-0007", 1, (-400, -390, -20)),
    ("xjgl-kashi", "RSU-5800", "RSU58-2209-0203", 0, (-800, -790, -420)),
    ("turpan-jt", "LANE-2000", "LN2K-2406-0911", 0, (-200, -190, None)),
    ("person-zhangwei", "AP-300", "AP300-2508-77821", 0, (-40, None, None)),
]


@dataclass(frozen=True)
class DemoUsers:
    password: str
    usernames: list[str]


def demo_is_loaded() -> bool:
    return User.objects.filter(username="admin").exists()


@transaction.atomic
def load_demo(*, password: str) -> DemoUsers:
    """Load the demo company once; a second call changes nothing."""
    if demo_is_loaded():
        return DemoUsers(password, list(User.objects.order_by("username").values_list("username", flat=True)))
    today = timezone.localdate()
    staff = {}
    for username, role, name, email in STAFF:
        staff[username] = user_create(username=username, password=password, role=role, email=email,
                                      first_name=name)
    customers: dict[str, Customer] = {}
    sites: dict[str, list[Any]] = {}
    contacts: dict[str, Any] = {}
    usernames = [s[0] for s in STAFF]
    for spec in CUSTOMERS:
        customer = customer_create(name=spec["name"], code=spec["code"], region=spec["region"],
                                   kind=spec.get("kind", "organisation"))
        customers[spec["code"]] = customer
        for contact_name, title, phone, email in spec["contacts"]:
            contacts[spec["code"]] = contact_create(customer=customer, name=contact_name, title=title,
                                                    phone=phone, email=email, is_primary=True)
        sites[spec["code"]] = [
            site_create(customer=customer, name=name, address=address,
                        region=spec["region"],
                        latitude=Decimal(lat) if lat else None, longitude=Decimal(lon) if lon else None)
            for name, address, lat, lon in spec["sites"]
        ]
        if spec["tier"]:
            contract_create(
                number=f"HT-{today.year}-{spec['code'].upper()}", customer=customer, tier_code=spec["tier"],
                starts_on=today - dt.timedelta(days=365), ends_on=today + dt.timedelta(days=730),
            )
        if spec["user"]:
            user_create(username=spec["user"], password=password, role=Role.CUSTOMER, customer=customer,
                        email=f"{spec['user']}@customer.invalid", first_name=spec["contacts"][0][0])
            usernames.append(spec["user"])
    products: dict[str, Product] = {}
    for model, name, category, has_acceptance in PRODUCTS:
        products[model] = product_create(model=model, name=name, category=category,
                                         manufacturer="智行交通科技", has_acceptance=has_acceptance)
    assets: dict[str, Asset] = {}
    for customer_code, model, serial, site_index, (bought, initial, final) in ASSETS:
        assets[serial] = asset_create(
            product=products[model], serial_number=serial, customer=customers[customer_code],
            site=sites[customer_code][site_index],
            purchased_on=today + dt.timedelta(days=bought),
            initial_acceptance_on=today + dt.timedelta(days=initial) if initial is not None else None,
            final_acceptance_on=today + dt.timedelta(days=final) if final is not None else None,
        )
    _demo_cases(staff, customers, contacts, assets)
    load_field_service(staff=staff, engineers=[staff["engineer"], staff["engineer2"], staff["engineer3"]],
                       products=products, assets=assets, customers=customers)
    load_maintenance(staff=staff, engineers=[staff["engineer"], staff["engineer2"]],
                     sites=sites["xjjt-urumqi"][:2], assets=assets)
    load_inspections(staff=staff, engineers=[staff["engineer"], staff["engineer2"]],
                     sites=sites["xjjt-urumqi"][:2], assets=assets)
    load_special_periods(staff=staff, sites=sites["xjjt-urumqi"], assets=assets)
    load_training(staff=staff, products=products, customers=customers, contacts=contacts)
    load_knowledge(staff=staff)
    load_complaints(staff=staff)
    load_surveys(staff=staff)
    return DemoUsers(password, usernames)


def _demo_cases(staff: dict[str, User], customers: dict[str, Customer], contacts: dict[str, Any],
                assets: dict[str, Asset]) -> None:
    """Cases in every state, filed over the last days so clocks show every condition."""
    now = timezone.now()
    agent, engineer, expert = staff["agent"], staff["engineer"], staff["expert"]
    s = case_services

    def file(customer: str, serial: str | None, title: str, *, hours_ago: float, channel: str = "phone",
             category: str = "fault", impact: str = "degraded", description: str = "") -> Case:
        case, _ = s.case_open(
            actor=agent, customer_id=customers[customer].pk, channel=channel, category=category,
            title=title, description=description, impact=impact, contact_id=contacts[customer].pk,
            asset_id=assets[serial].pk if serial else None, now=now - dt.timedelta(hours=hours_ago),
        )
        return case

    def at(hours_ago: float) -> dt.datetime:
        return now - dt.timedelta(hours=hours_ago)

    # New, just in: P1 outage at the toll station.
    file("xjjt-urumqi", "RSU58-2301-0017", "乌鲁木齐北收费站ETC车道无法交易", hours_ago=0.2, impact="outage",
         description="3号ETC车道RSU无响应，车辆无法通行，已临时改为人工收费。")
    # Acknowledged, approaching its warning point.
    c = file("xjgl-kashi", "OTN960-2305-0007", "疏勒通信分中心光传输告警", hours_ago=1.5, impact="degraded",
             channel="email", description="OTN设备2号板卡LOS告警，部分视频回传中断。")
    s.case_acknowledge(actor=agent, case_id=c.pk, now=at(1.4))
    # In progress, engineer on site.
    c = file("xjjt-urumqi", "LN2K-2203-0442", "车道控制机频繁死机", hours_ago=5)
    s.case_respond(actor=agent, case_id=c.pk, message="已远程查看日志，安排工程师上门。", now=at(4.8))
    s.case_assign(actor=staff["dispatcher"], case_id=c.pk, assignee_id=engineer.pk, now=at(4.7))
    s.case_check_in(actor=engineer, case_id=c.pk, note="已到达乌鲁木齐北收费站", now=at(2.5))
    # Waiting on the customer (clocks paused).
    c = file("turpan-jt", "LN2K-2406-0911", "收费软件升级后打印机不出票", hours_ago=30, impact="limited")
    s.case_respond(actor=agent, case_id=c.pk, message="请提供打印机型号和驱动版本。", now=at(29))
    s.case_wait_on_customer(actor=agent, case_id=c.pk, reason="等待业主提供打印机信息", now=at(28))
    # Breached and escalated: the tunnel camera.
    c = file("xjjt-urumqi", "CAMHD-2404-1190", "天山胜利隧道摄像机黑屏", hours_ago=60, impact="degraded")
    s.case_respond(actor=agent, case_id=c.pk, message="已登记，正在协调备件。", now=at(59.5))
    s.case_escalate(actor=engineer, case_id=c.pk, reason="疑似主板故障，需专家判断", now=at(40))
    s.case_escalate(actor=engineer, case_id=c.pk, reason="需厂家专家介入", now=at(30))
    # A major problem with a deadline agreed with the owner.
    c = file("xjgl-kashi", "RSU58-2209-0203", "喀什东收费站RSU天线损坏需返厂", hours_ago=20, impact="outage")
    s.case_respond(actor=agent, case_id=c.pk, now=at(19.8))
    s.case_check_in(actor=engineer, case_id=c.pk, now=at(17))
    s.case_agree_deadline(actor=staff["manager"], case_id=c.pk, target="resolution",
                          due_at=now + dt.timedelta(days=3),
                          reason="天线需返厂维修，业主同意72小时内修复，期间启用备用机", now=at(16))
    # Resolved, waiting for the customer's consent.
    c = file("xjjt-urumqi", "UPS20K-2102-0031", "昌吉收费站UPS电池告警", hours_ago=26, impact="limited")
    s.case_respond(actor=agent, case_id=c.pk, now=at(25.5))
    s.case_resolve(actor=engineer, case_id=c.pk, resolution="更换2组老化电池，放电测试正常。", now=at(3))
    # Closed with the customer's consent by phone.
    c = file("person-zhangwei", "AP300-2508-77821", "空气净化器异响", hours_ago=72, channel="phone",
             category="fault", impact="none")
    s.case_respond(actor=agent, case_id=c.pk, now=at(71))
    s.case_resolve(actor=agent, case_id=c.pk, resolution="指导客户清理滤网，异响消除。", now=at(70))
    s.case_confirm_closure(actor=agent, case_id=c.pk, note="客户张伟电话确认问题已解决，同意关闭。", now=at(69))
    # Reopened after the fix did not hold.
    c = file("xjgl-kashi", None, "视频平台登录缓慢", hours_ago=48, channel="web", category="consultation",
             impact="limited")
    s.case_respond(actor=agent, case_id=c.pk, now=at(47))
    s.case_resolve(actor=expert, case_id=c.pk, resolution="清理数据库日志，优化索引。", now=at(30))
    s.case_reopen(actor=staff["agent"], case_id=c.pk, reason="客户反馈问题复现", now=at(10))
    # A training request.
    file("turpan-jt", None, "新收费员操作培训申请", hours_ago=3, channel="fax", category="training",
         impact="none")
