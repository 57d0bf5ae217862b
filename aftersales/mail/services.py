"""The e-mail channel: intake of received messages (dedupe, threading, new cases, triage, no
mail loops), polling the IMAP mailboxes, acknowledgements and replies through the outbox.

Cases are filed and replies recorded by the mail system user (settings.MAIL_SYSTEM_USERNAME):
an inactive staff account without a password, created on first use, so the case timeline says
the e-mail channel did it and nobody can sign in as it."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.cases.attachments import case_attach
from aftersales.cases.mail_thread import thread_references
from aftersales.cases.models import Case, CaseClock, CaseEvent, ClockTarget, EventKind, Status
from aftersales.cases.selectors import get_case_for_user
from aftersales.cases.services import (
    case_customer_reply,
    case_file,
    case_note,
    case_respond,
    case_system_note,
)
from aftersales.cases.transitions import TRANSITIONS
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES
from aftersales.customers.models import Contact
from aftersales.customers.selectors import get_customer_for_user
from aftersales.customers.services import contact_language
from aftersales.mail.imap import MailboxError, open_folder
from aftersales.mail.models import (
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundKind,
    OutboundMessage,
)
from aftersales.mail.parsing import ParsedMail, guess_language, parse_mail
from aftersales.mail.selectors import latest_inbound, reply_recipient
from aftersales.notifications.services import Notification, fixed_message_id, outbox_enqueue

logger = logging.getLogger(__name__)

MAX_REPLY = 20_000
MAX_CASE_TEXT = 20_000
# English names of the clocks for English acknowledgements (the source strings are Chinese and
# English translations are not loaded for e-mail bodies: see docs/decisions/0016).
CLOCK_NAMES_EN = {
    ClockTarget.FIRST_RESPONSE: "First response", ClockTarget.ON_SITE: "Engineer on site",
    ClockTarget.RESOLUTION: "Fault fixed", ClockTarget.RESTORATION: "Service restored",
}


def mail_system_user() -> User:
    """The account the e-mail channel acts as (see the module docstring)."""
    user, created = User.objects.get_or_create(
        username=settings.MAIL_SYSTEM_USERNAME,
        defaults={"role": Role.AGENT, "is_active": False, "first_name": "邮件渠道"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- intake ---------------------------------------------------------------------------------


def _thread_case(parsed: ParsedMail) -> Case | None:
    """The case a reply belongs to: by its In-Reply-To/References (our mails and earlier mails
    of the case), else by the case number in the subject when the sender may write to it."""
    ids = parsed.thread_ids
    if ids:
        for message_id, case_id in list(
            InboundMessage.objects.filter(message_id__in=ids, case__isnull=False).values_list("message_id", "case_id")
        ) + list(OutboundMessage.objects.filter(message_id__in=ids).values_list("message_id", "case_id")):
            if message_id in ids:
                return Case.objects.get(pk=case_id)
    number = parsed.case_number
    if number and parsed.sender:
        case = Case.objects.filter(number=number).first()
        # A number in a subject is easy to copy: only the case's customer's contacts and people
        # who already wrote about the case may add to it this way.
        if case is not None and (
            Contact.objects.filter(customer_id=case.customer_id, email__iexact=parsed.sender).exists()
            or InboundMessage.objects.filter(case=case, sender=parsed.sender).exists()
        ):
            return case
    return None


def _known_contact(sender: str) -> Contact | None:
    """The contact with this address, when the address belongs to one customer only."""
    if not sender:
        return None
    contacts = list(Contact.objects.filter(email__iexact=sender).order_by("-is_primary", "name")[:10])
    if not contacts or len({c.customer_id for c in contacts}) > 1:
        return None
    return contacts[0]


def _case_text(parsed: ParsedMail) -> str:
    return (parsed.text.strip() or "（无正文）")[:MAX_CASE_TEXT]


def _attach_files(actor: User, case: Case, parsed: ParsedMail, notes: list[str]) -> None:
    for attachment in parsed.attachments:
        try:
            case_attach(actor=actor, case_id=case.pk, upload=io.BytesIO(attachment.data), name=attachment.name)
        except ValidationFailed as refused:
            notes.append(_("附件“%(name)s”未保存：%(reason)s") % {"name": attachment.name, "reason": refused.detail})
    for note in parsed.notes:
        if note.startswith("attachment-limit:"):
            notes.append(_("附件“%(name)s”未保存：每封邮件最多保存 %(count)d 个附件。")
                         % {"name": note.split(":", 1)[1], "count": settings.MAIL_MAX_ATTACHMENTS})


def _record_reply(actor: User, case: Case, parsed: ParsedMail, now: dt.datetime) -> None:
    text = _case_text(parsed)
    if case.status in TRANSITIONS["customer_reply"]:
        case_customer_reply(actor=actor, case_id=case.pk, message=text, now=now)
    else:
        # A resolved or closed case is not reopened by mail; the agent sees it and decides.
        case_system_note(case_id=case.pk, now=now, text=_("客户来信（工单已%(status)s）：\n%(text)s")
                         % {"status": case.get_status_display(), "text": text})


def _clock_lines(case: Case, language: str) -> list[str]:
    lines = []
    for clock in CaseClock.objects.filter(case=case, due_at__isnull=False).order_by("due_at"):
        local = timezone.localtime(clock.due_at)
        when = f"{local:%Y-%m-%d %H:%M} (UTC{local:%z})"
        if language == "en":
            name = CLOCK_NAMES_EN.get(ClockTarget(clock.target), clock.target)
        else:
            with translation.override("zh-hans"):
                name = str(ClockTarget(clock.target).label)
        lines.append(f"{name}: {when}" if language == "en" else f"{name}：{when}")
    return lines


def _render(template: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of an e-mail template; its first line is the subject."""
    with translation.override(language):
        text = render_to_string(f"mail/{template}.{language}.txt", context)
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _queue_mail(*, case: Case, kind: str, key: str, recipient: str, language: str, subject: str, body: str,
                from_email: str, answering: InboundMessage | None, sent_by: User | None,
                automatic: bool) -> OutboundMessage:
    message_id = fixed_message_id(key)
    in_reply_to = answering.message_id if answering is not None else ""
    earlier = [*answering.references.split(), answering.message_id] if answering is not None else []
    references = thread_references(case.pk, earlier)
    outbound, _created = OutboundMessage.objects.get_or_create(outbox_key=key, defaults={
        "message_id": message_id, "case": case, "kind": kind, "recipient": recipient, "in_reply_to": in_reply_to,
        "language": language, "sent_by": sent_by,
    })
    outbox_enqueue(notifications=[Notification(
        key=key, recipient=recipient, subject=subject, body=body, message_id=message_id, in_reply_to=in_reply_to,
        references=references, from_email=from_email,
        # RFC 3834: an automatic answer says so, and asks Exchange not to answer it again.
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"} if automatic else {},
    )])
    return outbound


