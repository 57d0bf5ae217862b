"""Report pages (报表): the manager dashboard, the commitment-compliance report of a contract
and period, the operational reports; each report exportable to Excel (streamed) and PDF.

Managers, admins and dispatchers read them (reports.selectors.REPORT_ROLES; reports change
nothing); other staff get 403; customer users 404 (staff_only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.cases.models import ClockTarget
from aftersales.console.forms_reports import (
    ComplianceFilterForm,
    OperationsFilterForm,
    default_period,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.reports import charts, exports
from aftersales.reports.compliance import (
    ComplianceReport,
    complaint_lines,
    region_label,
    satisfaction_lines,
)
from aftersales.reports.operations import AGE_LABELS
from aftersales.reports.selectors import (
    can_read_reports,
    compliance_for_user,
    dashboard_for_user,
    operations_for_user,
)

EXPORT_FORMATS = ("xlsx", "pdf")


def _require_reader(request: HttpRequest) -> None:
    if not can_read_reports(request.user):
        raise PermissionDenied


def _refusal(form: Any, refused: DomainError) -> int:
    """A refusal of the selectors at its field (or above the form): the filters were invalid (422)."""
    show_refusal(form, refused)
    return 422


@login_required
@staff_only
def reports_home(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return HttpResponseRedirect(reverse("console:report-dashboard"))


@login_required
@staff_only
def dashboard_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    figures = dashboard_for_user(user=request.user, now=timezone.now())
    states = figures["clock_states"]
    state_labels = {"overdue": _("已超时"), "at_risk": _("4 小时内到期"), "on_track": _("正常"),
                    "not_running": _("暂停/无计时")}
    trend = figures["trend"]
    context = {
        "figures": figures,
        "states": [{"key": key, "label": state_labels[key], "count": states[key]} for key in state_labels],
        "states_chart": charts.pie(_("未结工单按时钟状态"), [(state_labels[k], states[k]) for k in state_labels],
                                   colors=(charts.BAD, charts.WARN, charts.GOOD, charts.MUTED)),
        "trend_chart": charts.line(_("近 30 天积压"), [d["day"].strftime("%m-%d") for d in trend],
                                   [(_("未结工单"), [d["open"] for d in trend])]),
        "faults_chart": charts.bars(_("近 7 天故障类别"), [f["name"] for f in figures["fault_classes"]],
                                    [(_("工单"), [f["cases"] for f in figures["fault_classes"]])], horizontal=True)
        if figures["fault_classes"] else None,
    }
    return render(request, "console/reports/dashboard.html", context)


def _compliance_form(request: HttpRequest) -> ComplianceFilterForm:
    data = request.GET if request.GET.get("contract") else None
    return ComplianceFilterForm(data, user=request.user, initial=default_period())


def _compliance(request: HttpRequest, form: ComplianceFilterForm) -> tuple[ComplianceReport | None, int]:
    if not form.is_bound:
        return None, 200
    if not form.is_valid():
        return None, 422
    data = form.cleaned_data
    try:
        return compliance_for_user(user=request.user, contract_id=data["contract"], start=data["start"],
                                   end=data["end"], now=timezone.now()), 200
    except DomainError as refused:
        return None, _refusal(form, refused)


@login_required
@staff_only
def compliance_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = _compliance_form(request)
    report, status = _compliance(request, form)
    context: dict[str, Any] = {"form": form, "report": report}
    if report is not None:
        totals = report.totals
        labels = [totals[t]["label"] for t in ClockTarget.values]
        opened = [sum(r.open for r in report.rows if r.target == t) for t in ClockTarget.values]
        context.update(
            rows=[{"row": row, "region": region_label(row.region)} for row in report.rows],
            chart=charts.bars(_("各项承诺目标的达成情况"), labels, [
                (_("达成"), [totals[t]["met"] for t in ClockTarget.values]),
                (_("超时"), [totals[t]["breached"] for t in ClockTarget.values]),
                (_("进行中"), opened)], stacked=True),
            query=request.GET.urlencode(),
            satisfaction=satisfaction_lines(report.satisfaction),
            complaints=complaint_lines(report.complaints),
        )
    return render(request, "console/reports/compliance.html", context, status=status)


def _format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return fmt


@login_required
@staff_only
def compliance_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _require_reader(request)
    _format(fmt)
    form = ComplianceFilterForm(request.GET, user=request.user)
    report, status = _compliance(request, form)
    if report is None:
        return render(request, "console/reports/compliance.html", {"form": form, "report": None},
                      status=status if status != 200 else 422)
    name = f"compliance-{report.contract.number}-{report.period.start}-{report.period.end}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = StreamingHttpResponse(exports.compliance_xlsx(report), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.compliance_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _operations(request: HttpRequest, form: OperationsFilterForm) -> tuple[dict[str, Any] | None, int]:
    if not form.is_valid():
        return None, 422
    data = form.cleaned_data
    try:
        return operations_for_user(user=request.user, start=data["start"], end=data["end"],
                                   customer_id=data["customer"] or None, now=timezone.now()), 200
    except DomainError as refused:
        return None, _refusal(form, refused)


@login_required
@staff_only
def operations_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = OperationsFilterForm(request.GET if request.GET.get("start") else default_period())
    figures, status = _operations(request, form)
    context: dict[str, Any] = {"form": form, "figures": figures}
    if figures is not None:
        backlog = figures["backlog"]
        ages = backlog["ages"]
        products = figures["fault_rates"]["products"][:10]
        workload = figures["workload"][:15]
        context.update(
            age_labels=[AGE_LABELS[a] for a in ages],
            backlog_rows=[{"label": r["label"], "ages": [r["ages"][a] for a in ages], "total": r["total"]}
                          for r in backlog["rows"]],
            backlog_chart=charts.bars(_("未结工单按状态与时长"), [AGE_LABELS[a] for a in ages],
                                      [(r["label"], [r["ages"][a] for a in ages]) for r in backlog["rows"]],
                                      stacked=True),
            products_chart=charts.bars(_("产品故障率（每台故障工单数）"), [p["label"] for p in products],
                                       [(_("每台故障数"), [p["rate"] for p in products])], horizontal=True)
            if products else None,
            workload_chart=charts.bars(_("工程师工作量"), [w["name"] for w in workload],
                                       [(_("已完工"), [w["done"] for w in workload]),
                                        (_("进行中"), [w["open"] for w in workload])], stacked=True)
            if workload else None,
            query=urlencode({"start": figures["period"].start.isoformat(), "end": figures["period"].end.isoformat(),
                             **({"customer": form.cleaned_data["customer"]} if form.cleaned_data["customer"] else {})}),
        )
    return render(request, "console/reports/operations.html", context, status=status)


@login_required
@staff_only
def operations_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _require_reader(request)
    _format(fmt)
    form = OperationsFilterForm(request.GET)
    figures, status = _operations(request, form)
    if figures is None:
        return render(request, "console/reports/operations.html", {"form": form, "figures": None}, status=status)
    period = figures["period"]
    name = f"operations-{period.start}-{period.end}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = StreamingHttpResponse(exports.operations_xlsx(figures, period), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.operations_pdf(figures, period), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
