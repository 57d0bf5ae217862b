"""Bulk demo cases: `aftersales demo --cases N` loads N realistic cases in minutes.

Every case gets what the services would have written for it: its events (sequence 1..n,
statuses following the state machine, the sweep's warnings, breaches and escalations at the
times a minute-by-minute sweep would have recorded them), its SLA clocks as computed by the
real derivation (`cases.clocks.derive_clocks` over its events, with the policy's targets and
`calendars.services.business_calendar`), the case's queue summary (next_due_at, queue_at,
is_breached), a ClosureConsent for every closed case, and a number from the CaseNumber
sequence, so numbers never collide with the ones the services issue.

Speed. A history is drawn from a few thousand *templates* (customer, policy, category,
impact, history shape, variant). On a calendar without working hours or exceptions (7x24)
a derivation is exact under a shift in time, so each template is derived once and shifted to
each case's opening time; cases on calendars with working hours or holidays are derived one
by one. Rows are written with the database driver directly (SQLite executemany, PostgreSQL
COPY) in one transaction per batch: the ORM's bulk_create builds a model instance per row and
writes about 30,000 rows/s, too slow for ten million rows. Ids are UUIDs whose first bits are
the case's opening time (the UUIDv7 layout, 74 random bits), so the indexes on case_id fill
in order.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import traceback
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
from tqdm import tqdm

from aftersales.accounts.models import Role, User
from aftersales.assets.models import Asset
from aftersales.calendars.engine import BusinessCalendar, from_us, to_us
from aftersales.calendars.models import CalendarException
from aftersales.calendars.services import business_calendar
from aftersales.cases.clocks import ClockValue, EventRecord, derive_clocks
from aftersales.cases.models import (
    OPEN_STATUSES,
    QUEUE_END,
    SEVERITY_BY_IMPACT,
    Category,
    ClockState,
    ConsentMethod,
    EscalationLevel,
    EventKind,
    Impact,
    Status,
)
from aftersales.cases.transitions import next_status
from aftersales.contracts.models import Contract, SlaPolicy
from aftersales.contracts.services import policy_targets
from aftersales.customers.models import Contact, Customer, Site

US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - UTC wall time, as Django stores it on SQLite
_QUEUE_END_US = to_us(QUEUE_END)

# --- vocabulary -----------------------------------------------------------------------------

# Titles by the product category of the case's asset (see the demo's PRODUCTS).
ASSET_TITLES: dict[str, tuple[str, ...]] = {
    "收费系统": (
        "ETC车道无法交易", "ETC门架RSU通信中断", "车道控制机频繁死机", "收费软件升级后打印机不出票",
        "自动栏杆机不抬杆", "车道费额显示屏黑屏", "ETC天线交易成功率下降", "CPC卡读写失败",
        "车道称重设备数据异常", "收费站网络延迟导致交易超时", "车牌识别率下降", "车道IC卡读写器报错",
    ),
    "监控系统": (
        "隧道摄像机黑屏", "监控视频卡顿花屏", "云台控制失灵", "摄像机夜间补光灯不亮",
        "视频平台录像丢失", "隧道事件检测误报频繁", "情报板显示乱码", "摄像机镜头起雾",
    ),
    "通信系统": (
        "光传输设备LOS告警", "光缆中断导致视频回传中断", "交换机端口频繁up/down",
        "紧急电话无法接通", "通信分中心网管告警", "光模块收光功率过低", "OTN板卡温度过高告警",
    ),
    "供配电系统": (
        "UPS电池告警", "UPS切换旁路运行", "配电柜空开跳闸", "隧道照明回路断电",
        "柴油发电机无法自启动", "供电线路电压波动", "UPS输出过载告警",
    ),
    "消费类产品": (
        "空气净化器异响", "净化器滤网提示不消失", "净化器无法开机", "手机APP无法连接设备",
        "PM2.5显示数值异常", "遥控器失灵", "风扇转速不可调",
    ),
}
MAINTENANCE_TITLES = (
    "季度例行巡检", "设备年度保养", "机房除尘及线缆整理", "防雷接地检测", "备品备件盘点",
    "软件版本升级", "UPS电池核容放电测试",
)
CATEGORY_TITLES: dict[str, tuple[str, ...]] = {
    Category.CONSULTATION: (
        "视频平台登录缓慢", "咨询ETC门架软件升级计划", "咨询备件采购流程", "咨询质保期限",
        "咨询收费数据导出方法", "咨询设备迁移方案",
    ),
    Category.COMPLAINT: (
        "维修人员到场不及时", "对上次维修结果不满意", "热线长时间无人接听", "备件更换周期过长",
    ),
    Category.TRAINING: (
        "新收费员操作培训申请", "监控平台使用培训", "机电设备日常维护培训", "应急预案演练支持",
    ),
    Category.RETURN_EXCHANGE: (
        "要求退换货：外壳破损", "收到的滤网型号不符", "申请更换新机", "配件漏发申请补寄",
    ),
}
GENERIC_TITLES = ("设备运行异常", "系统告警待处理", "现场反映设备故障")
DESCRIPTIONS = (
    "值班人员发现后电话报修，现场已做临时处置。",
    "业主来电反映，影响部分车道/点位正常运行，请尽快处理。",
    "巡检时发现，已拍照留存，详见附件。",
    "客户通过门户提交，附有告警截图。",
    "夜间值班记录，早班交接时报修。",
    "",
)
MESSAGES = (
    "已登记，正在安排工程师。", "已远程查看日志，初步判断为硬件故障。", "已电话联系值班人员了解现场情况。",
    "已受理，将在时限内回复处理方案。", "请提供设备告警截图和序列号。",
)
WAIT_REASONS = (
    "等待业主提供现场照片", "等待业主安排停电窗口", "等待客户确认到场时间", "等待客户提供设备信息",
)
NOTES = ("工程师已到达现场", "已到达收费站机房", "已到达隧道监控所", "已上门")
RESTORE_NOTES = ("已启用备用设备，业务恢复", "临时处置后系统恢复运行", "已恢复正常运行")
RESOLUTIONS = (
    "更换故障板卡，测试正常。", "更换老化电池，放电测试正常。", "重新熔接光纤，收光功率恢复正常。",
    "升级固件并恢复配置，观察24小时无异常。", "清理滤网并校准传感器，运行正常。",
    "调整参数并重启服务，业务恢复。", "已解答客户疑问并发送操作手册。", "已完成培训并提交签到表。",
)
ESCALATE_REASONS = ("疑似主板故障，需专家判断", "需厂家专家介入", "现场无法定位，申请二线支持")
AGREE_REASONS = ("备件需返厂维修，业主同意延期修复，期间启用备用机", "需协调停电窗口，与业主约定修复期限")
CLOSE_NOTES = ("客户电话确认问题已解决，同意关闭。", "业主机电科电话确认运行正常，同意关闭。")
REOPEN_REASONS = ("客户反馈问题复现", "故障再次出现", "业主要求复查")

# Which share of cases ends in which status: most closed, some resolved awaiting consent.
DEFAULT_STATUS_MIX: dict[str, float] = {
    Status.CLOSED: 0.84,
    Status.RESOLVED: 0.05,
    Status.NEW: 0.015,
    Status.ACKNOWLEDGED: 0.015,
    Status.IN_PROGRESS: 0.05,
    Status.WAITING_ON_CUSTOMER: 0.03,
}
# Case volume by demo customer code (other customers weigh 10).
CUSTOMER_WEIGHTS = {"xjjt-urumqi": 45, "xjgl-kashi": 30, "turpan-jt": 15, "person-zhangwei": 4}
# (category, impact) mixes for organisations and for private persons.
ORG_KINDS: tuple[tuple[str, str, float], ...] = (
    (Category.FAULT, Impact.OUTAGE, 6), (Category.FAULT, Impact.DEGRADED, 25),
    (Category.FAULT, Impact.LIMITED, 24), (Category.MAINTENANCE, Impact.LIMITED, 8),
    (Category.MAINTENANCE, Impact.NONE, 4), (Category.CONSULTATION, Impact.NONE, 14),
    (Category.CONSULTATION, Impact.LIMITED, 3), (Category.COMPLAINT, Impact.LIMITED, 4),
    (Category.COMPLAINT, Impact.DEGRADED, 1), (Category.TRAINING, Impact.NONE, 5),
)
PERSON_KINDS: tuple[tuple[str, str, float], ...] = (
    (Category.FAULT, Impact.LIMITED, 30), (Category.FAULT, Impact.NONE, 10),
    (Category.RETURN_EXCHANGE, Impact.NONE, 25), (Category.CONSULTATION, Impact.NONE, 25),
    (Category.COMPLAINT, Impact.LIMITED, 10),
)
ORG_CUM = list(accumulate(k[2] for k in ORG_KINDS))
PERSON_CUM = list(accumulate(k[2] for k in PERSON_KINDS))
ORG_CHANNELS = (("phone", 40), ("email", 10), ("web", 15), ("inspection", 12), ("onsite", 8),
                ("chat", 5), ("fax", 5), ("api", 5))
PERSON_CHANNELS = (("phone", 50), ("web", 20), ("chat", 30))
_CHANNELS = {
    False: ([c[0] for c in ORG_CHANNELS], list(accumulate(c[1] for c in ORG_CHANNELS))),
    True: ([c[0] for c in PERSON_CHANNELS], list(accumulate(c[1] for c in PERSON_CHANNELS))),
}

# History shapes: the service team's actions in order. Equipment work visits the site;
# "restore" is dropped where the category has no restoration clock.
FIELD_SHAPES: tuple[tuple[str, ...], ...] = (
    ("respond", "assign", "check_in", "restore", "resolve"),
    ("acknowledge", "respond", "assign", "check_in", "escalate", "restore", "resolve"),
    ("acknowledge", "respond", "wait_on_customer", "resume", "assign", "check_in", "resolve"),
    ("respond", "assign", "check_in", "agree_deadline", "restore", "resolve"),
    ("respond", "resolve", "reopen", "assign", "check_in", "resolve"),
    ("respond", "assign", "resolve"),
)
REMOTE_SHAPES: tuple[tuple[str, ...], ...] = (
    ("acknowledge", "respond", "resolve"),
    ("respond", "wait_on_customer", "resume", "resolve"),
    ("respond", "assign", "resolve"),
    ("respond", "resolve", "reopen", "resolve"),
)
FIELD_CATEGORIES = frozenset({Category.FAULT, Category.MAINTENANCE})
ASSET_CATEGORIES = FIELD_CATEGORIES | {Category.COMPLAINT, Category.RETURN_EXCHANGE}
VARIANTS = 10  # templates per (customer, policy, category, impact, status, shape)

ACTION_KINDS = {
    "acknowledge": EventKind.ACKNOWLEDGED, "respond": EventKind.RESPONDED, "assign": EventKind.ASSIGNED,
    "escalate": EventKind.ESCALATED, "wait_on_customer": EventKind.WAITING_ON_CUSTOMER,
    "resume": EventKind.RESUMED, "check_in": EventKind.CHECKED_IN, "restore": EventKind.RESTORED,
    "agree_deadline": EventKind.DEADLINE_AGREED, "resolve": EventKind.RESOLVED,
    "confirm_closure": EventKind.CLOSURE_CONSENTED, "reopen": EventKind.REOPENED,
}
# Events after which the clocks' due times change: the history is derived again there.
# (Met events stop one clock, 'resolved' stops them all, waiting pauses them.)
_REDERIVE = frozenset({EventKind.RESUMED, EventKind.REOPENED, EventKind.DEADLINE_AGREED})
_MET_BY = {
    EventKind.RESPONDED: ("first_response",),
    EventKind.CHECKED_IN: ("on_site",),
    EventKind.RESTORED: ("restoration",),
}


# --- context read from the database ---------------------------------------------------------


@dataclass
class _Policy:
    pk: str
    code: str
    calendar: BusinessCalendar
    shiftable: bool  # 7x24 without exceptions: derivations shift exactly in time
    warning_percent: int
    targets: dict[str, dict[str, int | None]]
    tz: Any


@dataclass
class _Customer:
    index: int
    pk: str
    code: str
    is_person: bool
    weight: float
    contact: str | None
    sites: list[str]
    assets: list[tuple[str, str | None, str]]  # (asset id, site id, product category)
    contracts: list[tuple[dt.date, dt.date, str, str, _Policy]]  # start, end, id, number, policy
    portal_user: int | None


@dataclass
class _Context:
    customers: list[_Customer]
    policies: dict[str, _Policy]
    default_policy: _Policy
    staff: dict[str, tuple[int, str]]  # role key -> (user id, username)
    assignees: list[tuple[int, str]]
    tz: Any


def _hex(value: Any) -> str:
    return value.hex if hasattr(value, "hex") and not isinstance(value, str) else str(value)


def _load_context() -> _Context:
    tz = timezone.get_current_timezone()
    policies: dict[str, _Policy] = {}
    for policy in SlaPolicy.objects.select_related("calendar"):
        calendar = business_calendar(policy.calendar)
        shiftable = (
            calendar.weekly is None and not policy.calendar.holiday_source
            and not CalendarException.objects.filter(calendar=policy.calendar).exists()
        )
        policies[_hex(policy.pk)] = _Policy(
            pk=_hex(policy.pk), code=policy.code, calendar=calendar, shiftable=shiftable,
            warning_percent=policy.warning_percent,
            targets={severity: policy_targets(policy, severity) for severity in ("P1", "P2", "P3", "P4")},
            tz=calendar.timezone,
        )
    default = SlaPolicy.objects.filter(is_default=True).first()
    if default is None:
        raise RuntimeError("no default SLA policy: run the migrations first")
    staff: dict[str, tuple[int, str]] = {}
    for key, role in (("agent", Role.AGENT), ("dispatcher", Role.DISPATCHER), ("engineer", Role.ENGINEER),
                      ("expert", Role.EXPERT), ("manager", Role.MANAGER)):
        user = User.objects.filter(role=role, is_active=True).order_by("id").first()
        if user is None:
            user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
        if user is None:
            raise RuntimeError("load the demo first (aftersales demo): bulk cases need its staff")
        staff[key] = (user.pk, user.username)
    assignees = [
        (u.pk, u.username)
        for u in User.objects.filter(role__in=(Role.ENGINEER, Role.EXPERT), is_active=True).order_by("id")
    ] or [staff["engineer"]]
    customers: list[_Customer] = []
    for customer in Customer.objects.order_by("code"):
        contact = Contact.objects.filter(customer=customer).order_by("-is_primary", "name").first()
        contracts = [
            (c.starts_on, c.ends_on, _hex(c.pk), c.number, policies[_hex(c.policy.pk)])
            for c in Contract.objects.select_related("tier__policy", "policy_override")
            .filter(customer=customer).order_by("-starts_on", "number")
        ]
        portal = User.objects.filter(customer=customer, role=Role.CUSTOMER, is_active=True).order_by("id").first()
        customers.append(_Customer(
            index=len(customers), pk=_hex(customer.pk), code=customer.code,
            is_person=customer.kind == "person", weight=CUSTOMER_WEIGHTS.get(customer.code, 10),
            contact=_hex(contact.pk) if contact else None,
            sites=[_hex(pk) for pk in Site.objects.filter(customer=customer).order_by("name")
                   .values_list("pk", flat=True)],
            assets=[(_hex(a.pk), _hex(a.site_id) if a.site_id else None, a.product.category)
                    for a in Asset.objects.select_related("product").filter(customer=customer)
                    .order_by("serial_number")],
            contracts=contracts, portal_user=portal.pk if portal else None,
        ))
    if not customers:
        raise RuntimeError("load the demo first (aftersales demo): bulk cases need its customers")
    return _Context(customers, policies, policies[_hex(default.pk)], staff, assignees, tz)


def _policy_on(ctx: _Context, customer: _Customer, day: dt.date) -> tuple[str | None, str | None, _Policy]:
    """(contract id, contract number, policy) in force on the day, as services.resolve_policy."""
    for starts, ends, contract_id, number, policy in customer.contracts:
        if starts <= day <= ends:
            return contract_id, number, policy
    return None, None, ctx.default_policy


# --- templates: a history shape with times, and its derivation ----------------------------


@dataclass
class _Step:
    kind: str
    action: str
    at: int  # µs after the opening
    actor: str  # role key, "assignee" or "reporter"
    data: dict[str, Any]
    agreed_at: int | None = None  # deadline_agreed: the agreed due time, µs after the opening


@dataclass
class _Spec:
    """A template: what happens to a case, with times relative to its opening."""

    key: tuple[Any, ...]
    customer: _Customer
    policy: _Policy
    contract_id: str | None
    contract_number: str | None
    category: str
    impact: str
    severity: str
    status: str
    steps: list[_Step]
    length: int  # µs from the opening to the last action
    assignee: tuple[int, str] | None
    plan: _Plan | None = None  # the derivation at `base`, for shiftable policies


@dataclass
class _ClockPlan:
    target: str
    minutes: int
    state: str
    started: int
    due: int | None
    calendar_due: int | None
    agreed_due: int | None
    agreed_reason: str
    warn: int | None
    met: int | None
    paused: int | None
    breached: bool  # final only for stopped clocks; running ones compare with now
    warn_mark: int | None
    breach_mark: int | None
    touched: int  # the last time the row was written
    elapsed: int | None  # working seconds to the milestone: the same wherever a template is shifted


@dataclass
class _Plan:
    """A derived history at absolute times (shift it to reuse it)."""

    base: int  # the opening used for the derivation
    events: list[tuple[str, int, str, str, int | None, str | None, Any]]
    # (kind, at, status before, status after, actor id, data JSON, dynamic data) ; dynamic:
    # ("agreed", due µs, reason, target) or ("sweep", target, due µs) or ("opened",)
    status: str
    level: int
    version: int
    last_at: int
    resolved_at: int | None
    closed_at: int | None
    clocks: list[_ClockPlan]
    pending: list[tuple[int, int, int, str]]  # sweeps still to come: (at, 0 warn/1 breach, due, target)
    next_due: int | None
    consents: list[tuple[int, str]]  # (closure time, note)


def _uniform(rng: random.Random, low: float, high: float) -> int:
    return int(rng.uniform(low, high))


def _build_steps(rng: random.Random, shape: Sequence[str], status: str, category: str,
                 targets: dict[str, int | None], office: bool, assignee: tuple[int, str] | None
                 ) -> list[_Step] | None:
    """Times for the shape's actions, cut where the case reaches `status`; None if it never does."""
    slow = 2.5 if office else 1.0  # office-hours targets take longer in wall-clock time
    fr = (targets.get("first_response") or 240) * MINUTE
    on_site = (targets.get("on_site") or 8 * 60) * MINUTE
    resolution = (targets.get("resolution") or 72 * 60) * MINUTE
    restoration = (targets.get("restoration") or targets.get("resolution") or 72 * 60) * MINUTE

    def late(low: float, high: float, target: int, miss: float = 0.05) -> int:
        """A moment after the opening: mostly within the target, sometimes (miss) late."""
        factor = rng.uniform(1.05, 2.0) if rng.random() < miss else rng.uniform(low, high)
        return int(factor * target * slow)

    steps = [_Step(EventKind.OPENED, "", 0, "reporter", {})]
    state = Status.NEW
    at = 0
    cuts: list[int] = [1] if status == Status.NEW else []
    resolved_once = False
    for action in (*shape, "confirm_closure"):
        if action == "restore" and category != Category.FAULT:
            continue
        if action == "confirm_closure" and status != Status.CLOSED:
            break
        if action == "acknowledge":
            at += _uniform(rng, MINUTE, 20 * MINUTE)
        elif action == "respond":
            at = max(at + MINUTE, late(0.05, 0.75, fr))
        elif action == "assign":
            at += _uniform(rng, 5 * MINUTE, 90 * MINUTE)
        elif action == "check_in":
            at = max(at + 10 * MINUTE, late(0.3, 0.8, on_site) if not resolved_once
                     else at + _uniform(rng, HOUR, 8 * HOUR))
        elif action == "escalate":
            at += _uniform(rng, 10 * MINUTE, 4 * HOUR)
        elif action == "restore":
            at = max(at + 10 * MINUTE, late(0.2, 0.75, restoration, 0.03))
        elif action == "resolve":
            if resolved_once:
                at += _uniform(rng, 2 * HOUR, 2 * DAY)
            elif category in FIELD_CATEGORIES and "check_in" not in [s.action for s in steps]:
                # Fixed remotely: before anyone had to go on site.
                at = max(at + 15 * MINUTE, late(0.2, 0.75, min(on_site, resolution)))
            else:
                at = max(at + 15 * MINUTE, late(0.25, 0.75, resolution))
        elif action == "wait_on_customer":
            at += _uniform(rng, 10 * MINUTE, 2 * HOUR)
        elif action == "resume":
            at += _uniform(rng, 2 * HOUR, 3 * DAY)
        elif action == "agree_deadline":
            at += _uniform(rng, 30 * MINUTE, 4 * HOUR)
        elif action == "reopen":
            at += _uniform(rng, 4 * HOUR, 7 * DAY)
        elif action == "confirm_closure":
            at += _uniform(rng, HOUR, 5 * DAY)
        at = at // US * US  # whole seconds, like a person's clicks
        kind = ACTION_KINDS[action]
        data: dict[str, Any] = {}
        actor = "agent"
        agreed_at = None
        if action == "respond":
            data = {"message": rng.choice(MESSAGES)}
        elif action == "assign":
            assert assignee is not None  # noqa: S101 - shapes that assign get an assignee
            data = {"assignee": assignee[1], "assignee_id": str(assignee[0])}
            actor = "dispatcher"
        elif action == "escalate":
            data = {"reason": rng.choice(ESCALATE_REASONS)}  # levels filled in by the plan
            actor = "engineer"
        elif action == "wait_on_customer":
            data = {"reason": rng.choice(WAIT_REASONS)}
        elif action == "check_in":
            data = {"note": rng.choice(NOTES)}
            actor = "assignee"
        elif action == "restore":
            data = {"note": rng.choice(RESTORE_NOTES)}
            actor = "assignee"
        elif action == "resolve":
            data = {"resolution": rng.choice(RESOLUTIONS)}
            actor = "assignee"
            resolved_once = True
        elif action == "agree_deadline":
            agreed_at = max(at + HOUR, int(resolution * slow * rng.uniform(1.5, 3.0))) // US * US
            data = {"target": "resolution", "due_at": None, "reason": rng.choice(AGREE_REASONS)}
            actor = "manager"
        elif action == "confirm_closure":
            data = {"method": ConsentMethod.PHONE, "note": rng.choice(CLOSE_NOTES)}
        elif action == "reopen":
            data = {"reason": rng.choice(REOPEN_REASONS)}
        state = next_status(action, state)
        steps.append(_Step(kind, action, at, actor, data, agreed_at))
        if state == status:
            cuts.append(len(steps))
    if not cuts:
        return None
    if status in OPEN_STATUSES:
        return steps[: rng.choice(cuts)]
    return steps if state == status else None


