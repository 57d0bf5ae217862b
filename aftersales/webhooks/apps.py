from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "aftersales.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook 推送")

    def ready(self) -> None:
        # Cases and work orders sit below us and cannot import us: they call us with every event
        # they record, in the same transaction, so a delivery is written with its change.
        from aftersales.cases.services import register_case_event_hook
        from aftersales.webhooks.services import case_events_enqueue, work_order_events_enqueue
        from aftersales.workorders.services import register_work_order_event_hook

        register_case_event_hook(case_events_enqueue)
        register_work_order_event_hook(work_order_events_enqueue)
