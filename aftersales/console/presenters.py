"""Rows of the queue as plain values, built in one pass.

The queue page shows 50 cases with up to four clocks each. Rendering them cell by cell in the
template language costs more than the query itself (some 1,500 variable nodes a page), so the
labels are looked up once per request and each row is built here, every value through
html.escape; the template prints the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from aftersales.cases.models import Case, ClockTarget, Status
from aftersales.cases.selectors import ClockSummary
from aftersales.cases.templatetags.case_display import clock_view

BREACHED = ' class="breached"'
COLUMNS = (_("工单号"), _("严重等级"), _("标题"), _("客户"), _("状态"), _("处理人"), _("时效"), _("最近到期"))


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def queue_rows(cases: Sequence[Case], clocks: dict[Any, list[ClockSummary]], now: dt.datetime) -> list[SafeString]:
    """Each case as its <tr>; every value passes through html.escape."""
    status_labels = _labels(Status.choices)
    target_labels = _labels(ClockTarget.choices)
    h = [escape(str(label)) for label in COLUMNS]
    placeholder = "00000000-0000-0000-0000-000000000000"
    case_url = reverse("console:case", args=[placeholder])
    rows = []
    for case in cases:
        badges = []
        for clock in clocks.get(case.pk, ()):
            if clock.state == "not_required":
                continue
            view = clock_view(clock, now)
            badges.append(f'<span class="clock clock-{view["state"]}">'
                          f'{escape(target_labels[clock.target])} · {escape(view["text"])}</span>')
        if case.next_due_at:
            due = timezone.localtime(case.next_due_at)
            iso = due.isoformat()
            due_html = f'<time datetime="{iso}" title="{iso}">{due:%Y-%m-%d %H:%M}</time>'
        else:
            due_html = "—"
        assignee = case.assignee.username if case.assignee_id and case.assignee else "—"
        rows.append(mark_safe(  # noqa: S308 - every interpolated value is escaped or ours
            f'<tr{BREACHED if case.is_breached else ""}>'
            f'<td data-label="{h[0]}"><a href="{case_url.replace(placeholder, str(case.pk))}">{escape(case.number)}</a></td>'
            f'<td data-label="{h[1]}"><span class="sev sev-{escape(case.severity)}">{escape(case.severity)}</span></td>'
            f'<td data-label="{h[2]}">{escape(case.title)}</td>'
            f'<td data-label="{h[3]}">{escape(case.customer.name)}</td>'
            f'<td data-label="{h[4]}">{escape(status_labels.get(case.status, case.status))}</td>'
            f'<td data-label="{h[5]}">{escape(assignee)}</td>'
            f'<td data-label="{h[6]}" class="clocks">{" ".join(badges)}</td>'
            f'<td data-label="{h[7]}">{due_html}</td></tr>'
        ))
    return rows


def options(pairs: Iterable[tuple[Any, Any]], selected: Any) -> list[dict[str, Any]]:
    """<option> values for a filter select, the current one marked."""
    chosen = "" if selected is None else str(selected)
    return [{"value": str(value), "label": str(label), "selected": str(value) == chosen} for value, label in pairs]


def timeline_items(events: Iterable[Any]) -> list[SafeString]:
    """Each event of the case page's timeline as its <li>; every value through html.escape."""
    from aftersales.cases.models import EventKind
    from aftersales.cases.templatetags.case_display import event_texts

    kind_labels = _labels(EventKind.choices)
    status_labels = _labels(Status.choices)
    internal = escape(str(_("仅内部可见")))
    items = []
    for event in events:
        at = timezone.localtime(event.at)
        iso = at.isoformat()
        parts = [f'<li class="event-{escape(event.kind)}"><span class="at"><time datetime="{iso}" title="{iso}">'
                 f'{at:%Y-%m-%d %H:%M}</time></span> <strong>{escape(kind_labels.get(event.kind, event.kind))}</strong>']
        if event.kind == "note":
            parts.append(f' <span class="internal">{internal}</span>')
        if event.actor_id and event.actor:
            parts.append(f' <span class="actor">{escape(event.actor.username)}</span>')
        if event.status_after and event.status_after != event.status_before:
            parts.append(f' <span class="transition">→ {escape(status_labels.get(event.status_after, event.status_after))}</span>')
        parts.extend(f'<p class="pre detail">{escape(text)}</p>' for text in event_texts(event))
        parts.append("</li>")
        items.append(mark_safe("".join(parts)))  # noqa: S308 - every interpolated value is escaped
    return items