def _language(case: Case, answering: InboundMessage | None) -> str:
    """The language to write about `case` in: the contact's own setting, else the language of
    the message we answer, else the contact's (their latest mail about the case), else Chinese."""
    contact = case.contact if case.contact_id else None
    if contact is not None and contact.language:
        return contact.language
    if answering is not None:
        return answering.language
    return contact_language(contact, case=case)


def contact_language_from_mail(contact: Contact, case: Any) -> str:
    """The contact language source (registered in MailConfig.ready): the language of the
    contact's latest mail about the case, else of their latest mail at all."""
    if not contact.email:
        return ""
    received = InboundMessage.objects.filter(sender=contact.email.lower())
    if case is not None:
        about_case = received.filter(case=case).order_by("-received_at").values_list("language", flat=True).first()
        if about_case:
            return about_case
    return received.order_by("-received_at").values_list("language", flat=True).first() or ""


def _acknowledge(case: Case, inbound: InboundMessage, mailbox: Mailbox | None) -> None:
    language = _language(case, inbound)
    subject, body = _render("acknowledgement", language, {
        "case": case, "clocks": _clock_lines(case, language), "subject": inbound.subject,
    })
    _queue_mail(case=case, kind=OutboundKind.ACKNOWLEDGEMENT, key=f"mail-ack:{inbound.pk}", recipient=inbound.sender,
                language=language, subject=subject, body=body, from_email=mailbox.address if mailbox else "",
                answering=inbound, sent_by=None, automatic=True)


