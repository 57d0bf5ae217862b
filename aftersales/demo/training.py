"""Demo training (培训, R14): a held staff session whose engineers passed and hold a
qualification, an upcoming staff session, a customer session for 乌鲁木齐管理中心 (one held,
one upcoming), and materials (small generated PDFs) per product. Everything goes through
the training services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.customers.models import Customer
from aftersales.training import services
from aftersales.workorders.report import FONT_NAME, ReportFontMissing, register_font

# (product, title, kind, audience, version, lines of the document)
MATERIALS = [
    ("RSU-5800", "RSU-5800 路侧单元操作指南", "operating_guide", "customer", "V3.2",
     ["一、开机自检：确认电源、网络与天线指示灯正常。", "二、交易异常时先查看车道软件日志。",
      "三、每月清洁天线罩，避免遮挡。"]),
    ("RSU-5800", "RSU-5800 维护手册（内部）", "maintenance_guide", "staff", "V3.2",
     ["1. 射频模块更换步骤与功率校准。", "2. PSAM 卡槽检查与授权。", "3. 固件升级与回退。"]),
    ("LANE-2000", "LANE-2000 车道控制机用户手册", "manual", "customer", "V1.8",
     ["车道控制机的日常操作、班次切换与常见报警处理。"]),
    ("CAM-HD3000", "CAM-HD3000 摄像机安装与调试", "maintenance_guide", "staff", "V2.0",
     ["立杆安装、接地、网络配置与图像参数调试。"]),
    ("AP-300", "AP-300 空气净化器使用说明", "manual", "customer", "V1.0",
     ["滤网每 6 个月更换一次；指示灯变红时请及时更换。"]),
]


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with the title and lines, in the Chinese font when there is one."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    try:
        register_font()
        font = FONT_NAME
    except ReportFontMissing:
        font = "Helvetica"  # without a Chinese font the text is unreadable, the file still valid
    width, height = A4
    page.setTitle(title)
    page.setFont(font, 18)
    page.drawString(60, height - 80, title)
    page.setFont(font, 11)
    for number, line in enumerate(lines):
        page.drawString(60, height - 120 - number * 20, line)
    page.setFont(font, 9)
    page.drawString(60, 40, "智行交通科技 · 售后服务部")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _session(manager: User, **fields: Any) -> Any:
    session, _created = services.training_session_create(actor=manager, **fields)
    return session


def load_training(
    *, staff: dict[str, User], products: dict[str, Product], customers: dict[str, Customer],
    contacts: dict[str, Any],
) -> None:
    manager, expert = staff["manager"], staff["expert"]
    engineers = [staff["engineer"], staff["engineer2"], staff["engineer3"]]
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=9, minute=30, second=0, microsecond=0)

    for model, title, kind, audience, version, lines in MATERIALS:
        services.training_material_upload(
            actor=manager, product_id=products[model].pk, title=title, kind=kind, audience=audience,
            upload=io.BytesIO(_pdf(title, lines)), name=f"{model}-{kind}.pdf", version=version,
            publish=True,
        )

    # A staff session 40 days ago: two engineers passed, one did not.
    held_start = today - dt.timedelta(days=40)
    held = _session(
        manager, product_id=products["RSU-5800"].pk, title="RSU-5800 上岗培训（第一期）",
        audience="staff", starts_at=held_start, ends_at=held_start + dt.timedelta(hours=6),
        location="乌鲁木齐培训中心 301 室", trainer_id=expert.pk, capacity=12,
        grants_qualification=True, qualification_months=24, note="理论 + 实操考核",
    )
    for engineer, passed, score in zip(engineers, (True, True, False), (92, 85, 58), strict=True):
        attendance, _ = services.training_attendee_register(
            actor=manager, session_id=held.pk, user_id=engineer.pk)
        services.training_attendance_record(
            actor=manager, attendance_id=attendance.pk, attended=True, passed=passed, score=score,
            now=held_start + dt.timedelta(hours=6))
    services.training_session_hold(actor=manager, session_id=held.pk,
                                   now=held_start + dt.timedelta(hours=7))

    # Granted by hand: the expert on the OTN equipment, for a year.
    services.qualification_grant(actor=manager, user_id=expert.pk, product_id=products["OTN-960"].pk,
                                 expires_on=timezone.localdate(now) + dt.timedelta(days=365), now=now)

    # Upcoming staff session in 10 days, two registered.
    upcoming_start = today + dt.timedelta(days=10)
    upcoming = _session(
        manager, product_id=products["CAM-HD3000"].pk, title="CAM-HD3000 安装调试培训",
        audience="staff", starts_at=upcoming_start, ends_at=upcoming_start + dt.timedelta(hours=4),
        location="喀什服务站", trainer_id=expert.pk, capacity=8, grants_qualification=True,
        qualification_months=12,
    )
    for engineer in engineers[1:]:
        services.training_attendee_register(actor=manager, session_id=upcoming.pk, user_id=engineer.pk)

    # The Urumqi centre's people: one session held last month, one next week.
    customer = customers["xjjt-urumqi"]
    contact = contacts["xjjt-urumqi"]
    past_start = today - dt.timedelta(days=25)
    past = _session(
        manager, product_id=products["RSU-5800"].pk, title="ETC 路侧单元日常操作培训",
        audience="customer", customer_id=customer.pk, starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=3), location="乌鲁木齐北收费站会议室",
        trainer_id=staff["engineer"].pk, capacity=15,
    )
    attendance, _ = services.training_attendee_register(actor=manager, session_id=past.pk,
                                                        contact_id=contact.pk)
    services.training_attendance_record(actor=manager, attendance_id=attendance.pk, attended=True,
                                        now=past_start + dt.timedelta(hours=3))
    services.training_session_hold(actor=manager, session_id=past.pk,
                                   now=past_start + dt.timedelta(hours=4))
    next_start = today + dt.timedelta(days=7)
    next_session = _session(
        manager, product_id=products["LANE-2000"].pk, title="车道收费控制机操作与报警处理",
        audience="customer", customer_id=customer.pk, starts_at=next_start,
        ends_at=next_start + dt.timedelta(hours=3), location="昌吉收费站",
        trainer_id=staff["engineer2"].pk, capacity=10, note="请携带车道值班记录本",
    )
    services.training_attendee_register(actor=manager, session_id=next_session.pk, contact_id=contact.pk)
