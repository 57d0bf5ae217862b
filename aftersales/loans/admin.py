"""Admin for substitute units. Loans and proposals are read-only here: they change only
through the services, which lock the unit and write the case's timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.loans.models import Loan, SubstituteProposal, SubstituteUnit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubstituteUnit)
class SubstituteUnitAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product", "depot", "status")
    list_filter = ("status", "depot", "product")
    search_fields = ("serial_number", "product__model", "depot__code")
    # The status moves with loans; editing it here would bypass the one-open-loan rule.
    readonly_fields = ("status",)
    exclude = ("idempotency_key", "request_hash")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("unit", "case", "customer", "lent_at", "due_back_at", "returned_at", "status")
    list_filter = ("status", "unit__depot")
    search_fields = ("unit__serial_number", "case__number", "customer__name")
    date_hierarchy = "lent_at"


@admin.register(SubstituteProposal)
class SubstituteProposalAdmin(ReadOnlyAdmin):
    list_display = ("case", "unit", "reason", "status", "proposed_at")
    list_filter = ("status", "reason")
    search_fields = ("case__number", "unit__serial_number")
