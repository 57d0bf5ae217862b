from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.core.errors import ValidationFailed
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderPhoto, WorkOrderStatus
from aftersales.workorders.tests.factories import photo_bytes, work_order_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("format", ["JPEG", "PNG", "GIF", "WEBP"])
def test_a_photo_is_stored_with_the_type_of_its_content(agent, bob, case, media, format):
    # given
    work_order = work_order_in(WorkOrderStatus.ON_SITE, actor=agent, case=case, technician=bob)
    data = photo_bytes(format)
    # when
    photo = services.work_order_add_photo(actor=bob, work_order_id=work_order.pk, upload=io.BytesIO(data),
                                          caption="更换前的天线")
    # then
    assert (photo.content_type, photo.size, photo.caption) == (f"image/{format.lower()}", len(data), "更换前的天线")
    assert photo.file.read() == data
    work_order.refresh_from_db()
    assert work_order.events.order_by("-sequence").first().kind == "photo_added"


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7\n" + b"x" * 100, "photo_type"),
    (b"<html><script>alert(1)</script>", "photo_type"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "photo_unreadable"),
])
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(agent, bob, case, media, data, code):
    work_order = work_order_in(WorkOrderStatus.ON_SITE, actor=agent, case=case, technician=bob)
    version = work_order.version
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_add_photo(actor=bob, work_order_id=work_order.pk, upload=io.BytesIO(data))
    assert (refused.value.code, refused.value.field) == (code, "file")
    assert not WorkOrderPhoto.objects.exists()
    assert WorkOrder.objects.get(pk=work_order.pk).version == version
    assert not any(p.is_file() for p in (media / "workorders" / "photos").rglob("*"))


def test_an_oversized_photo_is_refused(agent, bob, case, settings):
    work_order = work_order_in(WorkOrderStatus.ON_SITE, actor=agent, case=case, technician=bob)
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_add_photo(actor=bob, work_order_id=work_order.pk, upload=io.BytesIO(photo_bytes()))
    assert refused.value.code == "photo_too_large"


def test_the_api_uploads_and_serves_a_photo(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.ON_SITE, actor=agent, case=case, technician=bob)
    client = Client()
    client.force_login(bob)
    data = photo_bytes()
    response = client.post(f"/api/v1/work-orders/{work_order.pk}/photos", {
        "file": SimpleUploadedFile("x.png", data, content_type="image/png"), "caption": "机柜"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["caption"], body["uploaded_by"]) == ("image/jpeg", "机柜", "bob")
    served = client.get(f"/api/v1/work-orders/{work_order.pk}/photos/{body['id']}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(served.streaming_content) == data
    refused = client.post(f"/api/v1/work-orders/{work_order.pk}/photos", {
        "file": SimpleUploadedFile("x.jpg", b"%PDF-1.4 fake", content_type="image/jpeg")})
    assert refused.status_code == 422
    assert refused.json()["field"] == "file"
