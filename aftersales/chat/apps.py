from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "aftersales.chat"
    label = "chat"
    verbose_name = _("在线客服")

    def ready(self) -> None:
        # Cases sit below us: they call us when a case changes status (a chat whose case is
        # resolved or closed ends).
        from aftersales.cases.services import register_case_status_hook
        from aftersales.chat.services import chat_case_status_changed

        register_case_status_hook(chat_case_status_changed)