def _open_case(actor: User, inbound: InboundMessage, parsed: ParsedMail, customer_id: Any, contact_id: Any,
               category: str, now: dt.datetime) -> Case:
    filed = case_file(actor=actor, customer_id=customer_id, channel="email", category=category,
                      title=(parsed.subject or _("（无主题）"))[:200], description=_case_text(parsed),
                      contact_id=contact_id, now=now)
    return filed.case


def _route(inbound: InboundMessage, parsed: ParsedMail, mailbox: Mailbox | None, now: dt.datetime) -> None:
    """Decide what the message is and act on it. Caller holds the transaction that wrote
    `inbound` (its unique Message-ID is the dedupe)."""
    if inbound.status == InboundStatus.TOO_LARGE:
        return
    if parsed.is_automatic:
        # Stored for the record; never a case, never an answer: no mail loops.
        inbound.status = InboundStatus.AUTOMATIC
        return
    actor = mail_system_user()
    notes: list[str] = []
    case = _thread_case(parsed)
    if case is not None:
        _record_reply(actor, case, parsed, now)
        _attach_files(actor, case, parsed, notes)
        inbound.status, inbound.case, inbound.customer_id = InboundStatus.THREADED, case, case.customer_id
    else:
        contact = _known_contact(parsed.sender)
        if contact is None:
            inbound.status = InboundStatus.TRIAGE
            return
        category = mailbox.default_category if mailbox else "fault"
        case = _open_case(actor, inbound, parsed, contact.customer_id, contact.pk, category, now)
        inbound.status, inbound.case, inbound.customer_id, inbound.contact = (
            InboundStatus.OPENED, case, contact.customer_id, contact)
        _attach_files(actor, case, parsed, notes)
        _acknowledge(case, inbound, mailbox)
    if notes:
        inbound.notes = [*inbound.notes, *notes]
        case_system_note(case_id=case.pk, text="\n".join(notes), now=now)


