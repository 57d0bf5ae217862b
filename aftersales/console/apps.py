from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The staff web console: queue, case page, phone intake. Pages only; rules live in services."""

    name = "aftersales.console"
    label = "console"
    verbose_name = _("服务台")
