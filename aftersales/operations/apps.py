from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "aftersales.operations"
    label = "operations"
    verbose_name = _("运维")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from aftersales.operations.middleware import request_context_clear

        request_finished.connect(request_context_clear, dispatch_uid="operations.request_context_clear")