def _values_us(values: Sequence[ClockValue]) -> list[list[Any]]:
    def us(moment: dt.datetime | None) -> int | None:
        return to_us(moment) if moment is not None else None

    return [[v.target, v.target_minutes, v.state, to_us(v.started_at), us(v.due_at), us(v.calendar_due_at),
             us(v.agreed_due_at), v.agreed_reason, us(v.warn_at), us(v.met_at), us(v.paused_at), v.is_breached,
             v.elapsed_seconds]
            for v in values]


def _iso_local(moment_us: int, tz: Any) -> str:
    return from_us(moment_us, tz).isoformat()


def _iso_utc(moment_us: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=moment_us)).isoformat()


def _derive(spec: _Spec, records: list[EventRecord], now_us: int) -> list[list[Any]]:
    policy = spec.policy
    return _values_us(derive_clocks(
        events=records, category=spec.category, targets=policy.targets[spec.severity],
        calendar=policy.calendar, warning_percent=policy.warning_percent,
        now=from_us(now_us, policy.tz),
    ))


def _plan(spec: _Spec, base: int, staff: dict[str, tuple[int, str]], sweep_delay: int, now_us: int,
          record_sweeps: bool) -> _Plan:
    """Replay the template opened at `base`: the services' events and clock syncs, and the
    sweep's marks between them (a sweep `sweep_delay` after each threshold passes)."""
    tz = spec.policy.tz
    events: list[tuple[str, int, str, str, int | None, str | None, Any]] = []
    records: list[EventRecord] = []
    marks: dict[str, list[int | None]] = {}  # target -> [warning mark, breach mark]
    touched: dict[str, int] = {}
    status = Status.NEW
    level = int(EscalationLevel.HOTLINE)
    version = 1
    current: list[list[Any]] = []
    resolved_at: int | None = None
    closed_at: int | None = None
    consents: list[tuple[int, str]] = []

    def actor_id(role: str) -> int | None:
        if role == "reporter":
            return None  # per case (see _materialise)
        if role == "assignee":
            return spec.assignee[0] if spec.assignee else staff["engineer"][0]
        return staff[role][0]

    def sweep(start: int, end: int | None) -> list[tuple[int, int, int, str]]:
        # One sweep run records warnings (by warn_at), then breaches (by due_at).
        found = []
        for clock in current:
            if clock[2] != ClockState.RUNNING:
                continue
            mark = marks.setdefault(clock[0], [None, None])
            if mark[0] is None and clock[8] is not None:
                found.append((max(clock[8], start) + sweep_delay, 0, clock[8], clock[0], clock[4]))
            if mark[1] is None and clock[4] is not None:
                found.append((max(clock[4], start) + sweep_delay, 1, clock[4], clock[0], clock[4]))
        found.sort()
        return [(c[0], c[1], c[4], c[3]) for c in found if end is None or c[0] < end]

    def apply_sweeps(found: Iterable[tuple[int, int, int, str]]) -> None:
        nonlocal level, version
        batch: tuple[int, int] | None = None
        for at, kind, due, target in found:
            if (at, kind) != batch:
                batch = (at, kind)
                version += 1
            mark = marks[target]
            mark[kind] = at
            touched[target] = at
            events.append((EventKind.SLA_WARNING if kind == 0 else EventKind.SLA_BREACHED, at, status, status,
                           None, None, ("sweep", target, due)))
            if kind == 1 and level < EscalationLevel.EXPERT:
                data = {"reason": "sla_breach", "target": target, "from_level": level, "to_level": level + 1}
                events.append((EventKind.ESCALATED, at, status, status, None, json.dumps(data), None))
                level += 1

    previous = base
    for index, step in enumerate(spec.steps):
        at = base + step.at
        if index:
            if record_sweeps:
                apply_sweeps(sweep(previous, at))
            before = status
            status = next_status(step.action, status)
            version += 1
        else:
            before = ""
        data = step.data
        dynamic: Any = None
        if step.kind == EventKind.ESCALATED:
            if level >= EscalationLevel.EXPERT:
                status = before
                version -= 1
                previous = at
                continue  # the experts have it already: nobody escalates further
            data = {**data, "from_level": level, "to_level": level + 1}
            level += 1
        elif step.kind == EventKind.DEADLINE_AGREED:
            assert step.agreed_at is not None  # noqa: S101
            data = {**data, "due_at": _iso_local(base + step.agreed_at, tz)}
            dynamic = ("agreed", step.agreed_at, data["reason"], data["target"])
        elif step.kind == EventKind.OPENED:
            dynamic = ("opened",)
        elif step.kind == EventKind.RESOLVED:
            resolved_at = at
        elif step.kind == EventKind.REOPENED:
            resolved_at = closed_at = None
        elif step.kind == EventKind.CLOSURE_CONSENTED:
            closed_at = at
            consents.append((at, data["note"]))
        records.append(EventRecord(step.kind, from_us(at, tz), data))
        events.append((step.kind, at, before, status, actor_id(step.actor),
                       None if dynamic else json.dumps(data), dynamic))
        for target in touched:
            touched[target] = at
        if not index or step.kind in _REDERIVE:
            current = _derive(spec, records, at)
            for clock in current:
                touched[clock[0]] = at
                mark = marks.setdefault(clock[0], [None, None])
                if clock[8] is not None and clock[8] > at:
                    mark[0] = None
                if clock[4] is not None and clock[4] > at:
                    mark[1] = None
        elif step.kind == EventKind.RESOLVED or step.kind == EventKind.WAITING_ON_CUSTOMER:
            stopped = ClockState.MET if step.kind == EventKind.RESOLVED else ClockState.PAUSED
            for clock in current:
                if clock[2] == ClockState.RUNNING:
                    clock[2] = stopped
        elif step.kind in _MET_BY:
            for clock in current:
                if clock[0] in _MET_BY[step.kind] and clock[2] == ClockState.RUNNING:
                    clock[2] = ClockState.MET
        previous = at
    last_at = previous
    # Without sweeps: as the services left it at the last action, before any sweep ran since.
    final = _derive(spec, records, now_us if record_sweeps else last_at)
    pending = sweep(last_at, None) if record_sweeps else []
    clocks = []
    for value in final:
        mark = marks.get(value[0], [None, None])
        clocks.append(_ClockPlan(
            target=value[0], minutes=value[1], state=value[2], started=value[3], due=value[4],
            calendar_due=value[5], agreed_due=value[6], agreed_reason=value[7], warn=value[8],
            met=value[9], paused=value[10], breached=value[11], warn_mark=mark[0], breach_mark=mark[1],
            touched=touched.get(value[0], last_at), elapsed=value[12],
        ))
    running = [c.due for c in clocks if c.state == ClockState.RUNNING and c.due is not None]
    return _Plan(base, events, status, level, version, last_at, resolved_at, closed_at, clocks,
                 pending, min(running) if running else None, consents)


