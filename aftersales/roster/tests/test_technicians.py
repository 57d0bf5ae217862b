from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.assets.services import product_create
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.roster.models import Technician
from aftersales.roster.services import technician_create, technician_update, technicians_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rsu(db):
    return product_create(model="RSU-1", name="ETC 路侧单元", category="ETC")


@pytest.fixture
def camera(db):
    return product_create(model="CAM-9", name="车牌识别相机", category="视频")


def test_a_technician_profile_records_base_skills_and_capacity(bob, field_team, rsu):
    # when
    technician = technician_create(
        user_id=bob.pk,
        team_code="field-north",
        region="北区",
        base_latitude="39.904200",
        base_longitude=116.4074,
        product_ids=[rsu.pk, rsu.pk],
        product_categories=["视频", " 视频 ", ""],
    )
    # then
    technician.refresh_from_db()
    assert (technician.user, technician.team, technician.region) == (bob, field_team, "北区")
    assert (technician.base_latitude, technician.base_longitude) == (
        Decimal("39.904200"),
        Decimal("116.407400"),
    )
    assert list(technician.products.all()) == [rsu]
    assert technician.product_categories == ["视频"]
    assert (technician.max_concurrent_work_orders, technician.is_active) == (5, True)


def test_a_person_has_one_technician_profile(bob):
    technician_create(user_id=bob.pk)
    with pytest.raises(Conflict) as refused:
        technician_create(user_id=bob.pk, region="南区")
    assert (refused.value.code, refused.value.field) == ("technician_exists", "user_id")
    assert Technician.objects.get().region == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"base_latitude": "91"}, "base_latitude"),
        ({"base_latitude": "39.9", "base_longitude": "-180.5"}, "base_longitude"),
        ({"base_latitude": "39.9"}, "base_longitude"),  # half a position
        ({"base_latitude": "north"}, "base_latitude"),
        ({"team_code": "nowhere"}, "team"),
        ({"product_ids": ["00000000-0000-0000-0000-000000000000"]}, "product_ids"),
        ({"max_concurrent_work_orders": 0}, "max_concurrent_work_orders"),
    ],
)
def test_an_invalid_profile_is_refused_naming_the_field(bob, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        technician_create(user_id=bob.pk, **fields)
    assert refused.value.field == field
    assert Technician.objects.count() == 0


def test_a_customer_user_cannot_be_a_technician(alice):
    with pytest.raises(ValidationFailed) as refused:
        technician_create(user_id=alice.pk)
    assert refused.value.field == "user_id"


def test_an_update_changes_only_the_given_fields(bob, field_team, rsu, camera):
    # given
    technician = technician_create(
        user_id=bob.pk, team_code="field-north", region="北区", product_ids=[rsu.pk]
    )
    # when
    technician_update(
        technician_id=technician.pk,
        changes={"product_ids": [camera.pk], "max_concurrent_work_orders": 3, "team": None},
    )
    # then
    technician.refresh_from_db()
    assert list(technician.products.all()) == [camera]
    assert (technician.max_concurrent_work_orders, technician.team, technician.region) == (
        3,
        None,
        "北区",
    )


def test_an_update_of_an_unknown_field_or_technician_is_refused(bob):
    technician = technician_create(user_id=bob.pk)
    with pytest.raises(ValidationFailed) as refused:
        technician_update(technician_id=technician.pk, changes={"user_id": 1})
    assert refused.value.field == "user_id"
    with pytest.raises(NotFound):
        technician_update(technician_id="00000000-0000-0000-0000-000000000000", changes={})


def test_technicians_for_a_product_are_those_with_the_product_or_its_category(
    make_user, bob, carol, rsu, camera
):
    # given bob knows the RSU, carol all video products, dave nothing, erin is off the roll
    dave = make_user("dave", "engineer")
    erin = make_user("erin", "engineer")
    technician_create(user_id=bob.pk, product_ids=[rsu.pk], region="北区")
    technician_create(user_id=carol.pk, product_categories=["视频"], region="南区")
    technician_create(user_id=dave.pk, region="北区")
    technician_create(user_id=erin.pk, product_ids=[rsu.pk, camera.pk], is_active=False)
    # then
    assert [t.username for t in technicians_for(product=rsu)] == ["bob"]
    assert [t.username for t in technicians_for(product=camera)] == ["carol"]
    assert [t.username for t in technicians_for()] == ["bob", "carol", "dave"]
    assert [t.username for t in technicians_for(region="北区")] == ["bob", "dave"]
    assert [t.username for t in technicians_for(product=rsu, region="南区")] == []
    bob_skills = technicians_for(product=rsu)[0]
    assert (bob_skills.product_ids, bob_skills.max_concurrent_work_orders) == (
        frozenset({rsu.pk}),
        5,
    )


def test_a_product_without_a_category_matches_no_category_skill(make_user, bob):
    bare = product_create(model="X-1", name="无类别产品")
    technician_create(user_id=bob.pk, product_categories=["ETC"])
    assert technicians_for(product=bare) == []
