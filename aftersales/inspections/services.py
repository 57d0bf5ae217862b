"""Inspection plans, generation of their occurrences and work orders, checklist results.

Generation runs in two steps, both safe with several schedulers and after any downtime:

1. `occurrences_plan` inserts one row per (plan, period start) up to a date, in bulk, with
   INSERT … ON CONFLICT DO NOTHING against the unique constraint: a period is planned once,
   a missed week is simply planned on the next run (catch-up), a racing scheduler inserts
   nothing. This step is cheap enough for a year of 10,000 daily plans (bench).
2. `occurrences_dispatch` opens the maintenance case and its `inspection` work order for each
   planned occurrence scheduled within the horizon, one occurrence per transaction: the row is
   taken under SELECT … FOR UPDATE SKIP LOCKED (another scheduler skips it) and claimed by a
   conditional UPDATE (status planned → scheduled), so a case and work order are made exactly
   once. Cases and work orders are thus created lazily, never a year ahead.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.assets.models import Asset
from aftersales.calendars.models import Calendar
from aftersales.calendars.services import business_calendar
from aftersales.cases.services import case_open
from aftersales.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.core.permissions import require_role
from aftersales.core.roles import Role
from aftersales.customers.models import Site
from aftersales.inspections.models import (
    SPECIAL_PLAN_KINDS,
    ChecklistItem,
    ChecklistTemplate,
    DayBasis,
    Frequency,
    InspectionItemResult,
    InspectionOccurrence,
    InspectionPlan,
    InspectionResult,
    ItemKind,
    OccurrenceStatus,
    PlanKind,
)
from aftersales.inspections.periods import plan_periods
from aftersales.inspections.selectors import get_occurrence_for_user, get_plan_for_user
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.roster.models import Team
from aftersales.workorders.models import WorkOrderKind, WorkOrderPhoto
from aftersales.workorders.services import work_order_create

logger = logging.getLogger(__name__)

PLANNING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})
INSPECTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.ENGINEER, Role.EXPERT})
DEFAULT_HORIZON_DAYS = 7
SQLITE_BATCH_ROWS = 2000
COPY_BATCH_ROWS = 50_000
PLANS_PER_TRANSACTION = 500


# --- checklist templates ---------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(_("必须是数字"), field=field) from None


@transaction.atomic
def checklist_template_create(*, actor: User, code: str, name: str,
                              items: list[dict[str, Any]]) -> ChecklistTemplate:
    """A template with its items in the given order; items: label, kind, expected_min/max,
    expected_text, unit, is_photo_required."""
    require_role(actor, PLANNING_ROLES, doing=_("维护检查表"))
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if not items:
        raise ValidationFailed(_("检查表至少要有一项"), field="items")
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise Conflict(_("代码“%(code)s”已存在") % {"code": code}, code="template_exists", field="code")
    template = ChecklistTemplate.objects.create(code=code, name=name.strip())
    rows = []
    for index, raw in enumerate(items):
        field = f"items[{index}]"
        label = str(raw.get("label") or "").strip()
        if not label:
            raise ValidationFailed(_("请填写检查项"), field=f"{field}.label")
        kind = raw.get("kind") or ItemKind.PASS_FAIL
        if kind not in ItemKind.values:
            raise ValidationFailed(_("未知的检查项类型"), field=f"{field}.kind")
        low = _decimal(raw.get("expected_min"), f"{field}.expected_min")
        high = _decimal(raw.get("expected_max"), f"{field}.expected_max")
        if low is not None and high is not None and low > high:
            raise ValidationFailed(_("下限不能大于上限"), field=f"{field}.expected_max")
        rows.append(ChecklistItem(
            template=template, position=index + 1, label=label, kind=kind, expected_min=low,
            expected_max=high, expected_text=str(raw.get("expected_text") or "")[:200],
            unit=str(raw.get("unit") or "")[:20], is_photo_required=bool(raw.get("is_photo_required")),
        ))
    ChecklistItem.objects.bulk_create(rows)
    return template


@transaction.atomic
def checklist_template_set_active(*, actor: User, code: str, is_active: bool) -> ChecklistTemplate:
    """Withdraw a template from new plans (or offer it again). Templates are never edited in place:
    results copy their items' labels, and plans that use a withdrawn template go on with it."""
    require_role(actor, PLANNING_ROLES, doing=_("维护检查表"))
    template = ChecklistTemplate.objects.select_for_update().filter(code=code).first()
    if template is None:
        raise NotFound(_("没有这个检查表模板"), code="template_not_found")
    if template.is_active == is_active:
        raise Conflict(_("检查表已是启用状态") if is_active else _("检查表已停用"), code="template_state",
                       field="is_active")
    template.is_active = is_active
    template.save(update_fields=["is_active", "updated_at"])
    return template


