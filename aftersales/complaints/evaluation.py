"""The service-quality evaluation (服务质量评价) of a team or technician over a period: the
figures and the score with its parts. Reads only; `services.evaluations_snapshot` stores them.

Attribution: a technician answers for the cases assigned to them, the work orders they did and
the complaints naming them; a team for those of its technicians (their profile's team) and the
complaints naming the team.

Score (0–100) = 100 × Σ(weight × part) / Σ(weight of the parts that have data), with
- SLA part = met ÷ (met + breached) of the clocks due in the period that are decided (met, or
  breached — also breached clocks still running), weight 0.5;
- satisfaction part = (average − 1) ÷ 4 of the 1–5 ratings of the surveys sent in the period
  about the subject's cases (by the case's assignee), weight 0.3;
- complaint part = max(0, 1 − 0.25 × complaints in the period), weight 0.2.
A part without data (no clock due, no survey answered) is left out and the others re-weighted;
work orders done are shown as volume but do not enter the score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.cases.models import CaseClock, ClockState
from aftersales.complaints.models import Complaint, SubjectKind
from aftersales.roster.models import Team, Technician
from aftersales.surveys.selectors import satisfaction_summary
from aftersales.workorders.models import WorkOrder

WEIGHTS = {"sla": Decimal("0.5"), "satisfaction": Decimal("0.3"), "complaints": Decimal("0.2")}
COMPLAINT_PENALTY = Decimal("0.25")


@dataclass(frozen=True)
class Subject:
    kind: str
    key: str
    name: str
    team_id: Any = None
    technician_id: Any = None


@dataclass(frozen=True)
class Figures:
    clocks_met: int
    clocks_breached: int
    work_orders_done: int
    complaints: int
    satisfaction_average: Decimal | None
    satisfaction_responses: int
    score: Decimal | None
    parts: dict[str, Any]
    note: str

    @property
    def sla_rate(self) -> Decimal | None:
        decided = self.clocks_met + self.clocks_breached
        return _ratio(self.clocks_met, decided) if decided else None


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month holding `day`: (first day, first day of the next month)."""
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def team_subject(team: Team) -> Subject:
    return Subject(kind=SubjectKind.TEAM, key=f"team:{team.pk}", name=team.name, team_id=team.pk)


def technician_subject(profile: Technician) -> Subject:
    user = profile.user
    name = user.get_full_name() or user.username
    return Subject(kind=SubjectKind.TECHNICIAN, key=f"technician:{user.pk}", name=name, technician_id=user.pk)


def evaluation_subjects() -> list[Subject]:
    """Every active team and every active technician (with a profile)."""
    teams = [team_subject(team) for team in Team.objects.filter(is_active=True).order_by("code")]
    technicians = [technician_subject(p) for p in
                   Technician.objects.select_related("user").filter(is_active=True, user__is_active=True)
                   .order_by("user__username")]
    return [*teams, *technicians]


def _satisfaction(subject: Subject, start: dt.date, end: dt.date) -> tuple[Decimal | None, int]:
    """(average 1–5, answered surveys) of the surveys sent in the period about the subject's
    cases. The summary's `end` is inclusive (whole local days), ours exclusive."""
    if subject.kind == SubjectKind.TEAM:
        found = satisfaction_summary(team_id=subject.team_id, start=start, end=end - dt.timedelta(days=1))
    else:
        found = satisfaction_summary(technician_id=subject.technician_id, start=start,
                                     end=end - dt.timedelta(days=1))
    average = found["overall_average"]
    if average is None:
        return None, 0
    return Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP), int(found["answered"])


def score_parts(*, clocks_met: int, clocks_breached: int, complaints: int,
                satisfaction_average: Decimal | None) -> tuple[Decimal | None, dict[str, Any]]:
    """The score and its parts: {name: {"value": 0–1 or None, "weight", "points"}}."""
    decided = clocks_met + clocks_breached
    values: dict[str, Decimal | None] = {
        "sla": _ratio(clocks_met, decided) if decided else None,
        "satisfaction": ((satisfaction_average - 1) / 4).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if satisfaction_average is not None else None,
        "complaints": max(Decimal(0), 1 - COMPLAINT_PENALTY * complaints),
    }
    weight_sum = sum((WEIGHTS[name] for name, value in values.items() if value is not None), Decimal(0))
    parts: dict[str, Any] = {}
    total = Decimal(0)
    for name, value in values.items():
        points = (100 * WEIGHTS[name] * value / weight_sum).quantize(Decimal("0.1"), ROUND_HALF_UP) \
            if value is not None and weight_sum else None
        total += points or 0
        parts[name] = {"value": str(value) if value is not None else None, "weight": str(WEIGHTS[name]),
                       "points": str(points) if points is not None else None}
    score = total.quantize(Decimal("0.1"), ROUND_HALF_UP) if weight_sum else None
    return score, parts


def evaluation_figures(*, subject: Subject, start: dt.date, end: dt.date) -> Figures:
    """The subject's figures over [start, end) (local dates) and its score."""
    since, until = local_midnight(start), local_midnight(end)
    if subject.kind == SubjectKind.TECHNICIAN:
        case_filter = Q(case__assignee_id=subject.technician_id)
        work_filter = Q(technician_id=subject.technician_id)
        complaint_filter = Q(subject_technician_id=subject.technician_id)
    else:
        case_filter = Q(case__assignee__technician_profile__team_id=subject.team_id)
        work_filter = Q(technician__technician_profile__team_id=subject.team_id)
        complaint_filter = Q(subject_team_id=subject.team_id) | Q(
            subject_technician__technician_profile__team_id=subject.team_id)
    clocks = CaseClock.objects.filter(case_filter, due_at__gte=since, due_at__lt=until).filter(
        Q(state=ClockState.MET) | Q(is_breached=True))
    breached = clocks.filter(is_breached=True).count()
    met = clocks.filter(is_breached=False).count()
    work_orders = WorkOrder.objects.filter(work_filter, work_done_at__gte=since, work_done_at__lt=until).count()
    complaints = (Complaint.objects.filter(complaint_filter, filed_at__gte=since, filed_at__lt=until)
                  .values("pk").distinct().count())
    average, responses = _satisfaction(subject, start, end)
    score, parts = score_parts(clocks_met=met, clocks_breached=breached, complaints=complaints,
                               satisfaction_average=average)
    left_out = [text for missing, text in (
        (met + breached == 0, _("本期没有到期的时效，时效项不计入得分")),
        (average is None, _("本期没有已答复的满意度调查，满意度项不计入得分")),
    ) if missing]
    return Figures(clocks_met=met, clocks_breached=breached, work_orders_done=work_orders, complaints=complaints,
                   satisfaction_average=average, satisfaction_responses=responses, score=score, parts=parts,
                   note="；".join(left_out))
