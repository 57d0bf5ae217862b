"""Commitment import pages (服务承诺导入): paste or upload a written commitment, review the
draft beside the document with each figure's source highlighted, edit figures, choose where it
goes, preview and apply; then what was applied. Admins and managers only (others: 403; customer
users: 404, as every console page)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.commitments import services
from aftersales.commitments.documents import read_upload, text_document, uploaded_document
from aftersales.commitments.mapping import plan_figures, reviewed_from
from aftersales.commitments.models import CommitmentImport, CommitmentItem, ImportStatus
from aftersales.console.forms_commitments import ApplyForm, ImportCreateForm, ItemForm
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import show_refusal
from aftersales.core.errors import DomainError
from aftersales.core.roles import CONFIGURING_ROLES

RECENT = 20


def _require_configuring(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in CONFIGURING_ROLES:
        raise PermissionDenied


def _url(import_id: Any) -> str:
    return reverse("console:commitment", args=[import_id])




def highlighted(text: str, spans: list[tuple[int, int, str, str]]) -> SafeString:
    """The document as HTML: every segment escaped on its own, the spans (start, end, css
    class, anchor id) wrapped in <mark>; an overlapping span starts where the previous ended."""
    parts: list[str] = []
    position = 0
    for start, end, css, anchor in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<mark class="{escape(css)}" id="{escape(anchor)}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


@login_required
@staff_only
def commitment_list(request: HttpRequest) -> HttpResponse:
    _require_configuring(request)
    form = ImportCreateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        made = made_by_key(request, "commitment-import", key) if key else None
        if made is not None:
            return HttpResponseRedirect(_url(made))
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["file"] is not None:
                    document = uploaded_document(name=data["name"] or data["file"].name or "",
                                                 content=read_upload(data["file"]))
                else:
                    document = text_document(text=data["text"], name=data["name"])
                created = services.commitment_import_create(actor=request.user, document=document)  # type: ignore[arg-type]
            except DomainError as refused:
                status = show_refusal(form, refused)
            else:
                remember_key(request, "commitment-import", data["idempotency_key"], created.pk)
                messages.success(request, _("已解析：请核对每一项后再应用。"))
                return HttpResponseRedirect(_url(created.pk))
    imports = CommitmentImport.objects.select_related("created_by", "target_policy")[:RECENT]
    return render(request, "console/commitments/list.html", {"form": form, "imports": imports},
                  status=status)


def _review_context(request: HttpRequest, commitment_import: CommitmentImport, *,
                    apply_form: ApplyForm | None = None, item_errors: dict[str, Any] | None = None,
                    preview: Any = None) -> dict[str, Any]:
    items = list(commitment_import.items.all())
    text = commitment_import.text
    unmapped = commitment_import.draft.get("unmapped", []) if isinstance(commitment_import.draft, dict) else []
    spans = [(item.span_start, item.span_end, "span-item" if item.is_included else "span-info",
              f"span-{item.position}") for item in items]
    spans += [(entry["span"]["start"], entry["span"]["end"], "span-unmapped", f"unmapped-{index}")
              for index, entry in enumerate(unmapped, start=1)]
    used = plan_figures(reviewed_from(items)).used
    units = {"minutes": _("分钟"), "days": _("天"), "months": _("个月")}
    rows = []
    for item in items:
        form = ItemForm(initial={
            "version": commitment_import.version, "kind": item.kind, "severity": item.severity,
            "regions": ", ".join(item.regions), "value": item.value, "is_included": item.is_included,
        }, prefix=f"item-{item.position}")
        for field in form.fields.values():
            # The inputs sit in the table's cells; the form element itself is outside the table.
            field.widget.attrs["form"] = f"item-form-{item.position}"
        rows.append({"item": item, "form": form, "unit": units.get(item.value_unit, item.value_unit), "sentence": text[item.sentence_start:item.sentence_end],
                     "is_outdone": item.is_included and item.position not in used,
                     "error": (item_errors or {}).get(str(item.pk))})
    if apply_form is None:
        apply_form = ApplyForm(initial={"version": commitment_import.version,
                                        "visit_assignee_id": str(request.user.pk)})
    return {
        "commitment_import": commitment_import, "rows": rows, "document": highlighted(text, spans),
        "unmapped": [{**entry, "anchor": f"unmapped-{index}"} for index, entry in enumerate(unmapped, start=1)],
        "apply_form": apply_form, "preview": preview,
        "is_draft": commitment_import.status == ImportStatus.DRAFT,
    }


@login_required
@staff_only
def commitment_page(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    """The review page; with ?policy_code=… it also previews applying to that target."""
    _require_configuring(request)
    commitment_import = services.get_commitment_import(actor=request.user, import_id=import_id)  # type: ignore[arg-type]
    apply_form = None
    preview = None
    status = 200
    if "policy_code" in request.GET and commitment_import.status == ImportStatus.DRAFT:
        apply_form = ApplyForm(request.GET)
        if apply_form.is_valid():
            try:
                preview = services.commitment_preview(actor=request.user, import_id=import_id,  # type: ignore[arg-type]
                                                      target=_target(apply_form.cleaned_data))
            except DomainError as refused:
                status = show_refusal(apply_form, refused)
        else:
            status = 422
    return render(request, "console/commitments/review.html",
                  _review_context(request, commitment_import, apply_form=apply_form, preview=preview),
                  status=status)


@login_required
@staff_only
@require_POST
def commitment_item_update(request: HttpRequest, import_id: uuid.UUID, item_id: uuid.UUID) -> HttpResponse:
    _require_configuring(request)
    commitment_import = services.get_commitment_import(actor=request.user, import_id=import_id)  # type: ignore[arg-type]
    item = CommitmentItem.objects.filter(commitment_import=commitment_import, pk=item_id).first()
    if item is None:
        raise Http404
    form = ItemForm(request.POST, prefix=f"item-{item.position}")
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_item_update(
                actor=request.user, import_id=import_id, item_id=item_id,  # type: ignore[arg-type]
                version=data["version"], kind=data["kind"], severity=data["severity"],
                regions=data["regions"], value=data["value"], is_included=data["is_included"],
            )
        except DomainError as refused:
            if refused.status == 404:
                raise
            error = refused.detail
        else:
            messages.success(request, _("第 %(n)s 项已保存") % {"n": item.position})
            return HttpResponseRedirect(f"{_url(import_id)}#item-{item.position}")
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    commitment_import.refresh_from_db()
    return render(request, "console/commitments/review.html",
                  _review_context(request, commitment_import, item_errors={str(item.pk): error}), status=422)


def _target(data: dict[str, Any]) -> services.ApplyTarget:
    return services.ApplyTarget(
        policy_code=data["policy_code"], policy_name=data.get("policy_name") or "",
        tier_code=data.get("tier_code") or "", contract_number=data.get("contract_number") or "",
        product_models=tuple(data.get("product_models") or ()),
        visit_assignee_id=data.get("visit_assignee_id") or "",
    )


@login_required
@staff_only
@require_POST
def commitment_apply(request: HttpRequest, import_id: uuid.UUID) -> HttpResponse:
    _require_configuring(request)
    commitment_import = services.get_commitment_import(actor=request.user, import_id=import_id)  # type: ignore[arg-type]
    form = ApplyForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            applied = services.commitment_apply(
                actor=request.user, import_id=import_id, target=_target(form.cleaned_data),  # type: ignore[arg-type]
                version=form.cleaned_data["version"],
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("已应用到 SLA 策略 %(code)s") % {"code": applied.target_policy.code
                                                                       if applied.target_policy else ""})
            return HttpResponseRedirect(_url(import_id))
    commitment_import.refresh_from_db()
    return render(request, "console/commitments/review.html",
                  _review_context(request, commitment_import, apply_form=form), status=status)
