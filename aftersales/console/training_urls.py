"""Console pages of training (培训), under /console/training/ (names reached as console:…)."""

from django.urls import path

from aftersales.console.views import training

urlpatterns = [
    path("", training.session_list, name="training-sessions"),
    path("sessions/create/", training.session_create, name="training-session-create"),
    path("sessions/<uuid:session_id>/", training.session_page, name="training-session"),
    path("sessions/<uuid:session_id>/attendees/", training.attendee_register, name="training-attendee-register"),
    path("sessions/<uuid:session_id>/<slug:action>", training.session_action, name="training-session-action"),
    path("attendances/<uuid:attendance_id>/", training.attendance_record, name="training-attendance-record"),
    path("materials/", training.material_list, name="training-materials"),
    path("materials/<uuid:material_id>/download", training.material_download, name="training-material-download"),
    path("materials/<uuid:material_id>/<slug:action>", training.material_action, name="training-material-action"),
    path("qualifications/", training.qualification_list, name="training-qualifications"),
    path("qualifications/<uuid:qualification_id>/revoke", training.qualification_revoke,
         name="training-qualification-revoke"),
]