# --- plans -----------------------------------------------------------------------------------


def _plan_calendar(plan: InspectionPlan) -> Calendar | None:
    return plan.calendar if plan.calendar_id else plan.team.calendar


def _validate_schedule(*, frequency: str, interval_days: int | None, day_basis: str, kind: str,
                       starts_on: dt.date, ends_on: dt.date | None, calendar: Calendar | None) -> None:
    if frequency not in Frequency.values:
        raise ValidationFailed(_("未知的频率"), field="frequency")
    if frequency == Frequency.EVERY_N_DAYS and not (interval_days and interval_days >= 1):
        raise ValidationFailed(_("“每 N 天”须填写间隔天数"), field="interval_days")
    if day_basis not in DayBasis.values:
        raise ValidationFailed(_("未知的计日方式"), field="day_basis")
    if day_basis == DayBasis.WORKING and calendar is None:
        raise ValidationFailed(_("按工作日计划须有营业日历（计划或值班组的）"), field="calendar")
    if kind not in PlanKind.values:
        raise ValidationFailed(_("未知的计划类型"), field="kind")
    if kind in SPECIAL_PLAN_KINDS and ends_on is None:
        raise ValidationFailed(_("特殊时期计划须有结束日期"), field="ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期"), field="ends_on")


@transaction.atomic
def plan_create(
    *, actor: User, name: str, frequency: str, template_code: str, team_code: str,
    starts_on: dt.date, kind: str = PlanKind.REGULAR, site_id: Any = None, asset_id: Any = None,
    asset_ids: Iterable[Any] = (), interval_days: int | None = None,
    day_basis: str = DayBasis.CALENDAR, calendar_code: str | None = None, ends_on: dt.date | None = None,
) -> InspectionPlan:
    """A plan for one site, one asset or a group of assets of one customer."""
    require_role(actor, PLANNING_ROLES, doing=_("维护巡检计划"))
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    group = list(dict.fromkeys(asset_ids))
    targets = sum(1 for given in (site_id, asset_id, group) if given)
    if targets != 1:
        raise ValidationFailed(_("请选择一个站点、一台设备或一组设备"), field="site_id")
    site = asset = None
    members: list[Asset] = []
    if site_id:
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            raise ValidationFailed(_("没有这个站点"), field="site_id")
        customer_id = site.customer_id
    elif asset_id:
        asset = Asset.objects.filter(pk=asset_id).first()
        if asset is None:
            raise ValidationFailed(_("没有这台设备"), field="asset_id")
        customer_id, site = asset.customer_id, asset.site
    else:
        members = list(Asset.objects.filter(pk__in=group))
        if len(members) != len(group):
            raise ValidationFailed(_("设备组中有不存在的设备"), field="asset_ids")
        if len({m.customer_id for m in members}) != 1:
            raise ValidationFailed(_("设备组须属于同一客户"), field="asset_ids")
        customer_id = members[0].customer_id
        sites = {m.site_id for m in members}
        site = members[0].site if len(sites) == 1 else None
    template = ChecklistTemplate.objects.filter(code=template_code, is_active=True).first()
    if template is None:
        raise ValidationFailed(_("没有这个检查表模板"), field="template")
    team = Team.objects.select_related("calendar").filter(code=team_code, is_active=True).first()
    if team is None:
        raise ValidationFailed(_("没有这个值班组"), field="team")
    calendar = None
    if calendar_code:
        calendar = Calendar.objects.filter(code=calendar_code).first()
        if calendar is None:
            raise ValidationFailed(_("没有这个营业日历"), field="calendar")
    _validate_schedule(frequency=frequency, interval_days=interval_days, day_basis=day_basis, kind=kind,
                       starts_on=starts_on, ends_on=ends_on, calendar=calendar or team.calendar)
    plan = InspectionPlan.objects.create(
        name=name.strip(), kind=kind, customer_id=customer_id, site=site, asset=asset, frequency=frequency,
        interval_days=interval_days if frequency == Frequency.EVERY_N_DAYS else None, day_basis=day_basis,
        calendar=calendar, template=template, team=team, starts_on=starts_on, ends_on=ends_on,
        created_by=actor,
    )
    if members:
        plan.assets.set(members)
    return plan


