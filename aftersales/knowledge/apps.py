from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "aftersales.knowledge"
    label = "knowledge"
    verbose_name = _("知识库")

    def ready(self) -> None:
        # Cases sit below the knowledge base and cannot import it: they call us on every change
        # of a case's text, so the search index never lags behind.
        from aftersales.cases.services import register_case_text_hook
        from aftersales.knowledge.services import case_index

        register_case_text_hook(case_index)
