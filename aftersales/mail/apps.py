from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "aftersales.mail"
    label = "mail"
    verbose_name = _("邮件")

    def ready(self) -> None:
        # Cases and customers sit below us: they call us when a case changes status (the
        # customer hears of it by mail) and when someone asks which language a contact writes in.
        from aftersales.cases.services import register_case_status_hook
        from aftersales.customers.services import register_contact_language_source
        from aftersales.mail.services import case_status_mail, contact_language_from_mail

        register_case_status_hook(case_status_mail)
        register_contact_language_source(contact_language_from_mail)
