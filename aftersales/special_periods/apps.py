from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialPeriodsConfig(AppConfig):
    name = "aftersales.special_periods"
    label = "special_periods"
    verbose_name = _("特殊时期保障")
