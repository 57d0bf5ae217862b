from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "aftersales.complaints"
    label = "complaints"
    verbose_name = _("投诉")

    def ready(self) -> None:
        # Cases sit below complaints and cannot import them: they call us on every status change
        # of a case, in its transaction, so a complaint's milestones follow its case and a
        # complaint with unverified actions cannot be closed (the hook's Conflict rolls back).
        from aftersales.cases.models import Category
        from aftersales.cases.services import register_case_status_hook, register_category_policy
        from aftersales.complaints.models import COMPLAINT_POLICY_CODE
        from aftersales.complaints.services import complaint_case_status_changed

        register_case_status_hook(complaint_case_status_changed)
        # A complaint case's clocks run the complaint policy: the sweep warns and escalates
        # before its deadlines and the queue orders it by them, as for every other case.
        register_category_policy(Category.COMPLAINT, COMPLAINT_POLICY_CODE)
