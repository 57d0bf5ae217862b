"""Chat pages for the on-duty agent, under /console/chat/ (names: console:chat…)."""

from django.urls import path

from aftersales.console.views import chat

urlpatterns = [
    path("", chat.chat_list, name="chat"),
    path("<uuid:session_id>/", chat.chat_session, name="chat-session"),
    path("<uuid:session_id>/take", chat.chat_take, name="chat-take"),
    path("<uuid:session_id>/send", chat.chat_send, name="chat-send"),
    path("<uuid:session_id>/messages", chat.chat_messages, name="chat-messages"),
    path("<uuid:session_id>/end", chat.chat_end, name="chat-end"),
]
