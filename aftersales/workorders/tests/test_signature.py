from __future__ import annotations

import base64
import io
import zlib

import pytest
from PIL import Image

from aftersales.core.errors import ValidationFailed
from aftersales.workorders import images, services
from aftersales.workorders.models import WorkOrder, WorkOrderSignature, WorkOrderStatus
from aftersales.workorders.tests.factories import photo_bytes, signature_png, work_order_in

pytestmark = pytest.mark.django_db


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _noisy_png(width: int, height: int) -> bytes:
    # Random pixels do not compress: a big file of sane dimensions.
    import os

    return _png(Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)))


@pytest.mark.parametrize(("data", "code"), [
    (b"", "signature_empty"),
    (photo_bytes("JPEG"), "signature_not_png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "signature_not_png"),
    (images.PNG_MAGIC + b"\x00" * 300, "signature_unreadable"),
    (signature_png(blank=True), "signature_blank"),
    (signature_png(blank=True, transparent=False), "signature_blank"),
    (_png(Image.new("RGBA", (400, 160), (30, 30, 30, 255))), "signature_blank"),
    (signature_png(width=60, height=20), "signature_size"),
    (signature_png(width=5000, height=200), "signature_size"),
])
def test_a_signature_that_is_not_a_drawn_png_is_refused(data, code):
    with pytest.raises(ValidationFailed) as refused:
        images.signature_check(data)
    assert (refused.value.code, refused.value.field) == (code, "signature")


def test_a_signature_over_the_size_limit_is_refused_before_decoding():
    data = _noisy_png(600, 400)
    assert len(data) > images.SIGNATURE_MAX_BYTES
    with pytest.raises(ValidationFailed) as refused:
        images.signature_check(data)
    assert refused.value.code == "signature_too_large"


def test_a_decompression_bomb_is_refused():
    # 20000 x 20000 of one colour: a tiny file that would take 1.6 GB to decode.
    header = images.PNG_MAGIC
    width = height = 20000

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    raw = zlib.compress(b"\x00" * 1000)
    data = header + chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00") \
        + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with pytest.raises(ValidationFailed) as refused:
        images.signature_check(data)
    assert refused.value.code in {"signature_unreadable", "signature_size"}


def test_a_drawn_signature_on_a_transparent_or_white_pad_is_accepted():
    assert images.signature_check(signature_png()).width == 400
    assert images.signature_check(signature_png(transparent=False)).height == 160


def test_signing_stores_the_image_with_signer_and_time(agent, bob, case, media):
    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    data = signature_png()
    services.work_order_sign(actor=bob, work_order_id=work_order.pk, signature_png=data, signer_name=" 马建国 ")
    signature = WorkOrderSignature.objects.get(work_order=work_order)
    work_order.refresh_from_db()
    assert (signature.signer_name, signature.captured_by, signature.size) == ("马建国", bob, len(data))
    assert signature.signed_at == work_order.signed_at
    assert work_order.status == "signed"
    assert signature.file.read() == data
    assert signature.file.name.startswith("workorders/signatures/")


def test_a_refused_signature_changes_nothing_and_stores_nothing(agent, bob, case, media):
    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    with pytest.raises(ValidationFailed):
        services.work_order_sign(actor=bob, work_order_id=work_order.pk, signature_png=signature_png(blank=True),
                                 signer_name="马建国")
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_sign(actor=bob, work_order_id=work_order.pk, signature_png=signature_png(),
                                 signer_name="  ")
    assert refused.value.field == "signer_name"
    assert WorkOrder.objects.get(pk=work_order.pk).status == "work_done"
    assert not WorkOrderSignature.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_the_api_takes_a_canvas_data_url(api, agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = api(bob).post(f"/api/v1/work-orders/{work_order.pk}/signature",
                             {"signer_name": "马建国", "signature": data_url})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed"
    assert body["signature"]["signer_name"] == "马建国"
    image = api(bob).get(f"/api/v1/work-orders/{work_order.pk}/signature.png")
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == signature_png()


@pytest.mark.parametrize(("signature", "code"), [
    ("data:image/jpeg;base64,AAAA", "signature_not_png"),
    ("data:image/png;base64,@@@", "signature_encoding"),
    ("data:image/png;base64," + base64.b64encode(signature_png(blank=True)).decode(), "signature_blank"),
])
def test_the_api_names_the_signature_field_when_refusing(api, agent, bob, case, signature, code):
    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    response = api(bob).post(f"/api/v1/work-orders/{work_order.pk}/signature",
                             {"signer_name": "马建国", "signature": signature})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, "signature")
    assert WorkOrder.objects.get(pk=work_order.pk).status == "work_done"


def test_the_api_takes_a_png_file(agent, bob, case):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    work_order = work_order_in(WorkOrderStatus.WORK_DONE, actor=agent, case=case, technician=bob)
    client = Client()
    client.force_login(bob)
    response = client.post(f"/api/v1/work-orders/{work_order.pk}/signature/file", {
        "signature": SimpleUploadedFile("sig.png", signature_png(), content_type="image/png"),
        "signer_name": "马建国",
    })
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed"
