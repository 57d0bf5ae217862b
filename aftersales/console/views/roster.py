"""The duty roster pages (值班): who is on duty, each team's week of shifts with its gaps, and the
technicians. Dispatchers, managers and admins change shifts; the other staff roles read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.forms_roster import (
    OnDutyFilterForm,
    ShiftAddForm,
    TechnicianFilterForm,
    WeekForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import flash_refusal
from aftersales.core.errors import DomainError
from aftersales.core.roles import STAFF_ROLES, Role
from aftersales.roster import selectors, services
from aftersales.roster.api import ROSTER_ROLES
from aftersales.roster.models import ShiftKind, Team

# Everyone on the staff asks who is on duty; the roster itself is for the people on it and
# those who plan it; only the planners (the same roles as the API's) change it.
ON_DUTY_ROLES = STAFF_ROLES
ROSTER_READ_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER, Role.EXPERT})
ROSTER_EDIT_ROLES = ROSTER_ROLES
GAP_DAYS = 14
WEEK = 7

TABS = (
    ("console:roster-on-duty", gettext_lazy("当前值班"), ON_DUTY_ROLES),
    ("console:roster-teams", gettext_lazy("值班组与排班"), ROSTER_READ_ROLES),
    ("console:roster-technicians", gettext_lazy("工程师"), ROSTER_READ_ROLES),
)


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    """A page of a role's menu only: other staff get the 404 the console gives for any page
    that is not theirs."""
    if getattr(request.user, "role", None) not in roles:
        raise Http404


def _may_edit(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in ROSTER_EDIT_ROLES


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    role = getattr(request.user, "role", None)
    return [{"url": reverse(name), "label": label, "active": name == current}
            for name, label, roles in TABS if role in roles]


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@staff_only
def on_duty_page(request: HttpRequest) -> HttpResponse:
    _require(request, ON_DUTY_ROLES)
    form = OnDutyFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    at = data.get("at") or timezone.now()
    kind = data.get("kind") or None
    people = selectors.on_duty(at=at, kind=kind)
    teams = [team for team in selectors.team_list().filter(is_active=True) if kind in (None, team.kind)]
    kinds = dict(ShiftKind.choices)
    rows = [{"team": team, "people": [{"duty": p, "kind": kinds.get(p.shift_kind, p.shift_kind)}
                                      for p in people if p.team_id == team.pk],
             "out_of_hours": selectors.is_out_of_hours(team=team, at=at)} for team in teams]
    return render(request, "console/roster/on_duty.html", {
        "form": form, "at": at, "rows": rows, "tabs": _tabs(request, "console:roster-on-duty"),
        "may_read_roster": getattr(request.user, "role", None) in ROSTER_READ_ROLES,
    })


@login_required
@staff_only
def team_list(request: HttpRequest) -> HttpResponse:
    _require(request, ROSTER_READ_ROLES)
    now = timezone.now()
    rows = []
    for team in selectors.team_list():
        gaps = selectors.roster_gaps(team=team, start=now, days=GAP_DAYS) if team.is_active else []
        rows.append({"team": team, "gaps": gaps, "first_gap": gaps[0] if gaps else None,
                     "gap_hours": round(sum(g.duration.total_seconds() for g in gaps) / 3600, 1)})
    return render(request, "console/roster/teams.html", {
        "rows": rows, "days": GAP_DAYS, "tabs": _tabs(request, "console:roster-teams"),
    })


def team_page_context(request: HttpRequest, team: Team, *, week: dt.date | None = None,
                      form: ShiftAddForm | None = None) -> dict[str, Any]:
    """The team's week (Monday to Sunday, local time), its shifts and gaps day by day, and the
    gaps of the next 14 days."""
    now = timezone.now()
    today = timezone.localdate(now)
    monday = (week or today) - dt.timedelta(days=(week or today).weekday())
    start, end = _local_midnight(monday), _local_midnight(monday + dt.timedelta(days=WEEK))
    shifts = selectors.shift_page(team=team, start=start, end=end, limit=1000)[:1000]
    week_gaps = selectors.gaps_between(team=team, start=start, end=end) if team.is_active else []
    may_edit = _may_edit(request)
    days = []
    for offset in range(WEEK):
        day = monday + dt.timedelta(days=offset)
        day_start, day_end = _local_midnight(day), _local_midnight(day + dt.timedelta(days=1))
        days.append({
            "date": day, "is_today": day == today,
            # Only a shift that has not ended can be removed (the service refuses the others).
            "shifts": [{"shift": s, "removable": may_edit and s.ends_at > now}
                       for s in shifts if s.starts_at < day_end and s.ends_at > day_start],
            # A gap over several days shows on each, as the part of it within the day.
            "gaps": [{"starts_at": max(g.starts_at, day_start), "ends_at": min(g.ends_at, day_end)}
                     for g in week_gaps if g.starts_at < day_end and g.ends_at > day_start],
        })
    return {
        "team": team, "days": days, "monday": monday, "sunday": monday + dt.timedelta(days=WEEK - 1),
        "previous_week": monday - dt.timedelta(days=WEEK), "next_week": monday + dt.timedelta(days=WEEK),
        "this_week": today - dt.timedelta(days=today.weekday()), "now": now,
        "gaps": selectors.roster_gaps(team=team, start=now, days=GAP_DAYS) if team.is_active else [],
        "gap_days": GAP_DAYS, "may_edit": may_edit,
        "form": (form or ShiftAddForm()) if may_edit else None,
        "tabs": _tabs(request, "console:roster-teams"),
    }


@login_required
@staff_only
def team_page(request: HttpRequest, team_code: str) -> HttpResponse:
    _require(request, ROSTER_READ_ROLES)
    team = selectors.get_team(team_code)
    form = WeekForm(request.GET or None)
    week = form.cleaned_data.get("week") if form.is_valid() else None
    return render(request, "console/roster/team.html", team_page_context(request, team, week=week))


@require_POST
@login_required
@staff_only
def shift_create(request: HttpRequest, team_code: str) -> HttpResponse:
    _require(request, ROSTER_READ_ROLES)
    if not _may_edit(request):
        raise PermissionDenied
    team = selectors.get_team(team_code)
    form = ShiftAddForm(request.POST)
    status = 422
    week = None
    if form.is_valid():
        data = form.cleaned_data
        week = timezone.localdate(data["starts_at"])  # the page shown again is the shift's week
        try:
            shift = services.shift_add(team=team, user_id=data["user"], starts_at=data["starts_at"],
                                       ends_at=data["ends_at"], kind=data["kind"], note=data["note"])
        except DomainError as refused:
            if refused.status == 404:
                raise
            status = refused.status
            field = (refused.field or "").removesuffix("_id")
            form.add_error(field if field in form.fields else None, refused.detail)
        else:
            messages.success(request, _("已添加班次：%(user)s %(start)s") % {
                "user": shift.user.username, "start": timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")})
            return HttpResponseRedirect(f"{reverse('console:roster-team', args=[team.code])}?week={week:%Y-%m-%d}")
    context = team_page_context(request, team, week=week, form=form)
    return render(request, "console/roster/team.html", context, status=status)


@require_POST
@login_required
@staff_only
def shift_delete(request: HttpRequest, team_code: str, shift_id: uuid.UUID) -> HttpResponse:
    _require(request, ROSTER_READ_ROLES)
    if not _may_edit(request):
        raise PermissionDenied
    team = selectors.get_team(team_code)
    form = WeekForm(request.POST)
    week = form.cleaned_data.get("week") if form.is_valid() else None
    try:
        services.shift_remove(shift_id=shift_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("已删除班次。"))
    url = reverse("console:roster-team", args=[team.code])
    return HttpResponseRedirect(f"{url}?week={week:%Y-%m-%d}" if week else url)


@login_required
@staff_only
def technician_list(request: HttpRequest) -> HttpResponse:
    _require(request, ROSTER_READ_ROLES)
    teams = list(selectors.team_list())
    form = TechnicianFilterForm(request.GET or None, teams=[(t.code, t.name) for t in teams])
    data = form.cleaned_data if form.is_valid() else {}
    team = next((t for t in teams if t.code == data.get("team")), None)
    technicians = selectors.technician_list(team=team, region=(data.get("region") or "").strip() or None)
    return render(request, "console/roster/technicians.html", {
        "form": form, "technicians": technicians[:500], "tabs": _tabs(request, "console:roster-technicians"),
    })
