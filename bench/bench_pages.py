"""Issue #3, figure 2: the queue page and the case page, rendered server-side with 1,000,000 cases
present (run bench_load.py first), against the production server (gunicorn, 2 sync workers).

For each page: p50/p95/p99 at concurrency 1, then pages/s at concurrency 16, signed in as the
demo dispatcher (a session cookie, as a browser sends). The case page draws random cases of the
million. Then the bytes a browser transfers on the queue page's first load: the HTML and every
stylesheet and script it references, as sent with and without `Accept-Encoding: gzip`.

    .venv/bin/python bench/bench_pages.py --backend sqlite [--duration 10]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import time
import urllib.request
from typing import Any

from common import (
    AFTERSALES,
    APP,
    PYTHON,
    ROOT,
    Server,
    bench_env,
    django_setup,
    ms,
    percentiles,
    postgres_cpu_seconds,
    record,
    say,
)


def session_cookie(username: str) -> str:
    """A signed-in session for the user, created the way django.contrib.auth.login stores one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from aftersales.accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def load(server: Server, cookie: str, mode: str, *, concurrency: int, duration: float,
         case_ids: list[str]) -> dict[str, Any]:
    cpu0, pg0, wall0 = server.cpu_seconds(), postgres_cpu_seconds(), time.perf_counter()
    command = [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--port", str(server.port), "--cookie", cookie,
               "--mode", mode, "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", "2",
               "--max-requests", "100000"]
    if case_ids:
        command += ["--case-ids", ",".join(case_ids)]
    result: dict[str, Any] = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=duration + 60).stdout)
    wall = time.perf_counter() - wall0  # the whole run, warm-up included, as the CPU counts
    result["latency"] = percentiles(result.pop("latencies"))
    result["server_cores"] = (server.cpu_seconds() - cpu0) / wall
    result["postgres_cores"] = (postgres_cpu_seconds() - pg0) / wall
    return result


def fetch(url: str, cookie: str, gzip_ok: bool) -> tuple[int, bytes]:
    headers = {"Cookie": cookie, "User-Agent": "aftersales-bench"}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server on 127.0.0.1
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.read()


def first_load_bytes(server: Server, cookie: str) -> dict[str, Any]:
    base = f"http://127.0.0.1:{server.port}"
    sizes: dict[str, Any] = {}
    for gzip_ok in (False, True):
        status, html = fetch(base + "/console/", cookie, gzip_ok)
        assert status == 200
        text = (gzip.decompress(html) if html[:2] == b"\x1f\x8b" else html).decode()
        assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text)))
        total = len(html)
        parts = {"/console/": len(html)}
        for path in assets:
            _status, body = fetch(base + path, cookie, gzip_ok)
            parts[path] = len(body)
            total += len(body)
        sizes["gzip" if gzip_ok else "identity"] = {"total": total, "parts": parts}
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class of the 2 worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    args = parser.parse_args()
    django_setup(args.backend, "bulk")
    # The server serves the collected static files (WhiteNoise), as `aftersales run` prepares them.
    subprocess.run([AFTERSALES, "manage", "collectstatic", "--no-input", "-v", "0"],
                   env=bench_env(args.backend, "bulk"), cwd=APP, check=True)
    from aftersales.cases.models import Case

    total = Case.objects.count()
    ids = [str(pk) for pk in Case.objects.order_by("?").values_list("pk", flat=True)[:400]]
    cookie = session_cookie("dispatcher")
    say(f"[{args.backend}] pages with {total:,} cases, signed in as dispatcher")
    figures: dict[str, Any] = {"cases": total}
    with Server(args.backend, "bulk", worker_class=args.worker_class, threads=args.threads) as server:
        for mode, label in (("queue_page", "queue page GET /console/"), ("case_page", "case page (random cases)")):
            one = load(server, cookie, mode, concurrency=1, duration=args.duration, case_ids=ids)
            many = load(server, cookie, mode, concurrency=16, duration=args.duration, case_ids=ids)
            for name, result in (("c1", one), ("c16", many)):
                bad = {k: v for k, v in result["statuses"].items() if not str(k).startswith("2")}
                if bad or result["failures"]:
                    say(f"[{args.backend}]   {mode} {name}: errors {bad}, failures {result['failures']}")
            say(f"[{args.backend}] {label}, {server.label}: concurrency 1 {ms(one['latency'])}; "
                f"concurrency 16 {many['throughput']:.0f} pages/s, p95 {many['latency']['p95'] * 1000:.1f} ms "
                f"(server {many['server_cores']:.2f} cores"
                + (f", PostgreSQL {many['postgres_cores']:.2f}" if many["postgres_cores"] else "") + ")")
            figures[mode] = {"c1": one["latency"], "c16_pages_per_s": many["throughput"],
                             "c16": many["latency"]}
        sizes = first_load_bytes(server, cookie)
    say(f"[{args.backend}] queue page first load: {sizes['identity']['total'] / 1024:.0f} KB uncompressed, "
        f"{sizes['gzip']['total'] / 1024:.0f} KB with gzip ({', '.join(f'{k} {v / 1024:.1f} KB' for k, v in sizes['identity']['parts'].items())})")
    figures["first_load"] = sizes
    record("pages", args.backend, figures)


if __name__ == "__main__":
    main()