# --- writing rows ---------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "created_at", "updated_at", "number", "channel", "category", "impact", "severity", "title",
    "description", "status", "escalation_level", "opened_at", "resolved_at", "closed_at", "next_due_at",
    "queue_at", "in_queue", "is_breached", "version", "last_event_sequence", "asset_id", "assignee_id", "contact_id",
    "contract_id", "customer_id", "policy_id", "reported_by_id", "site_id",
)
EVENT_COLUMNS = ("case_id", "sequence", "kind", "at", "status_before", "status_after", "data", "actor_id")
CLOCK_COLUMNS = (
    "id", "created_at", "updated_at", "case_id", "target", "target_minutes", "state", "started_at",
    "due_at", "calendar_due_at", "agreed_due_at", "agreed_reason", "warn_at", "met_at", "paused_at",
    "is_breached", "warning_recorded_at", "breach_recorded_at", "elapsed_seconds",
)
CONSENT_COLUMNS = ("id", "created_at", "updated_at", "case_id", "method", "note", "contact_id",
                   "recorded_by_id")
TABLES = {
    "case": ("cases_case", CASE_COLUMNS),
    "event": ("cases_caseevent", EVENT_COLUMNS),
    "clock": ("cases_caseclock", CLOCK_COLUMNS),
    "consent": ("cases_closureconsent", CONSENT_COLUMNS),
}


