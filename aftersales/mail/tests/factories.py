from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any


def raw_mail(*, sender: str = "ma@acme.invalid", subject: str = "北收费站 ETC 天线无法读卡",
             body: str = "北收费站 3 号车道 ETC 天线从今天早上开始无法读卡，请尽快派人处理。",
             message_id: str | None = "auto", headers: dict[str, str] | None = None,
             attachments: list[tuple[str, str, bytes]] | None = None, html: str | None = None,
             charset: str = "utf-8") -> bytes:
    message = EmailMessage()
    message["From"] = f"马建国 <{sender}>"
    message["To"] = "service@aftersales.invalid"
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC))
    if message_id == "auto":
        message["Message-ID"] = make_msgid(domain="acme.invalid")
    elif message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html", charset=charset)
    else:
        message.set_content(body, charset=charset)
    for name, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def message_id_of(raw: bytes) -> str:
    from email import message_from_bytes, policy

    value: Any = message_from_bytes(raw, policy=policy.default)["Message-ID"]
    return str(value).strip()
