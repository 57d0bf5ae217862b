from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "aftersales.workorders"
    label = "workorders"
    verbose_name = _("派工与现场服务")
