"""Reading one e-mail (pure, no database): addresses, threading headers, text, sanitised HTML,
attachments, whether it was sent by a machine (auto-reply, bounce, list), and its language.

Chinese mail often declares GB2312 while using GBK characters; every GB charset is read as
GB18030, their superset, and undecodable bytes become U+FFFD instead of failing the message."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

import nh3

GB_CHARSETS = frozenset({"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb18030", "csgb2312", "euc-cn", "cp936"})
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Our case numbers: AS + yymmdd + - + sequence (cases.services._case_open).
CASE_NUMBER = re.compile(r"\b(AS\d{6}-\d{6,})\b")
AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+@-]|$)", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
MAX_ID = 255
MAX_REFERENCES = 20


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    sent_at: dt.datetime | None
    in_reply_to: str
    references: tuple[str, ...]
    text: str
    html: str
    attachments: tuple[Attachment, ...]
    automatic_reason: str
    content_language: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_automatic(self) -> bool:
        return bool(self.automatic_reason)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, the nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references) if ref not in ids]

    @property
    def case_number(self) -> str | None:
        found = CASE_NUMBER.search(self.subject)
        return found.group(1) if found else None


def _codec(charset: str | None) -> str:
    charset = (charset or "utf-8").lower().strip()
    if charset in GB_CHARSETS:
        return "gb18030"
    try:
        "".encode(charset)
    except LookupError:
        return "utf-8"
    return charset


def decode_words(value: str) -> str:
    """A header's text with its encoded words (=?gb2312?B?...?=) decoded leniently."""
    parts = []
    for chunk, charset in decode_header(value):
        if isinstance(chunk, bytes):
            parts.append(chunk.decode(_codec(charset), errors="replace"))
        else:
            parts.append(chunk)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _raw_header(message: EmailMessage, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _normal_id(value: str) -> str:
    found = MESSAGE_ID.search(value)
    if not found:
        return ""
    message_id = found.group(0)
    if len(message_id) > MAX_ID:
        message_id = f"<{hashlib.sha256(message_id.encode()).hexdigest()}@long-id.invalid>"
    return message_id


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(_codec(part.get_content_charset()), errors="replace")


def html_to_text(value: str) -> str:
    """Readable text of an HTML body: blocks become lines, tags and scripts go."""
    value = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", "", value)
    value = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>", "\n", value)
    text = html.unescape(nh3.clean(value, tags=set()))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise_html(value: str) -> str:
    return nh3.clean(value, link_rel="noopener noreferrer nofollow")


def automatic_reason(message: EmailMessage, sender: str) -> str:
    """Why the message was sent by a machine (RFC 3834, bounces, lists), or "" for a person."""
    auto_submitted = _raw_header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    precedence = _raw_header(message, "Precedence").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"precedence-{precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _raw_header(message, name):
            return name.lower()
    if _raw_header(message, "List-Id"):
        return "list"
    if message.get_content_type() == "multipart/report":
        return "report"
    if _raw_header(message, "Return-Path").strip() == "<>":
        return "null-return-path"
    if not sender or AUTOMATIC_SENDERS.match(sender.split("@", 1)[0] + "@"):
        return "system-sender"
    return ""


def _fallback_id(raw: bytes, message: EmailMessage) -> str:
    """A stable id for a message without Message-ID: the same bytes fetched twice give the same
    id, so the dedupe holds for them too."""
    digest = hashlib.sha256()
    for name in ("From", "To", "Date", "Subject"):
        digest.update(_raw_header(message, name).encode("utf-8", "replace") + b"\0")
    head, _sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    digest.update(body)
    return f"<{digest.hexdigest()[:40]}@no-message-id.invalid>"


def _bodies(message: EmailMessage, max_attachments: int) -> tuple[str, str, list[Attachment], list[str]]:
    plain: list[str] = []
    markup: list[str] = []
    attachments: list[Attachment] = []
    notes: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and content_type not in {"text/plain", "text/html"}) or (
            disposition == "inline" and not content_type.startswith("text/")
        ):
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                continue
            name = decode_words(filename) if filename else "attachment"
            if len(attachments) >= max_attachments:
                notes.append(f"attachment-limit:{name}")
                continue
            attachments.append(Attachment(name=name, content_type=content_type, data=data))
        elif content_type == "text/plain":
            plain.append(part_text(part))
        elif content_type == "text/html":
            markup.append(part_text(part))
    html_body = "\n".join(markup)
    text = "\n\n".join(p.strip() for p in plain if p.strip())
    if not text and html_body:
        text = html_to_text(html_body)
    return text, sanitise_html(html_body) if html_body else "", attachments, notes


def guess_language(text: str, content_language: str, default: str) -> str:
    """zh-hans or en: the Content-Language header, else the script the message is written in."""
    declared = content_language.lower()
    if declared.startswith("zh"):
        return "zh-hans"
    if declared.startswith("en"):
        return "en"
    if CJK.search(text):
        return "zh-hans"
    if len(LATIN.findall(text)) >= 3:
        return "en"
    return default


def parse_mail(raw: bytes, *, max_attachments: int = 10, headers_only: bool = False) -> ParsedMail:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes EmailMessage
    addresses = getaddresses([decode_words(_raw_header(message, "From"))])
    sender_name, sender = addresses[0] if addresses else ("", "")
    sender = sender.strip().lower() if "@" in sender else ""
    sent_at: dt.datetime | None
    try:
        sent_at = parsedate_to_datetime(_raw_header(message, "Date"))
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError, IndexError):
        sent_at = None
    references = tuple(MESSAGE_ID.findall(_raw_header(message, "References")))[-MAX_REFERENCES:]
    attachments: list[Attachment]
    notes: list[str]
    if headers_only:
        text, html_body, attachments, notes = "", "", [], ["too-large"]
    else:
        text, html_body, attachments, notes = _bodies(message, max_attachments)
    return ParsedMail(
        message_id=_normal_id(_raw_header(message, "Message-ID")) or _fallback_id(raw, message),
        sender=sender[:254],
        sender_name=sender_name[:200],
        subject=decode_words(_raw_header(message, "Subject"))[:300],
        sent_at=sent_at,
        in_reply_to=_normal_id(_raw_header(message, "In-Reply-To")),
        references=tuple(ref for ref in references if len(ref) <= MAX_ID),
        text=text,
        html=html_body,
        attachments=tuple(attachments),
        automatic_reason=automatic_reason(message, sender),
        content_language=_raw_header(message, "Content-Language").strip(),
        notes=tuple(notes),
    )
