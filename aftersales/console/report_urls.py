"""Report pages (报表), under /console/reports/."""

from django.urls import path

from aftersales.console.views import reports

urlpatterns = [
    path("", reports.reports_home, name="reports"),
    path("dashboard/", reports.dashboard_page, name="report-dashboard"),
    path("compliance/", reports.compliance_page, name="report-compliance"),
    path("compliance/export.<slug:fmt>", reports.compliance_export, name="report-compliance-export"),
    path("operations/", reports.operations_page, name="report-operations"),
    path("operations/export.<slug:fmt>", reports.operations_export, name="report-operations-export"),
]
