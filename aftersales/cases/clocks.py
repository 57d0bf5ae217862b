"""SLA clocks derived from a case's event history — never from accumulating counters.

`derive_clocks` is a pure replay: the same events, targets and calendar always give the same
due times, whatever order things were computed in before. `clocks_sync` runs it and stores
the result; every service that records a case event calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aftersales.calendars.engine import (
    BusinessCalendar,
    business_us_outside_pauses,
    due_after_pauses,
    from_us,
    to_us,
)
from aftersales.cases.models import Category, ClockState, ClockTarget, EventKind

MINUTE_US = 60_000_000

# On-site arrival only matters for work on equipment; restoration only for faults.
APPLICABLE_CATEGORIES: Mapping[str, frozenset[str]] = {
    ClockTarget.FIRST_RESPONSE: frozenset(Category.values),
    ClockTarget.RESOLUTION: frozenset(Category.values),
    ClockTarget.ON_SITE: frozenset({Category.FAULT, Category.MAINTENANCE}),
    ClockTarget.RESTORATION: frozenset({Category.FAULT}),
}


@dataclass(frozen=True)
class EventRecord:
    kind: str
    at: dt.datetime
    data: Mapping[str, Any]


@dataclass(frozen=True)
class ClockValue:
    target: str
    target_minutes: int
    state: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    calendar_due_at: dt.datetime | None
    agreed_due_at: dt.datetime | None
    agreed_reason: str
    warn_at: dt.datetime | None
    met_at: dt.datetime | None
    paused_at: dt.datetime | None
    is_breached: bool
    # Working seconds the clock ran before its milestone (pauses left out); None unless met.
    elapsed_seconds: int | None = None


@dataclass
class _Replay:
    opened_at: dt.datetime
    waiting: list[list[dt.datetime | None]]
    resolved: list[list[dt.datetime | None]]
    met: dict[str, dt.datetime]
    not_required: dict[str, dt.datetime]
    agreed: dict[str, tuple[dt.datetime, str]]


def _close_open(intervals: list[list[dt.datetime | None]], at: dt.datetime) -> None:
    if intervals and intervals[-1][1] is None:
        intervals[-1][1] = at


def _replay(events: Sequence[EventRecord]) -> _Replay:
    if not events or events[0].kind != EventKind.OPENED:
        raise ValueError("a case history starts with its 'opened' event")
    state = _Replay(events[0].at, [], [], {}, {}, {})
    for event in events[1:]:
        kind, at = event.kind, event.at
        if kind == EventKind.WAITING_ON_CUSTOMER:
            state.waiting.append([at, None])
        elif kind == EventKind.RESUMED:
            _close_open(state.waiting, at)
        elif kind == EventKind.RESPONDED:
            state.met.setdefault(ClockTarget.FIRST_RESPONSE, at)
        elif kind == EventKind.CHECKED_IN:
            state.met.setdefault(ClockTarget.ON_SITE, at)
        elif kind == EventKind.RESTORED:
            state.met.setdefault(ClockTarget.RESTORATION, at)
        elif kind == EventKind.RESOLVED:
            # A resolution answers the customer and restores operation; an on-site visit
            # that never happened was not needed.
            for target in (
                ClockTarget.FIRST_RESPONSE,
                ClockTarget.RESOLUTION,
                ClockTarget.RESTORATION,
            ):
                state.met.setdefault(target, at)
            if ClockTarget.ON_SITE not in state.met:
                state.not_required.setdefault(ClockTarget.ON_SITE, at)
            state.resolved.append([at, None])
        elif kind == EventKind.REOPENED:
            # The time spent resolved is the customer's, like a pause; the fix clocks run again.
            _close_open(state.resolved, at)
            state.met.pop(ClockTarget.RESOLUTION, None)
            state.met.pop(ClockTarget.RESTORATION, None)
        elif kind == EventKind.DEADLINE_AGREED:
            state.agreed[event.data["target"]] = (
                dt.datetime.fromisoformat(event.data["due_at"]),
                event.data.get("reason", ""),
            )
    return state


def derive_clocks(
    *,
    events: Sequence[EventRecord],
    category: str,
    targets: Mapping[str, int | None],
    calendar: BusinessCalendar,
    warning_percent: int,
    now: dt.datetime,
) -> list[ClockValue]:
    """Replay the history and compute every clock the case's targets call for."""
    replay = _replay(events)
    tz = calendar.timezone
    start_us = to_us(replay.opened_at)
    now_us = to_us(now)
    clocks = []
    for target in ClockTarget.values:
        minutes = targets.get(target)
        if minutes is None or category not in APPLICABLE_CATEGORIES[target]:
            continue
        met_at = replay.met.get(target)
        stopped_at = met_at or replay.not_required.get(target)
        intervals = list(replay.waiting)
        if target in (ClockTarget.RESOLUTION, ClockTarget.RESTORATION):
            intervals = sorted(
                intervals + replay.resolved, key=lambda pair: pair[0] or replay.opened_at
            )
        pauses: list[tuple[int, int | None]] = []
        for pause_start, pause_end in intervals:
            assert pause_start is not None  # noqa: S101 - intervals always have a start
            if stopped_at is not None and pause_start >= stopped_at:
                continue
            end = pause_end if pause_end is not None else stopped_at
            if stopped_at is not None and end is not None and end > stopped_at:
                end = stopped_at
            pauses.append((to_us(pause_start), to_us(end) if end is not None else None))
        paused_now = bool(pauses) and pauses[-1][1] is None
        duration = minutes * MINUTE_US
        calendar_due_us = due_after_pauses(calendar, start_us, duration, pauses)
        agreed = replay.agreed.get(target)
        agreed_due = agreed[0] if agreed else None
        due_us: int | None
        warn_us: int | None
        if agreed_due is not None:
            agreed_us = to_us(agreed_due)
            due_us = agreed_us
            warn_us = start_us + (agreed_us - start_us) * warning_percent // 100
        else:
            due_us = calendar_due_us
            warn_us = due_after_pauses(
                calendar, start_us, duration * warning_percent // 100, pauses
            )
        if met_at is not None:
            state = ClockState.MET
        elif stopped_at is not None:
            state = ClockState.NOT_REQUIRED
        elif paused_now:
            state = ClockState.PAUSED
        else:
            state = ClockState.RUNNING
        elapsed_seconds = None
        if met_at is not None:
            elapsed_seconds = round(
                business_us_outside_pauses(calendar, start_us, to_us(met_at), pauses) / 1_000_000
            )
        reference_us = to_us(stopped_at) if stopped_at is not None else now_us
        is_breached = due_us is not None and reference_us > due_us
        if state != ClockState.RUNNING:
            warn_us = None
        clocks.append(
            ClockValue(
                target=target,
                target_minutes=minutes,
                state=state,
                started_at=replay.opened_at,
                due_at=from_us(due_us, tz) if due_us is not None else None,
                calendar_due_at=from_us(calendar_due_us, tz)
                if calendar_due_us is not None
                else None,
                agreed_due_at=agreed_due,
                agreed_reason=agreed[1] if agreed else "",
                warn_at=from_us(warn_us, tz) if warn_us is not None else None,
                met_at=met_at,
                paused_at=from_us(pauses[-1][0], tz) if paused_now else None,
                is_breached=is_breached,
                elapsed_seconds=elapsed_seconds,
            )
        )
    return clocks


def event_records(rows: Iterable[tuple[str, dt.datetime, Mapping[str, Any]]]) -> list[EventRecord]:
    return [EventRecord(kind, at, data) for kind, at, data in rows]
