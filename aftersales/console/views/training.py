"""The training pages (培训): sessions (list, plan one, a session with its attendees, attendance,
held or cancelled), materials per product (upload, publish, withdraw, download) and the
qualifications (grant, revoke).

Every staff member reads them; admins, managers, dispatchers and experts run sessions and
materials; only admins and managers grant or revoke qualifications (the training services'
role sets). Customer users get the console's 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.core.roles import STAFF_ROLES
from aftersales.training import selectors, services
from aftersales.training.downloads import material_response
from aftersales.training.forms import (
    AttendanceForm,
    AttendeeForm,
    CancelForm,
    MaterialFilterForm,
    MaterialUploadForm,
    QualificationFilterForm,
    QualificationGrantForm,
    RevokeForm,
    SessionFilterForm,
    SessionForm,
)
from aftersales.training.models import Audience, TrainingSession

PAGE = 50


def _role(request: HttpRequest) -> str | None:
    return getattr(request.user, "role", None)


def _may(request: HttpRequest, roles: frozenset[str]) -> bool:
    return _role(request) in roles




def _tabs(request: HttpRequest, active: str) -> list[dict[str, Any]]:
    return [
        {"url": reverse(f"console:{name}"), "label": label, "active": name == active}
        for name, label in (
            ("training-sessions", _("培训场次")), ("training-materials", _("培训资料")),
            ("training-qualifications", _("上岗资质")),
        )
    ]


def _window(found: list[Any], offset: int) -> dict[str, Any]:
    return {"offset": offset, "next_offset": offset + PAGE if len(found) > PAGE else None,
            "previous_offset": max(0, offset - PAGE) if offset else None}


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("offset", None)
    return query.urlencode()


# --- sessions -------------------------------------------------------------------------------


@login_required
@staff_only
def session_list(request: HttpRequest) -> HttpResponse:
    filters = SessionFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.sessions_for_user(
        request.user, status=data.get("status") or None, audience=data.get("audience") or None,
    )[offset:offset + PAGE + 1])
    return render(request, "console/training/sessions.html", {
        "tabs": _tabs(request, "training-sessions"), "filters": filters, "sessions": found[:PAGE],
        "query": _query(request), "may_manage": _may(request, services.MANAGING_ROLES),
        **_window(found, offset),
    })


def _session_form(data: Any = None) -> SessionForm:
    return SessionForm(
        data, initial={"idempotency_key": uuid.uuid4().hex},
        products=selectors.product_choices(), customers=selectors.customer_choices(),
        trainers=selectors.staff_choices(STAFF_ROLES),
    )


@login_required
@staff_only
def session_create(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: plan the session (once per form shown) and show it."""
    if not _may(request, services.MANAGING_ROLES):
        raise Http404
    form = _session_form(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                session, _created = services.training_session_create(
                    actor=request.user, product_id=data["product"], title=data["title"],
                    audience=data["audience"], customer_id=data["customer"] or None,
                    starts_at=data["starts_at"], ends_at=data["ends_at"], location=data["location"],
                    trainer_id=data["trainer"], capacity=data["capacity"],
                    grants_qualification=data["grants_qualification"],
                    qualification_months=data["qualification_months"], note=data["note"],
                    idempotency_key=f"{request.user.pk}:page:{data['idempotency_key']}",
                    fingerprint=services.request_fingerprint(
                        {k: v for k, v in data.items() if k != "idempotency_key"}),
                )
            except DomainError as refused:
                status = show_refusal(form, refused)
            else:
                messages.success(request, _("培训场次已安排。"))
                return HttpResponseRedirect(reverse("console:training-session", args=[session.pk]))
    return render(request, "console/training/session_new.html", {
        "tabs": _tabs(request, "training-sessions"), "form": form}, status=status)


def _people(session: TrainingSession) -> list[tuple[str, str]]:
    """Who may be registered: staff for a staff session, the customer's contacts otherwise."""
    if session.audience == Audience.STAFF:
        return [(f"user:{pk}", label) for pk, label in selectors.staff_choices(STAFF_ROLES)]
    return [(f"contact:{pk}", label) for pk, label in selectors.contact_choices(session.customer_id)]


def session_page_context(request: HttpRequest, session_id: uuid.UUID, **failed: Any) -> dict[str, Any]:
    session = selectors.get_session_for_user(request.user, session_id)
    attendances = list(selectors.attendances_of(session))
    may_manage = _may(request, services.MANAGING_ROLES) and session.status == "planned"
    rows = [{"attendance": row, "form": failed.get(f"record_{row.pk}") or AttendanceForm(
        initial={"attended": row.attended, "score": row.score,
                 "passed": {True: "yes", False: "no"}.get(row.passed, "")},
        prefix=str(row.pk))} for row in attendances]
    return {
        "tabs": _tabs(request, "training-sessions"), "session": session, "rows": rows,
        "registered": len(attendances), "may_manage": may_manage,
        "attendee_form": failed.get("attendee_form") or (AttendeeForm(people=_people(session))
                                                         if may_manage else None),
        "cancel_form": failed.get("cancel_form") or (CancelForm() if may_manage else None),
        "error": failed.get("error", ""),
    }


@login_required
@staff_only
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    return render(request, "console/training/session.html", session_page_context(request, session_id))


def _back(session_id: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:training-session", args=[session_id]))


def _require_managing(request: HttpRequest, session_id: Any) -> TrainingSession:
    session = selectors.get_session_for_user(request.user, session_id)  # 404 before 403
    if not _may(request, services.MANAGING_ROLES):
        raise PermissionDenied
    return session


@require_POST
@login_required
@staff_only
def attendee_register(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _require_managing(request, session_id)
    form = AttendeeForm(request.POST, people=_people(session))
    status = 422
    if form.is_valid():
        kind, _sep, pk = form.cleaned_data["attendee"].partition(":")
        try:
            row, created = services.training_attendee_register(
                actor=request.user, session_id=session.pk,
                user_id=pk if kind == "user" else None, contact_id=pk if kind == "contact" else None,
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            if created:
                messages.success(request, _("已登记 %(name)s。") % {"name": row.attendee_name})
            else:
                messages.success(request, _("%(name)s 已登记过。") % {"name": row.attendee_name})
            return _back(session.pk)
    context = session_page_context(request, session_id, attendee_form=form)
    return render(request, "console/training/session.html", context, status=status)


@require_POST
@login_required
@staff_only
def attendance_record(request: HttpRequest, attendance_id: uuid.UUID) -> HttpResponse:
    attendance = selectors.get_attendance_for_user(request.user, attendance_id)
    _require_managing(request, attendance.session_id)
    form = AttendanceForm(request.POST, prefix=str(attendance.pk))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.training_attendance_record(
                actor=request.user, attendance_id=attendance.pk, attended=data["attended"],
                passed=data["passed"], score=data["score"],
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("已记录 %(name)s 的签到。") % {"name": attendance.attendee_name})
            return _back(attendance.session_id)
    context = session_page_context(request, attendance.session_id, **{f"record_{attendance.pk}": form})
    context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "console/training/session.html", context, status=status)


@require_POST
@login_required
@staff_only
def session_action(request: HttpRequest, session_id: uuid.UUID, action: str) -> HttpResponse:
    """hold: mark as held (granting qualifications); cancel: with a reason."""
    if action not in ("hold", "cancel"):
        raise Http404
    _require_managing(request, session_id)
    form = CancelForm(request.POST) if action == "cancel" else None
    status = 422
    if form is None or form.is_valid():
        try:
            if form is None:
                _session, granted = services.training_session_hold(actor=request.user, session_id=session_id)
                messages.success(request, _("培训已确认举行，授予或续期上岗资质 %(count)s 人。")
                                 % {"count": len(granted)})
            else:
                services.training_session_cancel(actor=request.user, session_id=session_id,
                                                  reason=form.cleaned_data["reason"])
                messages.success(request, _("培训已取消。"))
        except DomainError as refused:
            if refused.status == 404:
                raise
            status = refused.status
            context = session_page_context(request, session_id, error=refused.detail)
            return render(request, "console/training/session.html", context, status=status)
        return _back(session_id)
    context = session_page_context(request, session_id, cancel_form=form)
    return render(request, "console/training/session.html", context, status=status)


# --- materials ------------------------------------------------------------------------------


def _materials_context(request: HttpRequest, upload_form: Any = None) -> dict[str, Any]:
    products = selectors.product_choices()
    filters = MaterialFilterForm(request.GET or None, products=products)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.materials_for_user(request.user, product_id=data.get("product") or None)
                 [offset:offset + PAGE + 1])
    may_manage = _may(request, services.MANAGING_ROLES)
    if upload_form is None and may_manage:
        upload_form = MaterialUploadForm(products=products,
                                         initial={"product": data.get("product") or None})
    return {"tabs": _tabs(request, "training-materials"), "filters": filters, "materials": found[:PAGE],
            "query": _query(request), "may_manage": may_manage, "upload_form": upload_form,
            **_window(found, offset)}


@login_required
@staff_only
def material_list(request: HttpRequest) -> HttpResponse:
    """GET: the materials, by product; POST: upload one (managing roles)."""
    if request.method != "POST":
        return render(request, "console/training/materials.html", _materials_context(request))
    if not _may(request, services.MANAGING_ROLES):
        raise PermissionDenied
    form = MaterialUploadForm(request.POST, request.FILES, products=selectors.product_choices())
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            material, created = services.training_material_upload(
                actor=request.user, product_id=data["product"], title=data["title"], kind=data["kind"],
                audience=data["audience"], upload=data["file"], name=data["file"].name or "",
                version=data["version"], publish=data["publish"],
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            if created:
                messages.success(request, _("资料“%(title)s”已上传。") % {"title": material.title})
            else:
                messages.success(request, _("同一文件已上传过：“%(title)s”。") % {"title": material.title})
            return HttpResponseRedirect(reverse("console:training-materials") + f"?product={material.product_id}")
    return render(request, "console/training/materials.html", _materials_context(request, form),
                  status=status)


@require_POST
@login_required
@staff_only
def material_action(request: HttpRequest, material_id: uuid.UUID, action: str) -> HttpResponse:
    if action not in ("publish", "withdraw"):
        raise Http404
    material = selectors.get_material_for_user(request.user, material_id)
    if not _may(request, services.MANAGING_ROLES):
        raise PermissionDenied
    try:
        if action == "publish":
            services.training_material_publish(actor=request.user, material_id=material.pk)
            messages.success(request, _("资料已发布。"))
        else:
            services.training_material_withdraw(actor=request.user, material_id=material.pk)
            messages.success(request, _("资料已撤回。"))
    except DomainError as refused:
        flash_refusal(request, refused)
    return HttpResponseRedirect(reverse("console:training-materials") + f"?product={material.product_id}")


@login_required
@staff_only
def material_download(request: HttpRequest, material_id: uuid.UUID) -> HttpResponse:
    return material_response(selectors.get_material_for_user(request.user, material_id))


# --- qualifications -------------------------------------------------------------------------


def _qualifications_context(request: HttpRequest, grant_form: Any = None,
                            revoke_failed: tuple[Any, Any] | None = None) -> dict[str, Any]:
    products = selectors.product_choices()
    filters = QualificationFilterForm(request.GET or None, products=products)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.qualifications_for_user(
        request.user, product_id=data.get("product") or None,
        include_revoked=bool(data.get("include_revoked")),
    )[offset:offset + PAGE + 1])
    may_grant = _may(request, services.GRANTING_ROLES)
    if grant_form is None and may_grant:
        grant_form = QualificationGrantForm(users=selectors.staff_choices(services.QUALIFIED_ROLES),
                                            products=products)
    return {"tabs": _tabs(request, "training-qualifications"), "filters": filters,
            "qualifications": found[:PAGE], "query": _query(request), "may_grant": may_grant,
            "grant_form": grant_form, "revoke_failed": revoke_failed, **_window(found, offset)}


@login_required
@staff_only
def qualification_list(request: HttpRequest) -> HttpResponse:
    """GET: who may work on which product; POST: grant one by hand (or renew it)."""
    if request.method != "POST":
        return render(request, "console/training/qualifications.html", _qualifications_context(request))
    if not _may(request, services.GRANTING_ROLES):
        raise PermissionDenied
    form = QualificationGrantForm(request.POST, users=selectors.staff_choices(services.QUALIFIED_ROLES),
                                  products=selectors.product_choices())
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            _qualification, created = services.qualification_grant(
                actor=request.user, user_id=data["user"], product_id=data["product"],
                expires_on=data["expires_on"],
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("上岗资质已授予。") if created else _("上岗资质已续期。"))
            return HttpResponseRedirect(reverse("console:training-qualifications"))
    return render(request, "console/training/qualifications.html",
                  _qualifications_context(request, grant_form=form), status=status)


@require_POST
@login_required
@staff_only
def qualification_revoke(request: HttpRequest, qualification_id: uuid.UUID) -> HttpResponse:
    qualification = selectors.get_qualification_for_user(request.user, qualification_id)
    if not _may(request, services.GRANTING_ROLES):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.qualification_revoke(actor=request.user, qualification_id=qualification.pk,
                                          reason=form.cleaned_data["reason"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("上岗资质已撤销。"))
            return HttpResponseRedirect(reverse("console:training-qualifications"))
    return render(request, "console/training/qualifications.html",
                  _qualifications_context(request, revoke_failed=(qualification.pk, form)), status=status)
