"""Personal fields shown only to roles that need them (R1, R17)."""

from __future__ import annotations

from typing import Any


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else ("****" if phone else "")


def mask_email(email: str) -> str:
    if "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def contact_fields_for(user: Any, phone: str, email: str) -> tuple[str, str]:
    if getattr(user, "sees_personal_data", False):
        return phone, email
    return mask_phone(phone), mask_email(email)
