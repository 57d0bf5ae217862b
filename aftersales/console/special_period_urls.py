"""Special-period support (特殊时期保障), under /console/special-periods/."""

from django.urls import path

from aftersales.console.views import special_periods as views

urlpatterns = [
    path("", views.period_list, name="special-periods"),
    path("create/", views.period_create, name="special-periods-create"),
    path("<uuid:period_id>/", views.period_page, name="special-period"),
    path("<uuid:period_id>/update/", views.period_update, name="special-period-update"),
    path("<uuid:period_id>/actions/<slug:action>", views.period_action, name="special-period-action"),
    path("<uuid:period_id>/checklist/create/", views.checklist_create, name="special-period-checklist-create"),
    path("<uuid:period_id>/duty/create/", views.duty_create, name="special-period-duty-create"),
    path("<uuid:period_id>/duty/<uuid:duty_id>/delete/", views.duty_delete, name="special-period-duty-delete"),
    path("<uuid:period_id>/plans/create/", views.plan_create, name="special-period-plan-create"),
    path("<uuid:period_id>/resources/create/", views.resource_create, name="special-period-resource-create"),
    path("<uuid:period_id>/resources/<uuid:resource_id>/delete/", views.resource_delete,
         name="special-period-resource-delete"),
]