class _Writer:
    """Rows straight to the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise RuntimeError(f"bulk cases support SQLite and PostgreSQL, not {self.vendor}")
        self.raw = connection.connection
        # How a datetime is written: the UTC wall time, as Django writes it on SQLite.
        self.suffix = "+00:00" if self.vendor == "postgresql" else ""

    def numbers(self, count: int) -> list[int]:
        """Reserve `count` case numbers from the CaseNumber sequence (rows inserted)."""
        if self.vendor == "sqlite":
            cursor = self.raw.cursor()
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'cases_casenumber'")
            row = cursor.fetchone()
            cursor.execute("SELECT MAX(id) FROM cases_casenumber")
            top = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
            ids = list(range(top + 1, top + 1 + count))
            cursor.executemany("INSERT INTO cases_casenumber (id) VALUES (?)", [(i,) for i in ids])
            return ids
        with self.raw.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_casenumber (id) SELECT nextval(pg_get_serial_sequence("
                "'cases_casenumber', 'id')) FROM generate_series(1, %s) RETURNING id", (count,),
            )
            return sorted(row[0] for row in cursor.fetchall())

    def analyze(self) -> None:
        """PostgreSQL: fresh planner statistics for the tables just filled, as autovacuum would
        gather shortly after a load this size (benchmarks then see the steady state at once).
        SQLite keeps none unless someone runs ANALYZE, and the product never does: the load
        leaves it that way (see bench/README.md on the queue query)."""
        if self.vendor != "postgresql":
            return
        with self.raw.cursor() as cursor:
            cursor.execute("ANALYZE cases_case, cases_caseevent, cases_caseclock, cases_closureconsent, "
                           "cases_casenumber")

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        name, columns = TABLES[table]
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
            return
        with self.raw.cursor() as cursor, cursor.copy(
            f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


# --- drawing cases --------------------------------------------------------------------------


class _Loader:
    def __init__(self, *, now: dt.datetime, seed: int | None, days: int,
                 statuses: dict[str, float] | None, record_sweeps: bool) -> None:
        self.ctx = _load_context()
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(64)
        self.rng = random.Random(self.seed)
        self.drawn: list[tuple[int, int]] = []
        self.numbers: list[int] = []
        self.batch_size = 5000
        self.now_us = to_us(now) // US * US
        self.days = days
        mix = statuses or DEFAULT_STATUS_MIX
        unknown = set(mix) - set(Status.values)
        if unknown:
            raise ValueError(f"unknown statuses {sorted(unknown)}")
        if any(w < 0 for w in mix.values()) or not any(mix.values()):
            raise ValueError("the status mix needs positive weights")
        self.status_mix = dict(mix)
        self.record_sweeps = record_sweeps
        self.specs: dict[tuple[Any, ...], _Spec | None] = {}
        self.spec_list: list[_Spec] = []
        self.spec_index: dict[tuple[Any, ...], int] = {}
        self.customer_cum = list(accumulate(c.weight for c in self.ctx.customers))
        self.base = self.now_us - 400 * DAY
        self.local_days: dict[int, tuple[dt.date, str]] = {}

    def local_day(self, moment_us: int) -> tuple[dt.date, str]:
        """A moment's local date (cached by quarter hour: UTC offsets are whole quarter hours)."""
        bucket = moment_us // (15 * MINUTE)
        found = self.local_days.get(bucket)
        if found is None:
            day = from_us(bucket * 15 * MINUTE, self.ctx.tz).date()
            found = self.local_days[bucket] = (day, day.strftime("%y%m%d"))
        return found

    def spec(self, customer: _Customer, day: dt.date, category: str, impact: str, status: str,
             shape: int, variant: int) -> _Spec | None:
        contract_id, contract_number, policy = _policy_on(self.ctx, customer, day)
        key = (customer.code, policy.code, contract_number, category, impact, status, shape, variant)
        if key in self.specs:
            return self.specs[key]
        rng = random.Random(repr(key))
        severity = SEVERITY_BY_IMPACT[Impact(impact)] if impact else "P3"
        shapes = FIELD_SHAPES if category in FIELD_CATEGORIES else REMOTE_SHAPES
        needs_assignee = "assign" in shapes[shape]
        assignee = rng.choice(self.ctx.assignees) if needs_assignee else None
        steps = _build_steps(rng, shapes[shape], status, category, policy.targets[severity],
                             policy.calendar.weekly is not None, assignee)
        spec = None
        if steps is not None:
            if not any(s.kind == EventKind.ASSIGNED for s in steps):
                assignee = None
            spec = _Spec(key, customer, policy, contract_id, contract_number, category, impact, severity,
                         status, steps, steps[-1].at, assignee)
            self.spec_index[key] = len(self.spec_list)
            self.spec_list.append(spec)
        self.specs[key] = spec
        return spec

    def statuses(self, count: int) -> list[str]:
        """`count` final statuses in the mix's proportions (largest remainders; every status in
        the mix at least once when there are enough cases), shuffled."""
        total = sum(self.status_mix.values())
        shares = {s: count * w / total for s, w in self.status_mix.items() if w > 0}
        counts = {s: int(share) for s, share in shares.items()}
        if count >= len(shares):
            counts = {s: max(1, n) for s, n in counts.items()}
        for s in sorted(shares, key=lambda s: counts[s] - shares[s]):
            if sum(counts.values()) >= count:
                break
            counts[s] += 1
        while sum(counts.values()) > count:
            counts[max(counts, key=lambda s: counts[s])] -= 1
        drawn = [s for s, n in counts.items() for _ in range(n)]
        self.rng.shuffle(drawn)
        return drawn

    def draw(self, status: str) -> tuple[int, int]:
        """One case in `status`: (opening µs, template index)."""
        rng = self.rng
        now = self.now_us
        earliest = now - self.days * DAY
        for _attempt in range(100):
            customer = rng.choices(self.ctx.customers, cum_weights=self.customer_cum)[0]
            kinds, kind_cum = (PERSON_KINDS, PERSON_CUM) if customer.is_person else (ORG_KINDS, ORG_CUM)
            category, impact, _weight = rng.choices(kinds, cum_weights=kind_cum)[0]
            shapes = FIELD_SHAPES if category in FIELD_CATEGORIES else REMOTE_SHAPES
            shape = rng.randrange(len(shapes))
            variant = rng.randrange(VARIANTS)
            closed = status == Status.CLOSED
            # Closed cases were opened any time; the others have been in their status a while.
            extra = 0 if closed else self._extra(rng, status)
            opened = rng.randint(earliest, now - HOUR) if closed else now - extra
            spec = None
            for _settle in range(4):  # the policy depends on the date, the length on the policy
                spec = self.spec(customer, self.local_day(opened)[0], category, impact, status, shape,
                                 variant)
                if spec is None:
                    break
                if closed:
                    wanted = min(opened, now - spec.length - _uniform(rng, MINUTE, 2 * DAY))
                else:
                    wanted = now - spec.length - extra
                if wanted == opened:
                    break
                opened = wanted
            else:
                spec = None
            if spec is None or opened < earliest:
                continue
            return opened // US * US, self.spec_index[spec.key]
        raise RuntimeError("could not draw a case history: check the status mix")

    @staticmethod
    def _extra(rng: random.Random, status: str) -> int:
        """How long a case has been in its final status (stuck ones are breached)."""
        mean, stuck, stuck_days = {
            Status.NEW: (40 * MINUTE, 0.08, 20),
            Status.ACKNOWLEDGED: (3 * HOUR, 0.10, 30),
            Status.IN_PROGRESS: (36 * HOUR, 0.15, 60),
            Status.WAITING_ON_CUSTOMER: (2 * DAY, 0.15, 45),
            Status.RESOLVED: (2 * DAY, 0.10, 30),
        }.get(status, (DAY, 0.0, 1))
        if rng.random() < stuck:
            return _uniform(rng, DAY, stuck_days * DAY)
        return int(rng.expovariate(1 / mean)) + MINUTE

    # --- materialising ---------------------------------------------------------------------

    def prepare_templates(self) -> None:
        """Derive the shiftable templates once (before forking: the workers share them)."""
        for spec in self.spec_list:
            if spec.policy.shiftable:
                self.plan_for(spec, self.base)

    def plan_for(self, spec: _Spec, opened: int) -> tuple[_Plan, int]:
        """(plan, shift): shiftable templates are derived once at `base`."""
        delay = (zlib.crc32(repr(spec.key).encode()) % 50 + 5) * US  # the sweep runs every minute
        if spec.policy.shiftable:
            if spec.plan is None:
                # `now` far beyond: whether a running clock is breached is decided per case.
                spec.plan = _plan(spec, self.base, self.ctx.staff, delay, self.base + 100 * 365 * DAY,
                                  self.record_sweeps)
            return spec.plan, opened - self.base
        return _plan(spec, opened, self.ctx.staff, delay, self.now_us, self.record_sweeps), 0


