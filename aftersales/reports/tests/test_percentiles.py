"""The percentiles of the reports (sql.percentiles_sql: PostgreSQL percentile_cont, SQLite a
Python aggregate) against Python's own linear interpolation (statistics.quantiles, method
"inclusive", which is percentile_cont), on both databases, and the compliance report's times
and counts against the same figures worked out in Python from its clocks."""

from __future__ import annotations

import random
import statistics

import pytest

from aftersales.cases.models import CaseClock, ClockState
from aftersales.reports.compliance import compliance_report
from aftersales.reports.sql import grouped_percentiles
from aftersales.reports.tests.fixtures import NOW, PERIOD, build_cases

pytestmark = pytest.mark.django_db


def _expected(values: list[float]) -> tuple[int, float, float]:
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return len(values), statistics.median(values), deciles[8]


def test_grouped_percentiles_equal_percentile_cont_over_many_unordered_values():
    # given: three groups of 1,000 / 7 / 2 values in random order, ties and negatives
    # included, NULLs among them, and a group of NULLs only
    rng = random.Random(6)  # noqa: S311 - test data, not secrets
    groups = {"a": [round(rng.uniform(-50, 5000), 3) for _ in range(1000)] + [42.0] * 20,
              "b": [rng.choice([1.5, 2.25, 2.25, 9.0]) for _ in range(7)], "c": [3.0, 1.0]}
    rows: list[tuple[str, float | None]] = [(g, v) for g, values in groups.items() for v in values]
    rows += [("a", None), ("b", None), ("empty", None)]
    rng.shuffle(rows)
    holders = ", ".join(["(%s, %s)"] * len(rows))
    source = f"SELECT column1 AS g, column2 AS value FROM (VALUES {holders}) AS t"  # noqa: S608 - placeholders only
    params = [item for row in rows for item in row]
    # when
    found = grouped_percentiles(source, params, ("g",))
    # then
    assert set(found) == {("a",), ("b",), ("c",)}
    for group, values in groups.items():
        count, median, p90 = _expected(values)
        figures = found[(group,)]
        assert figures["count"] == count
        assert figures["p50"] == pytest.approx(median, rel=1e-12, abs=1e-9)
        assert figures["p90"] == pytest.approx(p90, rel=1e-12, abs=1e-9)
    assert (found[("c",)]["p50"], found[("c",)]["p90"]) == (2.0, 2.8)


def test_the_compliance_figures_equal_the_clocks_worked_out_in_python(agent, acme, diamond_contract):
    # given: the fixture's cases (7×24 calendar: the minutes used are the elapsed minutes)
    build_cases(agent, acme)
    clocks = list(CaseClock.objects.filter(case__contract=diamond_contract, case__opened_at__gte=PERIOD.since,
                                           case__opened_at__lt=PERIOD.until)
                  .exclude(state=ClockState.NOT_REQUIRED).select_related("case"))
    # when
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    # then: per (severity, target), counts and times as Python computes them from the rows
    for row in report.rows:
        mine = [c for c in clocks if (c.case.severity, c.target) == (row.severity, row.target)]
        breached = [c for c in mine if c.is_breached or (c.state == ClockState.RUNNING and c.due_at < NOW)]
        met = [c for c in mine if c.state == ClockState.MET and c not in breached]
        times = [c.target_minutes * (c.met_at - c.started_at) / (c.calendar_due_at - c.started_at)
                 for c in mine if c.state == ClockState.MET]
        assert (row.clocks, row.met, row.breached) == (len(mine), len(met), len(breached))
        assert row.agreed == len([c for c in mine if c.agreed_due_at is not None])
        if times:
            _count, median, p90 = _expected(times) if len(times) > 1 else (1, times[0], times[0])
            assert (row.median_minutes, row.p90_minutes) == (round(median, 1), round(p90, 1))
        else:
            assert (row.median_minutes, row.p90_minutes) == (None, None)
    assert sum(row.clocks for row in report.rows) == len(clocks) == 14


def test_first_sql_gives_each_groups_first_values_in_the_order_asked():
    # given: rows (group, value, a, b, kept) in random order, ties in a broken by b
    from aftersales.reports.sql import fetch, first_sql, first_values

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    rows = [(group, f"v{n}", rng.randint(1, 5), f"b{rng.randint(10, 99)}-{n}", rng.randint(0, 1))
            for n, group in enumerate(["x"] * 40 + ["y"] * 3 + ["z"] * 2)]
    rows[-1] = ("z", "v-only-not-kept", 1, "b", 0)
    rows[-2] = ("z", "v-not-kept", 1, "b", 0)
    holders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    source = f"SELECT column1 AS g, column2 AS v, column3 AS a, column4 AS b, column5 AS kept FROM (VALUES {holders}) AS t"  # noqa: S608 - placeholders only
    # when
    found = {g: first_values(values) for g, values in fetch(
        f"SELECT g, {first_sql('v', ['-a', 'b'], 'kept = 1', 5)} FROM ({source}) AS s GROUP BY g",  # noqa: S608 - our names
        [item for row in rows for item in row])}
    # then
    for group in ("x", "y"):
        kept = sorted((r for r in rows if r[0] == group and r[4] == 1), key=lambda r: (-r[2], r[3]))
        assert found[group] == [r[1] for r in kept[:5]]
    assert found["z"] == []
