"""Run every benchmark, SQLite first, then PostgreSQL, and print a summary (`make bench`).

Each benchmark is its own process with its own database (see common.py); the figures are
printed as they come and kept in var/bench-results.json. About 15 minutes per backend.

    .venv/bin/python bench/run_all.py [--backends sqlite,postgresql] [--cases 1000000]
                                      [--duration 20] [--only calendar,http,load,queries,sweep]
    BENCH_DURABILITY=normal .venv/bin/python bench/run_all.py   # default: full
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

from common import PYTHON, RESULTS, ROOT, durability, ensure_postgres, say

STEPS = ("http", "calendar", "load", "queries", "pages", "sweep")  # calendar reads the http database


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    return f"{os.cpu_count()} CPUs ({cpu}), {int(memory) / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}"


def step(name: str, backend: str, args: argparse.Namespace) -> None:
    script = {"calendar": "bench_calendar.py", "http": "bench_http_create.py", "load": "bench_load.py",
              "queries": "bench_queries.py", "pages": "bench_pages.py", "sweep": "bench_sweep.py"}[name]
    command = [PYTHON, str(ROOT / "bench" / script), "--backend", backend]
    if name == "http":
        command += ["--duration", str(args.duration)]
    if name == "load":
        command += ["--cases", str(args.cases)]
    if name == "sweep":
        command += ["--breaches", str(args.breaches)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, timeout=3600)
    say(f"  ({name} on {backend} took {time.perf_counter() - started:.0f} s)")


def summary(data: dict[str, Any], backend: str) -> list[str]:
    figures = data.get(backend, {})
    lines = [f"{backend} (AFTERSALES_DURABILITY={durability()}):"]
    http = figures.get("http_create", {})
    for concurrency in ("c16", "c1"):
        if concurrency in http:
            h = http[concurrency]
            lines.append(f"  1. POST /api/v1/cases, concurrency {concurrency[1:]:>2} ({h['server']}): "
                         f"{h['throughput']:.0f} cases/s, p50 {h['p50_ms']:.1f} / p95 {h['p95_ms']:.1f} / "
                         f"p99 {h['p99_ms']:.1f} ms")
    queries = figures.get("queries", {})
    for key, label in (("queue_selector", "queue, case_queue selector"), ("queue_http", "queue, GET /api/v1/cases"),
                       ("detail_selector", "case + clocks + 50 events, selector"),
                       ("detail_http", "case + clocks + 50 events, GET /api/v1/cases/{id}")):
        if key in queries:
            q = queries[key]
            lines.append(f"  2. {label}: p50 {q['p50'] * 1000:.2f} / p95 {q['p95'] * 1000:.2f} ms")
    pages = figures.get("pages", {})
    for key, label in (("queue_page", "queue page /console/"), ("case_page", "case page /console/cases/{id}/")):
        if key in pages:
            p = pages[key]
            lines.append(f"  web. {label}: c=1 p50 {p['c1']['p50'] * 1000:.1f} / p95 {p['c1']['p95'] * 1000:.1f} ms; "
                         f"c=16 {p['c16_pages_per_s']:.0f} pages/s")
    if "first_load" in pages:
        size = pages["first_load"]
        lines.append(f"  web. queue page first load: {size['identity']['total'] / 1024:.0f} KB "
                     f"({size['gzip']['total'] / 1024:.0f} KB gzip)")
    sweep = figures.get("sweep", {})
    if "idle" in sweep:
        lines.append(f"  3. sweep, nothing due: median {sweep['idle']['p50'] * 1000:.1f} ms, "
                     f"p95 {sweep['idle']['p95'] * 1000:.1f} ms")
    if "breach" in sweep:
        b = sweep["breach"]
        lines.append(f"  3. sweep, {b['breaches']:,} new breaches (+{b['warnings']:,} warnings): {b['seconds']:.1f} s "
                     f"(breach pass {b['breach_pass']:.1f} s)")
    if "calendar" in figures:
        lines.append(f"  4. add_business_time, cn-office: {figures['calendar']['per_second']:,.0f}/s")
    if "load" in figures:
        load = figures["load"]
        check = figures.get("check_bulk", {})
        lines.append(f"  5. aftersales demo --cases {load['cases']:,}: {load['seconds']:.1f} s"
                     + (f" (sample of {check['checked']} checked: {check['differences']} differences)" if check else ""))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--only", default=",".join(STEPS))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--breaches", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="add to var/bench-results.json")
    args = parser.parse_args()
    backends = args.backends.split(",")
    steps = [s for s in STEPS if s in args.only.split(",")]
    if not args.keep:
        RESULTS.unlink(missing_ok=True)
    say(f"Aftersales benchmarks, {time.strftime('%Y-%m-%d %H:%M %Z')}: {machine()}; "
        f"AFTERSALES_DURABILITY={durability()}")
    if "postgresql" in backends:
        ensure_postgres()
    for backend in backends:
        say(f"\n== {backend} ==")
        for name in steps:
            step(name, backend, args)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    say("\n== summary ==")
    for backend in backends:
        for line in summary(data, backend):
            say(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
