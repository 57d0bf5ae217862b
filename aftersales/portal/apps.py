from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer portal (客户门户): a customer's own requests, filing, consent to closure."""

    name = "aftersales.portal"
    label = "portal"
    verbose_name = _("客户门户")
