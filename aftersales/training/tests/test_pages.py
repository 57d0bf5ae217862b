"""The training pages: console (sessions, attendance, materials, qualifications) and the
portal's 培训与资料 page, with Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.training.models import (
    Qualification,
    SessionStatus,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)
from aftersales.training.services import qualification_grant, training_attendee_register
from aftersales.training.tests.conftest import EXE, PDF, T0

pytestmark = pytest.mark.django_db

CONSOLE = "/console/training/"
PORTAL = "/portal/training/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        yield


# --- console: sessions ----------------------------------------------------------------------


def test_staff_see_the_session_list(client_for, bob, staff_session, acme_session):
    response = client_for(bob).get(CONSOLE)
    assert response.status_code == 200
    body = response.content.decode()
    assert staff_session.title in body
    assert acme_session.title in body
    assert "安排培训" not in body  # an engineer reads only


def test_customer_users_get_404_in_the_console(client_for, alice, acme_session):
    client = client_for(alice)
    assert client.get(CONSOLE).status_code == 404
    assert client.get(f"{CONSOLE}sessions/{acme_session.pk}/").status_code == 404


def test_a_manager_plans_a_session_from_the_form(client_for, manager, expert, rsu):
    client = client_for(manager)
    assert client.get(f"{CONSOLE}sessions/create/").status_code == 200
    form = {"product": str(rsu.pk), "title": "RSU 维护培训", "audience": "staff",
            "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T12:00", "location": "二楼会议室",
            "trainer": str(expert.pk), "capacity": "8", "grants_qualification": "on",
            "qualification_months": "12", "idempotency_key": "form-1"}
    response = client.post(f"{CONSOLE}sessions/create/", form)
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}sessions/{session.pk}/"
    assert (session.title, session.capacity, session.qualification_months) == ("RSU 维护培训", 8, 12)
    again = client.post(f"{CONSOLE}sessions/create/", form)
    assert again.status_code == 302
    assert TrainingSession.objects.count() == 1


def test_a_session_form_ending_before_start_shows_the_error(client_for, manager, expert, rsu):
    response = client_for(manager).post(f"{CONSOLE}sessions/create/", {
        "product": str(rsu.pk), "title": "x", "audience": "staff", "starts_at": "2026-12-01T09:00",
        "ends_at": "2026-12-01T08:00", "trainer": str(expert.pk), "capacity": "8",
        "idempotency_key": "form-2"})
    assert response.status_code == 422
    assert "结束时间须晚于开始时间" in response.content.decode()
    assert TrainingSession.objects.count() == 0


def test_an_engineer_cannot_open_the_create_form(client_for, bob):
    assert client_for(bob).get(f"{CONSOLE}sessions/create/").status_code == 404


def test_register_record_and_hold_from_the_session_page(client_for, manager, bob, staff_session, rsu):
    client = client_for(manager)
    page = client.get(f"{CONSOLE}sessions/{staff_session.pk}/")
    assert page.status_code == 200
    assert "登记学员" in page.content.decode()
    # register
    response = client.post(f"{CONSOLE}sessions/{staff_session.pk}/attendees/", {"attendee": f"user:{bob.pk}"})
    assert response.status_code == 302
    attendance = TrainingAttendance.objects.get()
    # record
    prefix = str(attendance.pk)
    response = client.post(f"{CONSOLE}attendances/{attendance.pk}/", {
        f"{prefix}-attended": "on", f"{prefix}-passed": "yes", f"{prefix}-score": "95"})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.attended, attendance.passed, attendance.score) == (True, True, 95)
    # hold
    response = client.post(f"{CONSOLE}sessions/{staff_session.pk}/hold")
    assert response.status_code == 302
    assert TrainingSession.objects.get().status == SessionStatus.HELD
    assert Qualification.objects.get().user_id == bob.pk


def test_passing_without_attending_shows_the_refusal(client_for, manager, bob, staff_session):
    attendance, _ = training_attendee_register(actor=manager, session_id=staff_session.pk, user_id=bob.pk)
    prefix = str(attendance.pk)
    response = client_for(manager).post(f"{CONSOLE}attendances/{attendance.pk}/", {f"{prefix}-passed": "yes"})
    assert response.status_code == 422
    assert "未出席的学员不能考核通过" in response.content.decode()
    assert TrainingAttendance.objects.get().passed is None


def test_a_full_session_shows_the_refusal(client_for, manager, make_session, bob, engineer2):
    session = make_session(capacity=1)
    training_attendee_register(actor=manager, session_id=session.pk, user_id=bob.pk)
    response = client_for(manager).post(f"{CONSOLE}sessions/{session.pk}/attendees/",
                                        {"attendee": f"user:{engineer2.pk}"})
    assert response.status_code == 409
    assert "名额已满" in response.content.decode()
    assert TrainingAttendance.objects.count() == 1


def test_cancel_then_cancel_again_is_refused(client_for, manager, staff_session):
    client = client_for(manager)
    assert client.post(f"{CONSOLE}sessions/{staff_session.pk}/cancel", {"reason": "讲师请假"}).status_code == 302
    assert TrainingSession.objects.get().status == SessionStatus.CANCELLED
    response = client.post(f"{CONSOLE}sessions/{staff_session.pk}/cancel", {"reason": "again"})
    assert response.status_code == 409
    assert "不能取消" in response.content.decode()
    assert TrainingSession.objects.get().cancel_reason == "讲师请假"


def test_an_engineer_cannot_hold_a_session(client_for, bob, staff_session):
    response = client_for(bob).post(f"{CONSOLE}sessions/{staff_session.pk}/hold")
    assert response.status_code == 403
    assert TrainingSession.objects.get().status == SessionStatus.PLANNED


# --- console: materials ---------------------------------------------------------------------


def test_upload_publish_withdraw_and_download(client_for, manager, rsu):
    client = client_for(manager)
    response = client.post(f"{CONSOLE}materials/", {
        "product": str(rsu.pk), "title": "RSU 维护手册", "kind": "maintenance_guide",
        "audience": "staff", "version": "V2", "file": SimpleUploadedFile("m.pdf", PDF)})
    assert response.status_code == 302
    material = TrainingMaterial.objects.get()
    assert (material.title, material.is_published) == ("RSU 维护手册", False)
    assert client.post(f"{CONSOLE}materials/{material.pk}/publish").status_code == 302
    assert TrainingMaterial.objects.get().is_published is True
    assert client.post(f"{CONSOLE}materials/{material.pk}/withdraw").status_code == 302
    assert TrainingMaterial.objects.get().is_published is False
    listing = client.get(f"{CONSOLE}materials/?product={rsu.pk}")
    assert "RSU 维护手册" in listing.content.decode()
    download = client.get(f"{CONSOLE}materials/{material.pk}/download")
    assert b"".join(download.streaming_content) == PDF


def test_an_executable_upload_is_refused_on_the_page(client_for, manager, rsu):
    response = client_for(manager).post(f"{CONSOLE}materials/", {
        "product": str(rsu.pk), "title": "安装包", "kind": "other", "audience": "staff",
        "file": SimpleUploadedFile("setup.pdf", EXE)})
    assert response.status_code == 422
    assert "只能上传" in response.content.decode()
    assert TrainingMaterial.objects.count() == 0


def test_an_engineer_cannot_upload(client_for, bob, rsu):
    response = client_for(bob).post(f"{CONSOLE}materials/", {
        "product": str(rsu.pk), "title": "x", "kind": "other", "audience": "staff",
        "file": SimpleUploadedFile("m.pdf", PDF)})
    assert response.status_code == 403
    assert TrainingMaterial.objects.count() == 0


# --- console: qualifications ----------------------------------------------------------------


def test_grant_renew_and_revoke_from_the_page(client_for, manager, bob, rsu):
    client = client_for(manager)
    assert client.get(f"{CONSOLE}qualifications/").status_code == 200
    assert client.post(f"{CONSOLE}qualifications/", {"user": str(bob.pk), "product": str(rsu.pk)}).status_code == 302
    assert client.post(f"{CONSOLE}qualifications/", {"user": str(bob.pk), "product": str(rsu.pk),
                                                     "expires_on": "2030-01-01"}).status_code == 302
    qualification = Qualification.objects.get()
    assert qualification.expires_on is None  # no expiry beats any date
    refused = client.post(f"{CONSOLE}qualifications/{qualification.pk}/revoke", {"reason": ""})
    assert refused.status_code == 422
    assert client.post(f"{CONSOLE}qualifications/{qualification.pk}/revoke",
                       {"reason": "调岗"}).status_code == 302
    assert Qualification.objects.get().revoked_reason == "调岗"


def test_a_dispatcher_reads_qualifications_but_cannot_grant(client_for, dispatcher, manager, bob, rsu):
    qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk)
    client = client_for(dispatcher)
    page = client.get(f"{CONSOLE}qualifications/")
    assert page.status_code == 200
    assert "授予上岗资质" not in page.content.decode()
    assert client.post(f"{CONSOLE}qualifications/", {"user": str(bob.pk), "product": str(rsu.pk)}).status_code == 403
    assert Qualification.objects.count() == 1


# --- portal ---------------------------------------------------------------------------------


def test_the_portal_shows_own_sessions_and_materials(
        client_for, alice, acme_session, globex_session, staff_session, make_material, camera):
    # given
    own = make_material()
    make_material(content=PDF + b"1", title="内部手册", audience="staff")
    make_material(content=PDF + b"2", title="摄像机指南", product_id=camera.pk)
    # when
    response = client_for(alice).get(PORTAL)
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert acme_session.title in body
    assert globex_session.title not in body
    assert staff_session.title not in body
    assert own.title in body
    assert "内部手册" not in body
    assert "摄像机指南" not in body


def test_the_portal_downloads_own_material_and_404s_anothers(client_for, alice, charlie, make_material, camera):
    own = make_material()
    theirs = make_material(content=PDF + b"2", title="摄像机指南", product_id=camera.pk)
    client = client_for(alice)
    download = client.get(f"{PORTAL}materials/{own.pk}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(f"{PORTAL}materials/{theirs.pk}/download").status_code == 404
    assert client_for(charlie).get(f"{PORTAL}materials/{own.pk}/download").status_code == 404


def test_staff_get_404_on_the_portal_pages(client_for, manager, make_material):
    material = make_material()
    client = client_for(manager)
    assert client.get(PORTAL).status_code == 404
    assert client.get(f"{PORTAL}materials/{material.pk}/download").status_code == 404


def test_a_customer_session_page_offers_the_customers_contacts(client_for, manager, acme_session, acme_contact,
                                                               globex_contact):
    body = client_for(manager).get(f"{CONSOLE}sessions/{acme_session.pk}/").content.decode()
    assert f"contact:{acme_contact.pk}" in body
    assert f"contact:{globex_contact.pk}" not in body


def test_the_portal_splits_upcoming_and_past_sessions(client_for, alice, make_session, acme):
    # given now is T0 + 4h
    past = make_session(title="已结束的培训", audience="customer", customer_id=acme.pk)
    upcoming = make_session(title="下周的培训", audience="customer", customer_id=acme.pk,
                            starts_at=T0 + dt.timedelta(days=7), ends_at=T0 + dt.timedelta(days=7, hours=2))
    # when
    response = client_for(alice).get(PORTAL)
    # then
    upcoming_rows = [s.pk for s in response.context["upcoming"]]
    past_rows = [s.pk for s in response.context["past"]]
    assert (upcoming_rows, past_rows) == ([upcoming.pk], [past.pk])
