"""The one scoping layer for customer data.

Every selector that returns customer data passes its queryset through `scope_to_user`. A
customer user sees only rows of its own organisation; staff see every customer's rows. A
row outside the scope is indistinguishable from a missing one (404), so ids leak nothing.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aftersales.core.errors import NotFound

M = TypeVar("M", bound=Model)

# The message for each `what`; the error code is made from `what` itself.
NOT_FOUND_MESSAGES = {
    "case": gettext_noop("未找到该工单"),
    "customer": gettext_noop("未找到该客户"),
    "asset": gettext_noop("未找到该设备"),
    "work_order": gettext_noop("未找到该派工单"),
    "loan": gettext_noop("未找到该借用记录"),
    "return request": gettext_noop("未找到该退换货申请"),
    "inspection": gettext_noop("未找到该巡检任务"),
    "inspection plan": gettext_noop("未找到该巡检计划"),
    "maintenance_log": gettext_noop("未找到该维修保养记录"),
    "training session": gettext_noop("未找到该培训场次"),
    "training material": gettext_noop("未找到该培训资料"),
    "qualification": gettext_noop("未找到该资质"),
    "special period": gettext_noop("未找到该保障期"),
    "article": gettext_noop("未找到该知识库文章"),
    "survey": gettext_noop("未找到该调查"),
    "return visit": gettext_noop("未找到该回访"),
    "complaint": gettext_noop("未找到该投诉"),
}


class ScopedUser(Protocol):
    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_customer_user(self) -> bool: ...

    @property
    def customer_id(self) -> Any: ...


def scope_to_user(queryset: QuerySet[M], user: ScopedUser, *, customer_field: str) -> QuerySet[M]:
    """Rows of `queryset` the user may see; `customer_field` is the path to the customer id."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_customer_user:
        if user.customer_id is None:
            return queryset.none()
        return queryset.filter(**{customer_field: user.customer_id})
    return queryset


def get_scoped_or_404(
    queryset: QuerySet[M], user: ScopedUser, *, customer_field: str, what: str, **lookup: Any
) -> M:
    try:
        return scope_to_user(queryset, user, customer_field=customer_field).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        # ValidationError: an id that is not a UUID — to the caller, no such object either.
        message = _(NOT_FOUND_MESSAGES.get(what, gettext_noop("未找到")))
        raise NotFound(message, code=f"{what.lower().replace(' ', '_')}_not_found") from None
