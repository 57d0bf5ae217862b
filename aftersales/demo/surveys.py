"""Demo satisfaction surveys and return visits (满意度调查与定期回访, R13) for the diamond customer
(乌鲁木齐管理中心): three cases closed with the customer's consent in the last weeks — two
answered in the portal (one with a low score and the follow-up case it opened), one still
waiting — and a quarterly return-visit plan on its contract with a done visit, an overdue one
and the current quarter's. Everything goes through the cases and surveys services (closing a
case sends its survey through the status hook)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import Role, User
from aftersales.cases import services as cases
from aftersales.contracts.models import Contract
from aftersales.customers.models import Contact
from aftersales.surveys import periods, services
from aftersales.surveys.models import ReturnVisit, Survey, VisitStatus

# (title, days ago closed, answers or None for a survey still waiting)
CLOSED_CASES: list[tuple[str, float, dict[str, Any] | None]] = [
    ("乌鲁木齐北收费站 ETC 车道交易成功率下降", 12, {
        "response_speed": 5, "professionalism": 5, "result": 4, "attitude": 5,
        "comments": "工程师到场及时，处理专业，感谢！"}),
    ("天山胜利隧道监控画面间歇性黑屏", 6, {
        "response_speed": 2, "professionalism": 4, "result": 3, "attitude": 4,
        "comments": "夜间报修后等待时间较长，希望改进夜间响应。"}),
    ("昌吉收费站 UPS 电池告警", 1, None),
]


def _close(agent: User, engineer: User, contract: Contract, contact: Contact | None, title: str,
           at: dt.datetime) -> Any:
    case, _created = cases.case_open(
        actor=agent, customer_id=contract.customer_id, channel="phone", category="fault", title=title,
        impact="limited", contact_id=contact.pk if contact else None, assignee_id=engineer.pk, now=at,
    )
    cases.case_resolve(actor=engineer, case_id=case.pk, resolution="现场排查并处理，设备恢复正常。",
                       now=at + dt.timedelta(minutes=20))
    cases.case_confirm_closure(actor=agent, case_id=case.pk, contact_id=contact.pk if contact else None,
                               note="客户电话确认问题已解决，同意关闭。", now=at + dt.timedelta(minutes=25))
    return case


def load_surveys(*, staff: dict[str, User]) -> None:
    contract = (Contract.objects.select_related("customer").filter(tier__code="diamond")
                .order_by("starts_on", "number").first())
    if contract is None:
        return
    agent, engineer, manager = staff["agent"], staff["engineer"], staff["manager"]
    contact = Contact.objects.filter(customer_id=contract.customer_id).order_by("-is_primary", "name").first()
    customer_user = User.objects.filter(customer_id=contract.customer_id, role=Role.CUSTOMER,
                                        is_active=True).order_by("username").first()
    now = timezone.now()
    for title, days_ago, answers in CLOSED_CASES:
        closed_at = now - dt.timedelta(days=days_ago)
        case = _close(agent, engineer, contract, contact, title, closed_at)
        survey = Survey.objects.filter(case=case).first()
        if survey is not None and answers is not None and customer_user is not None:
            services.survey_answer(actor=customer_user, survey_id=survey.pk, answers=answers,
                                   now=closed_at + dt.timedelta(hours=20))

    # Quarterly return visits since two quarters ago: the first done, the last quarter's
    # overdue, this quarter's due.
    today = timezone.localdate()
    this_quarter = periods.period_start("quarterly", today)
    first_quarter = periods.period_start("quarterly", this_quarter - dt.timedelta(days=100))
    plan = services.return_visit_plan_create(
        actor=manager, customer_id=contract.customer_id, contract_id=contract.pk, assignee_id=agent.pk,
        starts_on=first_quarter, note="钻石级客户：每季度电话回访机电科，了解设备运行与服务满意度。",
    )
    first = ReturnVisit.objects.filter(plan=plan, status=VisitStatus.DUE).order_by("period_start").first()
    if first is not None:
        services.return_visit_record(
            actor=agent, visit_id=first.pk, is_reached=True, satisfaction=5,
            notes="马科长反馈本季度设备运行稳定，对巡检和故障处理满意。",
            now=timezone.make_aware(dt.datetime.combine(periods.period_end("quarterly", first_quarter)
                                                        - dt.timedelta(days=10), dt.time(10, 30))),
        )
