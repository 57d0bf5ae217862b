"""The checklist of an inspection (巡检检查表), filled on the engineer's phone from the work
order it was dispatched with. The form is the template's items; the service judges them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.console.views.access import staff_only
from aftersales.core.errors import DomainError
from aftersales.inspections.selectors import occurrence_of_work_order
from aftersales.inspections.services import inspection_submit
from aftersales.workorders.selectors import get_work_order_for_user, work_order_photos


def _rows(items: list[Any], data: Any) -> list[dict[str, Any]]:
    return [{"item": item, "index": index, "value": data.get(f"value-{index}", ""),
             "passed": data.get(f"passed-{index}", ""), "note": data.get(f"note-{index}", ""),
             "photo": data.get(f"photo-{index}", ""), "error": ""} for index, item in enumerate(items)]


def _answers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answers = []
    for row in rows:
        answer: dict[str, Any] = {"item_id": str(row["item"].pk), "note": row["note"]}
        if row["item"].kind == "pass_fail":
            answer["is_passed"] = {"yes": True, "no": False}.get(row["passed"])
        else:
            answer["value"] = row["value"]
        if row["photo"]:
            answer["photo_id"] = row["photo"]
        answers.append(answer)
    return answers


@login_required
@staff_only
def inspection_checklist(request: HttpRequest, work_order_id: uuid.UUID) -> HttpResponse:
    work_order = get_work_order_for_user(request.user, work_order_id)
    occurrence = occurrence_of_work_order(request.user, work_order.pk)
    if occurrence is None:
        raise Http404
    items = list(occurrence.plan.template.items.order_by("position"))
    rows = _rows(items, request.POST if request.method == "POST" else {})
    status, error = 200, ""
    if request.method == "POST":
        try:
            inspection_submit(actor=request.user, occurrence_id=occurrence.pk, items=_answers(rows),
                              note=request.POST.get("note", "")[:5000])
        except DomainError as refused:
            if refused.status == 404:
                raise
            status, error = refused.status, refused.detail
            # "items[2].value" → the third row shows the message
            field = refused.field or ""
            if field.startswith("items[") and "]" in field:
                index = int(field[6:field.index("]")])
                if 0 <= index < len(rows):
                    rows[index]["error"], error = refused.detail, ""
        else:
            messages.success(request, _("巡检检查表已提交。"))
            return HttpResponseRedirect(reverse("console:work_order", args=[work_order.pk]))
    return render(request, "console/inspections/checklist.html", {
        "work_order": work_order, "occurrence": occurrence, "rows": rows, "error": error,
        "photos": work_order_photos(work_order), "result": getattr(occurrence, "result", None),
    }, status=status)
