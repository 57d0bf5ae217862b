"""The few SQL pieces that differ between SQLite and PostgreSQL: minutes between two stored
times, a local calendar day, percentiles (PostgreSQL `percentile_cont`; SQLite a Python
aggregate over the group's values, the same linear interpolation) and a group's first rows
(PostgreSQL `array_agg(… ORDER BY …)`; SQLite a Python aggregate).

Every report figure is an aggregate computed by the database, in the query that groups the rows:
percentiles and first rows are aggregate columns like the counts beside them, so a report reads
its rows once, and no row of it comes back to Python (SQLite runs its aggregates inside the query)."""

from __future__ import annotations

import datetime as dt
import json
import math
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


def interpolate(values: Sequence[float], count: int, fraction: float) -> float:
    """percentile_cont: the value at rank fraction × (count − 1) of the ordered `values`,
    interpolated linearly."""
    position = fraction * (count - 1)
    low = math.floor(position)
    value = values[low]
    if low + 1 < count:
        value += (values[low + 1] - value) * (position - low)
    return value


SQLITE_PERCENTILES = "aftersales_percentiles"


class _SqlitePercentiles:
    """The SQLite aggregate of `percentiles_sql`: the group's non-NULL values, sorted once at the
    end; the count and the PERCENTILES as a JSON array (exact: floats keep their repr)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> str | None:
        if not self.values:
            return None
        self.values.sort()
        count = len(self.values)
        return json.dumps([count, *(interpolate(self.values, count, fraction) for fraction in PERCENTILES)])


def register_sqlite_aggregates() -> None:
    """Our aggregates on the SQLite connection in use (again when it was reopened); cheap and
    idempotent."""
    connection.ensure_connection()
    connection.connection.create_aggregate(SQLITE_PERCENTILES, 1, _SqlitePercentiles)
    connection.connection.create_aggregate(SQLITE_FIRST, -1, _SqliteFirst)


def percentiles_sql(value: str) -> str:
    """Aggregate columns for a GROUP BY query: the count of the group's non-NULL values of the
    SQL expression `value` and their PERCENTILES (percentile_cont), to put last in the row;
    `percentile_figures` reads them back from the row's remaining columns."""
    if is_postgresql():
        return ", ".join([f"COUNT({value})", *(f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {value})"
                                               for fraction in PERCENTILES)])
    register_sqlite_aggregates()
    # FILTER: SQLite calls into Python only for the rows that have a value.
    return f"{SQLITE_PERCENTILES}({value}) FILTER (WHERE {value} IS NOT NULL)"


def percentile_figures(columns: Sequence[Any]) -> dict[str, Any] | None:
    """{"count", "p50", "p90"} from the columns of `percentiles_sql`; None for a group without
    values."""
    if is_postgresql():
        count, *values = columns
    else:
        (encoded,) = columns
        if encoded is None:
            return None
        count, *values = json.loads(encoded)
    if not count:
        return None
    figures: dict[str, Any] = {"count": int(count)}
    for fraction, number in zip(PERCENTILES, values, strict=True):
        figures[f"p{round(fraction * 100)}"] = float(number)
    return figures


SQLITE_FIRST = "aftersales_first"


class _SqliteFirst:
    """The SQLite aggregate of `first_sql`: the rows' (value, keys…) kept, the values of the
    first `limit` by the keys returned as a JSON array. `directions` is one character per key,
    "+" ascending, "-" descending; NULL keys sort as SQLite sorts them (lowest)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.limit = 0
        self.directions = ""

    def step(self, limit: int, directions: str, value: Any, *keys: Any) -> None:
        self.limit, self.directions = limit, directions
        if value is not None:
            self.rows.append((value, *keys))

    def finalize(self) -> str | None:
        if not self.rows:
            return None
        # Stable sorts from the last key to the first: mixed directions, NULLs lowest.
        for position in range(len(self.directions), 0, -1):
            self.rows.sort(key=lambda row: (row[position] is not None, row[position]),
                           reverse=self.directions[position - 1] == "-")
        return json.dumps([row[0] for row in self.rows[: self.limit]])


def first_sql(value: str, order: Sequence[str], condition: str, limit: int) -> str:
    """An aggregate column for a GROUP BY query: the `value`s of the group's first `limit` rows
    meeting the SQL `condition`, in the SQL `order` (column names, "-" before one for
    descending), as the database orders them; `first_values` reads it back."""
    if is_postgresql():
        terms = ", ".join(f"{name[1:]} DESC" if name.startswith("-") else name for name in order)
        return f"(array_agg({value} ORDER BY {terms}) FILTER (WHERE {condition}))[1:{int(limit)}]"
    register_sqlite_aggregates()
    directions = "".join("-" if name.startswith("-") else "+" for name in order)
    keys = ", ".join(name.lstrip("-") for name in order)
    # FILTER: SQLite calls into Python only for the rows meeting the condition.
    return f"{SQLITE_FIRST}({int(limit)}, '{directions}', {value}, {keys}) FILTER (WHERE {condition})"


def first_values(column: Any) -> list[Any]:
    """The values of a `first_sql` column."""
    if column is None:
        return []
    if is_postgresql():
        return list(column)
    return list(json.loads(column))


def grouped_percentiles(
    source: str, params: Sequence[Any], keys: Sequence[str], value: str = "value"
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """{group key: {"count", "p50", "p90"}} of `value` in the rows of the SQL `source` (a
    subquery with the columns `keys` and `value`; rows with a NULL value are left out)."""
    columns = ", ".join(keys)
    rows = fetch(f"SELECT {columns}, {percentiles_sql(value)} FROM ({source}) AS v GROUP BY {columns}",  # noqa: S608 - our names; values are parameters
                 params)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    width = len(keys)
    for row in rows:
        figures = percentile_figures(row[width:])
        if figures is not None:
            found[tuple(row[:width])] = figures
    return found