def plan_update(
    *, actor: User, plan_id: Any, expected_version: int | None = None, name: str | None = None,
    template_code: str | None = None, team_code: str | None = None, ends_on: dt.date | None = None,
    is_active: bool | None = None, now: dt.datetime | None = None,
) -> InspectionPlan:
    """Change what a plan does from now on. Ending it earlier or deactivating it cancels its
    occurrences not yet dispatched after that; reactivating an active plan is a Conflict."""
    require_role(actor, PLANNING_ROLES, doing=_("维护巡检计划"))
    get_plan_for_user(actor, plan_id)
    now = now or timezone.now()
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update(of=("self",)).select_related("team").get(pk=plan_id)
        if expected_version is not None and expected_version != plan.version:
            raise PreconditionFailed(_("计划已被他人修改，请刷新后重试"), field="version")
        if is_active is not None and is_active == plan.is_active:
            raise Conflict(_("计划已是启用状态") if is_active else _("计划已停用"), code="plan_state",
                           field="is_active")
        if name is not None:
            if not name.strip():
                raise ValidationFailed(_("请填写名称"), field="name")
            plan.name = name.strip()
        if template_code is not None:
            template = ChecklistTemplate.objects.filter(code=template_code, is_active=True).first()
            if template is None:
                raise ValidationFailed(_("没有这个检查表模板"), field="template")
            plan.template = template
        if team_code is not None:
            team = Team.objects.filter(code=team_code, is_active=True).first()
            if team is None:
                raise ValidationFailed(_("没有这个值班组"), field="team")
            plan.team = team
        if ends_on is not None:
            if ends_on < plan.starts_on:
                raise ValidationFailed(_("结束日期不能早于开始日期"), field="ends_on")
            plan.ends_on = ends_on
        if is_active is not None:
            plan.is_active = is_active
        plan.version += 1
        plan.save()
        pending = InspectionOccurrence.objects.filter(plan=plan, status=OccurrenceStatus.PLANNED)
        if not plan.is_active:
            pending.update(status=OccurrenceStatus.CANCELLED, updated_at=now)
        elif plan.ends_on is not None:
            pending.filter(period_start__gt=plan.ends_on).update(status=OccurrenceStatus.CANCELLED, updated_at=now)
    return plan


# --- generation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Adapters:
    zone: ZoneInfo
    is_working: Any


def _adapters(plan: InspectionPlan) -> _Adapters:
    calendar = _plan_calendar(plan)
    value = business_calendar(calendar) if calendar is not None else None
    zone = value.timezone if value is not None else ZoneInfo(str(timezone.get_default_timezone()))
    is_working = None
    if plan.day_basis == DayBasis.WORKING and value is not None:
        is_working = lambda day, v=value: bool(v.hours_on(day))  # noqa: E731
    return _Adapters(zone=zone, is_working=is_working)


