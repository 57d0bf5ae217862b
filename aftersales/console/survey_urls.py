"""Console pages of satisfaction surveys and return visits, under /console/surveys/ (names
reached as console:survey…)."""

from django.urls import path

from aftersales.console.views import surveys

urlpatterns = [
    path("", surveys.survey_list_page, name="surveys"),
    path("<uuid:survey_id>/", surveys.survey_page, name="survey"),
    path("templates/", surveys.template_list_page, name="survey-templates"),
    path("templates/new/", surveys.template_new, name="survey-template-create"),
    path("templates/assign", surveys.template_assign, name="survey-template-assign"),
    path("templates/assignments/<uuid:assignment_id>/delete", surveys.template_unassign,
         name="survey-template-unassign"),
    path("templates/<slug:code>/<str:state>", surveys.template_state, name="survey-template-state"),
    path("return-visits/", surveys.visit_list_page, name="survey-return-visits"),
    path("return-visits/<uuid:visit_id>/", surveys.visit_page, name="survey-return-visit"),
    path("return-visit-plans/", surveys.plan_list_page, name="survey-return-plans"),
    path("return-visit-plans/new/", surveys.plan_new, name="survey-return-plan-create"),
    path("return-visit-plans/<uuid:plan_id>/", surveys.plan_page, name="survey-return-plan"),
    path("return-visit-plans/<uuid:plan_id>/<str:state>", surveys.plan_set_active,
         name="survey-return-plan-state"),
]
