from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "aftersales.maintenance"
    label = "maintenance"
    verbose_name = _("维修保养记录")
