from django.urls import path

from aftersales.console.views import complaints

urlpatterns = [
    path("", complaints.complaint_list_page, name="complaints"),
    path("create/", complaints.complaint_new, name="complaint-create"),
    path("trend/", complaints.trend_page, name="complaint-trend"),
    path("evaluations/", complaints.evaluation_page, name="complaint-evaluations"),
    path("<uuid:complaint_id>/", complaints.complaint_page, name="complaint"),
    path("<uuid:complaint_id>/root-cause/", complaints.complaint_root_cause, name="complaint-root-cause"),
    path("<uuid:complaint_id>/actions/create/", complaints.action_create, name="complaint-action-create"),
    path("actions/<uuid:action_id>/complete/", complaints.action_complete, name="complaint-action-complete"),
    path("actions/<uuid:action_id>/verify/", complaints.action_verify, name="complaint-action-verify"),
]