def _end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def _time_ordered_ids() -> Iterator[str]:
    """UUIDv7-style ids (RFC 9562: milliseconds, then a counter from a random start), as hex.
    Random ids would scatter millions of inserts over the whole primary-key index; these append."""
    millis = time.time_ns() // 1_000_000
    prefix = (millis << 80) | (0x7 << 76) | (secrets.randbits(12) << 64) | (0b10 << 62)
    counter = secrets.randbits(40)
    while True:
        counter += 1
        yield f"{prefix | counter:032x}"


def _insert_values(cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING; returns the rows inserted."""
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(rows))} "  # noqa: S608
           "ON CONFLICT (plan_id, period_start) DO NOTHING")
    cursor.execute(sql, [value for values in rows for value in values])
    return max(int(cursor.rowcount), 0)


def _insert_copied(cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT DO NOTHING
    (binding millions of parameters costs more than the database's work)."""
    names = ", ".join(columns)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS inspection_occurrence_load "  # noqa: S608
                   f"ON COMMIT DELETE ROWS AS SELECT {names} FROM {table} WITH NO DATA")
    with cursor.cursor.copy(f"COPY inspection_occurrence_load ({names}) FROM STDIN") as copy:
        # The values are already text without tabs or backslashes (see occurrences_plan).
        for start in range(0, len(rows), 10_000):
            copy.write("".join("\t".join(values) + "\n" for values in rows[start:start + 10_000]))
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM inspection_occurrence_load "  # noqa: S608
                   "ON CONFLICT (plan_id, period_start) DO NOTHING")
    count = max(int(cursor.rowcount), 0)
    cursor.execute("TRUNCATE inspection_occurrence_load")
    return count


def occurrences_plan(*, through: dt.date, plans: Iterable[InspectionPlan] | None = None) -> int:
    """Insert the occurrences of every active plan with a period start up to `through`;
    existing ones are left alone (ON CONFLICT DO NOTHING). Returns rows inserted."""
    if plans is None:
        plans = InspectionPlan.objects.filter(is_active=True).select_related("team__calendar", "calendar")
    table = InspectionOccurrence._meta.db_table
    columns = ("id", "created_at", "updated_at", "plan_id", "period_start", "scheduled_on", "due_at", "status",
               "dispatch_error")
    ops = connection.ops
    is_sqlite = connection.vendor == "sqlite"
    # Values as the database takes them; for PostgreSQL's COPY, as text.
    adapt_date = ops.adapt_datefield_value if is_sqlite else dt.date.isoformat
    adapt_datetime = ops.adapt_datetimefield_value if is_sqlite else dt.datetime.isoformat
    now_value = adapt_datetime(timezone.now())
    adapted_dates: dict[dt.date, Any] = {}
    adapted_due: dict[tuple[dt.date, str], Any] = {}
    planned = OccurrenceStatus.PLANNED.value

    def uuid_value(value: uuid.UUID) -> Any:
        return value.hex if is_sqlite else str(value)

    ids = _time_ordered_ids()

    def date_value(day: dt.date) -> Any:
        found = adapted_dates.get(day)
        if found is None:
            found = adapted_dates[day] = adapt_date(day)
        return found

    inserted = 0
    batch: list[tuple[Any, ...]] = []
    # SQLite: multi-row INSERTs under its parameter limit; PostgreSQL: COPY, whose batches
    # may be as large as memory allows.
    batch_rows = SQLITE_BATCH_ROWS if is_sqlite else COPY_BATCH_ROWS

    def flush() -> int:
        if not batch:
            return 0
        with connection.cursor() as cursor:
            if is_sqlite:
                count = _insert_values(cursor, table, columns, batch)
            else:
                count = _insert_copied(cursor, table, columns, batch)
        batch.clear()
        return count

    def advance(cursor_moves: dict[dt.date, list[Any]]) -> None:
        # Only forward: a slower scheduler never moves a plan's cursor back.
        for last, plan_ids in cursor_moves.items():
            InspectionPlan.objects.filter(pk__in=plan_ids).exclude(planned_through__gte=last).update(
                planned_through=last)

    active = [plan for plan in plans if plan.is_active]
    # A transaction per chunk of plans: few commits (fast), and a crash loses at most a chunk,
    # which the next run inserts again.
    for chunk_start in range(0, len(active), PLANS_PER_TRANSACTION):
        moves: dict[dt.date, list[Any]] = {}
        with transaction.atomic():
            for plan in active[chunk_start:chunk_start + PLANS_PER_TRANSACTION]:
                limit = min(through, plan.ends_on) if plan.ends_on else through
                adapters = _adapters(plan)
                periods = plan_periods(
                    frequency=plan.frequency, interval_days=plan.interval_days, starts_on=plan.starts_on,
                    ends_on=plan.ends_on, is_working=adapters.is_working, after=plan.planned_through,
                    through=limit,
                )
                if not periods:
                    continue
                plan_value = uuid_value(plan.pk)
                zone_key = str(adapters.zone)
                for period in periods:
                    key = (period.due_on, zone_key)
                    due = adapted_due.get(key)
                    if due is None:
                        due = adapted_due[key] = adapt_datetime(_end_of_day(period.due_on, adapters.zone))
                    batch.append((next(ids), now_value, now_value, plan_value,
                                  date_value(period.start), date_value(period.scheduled_on), due,
                                  planned, ""))
                    if len(batch) >= batch_rows:
                        inserted += flush()
                moves.setdefault(periods[-1].start, []).append(plan.pk)
            inserted += flush()
            advance(moves)
    return inserted