def inbound_receive(*, raw: bytes, mailbox: Mailbox | None = None, too_large: bool = False,
                    now: dt.datetime | None = None) -> tuple[InboundMessage, bool]:
    """Take in one received message, in its own transaction. Returns (message, created); the
    same Message-ID received again (a refetch, a second mailbox) returns the first, unchanged."""
    parsed = parse_mail(raw, max_attachments=settings.MAIL_MAX_ATTACHMENTS, headers_only=too_large)
    existing = InboundMessage.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    language = guess_language(f"{parsed.subject}\n{parsed.text}", parsed.content_language,
                              mailbox.default_language if mailbox else "zh-hans")
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                message_id=parsed.message_id, mailbox=mailbox, sender=parsed.sender, sender_name=parsed.sender_name,
                subject=parsed.subject, sent_at=parsed.sent_at, in_reply_to=parsed.in_reply_to,
                references=" ".join(parsed.references), body_text=parsed.text, body_html=parsed.html,
                language=language, automatic_reason=parsed.automatic_reason, received_at=now,
                status=InboundStatus.TOO_LARGE if too_large else InboundStatus.TRIAGE,
                notes=[_("邮件超过 %(mb)d MB，只保存了邮件头。") % {"mb": settings.MAIL_MAX_MESSAGE_BYTES // (1 << 20)}]
                if too_large else [],
            )
            _route(inbound, parsed, mailbox, now)
            if inbound.status == InboundStatus.TRIAGE:
                inbound.raw = raw
            inbound.save()
    except IntegrityError:
        # Another worker took in the same Message-ID first: its row stands.
        existing = InboundMessage.objects.filter(message_id=parsed.message_id).first()
        if existing is None:
            raise
        return existing, False
    return inbound, True


def mailbox_poll(*, mailbox_id: Any, now: dt.datetime | None = None) -> int:
    """Fetch the mailbox's new messages (after the last processed UID) and take each in. The
    position moves in the same transaction as the message; \\Seen is set after it commits.
    Returns the number of messages taken in."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    password = os.environ.get(mailbox.password_env, "")
    if not password:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=f"environment variable {mailbox.password_env} is not set", updated_at=timezone.now())
        return 0
    taken = 0
    try:
        with open_folder(host=mailbox.host, port=mailbox.port, use_tls=mailbox.use_tls, username=mailbox.username,
                         password=password, folder=mailbox.folder, timeout=settings.MAIL_IMAP_TIMEOUT) as folder:
            if mailbox.uid_validity != folder.uid_validity:
                mailbox.uid_validity, mailbox.last_uid = folder.uid_validity, 0
                Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=folder.uid_validity, last_uid=0)
            for uid in folder.uids_after(mailbox.last_uid, settings.MAIL_POLL_BATCH):
                too_large = folder.size(uid) > settings.MAIL_MAX_MESSAGE_BYTES
                raw = folder.fetch(uid, headers_only=too_large)
                with transaction.atomic():
                    inbound_receive(raw=raw, mailbox=mailbox, too_large=too_large, now=now)
                    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, updated_at=timezone.now())
                folder.mark_seen(uid)
                taken += 1
    except MailboxError as error:
        logger.warning("mailbox %s poll failed: %s", mailbox.pk, error)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(error)[:300], updated_at=timezone.now())
        return taken
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="",
                                                 updated_at=timezone.now())
    return taken


def mailboxes_poll() -> int:
    """Poll every active mailbox (the periodic task). A failure in one mailbox is recorded on
    it and does not keep the others from being polled; its message is tried again next time."""
    taken = 0
    for pk in Mailbox.objects.filter(is_active=True).values_list("pk", flat=True):
        try:
            taken += mailbox_poll(mailbox_id=pk)
        except Exception as error:  # noqa: BLE001 - recorded, retried on the next poll
            # The type only: a message could carry personal data (addresses, subjects).
            logger.warning("mailbox %s poll failed: %s", pk, type(error).__name__)
            Mailbox.objects.filter(pk=pk).update(last_error=f"{type(error).__name__}"[:300],
                                                 updated_at=timezone.now())
    return taken


# --- replies --------------------------------------------------------------------------------


def mail_reply(*, actor: User, case_id: Any, body: str, idempotency_key: str | None = None,
               now: dt.datetime | None = None) -> OutboundMessage:
    """Answer the customer of a case by e-mail, threaded under their latest message. The text
    is recorded on the case (a response while the case is open, else a note). With the same
    idempotency key a retry returns the first reply instead of sending again."""
    require_role(actor, STAFF_ROLES, doing=_("回复客户邮件"))
    text = body.strip()
    if not text:
        raise ValidationFailed(_("回复内容为空"), field="body")
    if len(text) > MAX_REPLY:
        raise ValidationFailed(_("回复不超过 %(count)d 字") % {"count": MAX_REPLY}, field="body")
    case = get_case_for_user(actor, case_id)
    key = f"mail-reply:{case.pk}:{idempotency_key or uuid.uuid4()}"
    if idempotency_key:
        replayed = OutboundMessage.objects.filter(outbox_key=key).first()
        if replayed is not None:
            return replayed
    answering = latest_inbound(case)
    recipient = reply_recipient(case)
    if not recipient:
        raise Conflict(_("该工单没有可回复的邮件地址（联系人无邮箱，也没有来信）。"), code="no_mail_recipient")
    language = _language(case, answering)
    mailbox = answering.mailbox if answering else None
    subject, rendered = _render("reply", language, {"case": case, "body": text})
    now = now or timezone.now()
    with transaction.atomic():
        if case.status in TRANSITIONS["respond"]:
            case_respond(actor=actor, case_id=case.pk, message=text, now=now)
        else:
            case_note(actor=actor, case_id=case.pk, text=_("邮件回复客户：\n%(text)s") % {"text": text}, now=now)
        return _queue_mail(case=case, kind=OutboundKind.REPLY, key=key, recipient=recipient, language=language,
                           subject=subject, body=rendered, from_email=mailbox.address if mailbox else "",
                           answering=answering, sent_by=actor, automatic=False)


# --- status changes ------------------------------------------------------------------------

# What the customer hears about; the mail quotes what the agent wrote with the change (why we
# wait for them, how the fault was fixed) — not a closure's note, which is the agent's record.
STATUS_MAIL_EVENTS: dict[str, str | None] = {
    Status.WAITING_ON_CUSTOMER: EventKind.WAITING_ON_CUSTOMER,
    Status.RESOLVED: EventKind.RESOLVED,
    Status.CLOSED: None,
}
CLOSED_STATES = (Status.RESOLVED, Status.CLOSED)


def _status_mail_kind(before: str, after: str) -> str | None:
    if before == after:
        return None
    if after in STATUS_MAIL_EVENTS:
        return after
    if before in CLOSED_STATES and after not in CLOSED_STATES:
        return "reopened"
    return None


def _event_text(case: Case, kind: str) -> str:
    event = CaseEvent.objects.filter(case=case, kind=kind).order_by("-at", "-pk").values_list("data", flat=True).first()
    if not isinstance(event, dict):
        return ""
    for field in ("reason", "resolution"):
        value = event.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def case_status_mail(case: Case, before: str, after: str, now: dt.datetime) -> None:
    """The case status hook (registered in MailConfig.ready): tell the case's contact, by
    e-mail, that we wait for them, that the fault is fixed (and their consent to close is
    asked), that the case is closed or reopened — in their language, in the case's thread.
    Once per change: the key holds the case's version."""
    if not settings.MAIL_STATUS_NOTIFICATIONS:
        return
    kind = _status_mail_kind(before, after)
    if kind is None or not case.contact_id:
        return
    contact = case.contact
    if contact is None or not contact.email:
        return
    answering = latest_inbound(case)
    language = _language(case, answering)
    base = str(getattr(settings, "AFTERSALES_PUBLIC_URL", "")).rstrip("/")
    event_kind = STATUS_MAIL_EVENTS.get(after)
    subject, body = _render(f"status_{kind}", language, {
        "case": case, "text": _event_text(case, event_kind) if event_kind else "",
        "portal_url": f"{base}/portal/cases/{case.pk}/",
    })
    mailbox = answering.mailbox if answering else None
    _queue_mail(case=case, kind=OutboundKind.STATUS, key=f"mail-status:{case.pk}:{case.version}:{kind}",
                recipient=contact.email, language=language, subject=subject, body=body,
                from_email=mailbox.address if mailbox else "", answering=answering, sent_by=None, automatic=True)


# --- triage ---------------------------------------------------------------------------------


def _triage_message(message_id: Any) -> InboundMessage:
    try:
        message = InboundMessage.objects.select_for_update().get(pk=message_id)
    except (InboundMessage.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到这封邮件"), code="mail_not_found") from None
    if message.status != InboundStatus.TRIAGE:
        raise Conflict(_("这封邮件已处理（%(status)s）。") % {"status": message.get_status_display()},
                       code="mail_already_handled")
    return message


def triage_assign(*, actor: User, message_id: Any, customer_id: Any, contact_id: Any = None,
                  category: str | None = None, now: dt.datetime | None = None) -> Case:
    """File a case for a message from an unknown sender, for the customer the agent chose; the
    sender gets the acknowledgement. A second assignment of the same message is a Conflict."""
    require_role(actor, STAFF_ROLES, doing=_("分拣邮件"))
    now = now or timezone.now()
    with transaction.atomic():
        message = _triage_message(message_id)
        customer = get_customer_for_user(actor, customer_id)
        parsed = parse_mail(bytes(message.raw), max_attachments=settings.MAIL_MAX_ATTACHMENTS)
        mailbox = message.mailbox
        category = category or (mailbox.default_category if mailbox else "fault")
        case = _open_case(actor, message, parsed, customer.pk, contact_id, category, now)
        notes: list[str] = []
        _attach_files(actor, case, parsed, notes)
        if notes:
            case_system_note(case_id=case.pk, text="\n".join(notes), now=now)
        message.status, message.case, message.customer, message.handled_by = (
            InboundStatus.OPENED, case, customer, actor)
        message.contact_id = contact_id
        message.notes = [*message.notes, *notes]
        message.raw = b""
        message.save()
        _acknowledge(case, message, mailbox)
    return case


def triage_discard(*, actor: User, message_id: Any) -> InboundMessage:
    """Drop a message from the triage list (spam, not for us); its headers stay for the record."""
    require_role(actor, STAFF_ROLES, doing=_("分拣邮件"))
    with transaction.atomic():
        message = _triage_message(message_id)
        message.status, message.handled_by, message.raw = InboundStatus.DISCARDED, actor, b""
        message.save(update_fields=["status", "handled_by", "raw", "updated_at"])
    return message
