"""Commitment import pages, under /console/commitments/ (names: console:commitment…)."""

from django.urls import path

from aftersales.console.views import commitments

urlpatterns = [
    path("", commitments.commitment_list, name="commitments"),
    path("<uuid:import_id>/", commitments.commitment_page, name="commitment"),
    path("<uuid:import_id>/items/<uuid:item_id>/update/", commitments.commitment_item_update,
         name="commitment-item-update"),
    path("<uuid:import_id>/apply/", commitments.commitment_apply, name="commitment-apply"),
]
