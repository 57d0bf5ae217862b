from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "aftersales.parts"
    label = "parts"
    verbose_name = _("备品备件")

    def ready(self) -> None:
        # Work orders sit below parts and cannot import them: their report asks us for its lines.
        from aftersales.parts.selectors import work_order_parts_lines
        from aftersales.parts.services import work_order_cancelled
        from aftersales.workorders.report import register_parts_lines_provider
        from aftersales.workorders.services import register_cancel_hook

        register_parts_lines_provider(work_order_parts_lines)
        register_cancel_hook(work_order_cancelled)
