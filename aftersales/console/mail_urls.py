"""E-mail triage pages, under /console/mail/ (names: console:mail-…); the reply to a case's customer."""

from django.urls import path

from aftersales.console.views import mail

urlpatterns = [
    path("triage/", mail.triage_list_page, name="mail-triage"),
    path("triage/<uuid:message_id>/", mail.triage_message_page, name="mail-triage-message"),
    path("triage/<uuid:message_id>/assign", mail.triage_assign, name="mail-triage-assign"),
    path("triage/<uuid:message_id>/discard", mail.triage_discard, name="mail-triage-discard"),
    path("cases/<uuid:case_id>/reply", mail.case_mail_reply, name="mail-case-reply"),
]
