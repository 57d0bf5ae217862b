from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "aftersales.commitments"
    label = "commitments"
    verbose_name = _("服务承诺导入")
