from django.contrib import admin

from aftersales.mail.models import InboundMessage, Mailbox, OutboundMessage


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "host", "port", "folder", "is_active", "last_polled_at", "last_error")
    readonly_fields = ("uid_validity", "last_uid", "last_polled_at", "last_error")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "status", "case", "automatic_reason")
    list_filter = ("status",)
    # Personal data (addresses, bodies) stays out of the admin: the triage page shows it to staff.
    exclude = ("raw", "sender", "sender_name", "body_text", "body_html")
    readonly_fields = [f.name for f in InboundMessage._meta.fields
                       if f.name not in {"raw", "sender", "sender_name", "body_text", "body_html"}]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "case", "language")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
