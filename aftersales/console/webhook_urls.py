"""Webhook subscription pages, under /console/webhooks/ (names: console:webhook…)."""

from django.urls import path

from aftersales.console.views import webhooks

urlpatterns = [
    path("", webhooks.subscription_list_page, name="webhooks"),
    path("create/", webhooks.subscription_new, name="webhook-create"),
    path("<uuid:subscription_id>/", webhooks.subscription_page, name="webhook"),
    path("<uuid:subscription_id>/update/", webhooks.subscription_edit, name="webhook-update"),
    path("<uuid:subscription_id>/rotate-secret/", webhooks.subscription_rotate, name="webhook-rotate"),
    path("<uuid:subscription_id>/ping/", webhooks.subscription_ping, name="webhook-ping"),
    path("<uuid:subscription_id>/deactivate/", webhooks.subscription_set_active, {"state": "deactivate"},
         name="webhook-deactivate"),
    path("<uuid:subscription_id>/activate/", webhooks.subscription_set_active, {"state": "activate"},
         name="webhook-activate"),
    path("deliveries/<uuid:delivery_id>/redeliver/", webhooks.delivery_redeliver, name="webhook-redeliver"),
]