def _scheduled_for(occurrence: InspectionOccurrence, plan: InspectionPlan) -> dt.datetime:
    calendar = _plan_calendar(plan)
    if calendar is not None:
        value = business_calendar(calendar)
        hours = value.hours_on(occurrence.scheduled_on)
        start_minute = hours[0][0] if hours else 9 * 60
        zone = value.timezone
    else:
        start_minute, zone = 9 * 60, ZoneInfo(str(timezone.get_default_timezone()))
    return dt.datetime.combine(occurrence.scheduled_on, dt.time(start_minute // 60, start_minute % 60), tzinfo=zone)


def _dispatch_one(occurrence: InspectionOccurrence, now: dt.datetime) -> None:
    """Open the plan period's maintenance case and its inspection work order. Caller holds the
    occurrence's row lock inside a transaction."""
    plan = InspectionPlan.objects.select_related("team__calendar", "calendar", "created_by").get(
        pk=occurrence.plan_id)
    claimed = InspectionOccurrence.objects.filter(pk=occurrence.pk, status=OccurrenceStatus.PLANNED).update(
        status=OccurrenceStatus.SCHEDULED, updated_at=now)
    if claimed != 1:
        return
    title = _("巡检：%(plan)s（%(day)s）") % {"plan": plan.name, "day": occurrence.scheduled_on.isoformat()}
    case, _created = case_open(
        actor=plan.created_by, customer_id=plan.customer_id, channel="inspection", category="maintenance",
        title=title, impact="none", site_id=plan.site_id, asset_id=plan.asset_id, now=now,
        description=_("巡检计划“%(plan)s”，检查表“%(template)s”，值班组“%(team)s”，截止 %(due)s") % {
            "plan": plan.name, "template": plan.template.name, "team": plan.team.name,
            "due": timezone.localtime(occurrence.due_at).strftime("%Y-%m-%d %H:%M")},
    )
    work_order, _created = work_order_create(
        actor=plan.created_by, case_id=case.pk, kind=WorkOrderKind.INSPECTION,
        scheduled_for=_scheduled_for(occurrence, plan), summary=title, now=now,
    )
    InspectionOccurrence.objects.filter(pk=occurrence.pk).update(
        case=case, work_order=work_order, dispatch_error="", updated_at=now)


def occurrences_dispatch(*, now: dt.datetime | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS,
                         limit: int = 500) -> int:
    """Create the case and work order of planned occurrences due to start within the horizon,
    oldest first (a catch-up after downtime included). Returns the number dispatched."""
    now = now or timezone.now()
    last_day = timezone.localdate(now) + dt.timedelta(days=horizon_days)
    failed: list[Any] = []
    dispatched = 0
    while dispatched + len(failed) < limit:
        with transaction.atomic():
            occurrence = (
                InspectionOccurrence.objects.select_for_update(skip_locked=True)
                .filter(status=OccurrenceStatus.PLANNED, scheduled_on__lte=last_day, plan__is_active=True)
                .exclude(pk__in=failed).order_by("scheduled_on", "id").first()
            )
            if occurrence is None:
                return dispatched
            try:
                with transaction.atomic():
                    _dispatch_one(occurrence, now)
            except DomainError as error:
                # Left planned with the reason; the next run tries again.
                logger.warning("inspection occurrence %s not dispatched: %s", occurrence.pk, error.detail)
                failed.append(occurrence.pk)
                InspectionOccurrence.objects.filter(pk=occurrence.pk).update(
                    dispatch_error=str(error.detail)[:300], updated_at=now)
                continue
            dispatched += 1
    return dispatched


def inspections_generate(*, now: dt.datetime | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS) -> tuple[int, int]:
    """The scheduler's run: plan occurrences up to the horizon, then dispatch the due ones."""
    now = now or timezone.now()
    planned = occurrences_plan(through=timezone.localdate(now) + dt.timedelta(days=horizon_days))
    return planned, occurrences_dispatch(now=now, horizon_days=horizon_days)


# --- overdue ---------------------------------------------------------------------------------


def occurrences_flag_overdue(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Flag open occurrences past their due time, each once (conditional update), with one
    notification to the plan's author (outbox, deduplicated by key)."""
    now = now or timezone.now()
    flagged = 0
    candidates = list(
        InspectionOccurrence.objects.filter(status__in=[OccurrenceStatus.PLANNED, OccurrenceStatus.SCHEDULED],
                                            overdue_at__isnull=True, due_at__lte=now)
        .order_by("due_at").values_list("pk", flat=True)[:batch_size]
    )
    for pk in candidates:
        with transaction.atomic():
            if not InspectionOccurrence.objects.filter(pk=pk, overdue_at__isnull=True).update(
                    overdue_at=now, updated_at=now):
                continue
            occurrence = InspectionOccurrence.objects.select_related("plan__created_by", "work_order").get(pk=pk)
            plan = occurrence.plan
            subject = _("巡检超期：%(plan)s（%(day)s）") % {"plan": plan.name,
                                                       "day": occurrence.scheduled_on.isoformat()}
            body = _("巡检任务已超过截止时间 %(due)s 仍未完成。派工单：%(number)s") % {
                "due": timezone.localtime(occurrence.due_at).strftime("%Y-%m-%d %H:%M"),
                "number": occurrence.work_order.number if occurrence.work_order else "—"}
            outbox_enqueue(notifications=[Notification(key=f"inspection-overdue:{pk}",
                                                       recipient=plan.created_by.email, subject=subject, body=body)])
            flagged += 1
    return flagged


# --- execution -------------------------------------------------------------------------------


def _answer(item: ChecklistItem, raw: dict[str, Any], field: str) -> tuple[Decimal | None, str, bool]:
    """(number, text, passed) for one answered item."""
    value = raw.get("value")
    given = raw.get("is_passed")
    if given is not None and not isinstance(given, bool):
        raise ValidationFailed(_("合格与否须为 true 或 false"), field=f"{field}.is_passed")
    if item.kind == ItemKind.NUMBER:
        number = _decimal(value, f"{field}.value")
        if number is None:
            raise ValidationFailed(_("请填写数值"), field=f"{field}.value")
        in_range = (item.expected_min is None or number >= item.expected_min) and (
            item.expected_max is None or number <= item.expected_max)
        return number, "", in_range and given is not False
    if item.kind == ItemKind.TEXT:
        text = str(value or "").strip()
        if not text:
            raise ValidationFailed(_("请填写内容"), field=f"{field}.value")
        matches = not item.expected_text or text == item.expected_text
        return None, text[:500], matches and given is not False
    if given is None:
        raise ValidationFailed(_("请选择合格或不合格"), field=f"{field}.is_passed")
    return None, str(value or "")[:500], given


def inspection_submit(*, actor: User, occurrence_id: Any, items: list[dict[str, Any]], note: str = "",
                      now: dt.datetime | None = None) -> InspectionResult:
    """Record the filled checklist of a dispatched occurrence. Every item of the template is
    answered once; items with a required photo name one of the work order's photos. Each failed
    item opens a case (channel `inspection`) linked to its item result."""
    occurrence = get_occurrence_for_user(actor, occurrence_id)  # 404 before 403
    require_role(actor, INSPECTING_ROLES, doing=_("提交巡检记录"))
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = (InspectionOccurrence.objects.select_for_update(of=("self",))
                      .select_related("plan__template", "plan__created_by").get(pk=occurrence.pk))
        if occurrence.status != OccurrenceStatus.SCHEDULED:
            raise Conflict(
                _("巡检任务当前为“%(status)s”，不能提交") % {"status": OccurrenceStatus(occurrence.status).label},
                code="occurrence_not_scheduled",
            )
        plan = occurrence.plan
        template_items = {str(i.pk): i for i in plan.template.items.all()}
        answers: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, raw in enumerate(items):
            key = str(raw.get("item_id"))
            if key not in template_items:
                raise ValidationFailed(_("检查表中没有这一项"), field=f"items[{index}].item_id")
            if key in answers:
                raise ValidationFailed(_("检查项重复"), field=f"items[{index}].item_id")
            answers[key] = (index, raw)
        missing = [i.label for k, i in template_items.items() if k not in answers]
        if missing:
            raise ValidationFailed(_("还有未填写的检查项：%(items)s") % {"items": "、".join(missing)}, field="items")
        result = InspectionResult.objects.create(occurrence=occurrence, submitted_by=actor, submitted_at=now,
                                                 is_passed=True, note=note.strip())
        rows: list[InspectionItemResult] = []
        for key, (index, raw) in sorted(answers.items(), key=lambda pair: template_items[pair[0]].position):
            item, field = template_items[key], f"items[{index}]"
            number, text, passed = _answer(item, raw, field)
            photo = None
            if raw.get("photo_id"):
                photo = WorkOrderPhoto.objects.filter(pk=raw["photo_id"], work_order_id=occurrence.work_order_id).first() \
                    if _is_uuid(raw["photo_id"]) else None
                if photo is None:
                    raise ValidationFailed(_("照片不属于本次巡检的派工单"), field=f"{field}.photo_id")
            if item.is_photo_required and photo is None:
                raise ValidationFailed(_("此检查项须拍照"), field=f"{field}.photo_id")
            rows.append(InspectionItemResult(
                result=result, item=item, position=item.position, label=item.label, value_number=number,
                value_text=text, is_passed=passed, note=str(raw.get("note") or "").strip(), photo=photo,
            ))
        for row in rows:
            if not row.is_passed:
                row.case, _created = case_open(
                    actor=actor, customer_id=plan.customer_id, channel="inspection", category="fault",
                    title=_("巡检发现：%(item)s（%(plan)s）") % {"item": row.label, "plan": plan.name},
                    description=_("检查项“%(item)s”不合格。记录值：%(value)s。备注：%(note)s") % {
                        "item": row.label,
                        "value": row.value_number if row.value_number is not None else (row.value_text or "—"),
                        "note": row.note or "—"},
                    impact="limited", site_id=plan.site_id, asset_id=plan.asset_id, now=now,
                )
        InspectionItemResult.objects.bulk_create(rows)
        result.is_passed = all(row.is_passed for row in rows)
        result.save(update_fields=["is_passed", "updated_at"])
        InspectionOccurrence.objects.filter(pk=occurrence.pk).update(
            status=OccurrenceStatus.COMPLETED, completed_at=now, updated_at=now)
    return result


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
