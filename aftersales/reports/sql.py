"""The few SQL pieces that differ between SQLite and PostgreSQL: minutes between two stored
times, a local calendar day, and percentiles (PostgreSQL `percentile_cont`; SQLite one window
query over the ordered values, the same linear interpolation).

Every report figure is an aggregate computed by the database; Python only picks the ranked rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

PERCENTILES = (0.5, 0.9)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def param(value: dt.datetime) -> Any:
    """A datetime as the database stores it (SQLite: naive UTC text), for raw SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def key(value: Any) -> Any:
    """A UUID primary key as the database stores it (SQLite: 32 hex characters), for raw SQL."""
    return models.UUIDField().get_db_prep_value(value, connection)


def minutes_between(start: str, end: str) -> str:
    """SQL for the minutes from column `start` to column `end` (a float)."""
    if is_postgresql():
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


def local_day(column: str) -> str:
    """SQL for the local calendar day of a stored time, as 'YYYY-MM-DD' text.

    The offset is the current time zone's offset now: exact for China (no daylight saving)."""
    offset = timezone.localtime().utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    if is_postgresql():
        return f"to_char(({column} AT TIME ZONE 'UTC') + interval '{minutes} minutes', 'YYYY-MM-DD')"
    return f"date({column}, '{minutes:+d} minutes')"


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def interpolate(values: dict[int, float], count: int, fraction: float) -> float:
    """percentile_cont: the value at rank fraction × (count − 1), interpolated linearly."""
    position = fraction * (count - 1)
    low = math.floor(position)
    value = values[low]
    if low + 1 < count:
        value += (values[low + 1] - value) * (position - low)
    return value


def grouped_percentiles(
    source: str, params: Sequence[Any], keys: Sequence[str], value: str = "value"
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """{group key: {"count", "p50", "p90"}} of `value` in the rows of the SQL `source` (a
    subquery with the columns `keys` and `value`; rows with a NULL value are left out)."""
    columns = ", ".join(keys)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    if is_postgresql():
        rows = fetch(
            f"SELECT {columns}, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY {value}), "  # noqa: S608 - our names; values are parameters
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {value}) "
            f"FROM ({source}) AS v WHERE {value} IS NOT NULL GROUP BY {columns}", params)
        for row in rows:
            *group, count, p50, p90 = row
            found[tuple(group)] = {"count": count, "p50": float(p50), "p90": float(p90)}
        return found
    partition = f"PARTITION BY {columns}"
    ranks = " OR ".join(
        f"i = CAST({fraction} * (n - 1) AS INTEGER) OR i = CAST({fraction} * (n - 1) AS INTEGER) + 1"
        for fraction in PERCENTILES)
    rows = fetch(
        f"SELECT {columns}, i, n, {value} FROM ("  # noqa: S608 - our names; values are parameters
        f"SELECT {columns}, {value}, ROW_NUMBER() OVER ({partition} ORDER BY {value}) - 1 AS i, "
        f"COUNT(*) OVER ({partition}) AS n FROM ({source}) AS v WHERE {value} IS NOT NULL"
        f") AS r WHERE {ranks}", params)
    ranked: dict[tuple[Any, ...], dict[int, float]] = defaultdict(dict)
    counts: dict[tuple[Any, ...], int] = {}
    width = len(keys)
    for row in rows:
        name = tuple(row[:width])
        index, size, number = row[width:]
        ranked[name][int(index)] = float(number)
        counts[name] = int(size)
    for name, values in ranked.items():
        size = counts[name]
        found[name] = {"count": size, "p50": interpolate(values, size, 0.5),
                      "p90": interpolate(values, size, 0.9)}
    return found
