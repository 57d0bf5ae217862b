"""The training API: staff plan and run sessions; customer users read their own, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.training.models import Qualification, TrainingMaterial, TrainingSession
from aftersales.training.tests.conftest import EXE, PDF, T0

pytestmark = pytest.mark.django_db

BASE = "/api/v1/training"


def _session_body(rsu, expert, **fields):
    body = dict(product_id=str(rsu.pk), title="RSU 安装与调试", audience="staff",
                starts_at=T0.isoformat(), ends_at=(T0 + dt.timedelta(hours=2)).isoformat(),
                trainer_id=expert.pk, capacity=5)
    body.update(fields)
    return body


def test_a_manager_plans_a_session_once_per_idempotency_key(api, manager, expert, rsu):
    client = api(manager)
    body = _session_body(rsu, expert)
    first = client.post(f"{BASE}/sessions", body, headers={"Idempotency-Key": "abc"})
    again = client.post(f"{BASE}/sessions", body, headers={"Idempotency-Key": "abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "planned"
    assert TrainingSession.objects.count() == 1


def test_a_session_ending_before_it_starts_names_the_field(api, manager, expert, rsu):
    response = api(manager).post(f"{BASE}/sessions", _session_body(rsu, expert, ends_at=T0.isoformat()))
    assert response.status_code == 422
    assert response.json()["field"] == "ends_at"


def test_update_with_a_stale_version_answers_412(api, manager, staff_session):
    client = api(manager)
    ok = client.patch(f"{BASE}/sessions/{staff_session.pk}", {"expected_version": 1, "capacity": 20})
    stale = client.patch(f"{BASE}/sessions/{staff_session.pk}", {"expected_version": 1, "capacity": 3})
    assert (ok.status_code, ok.json()["version"], ok.json()["capacity"]) == (200, 2, 20)
    assert stale.status_code == 412


def test_register_record_and_hold_grants_a_qualification(api, manager, staff_session, bob, rsu):
    client = api(manager)
    registered = client.post(f"{BASE}/sessions/{staff_session.pk}/attendances", {"user_id": bob.pk})
    assert registered.status_code == 201
    recorded = client.post(f"{BASE}/attendances/{registered.json()['id']}",
                           {"attended": True, "passed": True, "score": 88})
    assert (recorded.status_code, recorded.json()["passed"], recorded.json()["score"]) == (200, True, 88)
    held = client.post(f"{BASE}/sessions/{staff_session.pk}/hold")
    assert held.status_code == 200
    assert held.json()["session"]["status"] == "held"
    qualification = Qualification.objects.get()
    assert held.json()["qualification_ids"] == [str(qualification.pk)]
    listed = client.get(f"{BASE}/qualifications?product_id={rsu.pk}").json()["items"]
    assert [(q["username"], q["session_id"]) for q in listed] == [("bob", str(staff_session.pk))]


def test_a_full_session_answers_409(api, manager, make_session, bob, engineer2):
    session = make_session(capacity=1)
    client = api(manager)
    client.post(f"{BASE}/sessions/{session.pk}/attendances", {"user_id": bob.pk})
    response = client.post(f"{BASE}/sessions/{session.pk}/attendances", {"user_id": engineer2.pk})
    assert (response.status_code, response.json()["code"]) == (409, "session_full")


def test_cancelling_a_held_session_answers_409(api, manager, staff_session):
    client = api(manager)
    assert client.post(f"{BASE}/sessions/{staff_session.pk}/hold").status_code == 200
    response = client.post(f"{BASE}/sessions/{staff_session.pk}/cancel", {"reason": "晚了"})
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


def test_a_customer_user_sees_only_its_own_sessions(api, alice, staff_session, acme_session, globex_session):
    client = api(alice)
    listed = client.get(f"{BASE}/sessions").json()["items"]
    assert [row["id"] for row in listed] == [str(acme_session.pk)]
    assert client.get(f"{BASE}/sessions/{acme_session.pk}").status_code == 200
    for other in (globex_session, staff_session):
        response = client.get(f"{BASE}/sessions/{other.pk}")
        assert (response.status_code, response.json()["code"]) == (404, "training_session_not_found")


def test_a_customer_user_cannot_change_anything(api, alice, charlie, acme_session, acme_contact):
    response = api(alice).post(f"{BASE}/sessions/{acme_session.pk}/attendances",
                               {"contact_id": str(acme_contact.pk)})
    assert response.status_code == 403
    other = api(charlie).post(f"{BASE}/sessions/{acme_session.pk}/cancel", {"reason": "x"})
    assert other.status_code == 404
    assert TrainingSession.objects.get().status == "planned"


def test_materials_upload_list_and_download(api, manager, rsu):
    client = Client()
    client.force_login(manager)
    upload = client.post(f"{BASE}/materials", {
        "file": SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf"),
        "product_id": str(rsu.pk), "title": "操作指南", "kind": "operating_guide",
        "audience": "customer", "publish": "true"})
    assert upload.status_code == 201
    body = upload.json()
    assert (body["content_type"], body["size"], body["is_published"]) == ("application/pdf", len(PDF), True)
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "sandbox" in download["Content-Security-Policy"]


def test_an_executable_is_refused(manager, rsu):
    client = Client()
    client.force_login(manager)
    response = client.post(f"{BASE}/materials", {
        "file": SimpleUploadedFile("guide.pdf", EXE, content_type="application/pdf"),
        "product_id": str(rsu.pk), "title": "操作指南", "kind": "operating_guide", "audience": "customer"})
    assert (response.status_code, response.json()["field"]) == (422, "file")
    assert TrainingMaterial.objects.count() == 0


def test_a_customer_user_sees_only_published_customer_materials_of_its_products(
        api, alice, make_material, camera):
    # given
    visible = make_material()
    draft = make_material(content=PDF + b"1", publish=False, title="草稿")
    internal = make_material(content=PDF + b"2", audience="staff", title="内部维护手册")
    other = make_material(content=PDF + b"3", product_id=camera.pk, title="摄像机指南")
    client = api(alice)
    # when
    listed = client.get(f"{BASE}/materials").json()["items"]
    # then
    assert [row["id"] for row in listed] == [str(visible.pk)]
    assert client.get(f"{BASE}/materials/{visible.pk}/file").status_code == 200
    for hidden in (draft, internal, other):
        assert client.get(f"{BASE}/materials/{hidden.pk}").status_code == 404
        assert client.get(f"{BASE}/materials/{hidden.pk}/file").status_code == 404


def test_a_product_with_two_assets_lists_its_material_once(api, alice, make_material, acme, rsu):
    from aftersales.assets.services import asset_create

    asset_create(product=rsu, serial_number="SN-0002", customer=acme)
    material = make_material()
    listed = api(alice).get(f"{BASE}/materials").json()["items"]
    assert [row["id"] for row in listed] == [str(material.pk)]
    assert api(alice).get(f"{BASE}/materials/{material.pk}").status_code == 200


def test_grant_by_hand_then_again_renews_and_revoke(api, manager, bob, rsu):
    client = api(manager)
    first = client.post(f"{BASE}/qualifications", {"user_id": bob.pk, "product_id": str(rsu.pk)})
    again = client.post(f"{BASE}/qualifications", {"user_id": bob.pk, "product_id": str(rsu.pk),
                                                   "expires_on": "2099-01-01"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    revoked = client.post(f"{BASE}/qualifications/{first.json()['id']}/revoke", {"reason": "离职"})
    assert (revoked.status_code, revoked.json()["revoked_reason"]) == (200, "离职")


def test_customers_see_no_qualifications_and_cannot_grant(api, manager, alice, bob, rsu):
    api(manager).post(f"{BASE}/qualifications", {"user_id": bob.pk, "product_id": str(rsu.pk)})
    client = api(alice)
    assert client.get(f"{BASE}/qualifications").json()["items"] == []
    response = client.post(f"{BASE}/qualifications", {"user_id": bob.pk, "product_id": str(rsu.pk)})
    assert response.status_code == 403
    assert Qualification.objects.count() == 1


def test_the_session_list_is_paged_in_a_fixed_number_of_queries(
        api, manager, make_session, django_assert_max_num_queries):
    for number in range(5):
        make_session(title=f"第 {number} 期")
    client = api(manager)
    with django_assert_max_num_queries(8):
        response = client.get(f"{BASE}/sessions?limit=3")
    assert (len(response.json()["items"]), response.json()["next_offset"]) == (3, 3)


def test_null_leaves_a_field_unchanged_but_clears_the_months(api, manager, staff_session):
    response = api(manager).patch(f"{BASE}/sessions/{staff_session.pk}",
                                  {"title": None, "qualification_months": None})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["qualification_months"]) == ("RSU 安装与调试", None)


def test_a_customer_user_reads_the_attendance_of_its_own_session_only(
        api, manager, alice, charlie, acme_session, acme_contact):
    api(manager).post(f"{BASE}/sessions/{acme_session.pk}/attendances", {"contact_id": str(acme_contact.pk)})
    rows = api(alice).get(f"{BASE}/sessions/{acme_session.pk}/attendances").json()
    assert [row["name"] for row in rows] == ["马建国"]
    assert api(charlie).get(f"{BASE}/sessions/{acme_session.pk}/attendances").status_code == 404
