from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.cases import services
from aftersales.cases.attachments import case_attach, clean_file_name, sniff_content_type
from aftersales.cases.models import CaseAttachment, CaseEvent
from aftersales.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(agent, customer):
    case, _created = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                        title="隧道摄像机黑屏")
    return case


@pytest.mark.parametrize(("head", "expected"), [
    (PNG, "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"), (b"GIF89a..", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (PDF, "application/pdf"),
    (b"<svg xmlns=", None), (b"MZ\x90\x00", None), (b"", None),
])
def test_the_type_comes_from_the_content(head, expected):
    assert sniff_content_type(head[:16]) == expected


def test_names_lose_paths_and_control_characters():
    assert clean_file_name("C:\\Users\\a\\照片\x07.png") == "照片.png"
    assert clean_file_name("../../etc/passwd") == "passwd"
    assert clean_file_name("") == "attachment"


def test_staff_attach_a_photo_and_the_case_records_it(agent, acme, media):
    case = _case(agent, acme)
    attachment = case_attach(actor=agent, case_id=case.pk, upload=io.BytesIO(PNG), name="现场.png")
    assert (attachment.content_type, attachment.size, attachment.name) == ("image/png", len(PNG), "现场.png")
    assert CaseEvent.objects.filter(case=case, kind="attached").count() == 1
    assert attachment.file.read() == PNG
    assert "现场" not in attachment.file.name  # stored under a random name


def test_a_disguised_or_oversized_file_is_refused_and_nothing_is_kept(agent, acme, media, settings):
    case = _case(agent, acme)
    with pytest.raises(ValidationFailed) as refused:
        case_attach(actor=agent, case_id=case.pk, upload=io.BytesIO(b"<html><script>"), name="x.png")
    assert refused.value.field == "file"
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed):
        case_attach(actor=agent, case_id=case.pk, upload=io.BytesIO(PNG), name="big.png")
    assert not CaseAttachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_another_customer_cannot_attach_or_read(agent, alice, charlie, acme):
    case = _case(agent, acme)
    with pytest.raises(NotFound):
        case_attach(actor=charlie, case_id=case.pk, upload=io.BytesIO(PNG), name="x.png")
    attachment = case_attach(actor=alice, case_id=case.pk, upload=io.BytesIO(PNG), name="a.png")
    assert _client(charlie).get(f"/portal/attachments/{attachment.pk}").status_code == 404
    response = _client(alice).get(f"/portal/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


def test_internal_files_stay_internal(agent, alice, acme):
    case = _case(agent, acme)
    client = _client(agent)
    response = client.post(f"/console/cases/{case.pk}/attachments",
                           {"file": SimpleUploadedFile("诊断.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    internal = CaseAttachment.objects.get()
    assert internal.visible_to_customer is False  # the box was not ticked
    assert "诊断.pdf" in client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "诊断.pdf" not in _client(alice).get(f"/portal/cases/{case.pk}/").content.decode()
    assert _client(alice).get(f"/portal/attachments/{internal.pk}").status_code == 404
    assert client.get(f"/console/attachments/{internal.pk}")["Content-Disposition"].startswith("attachment")


def test_the_portal_request_form_takes_a_photo_and_refuses_other_files(alice, acme):
    client = _client(alice)
    form = {"title": "情报板显示乱码", "reporter": "马建国", "description": "K123 情报板乱码", "impact": "limited",
            "idempotency_key": "5d0c7d9e-2222-4333-8444-955566667777"}
    bad = client.post("/portal/request/", {**form, "attachment": SimpleUploadedFile("a.png", b"not an image")})
    assert bad.status_code == 422
    assert not CaseAttachment.objects.exists()
    ok = client.post("/portal/request/", {**form, "attachment": SimpleUploadedFile("乱码.png", PNG)})
    assert ok.status_code == 302
    assert CaseAttachment.objects.get().name == "乱码.png"
