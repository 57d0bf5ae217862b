"""The commitment import over HTTP and in the console: roles, the review page (escaped text),
editing, preview and apply; the CLI on a temporary file; reading .docx, PDF and GB18030."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from aftersales.commitments.documents import docx_text, text_document, uploaded_document
from aftersales.commitments.models import CommitmentImport, ImportStatus
from aftersales.commitments.services import commitment_import_create
from aftersales.contracts.models import SlaPolicy
from aftersales.contracts.services import policy_targets
from aftersales.core.errors import ValidationFailed
from aftersales.core.roles import Role

pytestmark = pytest.mark.django_db

TEXT = "本公司承诺：接到报修后30分钟内电话响应，4小时内到达现场，一般故障24小时内解决。"


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMIN, 201), (Role.MANAGER, 201), (Role.DISPATCHER, 403), (Role.AGENT, 403),
    (Role.ENGINEER, 403),
])
def test_only_admins_and_managers_create_imports(api, make_user, role, status):
    client = api(make_user(f"user-{role}", role))
    answer = client.post("/api/v1/commitments/imports", {"text": TEXT, "name": "承诺书"})
    assert answer.status_code == status, answer.content
    assert CommitmentImport.objects.count() == (1 if status == 201 else 0)


def test_a_customer_user_cannot_read_an_import(api, alice, manager):
    commitment = commitment_import_create(actor=manager, document=text_document(text=TEXT))
    answer = api(alice).get(f"/api/v1/commitments/imports/{commitment.pk}")
    assert answer.status_code == 403


def test_the_api_creates_edits_previews_and_applies(api, manager, diamond_contract):
    client = api(manager)
    # given an import from text, with its items and their spans
    created = client.post("/api/v1/commitments/imports", {"text": TEXT, "name": "承诺书"}).json()
    on_site = next(item for item in created["items"] if item["kind"] == "on_site")
    assert on_site["value"] == 240
    assert TEXT[on_site["span"]["start"]:on_site["span"]["end"]] == on_site["span"]["text"] == "4小时内到达现场"
    assert on_site["sentence"]["text"] in TEXT

    # when the on-site figure is edited to 3 hours
    edited = client.patch(f"/api/v1/commitments/imports/{created['id']}/items/{on_site['id']}",
                          {"version": created["version"], "value": 180})
    assert edited.status_code == 200, edited.content
    assert edited.json()["value"] == 180
    stale = client.patch(f"/api/v1/commitments/imports/{created['id']}/items/{on_site['id']}",
                         {"version": created["version"], "value": 120})
    assert stale.status_code == 412

    # then the preview names the change, and applying makes it
    target = {"policy_code": "acme-bid", "policy_name": "Acme 承诺", "contract_number": diamond_contract.number}
    preview = client.post(f"/api/v1/commitments/imports/{created['id']}/preview", target).json()
    assert {"area": "sla_target", "label": "默认 P1 到场", "old": "—", "new": "3 小时"} in preview["changes"]
    assert not SlaPolicy.objects.filter(code="acme-bid").exists()
    applied = client.post(f"/api/v1/commitments/imports/{created['id']}/apply", target)
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied"
    assert applied.json()["target_contract"] == diamond_contract.number
    policy = SlaPolicy.objects.get(code="acme-bid")
    assert policy_targets(policy, "P1") == {"first_response": 30, "on_site": 180, "resolution": 1440,
                                           "restoration": None}
    # the same request again changes nothing; another target is a conflict
    again = client.post(f"/api/v1/commitments/imports/{created['id']}/apply", target)
    assert again.status_code == 200
    assert SlaPolicy.objects.get(code="acme-bid").version == policy.version
    other = client.post(f"/api/v1/commitments/imports/{created['id']}/apply", {"policy_code": "gold"})
    assert other.status_code == 409
    assert other.json()["code"] == "already_applied"


def test_an_agent_cannot_apply_and_nothing_changes(api, manager, agent):
    commitment = commitment_import_create(actor=manager, document=text_document(text=TEXT))
    answer = api(agent).post(f"/api/v1/commitments/imports/{commitment.pk}/apply",
                             {"policy_code": "x", "policy_name": "x"})
    assert answer.status_code == 403
    commitment.refresh_from_db()
    assert commitment.status == ImportStatus.DRAFT
    assert not SlaPolicy.objects.filter(code="x").exists()


def _docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_an_uploaded_docx_is_read_paragraph_by_paragraph(api, manager):
    content = _docx(["售后服务承诺", "4小时内到达现场。", "常规备件2小时内到位。"])
    assert docx_text(content) == "售后服务承诺\n4小时内到达现场。\n常规备件2小时内到位。"
    upload = SimpleUploadedFile("承诺.docx", content)
    answer = api(manager).client.post("/api/v1/commitments/imports/upload", {"file": upload},
                                      headers=api(manager).headers)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["source_kind"] == "docx"
    assert {(item["kind"], item["value"]) for item in body["items"]} == {("on_site", 240), ("parts_delivery", 120)}


def test_gb18030_text_and_bad_files_are_handled(manager):
    document = uploaded_document(name="承诺.txt", content="4小时内到达现场。".encode("gb18030"))
    assert document.text == "4小时内到达现场。"
    for name, content in (("a.docx", b"not a zip"), ("a.exe", b"MZ..."), ("a.txt", b""),
                          ("a.docx", b"PK\x03\x04broken")):
        with pytest.raises(ValidationFailed) as refused:
            uploaded_document(name=name, content=content)
        assert refused.value.field == "file"


def _pdf(line: str) -> bytes:
    """A one-page PDF with a line of Helvetica text, offsets computed (no PDF library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_is_read_with_pdftotext():
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (scripts/ensure-debian-packages.sh installs it)")
    document = uploaded_document(name="a.pdf", content=_pdf("Engineers on site within 4 hours."))
    assert document.kind == "pdf"
    assert "Engineers on site within 4 hours." in document.text


def test_a_broken_pdf_is_refused_by_field():
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    with pytest.raises(ValidationFailed) as refused:
        uploaded_document(name="a.pdf", content=b"%PDF-1.4 garbage")
    assert refused.value.field == "file"


def test_the_review_page_shows_hostile_text_as_text(client_for, manager):
    hostile = '<script>alert("x")</script>承诺4小时内到达现场<img src=x onerror=alert(1)>。'
    commitment = commitment_import_create(actor=manager, document=text_document(text=hostile, name="<b>书</b>"))
    page = client_for(manager).get(f"/console/commitments/{commitment.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<mark class="span-item" id="span-1">4小时内到达现场</mark>' in html
    assert "<b>书</b>" not in html


def test_the_console_pages_paste_edit_and_apply(client_for, manager, diamond_contract):
    client = client_for(manager)
    # paste
    answer = client.post("/console/commitments/", {"idempotency_key": "k1", "text": TEXT, "name": "承诺书"})
    assert answer.status_code == 302
    commitment = CommitmentImport.objects.get()
    # a double submit opens the same import
    assert client.post("/console/commitments/", {"idempotency_key": "k1", "text": TEXT})["Location"] == answer["Location"]
    assert CommitmentImport.objects.count() == 1
    # edit the on-site figure
    item = commitment.items.get(kind="on_site")
    prefix = f"item-{item.position}"
    edited = client.post(f"/console/commitments/{commitment.pk}/items/{item.pk}/update/", {
        f"{prefix}-version": commitment.version, f"{prefix}-kind": "on_site", f"{prefix}-severity": "",
        f"{prefix}-regions": "", f"{prefix}-value": "180", f"{prefix}-is_included": "on"})
    assert edited.status_code == 302
    # preview, then apply
    commitment.refresh_from_db()
    preview = client.get(f"/console/commitments/{commitment.pk}/", {"policy_code": "acme-bid", "policy_name": "A",
                                                                     "contract_number": diamond_contract.number})
    assert "默认 P1 到场" in preview.content.decode()
    applied = client.post(f"/console/commitments/{commitment.pk}/apply/", {
        "version": commitment.version, "policy_code": "acme-bid", "policy_name": "A",
        "contract_number": diamond_contract.number})
    assert applied.status_code == 302
    page = client.get(applied["Location"]).content.decode()
    assert "已应用" in page
    assert policy_targets(SlaPolicy.objects.get(code="acme-bid"), "P1")["on_site"] == 180


def test_the_console_refuses_other_staff(client_for, agent, manager):
    commitment = commitment_import_create(actor=manager, document=text_document(text=TEXT))
    client = client_for(agent)
    assert client.get("/console/commitments/").status_code == 403
    assert client.get(f"/console/commitments/{commitment.pk}/").status_code == 403


def test_the_cli_prints_the_draft_and_applies(tmp_path, make_user, capsys):
    make_user("root", Role.ADMIN)
    document = tmp_path / "承诺.txt"
    document.write_text(TEXT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_commitments", str(document), "--apply", "--policy", "cli-bid",
                 "--policy-name", "CLI 承诺", stdout=out)
    printed = out.getvalue()
    assert "on_site" in printed
    assert "4 h" in printed
    assert "4小时内到达现场" in printed
    assert "fault_class=general" in printed
    assert "applied to policy cli-bid" in printed
    assert policy_targets(SlaPolicy.objects.get(code="cli-bid"), "P3")["resolution"] == 1440


def test_the_cli_names_the_problem(tmp_path, make_user):
    from django.core.management.base import CommandError

    make_user("root", Role.ADMIN)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_commitments", str(tmp_path / "none.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="file"):
        call_command("import_commitments", str(empty))
    assert not Path(tmp_path / "none.txt").exists()


VISITS_TEXT = "我们承诺每季度回访一次。"


def test_return_visits_need_a_visitor_named_at_its_field_in_the_api_the_console_and_the_cli(
    api, client_for, manager, agent, diamond_contract, tmp_path,
):
    from aftersales.surveys.models import ReturnVisitPlan

    # the API: 422 naming visit_assignee_id, then applied with one
    created = api(manager).post("/api/v1/commitments/imports", {"text": VISITS_TEXT}).json()
    target = {"policy_code": "gold", "contract_number": diamond_contract.number}
    refused = api(manager).post(f"/api/v1/commitments/imports/{created['id']}/apply", target)
    assert refused.status_code == 422
    assert "visit_assignee_id" in refused.content.decode()
    applied = api(manager).post(f"/api/v1/commitments/imports/{created['id']}/apply",
                                {**target, "visit_assignee_id": str(agent.pk)})
    assert applied.status_code == 200, applied.content
    assert ReturnVisitPlan.objects.get(contract=diamond_contract).frequency == "quarterly"

    # the console: the visitor select offers staff, preselects whoever applies, refuses at the field
    client = client_for(manager)
    commitment = commitment_import_create(actor=manager, document=text_document(text="每月回访一次。"))
    page = client.get(f"/console/commitments/{commitment.pk}/").content.decode()
    assert 'name="visit_assignee_id"' in page
    assert f'<option value="{manager.pk}" selected>' in page
    answer = client.post(f"/console/commitments/{commitment.pk}/apply/", {
        "version": commitment.version, "policy_code": "gold", "contract_number": diamond_contract.number,
        "visit_assignee_id": ""})
    # the contract has a plan now (quarterly): no visitor needed to make it monthly
    assert answer.status_code == 302
    assert ReturnVisitPlan.objects.get(contract=diamond_contract, is_active=True).frequency == "monthly"

    # the CLI: an unknown visitor is named
    from django.core.management.base import CommandError

    document = tmp_path / "visits.txt"
    document.write_text(VISITS_TEXT, encoding="utf-8")
    with pytest.raises(CommandError, match="--visitor"):
        call_command("import_commitments", str(document), "--user", "manager", "--apply", "--policy", "gold",
                     "--visitor", "nobody")


def test_the_console_shows_a_missing_visitor_at_its_field(client_for, manager, diamond_contract):
    client = client_for(manager)
    commitment = commitment_import_create(actor=manager, document=text_document(text=VISITS_TEXT))
    answer = client.post(f"/console/commitments/{commitment.pk}/apply/", {
        "version": commitment.version, "policy_code": "gold", "contract_number": diamond_contract.number,
        "visit_assignee_id": ""})
    assert answer.status_code == 422
    # the error sits in the visitor's field, after its select
    field = answer.content.decode().split('for="id_visit_assignee_id"', 1)[1].split("</div>", 1)[0]
    assert "请选择回访人" in field
