"""How times and SLA clocks are shown: local time with the offset on hover, time left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def when(moment: dt.datetime | None) -> str:
    """<time> in the current timezone; the ISO form with its offset in the title."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html('<time datetime="{}" title="{}">{}</time>', local.isoformat(), local.isoformat(),
                       local.strftime("%Y-%m-%d %H:%M"))


def span(delta: dt.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    return _("%(m)d分") % {"m": minutes}


@register.simple_tag
def clock_view(clock: Any, now: dt.datetime | None = None) -> dict[str, str]:
    """{state, text}: state is one of on_track, warning, breached, paused, met, not_required."""
    now = now or timezone.now()
    if clock.state == "not_required":
        return {"state": "not_required", "text": _("无需")}
    if clock.state == "met":
        late = clock.is_breached
        return {"state": "met_late" if late else "met", "text": _("超时后达成") if late else _("已达成")}
    if clock.state == "paused":
        return {"state": "paused", "text": _("暂停")}
    if clock.due_at is None:
        return {"state": "on_track", "text": "—"}
    if clock.is_breached or clock.due_at <= now:
        return {"state": "breached", "text": _("已超时 %(span)s") % {"span": span(now - clock.due_at)}}
    left = _("剩余 %(span)s") % {"span": span(clock.due_at - now)}
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
