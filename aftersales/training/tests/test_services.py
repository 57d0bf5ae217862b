"""Training services: sessions, attendance, holding with qualifications, materials, grants."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.cases.tests.helpers import at
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.training import services
from aftersales.training.models import (
    Qualification,
    SessionStatus,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)
from aftersales.training.selectors import valid_qualification_user_ids
from aftersales.training.tests.conftest import EXE, MP4, PDF, T0, docx_bytes

pytestmark = pytest.mark.django_db

AFTER = T0 + dt.timedelta(hours=4)


# --- sessions -------------------------------------------------------------------------------


def test_a_customer_session_needs_its_customer(make_session):
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        make_session(audience="customer")
    assert refused.value.field == "customer_id"
    assert TrainingSession.objects.count() == 0


def test_a_staff_session_names_no_customer(make_session, acme):
    with pytest.raises(ValidationFailed) as refused:
        make_session(customer_id=acme.pk)
    assert refused.value.field == "customer_id"


def test_only_staff_sessions_grant_qualifications(make_session, acme):
    with pytest.raises(ValidationFailed) as refused:
        make_session(audience="customer", customer_id=acme.pk, grants_qualification=True)
    assert refused.value.field == "grants_qualification"


def test_a_session_must_end_after_it_starts(make_session):
    with pytest.raises(ValidationFailed) as refused:
        make_session(ends_at=T0)
    assert refused.value.field == "ends_at"
    assert TrainingSession.objects.count() == 0


def test_the_trainer_must_be_staff(make_session, alice):
    with pytest.raises(ValidationFailed) as refused:
        make_session(trainer_id=alice.pk)
    assert refused.value.field == "trainer_id"


@pytest.mark.parametrize("role_user", ["bob", "agent", "alice"])
def test_only_managing_roles_plan_sessions(request, make_session, role_user):
    actor = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        make_session(actor=actor)
    assert TrainingSession.objects.count() == 0


def test_the_same_idempotency_key_plans_one_session(make_session):
    # given
    first = make_session(idempotency_key="k1", fingerprint="f")
    # when
    second = make_session(idempotency_key="k1", fingerprint="f")
    # then
    assert second.pk == first.pk
    assert TrainingSession.objects.count() == 1
    with pytest.raises(Conflict):
        make_session(idempotency_key="k1", fingerprint="other")


def test_update_changes_a_planned_session_and_bumps_its_version(manager, staff_session):
    # when
    updated = services.training_session_update(
        actor=manager, session_id=staff_session.pk, expected_version=1,
        changes={"title": "RSU 安装（第二期）", "capacity": 12},
    )
    # then
    assert (updated.title, updated.capacity, updated.version) == ("RSU 安装（第二期）", 12, 2)


def test_a_stale_update_is_refused(manager, staff_session):
    # given
    services.training_session_update(actor=manager, session_id=staff_session.pk, changes={"note": "x"})
    # when / then
    with pytest.raises(PreconditionFailed):
        services.training_session_update(actor=manager, session_id=staff_session.pk,
                                         expected_version=1, changes={"title": "旧版本"})
    assert TrainingSession.objects.get().title == "RSU 安装与调试"


def test_capacity_never_falls_below_the_registered(manager, staff_session, bob, engineer2):
    # given
    for person in (bob, engineer2):
        services.training_attendee_register(actor=manager, session_id=staff_session.pk, user_id=person.pk)
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        services.training_session_update(actor=manager, session_id=staff_session.pk,
                                         changes={"capacity": 1})
    assert refused.value.field == "capacity"
    assert TrainingSession.objects.get().capacity == 10


def test_audience_cannot_be_changed(manager, staff_session, acme):
    with pytest.raises(ValidationFailed):
        services.training_session_update(actor=manager, session_id=staff_session.pk,
                                         changes={"audience": "customer"})


def test_cancel_needs_a_reason_and_then_is_final(manager, staff_session):
    # given
    with pytest.raises(ValidationFailed):
        services.training_session_cancel(actor=manager, session_id=staff_session.pk, reason=" ")
    # when
    cancelled = services.training_session_cancel(actor=manager, session_id=staff_session.pk,
                                                 reason="讲师出差")
    # then
    assert (cancelled.status, cancelled.cancel_reason) == (SessionStatus.CANCELLED, "讲师出差")
    with pytest.raises(Conflict):
        services.training_session_hold(actor=manager, session_id=staff_session.pk, now=AFTER)
    with pytest.raises(Conflict):
        services.training_session_cancel(actor=manager, session_id=staff_session.pk, reason="again")
    with pytest.raises(Conflict):
        services.training_session_update(actor=manager, session_id=staff_session.pk,
                                         changes={"title": "x"})
    assert TrainingSession.objects.get().status == SessionStatus.CANCELLED


def test_a_held_session_cannot_be_cancelled_or_held_again(manager, staff_session):
    # given
    services.training_session_hold(actor=manager, session_id=staff_session.pk, now=AFTER)
    # when / then
    with pytest.raises(Conflict) as refused:
        services.training_session_cancel(actor=manager, session_id=staff_session.pk, reason="迟了")
    assert refused.value.code == "invalid_transition"
    with pytest.raises(Conflict):
        services.training_session_hold(actor=manager, session_id=staff_session.pk, now=AFTER)
    assert TrainingSession.objects.get().status == SessionStatus.HELD


def test_a_session_not_yet_started_cannot_be_held(manager, staff_session):
    with pytest.raises(Conflict) as refused:
        services.training_session_hold(actor=manager, session_id=staff_session.pk,
                                       now=T0 - dt.timedelta(minutes=1))
    assert refused.value.code == "session_not_started"
    assert TrainingSession.objects.get().status == SessionStatus.PLANNED


def test_a_customer_user_cannot_touch_another_customers_session(charlie, acme_session):
    with pytest.raises(NotFound):
        services.training_session_cancel(actor=charlie, session_id=acme_session.pk, reason="x")


def test_a_customer_user_cannot_change_its_own_session(alice, acme_session):
    with pytest.raises(PermissionDenied):
        services.training_session_cancel(actor=alice, session_id=acme_session.pk, reason="x")
    assert TrainingSession.objects.get().status == SessionStatus.PLANNED


# --- attendance -----------------------------------------------------------------------------


def test_registration_stops_at_capacity(manager, make_session, bob, engineer2, expert):
    # given a session for two
    session = make_session(capacity=2)
    services.training_attendee_register(actor=manager, session_id=session.pk, user_id=bob.pk)
    services.training_attendee_register(actor=manager, session_id=session.pk, user_id=engineer2.pk)
    # when / then
    with pytest.raises(Conflict) as refused:
        services.training_attendee_register(actor=manager, session_id=session.pk, user_id=expert.pk)
    assert refused.value.code == "session_full"
    assert TrainingAttendance.objects.count() == 2


def test_registering_twice_returns_the_first_registration(manager, staff_session, bob):
    first, created = services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                                         user_id=bob.pk)
    again, created_again = services.training_attendee_register(
        actor=manager, session_id=staff_session.pk, user_id=bob.pk)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert TrainingAttendance.objects.count() == 1


def test_a_staff_session_takes_no_contacts(manager, staff_session, acme_contact):
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                            contact_id=acme_contact.pk)
    assert refused.value.field == "contact_id"
    assert TrainingAttendance.objects.count() == 0


def test_a_customer_session_takes_no_staff(manager, acme_session, bob):
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendee_register(actor=manager, session_id=acme_session.pk, user_id=bob.pk)
    assert refused.value.field == "user_id"


def test_a_contact_of_another_customer_is_refused(manager, acme_session, globex_contact):
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendee_register(actor=manager, session_id=acme_session.pk,
                                            contact_id=globex_contact.pk)
    assert refused.value.field == "contact_id"
    assert TrainingAttendance.objects.count() == 0


def test_a_contact_of_the_sessions_customer_is_registered(manager, acme_session, acme_contact):
    row, created = services.training_attendee_register(actor=manager, session_id=acme_session.pk,
                                                       contact_id=acme_contact.pk)
    assert (created, row.contact_id, row.user_id, row.attendee_name) == (
        True, acme_contact.pk, None, "马建国")


def test_a_customer_user_is_not_a_staff_attendee(manager, staff_session, alice):
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendee_register(actor=manager, session_id=staff_session.pk, user_id=alice.pk)
    assert refused.value.field == "user_id"


def test_exactly_one_attendee_is_named(manager, staff_session, bob, acme_contact):
    with pytest.raises(ValidationFailed):
        services.training_attendee_register(actor=manager, session_id=staff_session.pk)
    with pytest.raises(ValidationFailed):
        services.training_attendee_register(actor=manager, session_id=staff_session.pk, user_id=bob.pk,
                                            contact_id=acme_contact.pk)


def test_recording_attendance_and_passing(manager, staff_session, bob):
    # given
    row, _ = services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                                 user_id=bob.pk)
    # when
    recorded = services.training_attendance_record(actor=manager, attendance_id=row.pk, attended=True,
                                                   passed=True, score=92, now=AFTER)
    # then
    assert (recorded.attended, recorded.passed, recorded.score, recorded.recorded_at) == (
        True, True, 92, AFTER)


def test_an_absent_attendee_cannot_pass(manager, staff_session, bob):
    row, _ = services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                                 user_id=bob.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendance_record(actor=manager, attendance_id=row.pk, attended=False,
                                            passed=True)
    assert refused.value.field == "passed"
    assert TrainingAttendance.objects.get().passed is None


def test_score_is_0_to_100(manager, staff_session, bob):
    row, _ = services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                                 user_id=bob.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.training_attendance_record(actor=manager, attendance_id=row.pk, attended=True,
                                            score=101)
    assert refused.value.field == "score"


def test_attendance_of_a_held_session_is_final(manager, staff_session, bob):
    row, _ = services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                                 user_id=bob.pk)
    services.training_session_hold(actor=manager, session_id=staff_session.pk, now=AFTER)
    with pytest.raises(Conflict):
        services.training_attendance_record(actor=manager, attendance_id=row.pk, attended=True,
                                            passed=True)
    with pytest.raises(Conflict):
        services.training_attendee_register(actor=manager, session_id=staff_session.pk,
                                            user_id=manager.pk)


# --- holding grants qualifications ----------------------------------------------------------


def _attend(manager, session, person, *, attended=True, passed=True):
    row, _ = services.training_attendee_register(actor=manager, session_id=session.pk, user_id=person.pk)
    services.training_attendance_record(actor=manager, attendance_id=row.pk, attended=attended,
                                        passed=passed)


def test_holding_grants_a_qualification_to_each_staff_member_who_passed(
        manager, staff_session, bob, engineer2, expert, dispatcher, rsu):
    # given bob passed, engineer2 failed, the expert attended without assessment, the
    # dispatcher passed but does not work on equipment
    _attend(manager, staff_session, bob)
    _attend(manager, staff_session, engineer2, passed=False)
    _attend(manager, staff_session, expert, passed=None)
    _attend(manager, staff_session, dispatcher)
    # when
    session, granted = services.training_session_hold(actor=manager, session_id=staff_session.pk,
                                                      now=AFTER)
    # then valid for 24 months: through 2028-11-01
    assert session.status == SessionStatus.HELD
    assert [(q.user_id, q.product_id, q.granted_on, q.expires_on, q.session_id) for q in granted] == [
        (bob.pk, rsu.pk, dt.date(2026, 11, 2), dt.date(2028, 11, 1), staff_session.pk)]
    assert valid_qualification_user_ids(rsu.pk, AFTER) == {bob.pk}


def test_a_session_without_qualification_grants_none(manager, make_session, bob):
    session = make_session()
    _attend(manager, session, bob)
    _session, granted = services.training_session_hold(actor=manager, session_id=session.pk, now=AFTER)
    assert granted == []
    assert Qualification.objects.count() == 0


def test_passing_again_renews_the_qualification_instead_of_adding_one(
        manager, make_session, bob, rsu):
    # given a 12-month qualification from a session a year earlier
    first = make_session(grants_qualification=True, qualification_months=12,
                         starts_at=T0 - dt.timedelta(days=300),
                         ends_at=T0 - dt.timedelta(days=300) + dt.timedelta(hours=2))
    _attend(manager, first, bob)
    services.training_session_hold(actor=manager, session_id=first.pk, now=T0 - dt.timedelta(days=299))
    second = make_session(grants_qualification=True, qualification_months=12)
    _attend(manager, second, bob)
    # when
    _session, granted = services.training_session_hold(actor=manager, session_id=second.pk, now=AFTER)
    # then one row, renewed from the second session
    qualification = Qualification.objects.get()
    assert granted == [qualification]
    assert (qualification.granted_on, qualification.expires_on, qualification.session_id) == (
        dt.date(2026, 11, 2), dt.date(2027, 11, 1), second.pk)


# --- qualifications by hand -----------------------------------------------------------------


def test_grant_by_hand_and_grant_again_renews(manager, bob, rsu):
    # given
    first, created = services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                                  expires_on=dt.date(2027, 1, 31), now=T0)
    # when
    again, created_again = services.qualification_grant(
        actor=manager, user_id=bob.pk, product_id=rsu.pk, expires_on=dt.date(2028, 1, 31), now=T0)
    # then
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Qualification.objects.get().expires_on == dt.date(2028, 1, 31)


def test_a_renewal_never_shortens_a_qualification(manager, bob, rsu):
    services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk, now=T0)
    services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                 expires_on=dt.date(2027, 1, 31), now=T0)
    assert Qualification.objects.get().expires_on is None


@pytest.mark.parametrize("role_user", ["dispatcher", "expert", "bob", "agent", "alice"])
def test_only_managers_and_admins_grant(request, role_user, bob, rsu):
    actor = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        services.qualification_grant(actor=actor, user_id=bob.pk, product_id=rsu.pk)
    assert Qualification.objects.count() == 0


def test_admin_may_grant(admin, bob, rsu):
    _q, created = services.qualification_grant(actor=admin, user_id=bob.pk, product_id=rsu.pk)
    assert created is True


@pytest.mark.parametrize("role_user", ["agent", "dispatcher", "alice"])
def test_only_engineers_and_experts_hold_qualifications(request, manager, role_user, rsu):
    person = request.getfixturevalue(role_user)
    with pytest.raises(ValidationFailed) as refused:
        services.qualification_grant(actor=manager, user_id=person.pk, product_id=rsu.pk)
    assert refused.value.field == "user_id"


def test_an_expiry_in_the_past_is_refused(manager, bob, rsu):
    with pytest.raises(ValidationFailed) as refused:
        services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                     expires_on=dt.date(2026, 1, 1), now=T0)
    assert refused.value.field == "expires_on"


def test_revoke_needs_a_reason_then_a_new_grant_starts_afresh(manager, bob, rsu):
    # given
    qualification, _ = services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                                    now=T0)
    with pytest.raises(ValidationFailed):
        services.qualification_revoke(actor=manager, qualification_id=qualification.pk, reason="")
    # when
    revoked = services.qualification_revoke(actor=manager, qualification_id=qualification.pk,
                                            reason="违规操作", now=AFTER)
    # then
    assert (revoked.revoked_at, revoked.revoked_reason, revoked.revoked_by_id) == (
        AFTER, "违规操作", manager.pk)
    assert valid_qualification_user_ids(rsu.pk, AFTER) == set()
    with pytest.raises(Conflict):
        services.qualification_revoke(actor=manager, qualification_id=qualification.pk, reason="再次")
    fresh, created = services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                                  now=AFTER)
    assert created is True
    assert fresh.pk != qualification.pk
    assert Qualification.objects.count() == 2


def test_an_expired_qualification_is_not_valid(manager, bob, rsu):
    services.qualification_grant(actor=manager, user_id=bob.pk, product_id=rsu.pk,
                                 expires_on=dt.date(2026, 12, 31), now=T0)
    assert valid_qualification_user_ids(rsu.pk, at("2026-12-31 23:00")) == {bob.pk}
    assert valid_qualification_user_ids(rsu.pk, at("2027-01-01 00:01")) == set()


# --- materials ------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "name", "content_type"), [
    (PDF, "guide.pdf", "application/pdf"),
    (MP4, "intro.mp4", "video/mp4"),
    (docx_bytes(), "manual.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "wiring.png", "image/png"),
])
def test_accepted_files_are_stored_with_type_size_and_digest(make_material, content, name, content_type):
    material = make_material(content=content, name=name)
    assert (material.content_type, material.size, material.file_name) == (content_type, len(content), name)
    assert len(material.sha256) == 64
    with material.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(("content", "name"), [
    (EXE, "setup.pdf"),
    (b"PK\x03\x04not really a zip" + b"\x00" * 40, "manual.docx"),
    (b"<html><script>alert(1)</script></html>", "page.pdf"),
    (b"", "empty.pdf"),
])
def test_other_files_are_refused(make_material, content, name, media):
    with pytest.raises(ValidationFailed) as refused:
        make_material(content=content, name=name)
    assert refused.value.field == "file"
    assert TrainingMaterial.objects.count() == 0
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_file_over_the_limit_is_refused(settings, make_material):
    settings.TRAINING_MATERIAL_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        make_material(content=PDF + b"x" * 200)
    assert refused.value.code == "file_too_large"


def test_the_same_file_again_is_the_same_material(manager, make_material, rsu):
    first = make_material()
    again, created = services.training_material_upload(
        actor=manager, product_id=rsu.pk, title="重复", kind="manual", audience="staff",
        upload=io.BytesIO(PDF), name="again.pdf")
    assert (created, again.pk) == (False, first.pk)
    assert TrainingMaterial.objects.count() == 1


def test_publish_and_withdraw_are_idempotent(manager, make_material):
    material = make_material(publish=False)
    assert services.training_material_publish(actor=manager, material_id=material.pk, now=T0).published_at == T0
    assert services.training_material_publish(actor=manager, material_id=material.pk, now=AFTER).published_at == T0
    withdrawn = services.training_material_withdraw(actor=manager, material_id=material.pk)
    assert (withdrawn.is_published, withdrawn.published_at) == (False, None)


@pytest.mark.parametrize("role_user", ["bob", "agent"])
def test_only_managing_roles_upload(request, make_material, role_user):
    with pytest.raises(PermissionDenied):
        make_material(actor=request.getfixturevalue(role_user))
    assert TrainingMaterial.objects.count() == 0


def test_a_customer_user_cannot_publish(alice, make_material):
    material = make_material(publish=False)
    with pytest.raises(NotFound):
        services.training_material_publish(actor=alice, material_id=material.pk)
    assert TrainingMaterial.objects.get().is_published is False
