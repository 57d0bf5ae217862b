from django.urls import path

from aftersales.console.views import archive, case, intake, queue

app_name = "console"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("intake/", intake.intake, name="intake"),
    path("intake/callers", intake.callers, name="callers"),
    path("customers/", archive.customer_list, name="customers"),
    path("customers/<uuid:customer_id>/", archive.customer_page, name="customer"),
    path("assets/<uuid:asset_id>/", archive.asset_page, name="asset"),
    path("cases/<uuid:case_id>/", case.case_page, name="case"),
    path("cases/<uuid:case_id>/actions/<slug:action>", case.case_action, name="case_action"),
    path("cases/<uuid:case_id>/attachments", case.case_attachment_upload, name="case_attachment_upload"),
    path("attachments/<uuid:attachment_id>", case.attachment_download, name="attachment"),
]
