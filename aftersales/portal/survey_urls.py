"""Portal pages of satisfaction surveys, under /portal/surveys/ (names reached as portal:survey…).
The one-time link's page needs no sign-in: the token is the key."""

from django.urls import path

from aftersales.portal import surveys

urlpatterns = [
    path("", surveys.survey_list, name="surveys"),
    path("<uuid:survey_id>/answer/", surveys.survey_answer, name="survey-answer"),
    path("<str:token>/", surveys.survey_by_link, name="survey-link"),
]
