from django.urls import include, path

from aftersales.portal import chat, owner_signing, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("request/", views.service_request, name="request"),
    path("cases/<uuid:case_id>/", views.case_page, name="case"),
    path("cases/<uuid:case_id>/confirm-closure", views.confirm_closure, name="confirm_closure"),
    path("cases/<uuid:case_id>/reopen", views.reopen, name="reopen"),
    path("cases/<uuid:case_id>/reply", views.reply, name="reply"),
    path("cases/<uuid:case_id>/attachments", views.attachment_upload, name="attachment_upload"),
    path("attachments/<uuid:attachment_id>", views.attachment_download, name="attachment"),
    path("returns/", views.return_requests, name="returns"),
    path("returns/<uuid:request_id>/", views.return_request_page, name="return"),
    # No sign-in: the one-time token in the e-mailed link is the key (业主签字).
    path("maintenance/sign/<str:token>/", owner_signing.owner_sign, name="owner_sign"),
    # Training sessions and product materials (培训与资料)
    path("training/", include("aftersales.portal.training_urls")),
    # Published articles (知识库)
    path("knowledge/", include("aftersales.portal.knowledge_urls")),
    # Satisfaction surveys: the one-time link needs no sign-in (满意度调查)
    path("surveys/", include("aftersales.portal.survey_urls")),
    # Chat with the service desk (在线客服): htmx polls for new messages
    path("chat/", chat.chat_page, name="chat"),
    path("chat/start", chat.chat_start, name="chat-start"),
    path("chat/<uuid:session_id>/send", chat.chat_send, name="chat-send"),
    path("chat/<uuid:session_id>/messages", chat.chat_messages, name="chat-messages"),
    path("chat/<uuid:session_id>/end", chat.chat_end, name="chat-end"),
]
