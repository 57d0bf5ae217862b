"""How times and SLA clocks are shown: local time with the offset on hover, time left."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@functools.cache
def _texts(language: str | None) -> dict[str, str]:
    """The clock texts in one language, looked up once: a queue page shows some 200 clocks."""
    return {
        "days": _("%(d)d天%(h)d小时"), "hours": _("%(h)d小时%(m)d分"), "minutes": _("%(m)d分"),
        "not_required": _("无需"), "met_late": _("超时后达成"), "met": _("已达成"), "paused": _("暂停"),
        "breached": _("已超时 %(span)s"), "left": _("剩余 %(span)s"),
    }


@register.simple_tag
def when(moment: dt.datetime | None) -> str:
    """<time> in the current timezone; the ISO form with its offset in the title."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}" title="{}">{}</time>', local.isoformat(), local.isoformat(),
                       local.strftime("%Y-%m-%d %H:%M"))


def span(delta: dt.timedelta) -> str:
    texts = _texts(get_language())
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return texts["days"] % {"d": days, "h": hours}
    if hours:
        return texts["hours"] % {"h": hours, "m": minutes}
    return texts["minutes"] % {"m": minutes}


@register.simple_tag
def clock_view(clock: Any, now: dt.datetime | None = None) -> dict[str, str]:
    """{state, text}: state is one of on_track, warning, breached, paused, met, not_required."""
    now = now or timezone.now()
    texts = _texts(get_language())
    if clock.state == "not_required":
        return {"state": "not_required", "text": texts["not_required"]}
    if clock.state == "met":
        state = "met_late" if clock.is_breached else "met"
        return {"state": state, "text": texts[state]}
    if clock.state == "paused":
        return {"state": "paused", "text": texts["paused"]}
    if clock.due_at is None:
        return {"state": "on_track", "text": "—"}
    if clock.is_breached or clock.due_at <= now:
        return {"state": "breached", "text": texts["breached"] % {"span": span(now - clock.due_at)}}
    left = texts["left"] % {"span": span(clock.due_at - now)}
    if clock.warn_at is not None and clock.warn_at <= now:
        return {"state": "warning", "text": left}
    return {"state": "on_track", "text": left}


@register.filter
def status_label(value: str) -> str:
    from aftersales.cases.models import Status

    return str(Status(value).label) if value in Status.values else value


EVENT_TEXT_KEYS = ("message", "reason", "note", "resolution", "assignee")


@register.filter
def event_texts(event: Any) -> list[str]:
    """The free texts an event carries (a reply, a reason, a note), in a fixed order."""
    data = event.data or {}
    return [str(data[key]) for key in EVENT_TEXT_KEYS if data.get(key)]


@register.filter
def plain_number(value: Any) -> str:
    """A stored decimal as people write it: 210.000 → 210, 11.500 → 11.5 (None → "")."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:f}"
