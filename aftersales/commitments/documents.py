"""Reading a commitment document into text: plain text (UTF-8, else GB18030), .docx (the
paragraphs of `word/document.xml`, read with the standard library) and PDF (poppler's
`pdftotext`, with a time limit). Refusals name the field ("file") and say why."""

from __future__ import annotations

import io
import shutil
import subprocess  # noqa: S404 - pdftotext, a fixed program with fixed arguments
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from aftersales.commitments.models import SourceKind
from aftersales.core.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
# A .docx is a zip: its XML, unpacked, may not be more than this (a zip bomb stops here).
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
PDFTOTEXT_SECONDS = 20
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Document:
    name: str
    kind: str  # SourceKind
    text: str


def _limited(text: str, field: str) -> str:
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise ValidationFailed(_("文档中没有文字"), field=field)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed(
            _("文字过长（最多 %(limit)s 个字符）") % {"limit": MAX_TEXT_CHARS}, field=field
        )
    return text


def text_document(*, text: str, name: str = "") -> Document:
    """Pasted text, kept as typed (line ends normalised)."""
    return Document(name=name.strip()[:200] or _("粘贴的文本"), kind=SourceKind.TEXT,
                    text=_limited(text, "text"))


def decode_text(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationFailed(_("无法识别文本编码（支持 UTF-8 与 GB18030）"), field="file") from None


def docx_text(content: bytes) -> str:
    """The paragraphs of the document body, one a line; tabs and breaks as whitespace."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise ValidationFailed(_("不是有效的 .docx 文件"), field="file") from None
    if info.file_size > MAX_DOCX_XML_BYTES:
        raise ValidationFailed(_("文档内容过大"), field="file")
    try:
        # The standard parser expands no external entities; the size is bounded above.
        root = ElementTree.fromstring(archive.read(info))  # noqa: S314
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError):
        raise ValidationFailed(_("不是有效的 .docx 文件"), field="file") from None
    lines = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def pdf_text(content: bytes) -> str:
    program = shutil.which("pdftotext")
    if program is None:
        raise ValidationFailed(
            _("服务器未安装 pdftotext，无法读取 PDF；请粘贴文字"), field="file"
        )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(content)
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
                [program, "-enc", "UTF-8", "-nopgbrk", str(source), "-"],
                capture_output=True, timeout=PDFTOTEXT_SECONDS, check=False,
            )
        except subprocess.TimeoutExpired:
            raise ValidationFailed(_("读取 PDF 超时"), field="file") from None
    if done.returncode != 0:
        raise ValidationFailed(_("不是有效的 PDF 文件"), field="file")
    return done.stdout[: MAX_TEXT_CHARS * 4].decode("utf-8", errors="replace")


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refusing one over the limit before reading it all."""
    if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("文件过大（最多 %(limit)s MB）") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    content: bytes = upload.read(MAX_UPLOAD_BYTES + 1)
    return content


def uploaded_document(*, name: str, content: bytes) -> Document:
    """A document from an uploaded file, by its content first (PDF and zip signatures), then
    by its name: .txt, .docx or .pdf."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("文件过大（最多 %(limit)s MB）") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    if not content:
        raise ValidationFailed(_("文件是空的"), field="file")
    suffix = Path(name).suffix.lower()
    shown = Path(name).name[:200] or _("上传的文件")
    if content.startswith(b"%PDF-"):
        return Document(name=shown, kind=SourceKind.PDF, text=_limited(pdf_text(content), "file"))
    if content.startswith(b"PK\x03\x04"):
        if suffix not in ("", ".docx"):
            raise ValidationFailed(_("只支持 .txt、.docx 和 .pdf 文件"), field="file")
        return Document(name=shown, kind=SourceKind.DOCX, text=_limited(docx_text(content), "file"))
    if suffix in (".pdf", ".docx", ".doc"):
        raise ValidationFailed(
            _("文件内容与扩展名 %(suffix)s 不符") % {"suffix": suffix}, field="file"
        )
    if suffix not in ("", ".txt", ".text", ".md"):
        raise ValidationFailed(_("只支持 .txt、.docx 和 .pdf 文件"), field="file")
    return Document(name=shown, kind=SourceKind.TEXT, text=_limited(decode_text(content), "file"))
