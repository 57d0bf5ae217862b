from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "aftersales.surveys"
    label = "surveys"
    verbose_name = _("满意度调查与回访")

    def ready(self) -> None:
        # Cases sit below surveys and cannot import them: they call us in the same transaction
        # as every status change, and a closed case gets its satisfaction survey.
        from aftersales.cases.services import register_case_status_hook
        from aftersales.surveys.services import case_status_changed

        register_case_status_hook(case_status_changed)
