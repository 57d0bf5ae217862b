"""HTTP API of the reports (/api/v1/reports): the figures as JSON and the exports. Handlers
parse, call one selector, render."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Query, Router

from aftersales.reports import exports
from aftersales.reports.compliance import ComplianceReport
from aftersales.reports.schemas import (
    ComplianceOut,
    ComplianceQuery,
    DashboardOut,
    OperationsOut,
    OperationsQuery,
)
from aftersales.reports.selectors import (
    compliance_for_user,
    dashboard_for_user,
    operations_for_user,
)

router = Router(tags=["reports"])


def compliance_out(report: ComplianceReport) -> dict[str, Any]:
    contract = report.contract
    return {
        "contract_id": contract.pk, "contract_number": contract.number, "customer_name": contract.customer.name,
        "policy": contract.policy.code, "start": report.period.start, "end": report.period.end,
        "regions": report.regions, "cases": report.cases, "cases_breached": report.cases_breached,
        "breaches_total": report.breaches_total,
        "rows": [{**asdict(row), "met_percent": row.met_percent} for row in report.rows],
        "totals": report.totals, "breaches": report.breaches, "parts": report.parts,
        "inspections": report.inspections, "satisfaction": report.satisfaction, "complaints": report.complaints,
    }


def attachment(response: HttpResponse | StreamingHttpResponse, name: str) -> HttpResponse | StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _compliance(request: HttpRequest, query: ComplianceQuery) -> ComplianceReport:
    return compliance_for_user(user=request.user, contract_id=query.contract, start=query.start, end=query.end,
                               now=timezone.now())


@router.get("/compliance", response=ComplianceOut)
def report_compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> dict[str, Any]:
    return compliance_out(_compliance(request, query))


def compliance_file_name(report: ComplianceReport, extension: str) -> str:
    return f"compliance-{report.contract.number}-{report.period.start}-{report.period.end}.{extension}"


@router.get("/compliance.xlsx")
def report_compliance_xlsx(request: HttpRequest, query: Query[ComplianceQuery]) -> Any:
    report = _compliance(request, query)
    response = StreamingHttpResponse(exports.compliance_xlsx(report), content_type=exports.XLSX_TYPE)
    return attachment(response, compliance_file_name(report, "xlsx"))


@router.get("/compliance.pdf")
def report_compliance_pdf(request: HttpRequest, query: Query[ComplianceQuery]) -> Any:
    report = _compliance(request, query)
    return attachment(HttpResponse(exports.compliance_pdf(report), content_type="application/pdf"),
                      compliance_file_name(report, "pdf"))


def _operations(request: HttpRequest, query: OperationsQuery) -> dict[str, Any]:
    return operations_for_user(user=request.user, start=query.start, end=query.end, customer_id=query.customer,
                               now=timezone.now())


@router.get("/operations", response=OperationsOut)
def report_operations(request: HttpRequest, query: Query[OperationsQuery]) -> dict[str, Any]:
    figures = _operations(request, query)
    return {**figures, "start": figures["period"].start, "end": figures["period"].end}


@router.get("/operations.xlsx")
def report_operations_xlsx(request: HttpRequest, query: Query[OperationsQuery]) -> Any:
    figures = _operations(request, query)
    response = StreamingHttpResponse(exports.operations_xlsx(figures, figures["period"]),
                                     content_type=exports.XLSX_TYPE)
    return attachment(response, f"operations-{query.start}-{query.end}.xlsx")


@router.get("/operations.pdf")
def report_operations_pdf(request: HttpRequest, query: Query[OperationsQuery]) -> Any:
    figures = _operations(request, query)
    return attachment(HttpResponse(exports.operations_pdf(figures, figures["period"]),
                                   content_type="application/pdf"), f"operations-{query.start}-{query.end}.pdf")


@router.get("/dashboard", response=DashboardOut)
def report_dashboard(request: HttpRequest) -> dict[str, Any]:
    figures = dashboard_for_user(user=request.user, now=timezone.now())
    figures["at_risk"] = [{"case_id": c.pk, "number": c.number, "title": c.title, "severity": c.severity,
                           "customer_name": c.customer.name, "due_at": c.queue_at} for c in figures["at_risk"]]
    return figures
