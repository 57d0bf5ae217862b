from django.urls import path

from aftersales.console.views import case, intake, queue

app_name = "console"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("intake/", intake.intake, name="intake"),
    path("intake/callers", intake.callers, name="callers"),
    path("cases/<uuid:case_id>/", case.case_page, name="case"),
    path("cases/<uuid:case_id>/actions/<slug:action>", case.case_action, name="case_action"),
]
