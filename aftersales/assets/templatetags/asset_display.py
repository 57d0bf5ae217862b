from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

WARRANTY_LABELS = {"trial": _("试运行期"), "warranty": _("保修期内"), "expired": _("已过保"), "none": _("保修未起算")}


@register.filter
def warranty_label(state: str) -> str:
    return str(WARRANTY_LABELS.get(str(state), state))
