from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from aftersales.config.api import api

admin.site.site_header = admin.site.site_title = _("售后服务管理")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:sign_in", permanent=False)),
    path("accounts/", include("aftersales.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("aftersales.console.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("aftersales.operations.urls")),
]