def _make_id(rng: random.Random, moment_us: int) -> str:
    """A UUID with the UUIDv7 layout: 48 bits of milliseconds, then 74 random bits."""
    bits = rng.getrandbits(74)
    value = ((moment_us // 1000) & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | (bits >> 62) << 64 | 0x2 << 62 | (
        bits & 0x3FFFFFFFFFFFFFFF)
    return f"{value:032x}"


def load_bulk_cases(
    *,
    count: int,
    progress: bool = True,
    batch_size: int = 5000,
    now: dt.datetime | None = None,
    seed: int | None = None,
    days: int = 365,
    statuses: dict[str, float] | None = None,
    record_sweeps: bool = True,
    workers: int | None = None,
) -> int:
    """Load `count` cases opened over the last `days` days; returns the number loaded.

    `statuses` overrides the status mix ({"in_progress": 1.0} loads only open, working cases).
    With `record_sweeps` (the default) the warnings and breaches a sweep would have recorded
    by `now` are recorded; without it they are left for the next `sla_sweep()`.

    Each batch of `batch_size` cases is written in one transaction. From 20,000 cases on (and
    outside any transaction) `workers` forked processes, one per CPU by default, each make and
    write whole batches over their own connection; on SQLite they take turns to write.
    """
    global _ACTIVE
    if count <= 0:
        return 0
    now = now or timezone.now()
    loader = _Loader(now=now, seed=seed, days=days, statuses=statuses, record_sweeps=record_sweeps)
    # Draw every case first, then load them in the order they were opened (numbers rise with time).
    loader.drawn = sorted(loader.draw(status) for status in loader.statuses(count))
    loader.prepare_templates()
    loader.batch_size = batch_size
    with transaction.atomic():
        loader.numbers = _Writer().numbers(count)
    batches = (count + batch_size - 1) // batch_size
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= 20_000 else 0
    if connection.in_atomic_block or "fork" not in multiprocessing.get_all_start_methods():
        workers = 0  # forked writers cannot join the caller's transaction
    workers = min(workers, batches)
    _ACTIVE = loader
    bar = tqdm(total=count, unit="case", desc="bulk cases", disable=not progress, smoothing=0.1)
    try:
        if not workers:
            for index in range(batches):
                bar.update(_produce_and_write(index, None))
            loaded = count
        else:
            loaded = _run_workers(loader, workers, batches, bar)
    finally:
        bar.close()
        _ACTIVE = None
    _Writer().analyze()
    return loaded


_ACTIVE: _Loader | None = None  # the loader forked workers read (set before the fork)


def _run_workers(loader: _Loader, workers: int, batches: int, bar: Any) -> int:
    context = multiprocessing.get_context("fork")
    next_batch = context.Value("l", 0)
    write_lock = context.Lock() if connection.vendor == "sqlite" else None
    reports: Any = context.Queue()
    connections.close_all()  # each process opens its own connection
    processes = [
        context.Process(target=_worker, args=(next_batch, batches, write_lock, reports), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    loaded = finished = 0
    try:
        while finished < workers:
            kind, value = reports.get()
            if kind == "error":
                raise RuntimeError(f"a bulk worker failed:\n{value}")
            if kind == "done":
                finished += 1
            else:
                loaded += value
                bar.update(value)
    finally:
        for process in processes:
            if process.is_alive() and finished < workers:
                process.terminate()
            process.join()
    return loaded


def _worker(next_batch: Any, batches: int, write_lock: Any, reports: Any) -> None:
    try:
        while True:
            with next_batch.get_lock():
                index = next_batch.value
                next_batch.value += 1
            if index >= batches:
                break
            reports.put(("loaded", _produce_and_write(index, write_lock)))
        reports.put(("done", 0))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        reports.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()


def _produce_and_write(index: int, write_lock: Any) -> int:
    """Make the rows of batch `index` and write them in one transaction."""
    loader = _ACTIVE
    assert loader is not None  # noqa: S101 - set by load_bulk_cases before forking
    start = index * loader.batch_size
    chunk = loader.drawn[start : start + loader.batch_size]
    numbers = loader.numbers[start : start + loader.batch_size]
    rng = random.Random(f"{loader.seed}:{index}")
    writer = _Writer()
    rows = _materialise(loader, loader.ctx, rng, chunk, numbers, _formatter(writer.suffix), loader.now_us)
    if write_lock is not None:
        write_lock.acquire()
    try:
        with transaction.atomic():
            for table in ("case", "event", "clock", "consent"):
                writer.write(table, rows[table])
    finally:
        if write_lock is not None:
            write_lock.release()
    return len(chunk)


def _formatter(suffix: str) -> Callable[[int | None], str | None]:
    """µs since the epoch -> the text Django stores: str() of the naive UTC datetime (SQLite),
    with "+00:00" for PostgreSQL. Day and second-of-day texts are cached."""
    days: dict[int, str] = {}
    seconds: dict[int, str] = {}
    epoch = _EPOCH_NAIVE

    def fmt(moment_us: int | None) -> str | None:
        if moment_us is None:
            return None
        day, rest = divmod(moment_us, DAY)
        second, micro = divmod(rest, US)
        day_text = days.get(day)
        if day_text is None:
            day_text = days[day] = (epoch + dt.timedelta(days=day)).strftime("%Y-%m-%d ")
        time_text = seconds.get(second)
        if time_text is None:
            hours, minutes = divmod(second, 3600)
            time_text = seconds[second] = f"{hours:02d}:{minutes // 60:02d}:{minutes % 60:02d}"
        if micro:
            return f"{day_text}{time_text}.{micro:06d}{suffix}"
        return day_text + time_text + suffix

    return fmt


def _title(rng: random.Random, category: str, product_category: str | None) -> str:
    if category == Category.MAINTENANCE:
        return rng.choice(MAINTENANCE_TITLES)
    if product_category is not None and category in (Category.FAULT, Category.COMPLAINT):
        return rng.choice(ASSET_TITLES.get(product_category, GENERIC_TITLES))
    return rng.choice(CATEGORY_TITLES.get(category, GENERIC_TITLES))


def _materialise(loader: _Loader, ctx: _Context, rng: random.Random, chunk: list[tuple[int, int]],
                 numbers: list[int], fmt: Callable[[int | None], str | None], now_us: int
                 ) -> dict[str, list[tuple[Any, ...]]]:
    cases: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    clocks: list[tuple[Any, ...]] = []
    consents: list[tuple[Any, ...]] = []
    agent = ctx.staff["agent"][0]
    running_state = ClockState.RUNNING
    paused_state = ClockState.PAUSED
    sla_warning, sla_breached, escalated = EventKind.SLA_WARNING, EventKind.SLA_BREACHED, EventKind.ESCALATED
    expert = int(EscalationLevel.EXPERT)
    tz = ctx.tz
    dumps = json.dumps
    for (opened, spec_index), sequence_number in zip(chunk, numbers, strict=True):
        spec = loader.spec_list[spec_index]
        customer = spec.customer
        channel_names, channel_cum = _CHANNELS[customer.is_person]
        channel = rng.choices(channel_names, cum_weights=channel_cum)[0]
        reporter = customer.portal_user if channel == "web" and customer.portal_user else agent
        plan, shift = loader.plan_for(spec, opened)
        case_id = _make_id(rng, opened)
        asset_id = site_id = product_category = None
        if spec.category in ASSET_CATEGORIES and customer.assets and rng.random() < 0.85:
            asset_id, site_id, product_category = rng.choice(customer.assets)
        if site_id is None and customer.sites and spec.category in FIELD_CATEGORIES:
            site_id = rng.choice(customer.sites)
        title = _title(rng, spec.category, product_category)
        opened_s = fmt(opened)
        # Events: the template's, shifted, then the sweeps that are due by now.
        sequence = 0
        for kind, at, before, after, actor, data, dynamic in plan.events:
            sequence += 1
            if dynamic is not None:
                if dynamic[0] == "opened":
                    data = dumps({
                        "channel": channel, "category": spec.category, "severity": spec.severity,
                        "impact": spec.impact, "policy": spec.policy.code, "contract": spec.contract_number,
                    })
                    actor = reporter
                elif dynamic[0] == "agreed":
                    data = dumps({"target": dynamic[3], "due_at": _iso_local(opened + dynamic[1], tz),
                                  "reason": dynamic[2]})
                else:
                    due = dynamic[2]
                    data = dumps({"target": dynamic[1],
                                  "due_at": _iso_utc(due + shift) if due is not None else None})
            events.append((case_id, sequence, kind, fmt(at + shift), before, after, data, actor))
        level = plan.level
        version = plan.version
        updated = plan.last_at + shift
        breached_now: dict[str, int] = {}
        warned_now: dict[str, int] = {}
        if plan.pending:
            batch = None
            status = plan.status
            for at, sweep_kind, due, target in plan.pending:
                at += shift
                if at > now_us:
                    break
                if (at, sweep_kind) != batch:
                    batch = (at, sweep_kind)
                    version += 1
                updated = at
                sequence += 1
                due_iso = _iso_utc(due + shift) if due is not None else None
                events.append((case_id, sequence, sla_warning if sweep_kind == 0 else sla_breached,
                               fmt(at), status, status, dumps({"target": target, "due_at": due_iso}), None))
                if sweep_kind == 0:
                    warned_now[target] = at
                else:
                    breached_now[target] = at
                    if level < expert:
                        sequence += 1
                        events.append((case_id, sequence, escalated, fmt(at), status, status, dumps({
                            "reason": "sla_breach", "target": target, "from_level": level,
                            "to_level": level + 1}), None))
                        level += 1
        # Clocks: the derivation, shifted; running clocks are breached when now is past due.
        any_breached = False
        for clock in plan.clocks:
            due = clock.due + shift if clock.due is not None else None
            breached = clock.breached
            if clock.state == running_state or clock.state == paused_state:
                breached = due is not None and now_us > due if loader.record_sweeps else clock.breached
            warn_mark = clock.warn_mark + shift if clock.warn_mark is not None else warned_now.get(clock.target)
            breach_mark = (clock.breach_mark + shift if clock.breach_mark is not None
                           else breached_now.get(clock.target))
            if clock.target in breached_now:
                breached = True
            any_breached = any_breached or breached
            touched = max(clock.touched + shift, warned_now.get(clock.target, 0),
                          breached_now.get(clock.target, 0))
            clocks.append((
                _make_id(rng, opened), opened_s, fmt(touched), case_id, clock.target, clock.minutes,
                clock.state, fmt(clock.started + shift), fmt(due),
                fmt(clock.calendar_due + shift if clock.calendar_due is not None else None),
                fmt(clock.agreed_due + shift if clock.agreed_due is not None else None),
                clock.agreed_reason,
                fmt(clock.warn + shift if clock.warn is not None else None),
                fmt(clock.met + shift if clock.met is not None else None),
                fmt(clock.paused + shift if clock.paused is not None else None),
                breached, fmt(warn_mark), fmt(breach_mark), clock.elapsed,
            ))
        status = plan.status
        next_due = plan.next_due + shift if plan.next_due is not None else None
        queue_at = next_due if next_due is not None and status in OPEN_STATUSES else _QUEUE_END_US
        day_text = loader.local_day(opened)[1]
        cases.append((
            case_id, opened_s, fmt(updated), f"AS{day_text}-{sequence_number:06d}", channel, spec.category,
            spec.impact, spec.severity, title, rng.choice(DESCRIPTIONS), status, level, opened_s,
            fmt(plan.resolved_at + shift if plan.resolved_at is not None else None),
            fmt(plan.closed_at + shift if plan.closed_at is not None else None),
            fmt(next_due), fmt(queue_at), status in OPEN_STATUSES, any_breached, version, sequence, asset_id,
            spec.assignee[0] if spec.assignee else None, customer.contact, spec.contract_id, customer.pk,
            spec.policy.pk, reporter, site_id,
        ))
        for consent_at, note in plan.consents:
            consent_s = fmt(consent_at + shift)
            consents.append((_make_id(rng, consent_at + shift), consent_s, consent_s, case_id,
                             ConsentMethod.PHONE, note, customer.contact, agent))
    return {"case": cases, "event": events, "clock": clocks, "consent": consents}
