"""`{% open_survey_prompt %}`: the portal's prompt to answer the organisation's open surveys
(one query; nothing for staff or when there is none)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.surveys.selectors import open_surveys_for_user

register = template.Library()


@register.inclusion_tag("portal/survey_prompt.html", takes_context=True)
def open_survey_prompt(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_customer_user", False):
        return {"count": 0}
    return {"count": open_surveys_for_user(user).count()}
