"""Roster rules: teams, technicians' profiles, shifts, and the two alerts the roster owes
(gaps in the next two weeks to managers; out-of-hours P1/P2 cases to whoever is on duty).

The reads (`on_duty`, `roster_gaps`, ...) live in selectors and are re-exported here, so
callers that think of them as roster services find them here too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import STAFF_ROLES, Role, User
from aftersales.assets.models import Product
from aftersales.calendars.models import Calendar
from aftersales.cases.models import Case
from aftersales.contracts.models import Severity
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.lock_objects import lock_one
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.roster.models import (
    RosterAlertMark,
    Shift,
    ShiftKind,
    Team,
    TeamKind,
    Technician,
)
from aftersales.roster.selectors import Gap as Gap
from aftersales.roster.selectors import OnDuty as OnDuty
from aftersales.roster.selectors import TechnicianSkills as TechnicianSkills
from aftersales.roster.selectors import gaps_between, require_aware
from aftersales.roster.selectors import is_out_of_hours as is_out_of_hours
from aftersales.roster.selectors import on_duty as on_duty
from aftersales.roster.selectors import on_duty_user_ids as on_duty_user_ids
from aftersales.roster.selectors import roster_gaps as roster_gaps
from aftersales.roster.selectors import technicians_for as technicians_for

logger = logging.getLogger(__name__)

# Longer than a week-long on-call stint (Monday 09:00 to Monday 09:00), shorter than a typo
# of a month.
MAX_SHIFT = dt.timedelta(days=14)
GAP_HORIZON_DAYS = 14
# A gap already running when the daily check starts is found from its real start (up to a
# day back), so its dedupe key is the one the previous day's check used.
GAP_LOOKBACK = dt.timedelta(days=1)
OUT_OF_HOURS_MARK = "out_of_hours_cases"
# Cases are re-read this far behind the mark: a case whose transaction committed after the
# last scan began, with an earlier opened_at, is still seen. Dedupe keys absorb the overlap.
OUT_OF_HOURS_MARGIN = dt.timedelta(minutes=5)
# The first run ever looks back this far rather than over the whole history.
OUT_OF_HOURS_FIRST_LOOKBACK = dt.timedelta(minutes=15)
ALERTED_SEVERITIES = (Severity.P1, Severity.P2)
ALERTED_TEAM_KINDS = frozenset({TeamKind.HOTLINE, TeamKind.FIELD})


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _one_of(value: str, choices: Iterable[str], *, field: str, label: str) -> None:
    allowed = list(choices)
    if value not in allowed:
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": label, "choices": ", ".join(allowed)},
            field=field,
        )


# -- teams ---------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, code: str, name: str, kind: str, region: str = "", calendar_code: str | None = None
) -> Team:
    _one_of(kind, TeamKind.values, field="kind", label=_("类型"))
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    calendar = None
    if calendar_code:
        calendar = Calendar.objects.filter(code=calendar_code).first()
        if calendar is None:
            raise ValidationFailed(
                _("没有代码为“%(code)s”的工作日历") % {"code": calendar_code},
                code="calendar_not_found",
                field="calendar",
            )
    if Team.objects.filter(code=code).exists():
        raise Conflict(
            _("代码为“%(code)s”的值班组已存在") % {"code": code}, code="team_exists", field="code"
        )
    return Team.objects.create(
        code=code, name=name.strip(), kind=kind, region=region.strip(), calendar=calendar
    )


# -- technicians ---------------------------------------------------------------------------


def _staff_user(user_id: Any, *, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True, role__in=STAFF_ROLES).first()
    if user is None:
        raise ValidationFailed(_("须为在职的内部员工"), code="not_staff", field=field)
    return user


def _team_or_none(team_code: str | None) -> Team | None:
    if not team_code:
        return None
    team = Team.objects.filter(code=team_code).first()
    if team is None:
        raise ValidationFailed(
            _("没有代码为“%(code)s”的值班组") % {"code": team_code},
            code="team_not_found",
            field="team",
        )
    return team


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(_("须为数字"), field=field) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationFailed(
            _("须在 -%(limit)s 到 %(limit)s 之间") % {"limit": limit}, field=field
        )
    return number.quantize(Decimal("0.000001"))


def _products(product_ids: Iterable[Any]) -> list[Product]:
    wanted = list(dict.fromkeys(product_ids))
    products = list(Product.objects.filter(pk__in=wanted))
    if len(products) != len(wanted):
        raise ValidationFailed(_("有未知的产品"), code="product_not_found", field="product_ids")
    return products


def _categories(categories: Iterable[str]) -> list[str]:
    cleaned = sorted({str(c).strip() for c in categories if str(c).strip()})
    if any(len(c) > 100 for c in cleaned):
        raise ValidationFailed(_("产品类别最长 100 个字符"), field="product_categories")
    return cleaned


def _max_work_orders(value: int | None) -> int:
    if value is None or not 1 <= value <= 100:
        raise ValidationFailed(_("须在 1 到 100 之间"), field="max_concurrent_work_orders")
    return value


@transaction.atomic
def technician_create(
    *,
    user_id: Any,
    team_code: str | None = None,
    region: str = "",
    base_latitude: Any = None,
    base_longitude: Any = None,
    product_ids: Iterable[Any] = (),
    product_categories: Iterable[str] = (),
    max_concurrent_work_orders: int = 5,
    is_active: bool = True,
) -> Technician:
    user = _staff_user(user_id, field="user_id")
    team = _team_or_none(team_code)
    latitude = _coordinate(base_latitude, field="base_latitude", limit=90)
    longitude = _coordinate(base_longitude, field="base_longitude", limit=180)
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_("经纬度须同时填写或同时留空"), field="base_longitude")
    products = _products(product_ids)
    if Technician.objects.filter(user=user).exists():
        raise Conflict(_("该用户已有工程师档案"), code="technician_exists", field="user_id")
    technician = Technician.objects.create(
        user=user,
        team=team,
        region=region.strip(),
        base_latitude=latitude,
        base_longitude=longitude,
        product_categories=_categories(product_categories),
        max_concurrent_work_orders=_max_work_orders(max_concurrent_work_orders),
        is_active=is_active,
    )
    technician.products.set(products)
    return technician


TECHNICIAN_FIELDS = frozenset(
    {
        "team",
        "region",
        "base_latitude",
        "base_longitude",
        "product_ids",
        "product_categories",
        "max_concurrent_work_orders",
        "is_active",
    }
)


@transaction.atomic
def technician_update(*, technician_id: Any, changes: Mapping[str, Any]) -> Technician:
    """Change the given fields only; `team` is a team code (None or "" removes the team)."""
    unknown = set(changes) - TECHNICIAN_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(_("不能修改该字段"), field=field)
    technician = Technician.objects.select_for_update().filter(pk=technician_id).first()
    if technician is None:
        raise NotFound(_("未找到该工程师档案"), code="technician_not_found")
    if "team" in changes:
        technician.team = _team_or_none(changes["team"])
    if "region" in changes:
        technician.region = str(changes["region"] or "").strip()
    if "base_latitude" in changes:
        technician.base_latitude = _coordinate(
            changes["base_latitude"], field="base_latitude", limit=90
        )
    if "base_longitude" in changes:
        technician.base_longitude = _coordinate(
            changes["base_longitude"], field="base_longitude", limit=180
        )
    if (technician.base_latitude is None) != (technician.base_longitude is None):
        raise ValidationFailed(_("经纬度须同时填写或同时留空"), field="base_longitude")
    if "product_categories" in changes:
        technician.product_categories = _categories(changes["product_categories"] or ())
    if "max_concurrent_work_orders" in changes:
        technician.max_concurrent_work_orders = _max_work_orders(
            changes["max_concurrent_work_orders"]
        )
    if "is_active" in changes:
        if changes["is_active"] is None:  # null is no answer, not "inactive"
            raise ValidationFailed(_("须为 true 或 false"), field="is_active")
        technician.is_active = bool(changes["is_active"])
    technician.save()
    if "product_ids" in changes:
        technician.products.set(_products(changes["product_ids"] or ()))
    return technician


# -- shifts --------------------------------------------------------------------------------


@transaction.atomic
def shift_add(
    *,
    team: Team,
    user_id: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = ShiftKind.REGULAR,
    note: str = "",
) -> Shift:
    """Put a person on duty for a team. A person's shifts never overlap (409 names the one
    in the way); adjoining shifts (one ends when the next starts) are fine."""
    require_aware(starts_at, field="starts_at")
    require_aware(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), code="invalid_range", field="ends_at")
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationFailed(
            _("一个班次最长 %(days)s 天") % {"days": MAX_SHIFT.days},
            code="shift_too_long",
            field="ends_at",
        )
    _one_of(kind, ShiftKind.values, field="kind", label=_("班次类型"))
    if len(note) > 200:
        raise ValidationFailed(_("备注最长 200 个字符"), field="note")
    if not team.is_active:
        raise ValidationFailed(_("该值班组已停用"), code="team_inactive", field="team")
    user = _staff_user(user_id, field="user_id")
    # Serialises shift changes of one person, so two overlapping requests cannot both pass
    # the check below.
    lock_one(User.objects.all(), user.pk)
    clash = (
        Shift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("team")
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("与已有班次重叠：%(team)s %(start)s 至 %(end)s")
            % {
                "team": clash.team.name,
                "start": _local(clash.starts_at),
                "end": _local(clash.ends_at),
            },
            code="shift_overlap",
            field="starts_at",
        )
    return Shift.objects.create(
        team=team, user=user, starts_at=starts_at, ends_at=ends_at, kind=kind, note=note.strip()
    )


@transaction.atomic
def shift_remove(*, shift_id: Any, now: dt.datetime | None = None) -> None:
    """Remove a shift that has not ended; a finished one is history and stays."""
    now = now or timezone.now()
    try:
        shift = Shift.objects.select_for_update().get(pk=shift_id)
    except (Shift.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该班次"), code="shift_not_found") from None
    if shift.ends_at <= now:
        raise Conflict(_("已结束的班次不能删除"), code="shift_ended")
    shift.delete()


# -- alerts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapFlags:
    gaps: int
    notifications: int


def _managers() -> list[tuple[int, str]]:
    return list(
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("pk", "email")
    )


def _gap_notification(*, team: Team, gap: Gap, manager_id: int, email: str) -> Notification:
    values = {
        "team": team.name,
        "code": team.code,
        "start": _local(gap.starts_at),
        "end": _local(gap.ends_at),
    }
    return Notification(
        # By the gap's start: the horizon's end moves daily and only lengthens the last gap.
        key=f"roster:gap:{team.pk}:{gap.starts_at.timestamp():.0f}:{manager_id}",
        recipient=email,
        subject=_("【值班缺口】%(team)s %(start)s 至 %(end)s 无人值班") % values,
        body=_("值班组 %(team)s（%(code)s）在 %(start)s 至 %(end)s 没有安排值班人员，请补排班次。")
        % values,
    )


@transaction.atomic
def flag_roster_gaps(*, now: dt.datetime | None = None, days: int = GAP_HORIZON_DAYS) -> GapFlags:
    """Tell every manager about each gap in the active teams' rosters over the next `days`.

    Each gap is told once per manager (dedupe key), however often this runs; a gap that is
    still open more than a day after it began is told again, once a day.
    """
    now = now or timezone.now()
    managers = _managers()
    found = 0
    notifications: list[Notification] = []
    for team in Team.objects.filter(is_active=True).select_related("calendar").order_by("code"):
        gaps = [
            gap
            for gap in gaps_between(
                team=team, start=now - GAP_LOOKBACK, end=now + dt.timedelta(days=days)
            )
            if gap.ends_at > now
        ]
        found += len(gaps)
        notifications += [
            _gap_notification(team=team, gap=gap, manager_id=manager_id, email=email)
            for gap in gaps
            for manager_id, email in managers
        ]
    written = outbox_enqueue(notifications=notifications)
    logger.info("roster gaps: %d found, %d notifications offered", found, written)
    return GapFlags(gaps=found, notifications=written)


@dataclass(frozen=True)
class OutOfHoursAlerts:
    cases: int
    notifications: int


def _filed_out_of_hours(case: Case, hotline_teams: list[Team]) -> bool:
    """Out of hours when no hotline team was in its working hours; with no hotline team at
    all there are no hours to be out of."""
    return bool(hotline_teams) and all(
        is_out_of_hours(team=team, at=case.opened_at) for team in hotline_teams
    )


def _case_notification(
    *, case: Case, user_id: int, email: str, team_code: str | None
) -> Notification:
    values = {
        "number": case.number,
        "title": case.title,
        "severity": case.severity,
        "opened": _local(case.opened_at),
        "team": team_code or "",
    }
    ask = (
        _("您正在值班（%(team)s），请及时处理。") % values
        if team_code
        else _("当前无人值班，请立即安排人员处理。")
    )
    return Notification(
        key=f"roster:out-of-hours:{case.pk}:{user_id}",
        recipient=email,
        subject=_("【非工作时间 %(severity)s】%(number)s %(title)s") % values,
        body=_("工单 %(number)s（%(severity)s）于 %(opened)s 在非工作时间登记：%(title)s") % values
        + "\n"
        + ask,
    )


@transaction.atomic
def alert_out_of_hours_cases(*, now: dt.datetime | None = None) -> OutOfHoursAlerts:
    """Notify the on-duty hotline and field people of open P1/P2 cases filed out of the
    hotline's hours since the last run.

    Reads cases from the stored mark (less a safety margin) up to `now`, then moves the mark
    to `now`; the mark row is locked, so two runs never interleave. Who is told is who is on
    duty at `now` (the managers when nobody is); each person hears of a case once.
    """
    now = now or timezone.now()
    require_aware(now, field="now")
    mark, _created = RosterAlertMark.objects.select_for_update().get_or_create(
        name=OUT_OF_HOURS_MARK,
        defaults={"high_water_mark": now - OUT_OF_HOURS_FIRST_LOOKBACK},
    )
    since = mark.high_water_mark - OUT_OF_HOURS_MARGIN
    cases = list(
        Case.objects.filter(
            severity__in=ALERTED_SEVERITIES,
            in_queue=True,
            opened_at__gt=since,
            opened_at__lte=now,
        ).order_by("opened_at")
    )
    hotline_teams = list(
        Team.objects.filter(kind=TeamKind.HOTLINE, is_active=True).select_related("calendar")
    )
    alerted = [case for case in cases if _filed_out_of_hours(case, hotline_teams)]
    written = 0
    if alerted:
        duty = [d for d in on_duty(at=now) if d.team_kind in ALERTED_TEAM_KINDS]
        emails = dict(
            User.objects.filter(pk__in=[d.user_id for d in duty])
            .exclude(email="")
            .values_list("pk", "email")
        )
        recipients: list[tuple[int, str, str | None]] = [
            (d.user_id, emails[d.user_id], d.team_code) for d in duty if d.user_id in emails
        ]
        if not recipients:
            # Nobody on duty (a roster gap): the case must still reach someone who can act.
            logger.warning("out-of-hours cases with nobody on duty: %d", len(alerted))
            recipients = [(user_id, email, None) for user_id, email in _managers()]
        written = outbox_enqueue(
            notifications=[
                _case_notification(case=case, user_id=user_id, email=email, team_code=team_code)
                for case in alerted
                for user_id, email, team_code in recipients
            ]
        )
    if now > mark.high_water_mark:
        mark.high_water_mark = now
        mark.save(update_fields=["high_water_mark", "updated_at"])
    return OutOfHoursAlerts(cases=len(alerted), notifications=written)
