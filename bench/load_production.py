"""Issue #7, acceptance 2: the production setup under mixed load, then nothing lost or doubled.

Starts, on loopback only:
- an SMTP sink (aiosmtpd, in this process) that records the Message-ID of every mail received;
- the production setup of scripts/run-production.sh on PostgreSQL (a fresh database
  `aftersales_load` on the private server of scripts/test-postgres.sh) with the demo data,
  N gunicorn web processes and M Huey workers, mail going to the sink;
- locust (headless, bench/load/locustfile.py: agents filing and working cases over the API,
  customer users on the portal, managers on the console) for the given minutes.

Then it lets the workers drain the outbox and checks:
- no 5xx answer at all (statuses counted per request name), and the p50/p95/p99 per request;
- every filing that was answered exists exactly once (one case per Idempotency-Key, a repeated
  key gave the same case, no case of the load without its key);
- every notification was delivered exactly once: each outbox row sent, each of their
  Message-IDs received by the SMTP server exactly once, nothing received that was not sent.

Locust is not in the product's lock: it comes from requirements-bench.lock into var/bench-venv
(created on first use). Prints one JSON object; exit status 1 when a check fails.

    .venv/bin/python bench/load_production.py [--minutes 10] [--users 30] [--web 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH_VENV = ROOT / "var" / "bench-venv"
OUT = ROOT / "var" / "load"
HOST = "127.0.0.1"
PASSWORD = "load-test-password"  # noqa: S105 - the demo users of a throw-away database


def say(text: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S} UTC] {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_locust() -> Path:
    locust = BENCH_VENV / "bin" / "locust"
    if not locust.exists():
        say("installing locust into var/bench-venv (requirements-bench.lock)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                        "--require-hashes", "-r", str(ROOT / "requirements-bench.lock")], check=True)
    return locust


class Sink:
    """An SMTP server on loopback that keeps the Message-ID of every mail it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                message = message_from_bytes(envelope.content, policy=policy.default)
                with sink.lock:
                    sink.ids[str(message["Message-ID"] or "").strip()] += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def fresh_database() -> str:
    base = subprocess.run([str(ROOT / "scripts" / "test-postgres.sh")], check=True, capture_output=True,
                          text=True).stdout.strip()
    import psycopg

    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS aftersales_load WITH (FORCE)")
        conn.execute("CREATE DATABASE aftersales_load")
    return base.rsplit("/", 1)[0] + "/aftersales_load"


def start_production(url: str, port: int, sink: Sink, web: int, workers: int) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=url, PORT=str(port), HOST=HOST, AFTERSALES_VAR_DIR=str(OUT / "production"),
               AFTERSALES_DEMO_PASSWORD=PASSWORD,
               AFTERSALES_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
               AFTERSALES_EMAIL_HOST=HOST, AFTERSALES_EMAIL_PORT=str(sink.port),
               AFTERSALES_ALLOWED_HOSTS=f"{HOST},localhost", AFTERSALES_PUBLIC_URL=f"http://{HOST}:{port}")
    process = subprocess.Popen([str(ROOT / "scripts" / "run-production.sh"), "--web", str(web), "--workers",
                                str(workers), "--demo"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    assert process.stdout is not None  # noqa: S101
    for line in process.stdout:
        if line.startswith("ready "):
            return process
    raise SystemExit(f"the production setup did not start; see {OUT / 'production' / 'logs'}")


def stop_production(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def percentiles(csv_path: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    with csv_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "all"
            rows[f"{row['Type']} {name}".strip()] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0), "p99_ms": float(row["99%"] or 0),
                "rps": round(float(row["Requests/s"] or 0), 1),
            }
    return rows


def outbox_state(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM notifications_outboxmessage GROUP BY status").fetchall())


def drain(url: str, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        state = outbox_state(url)
        if not state.get("pending") or time.monotonic() > deadline:
            return state
        time.sleep(5)


def check(url: str, sink: Sink, record: Path) -> dict[str, Any]:
    import psycopg

    filings = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if line.strip()]
    answered: dict[str, set[str]] = {}
    for filing in filings:
        if filing["case"]:
            answered.setdefault(filing["key"], set()).add(filing["case"])
    with psycopg.connect(url) as conn:
        keys = dict(conn.execute(
            "SELECT key, case_id::text FROM cases_idempotencykey WHERE key LIKE %s", ("load-%",)).fetchall())
        load_cases = {row[0] for row in conn.execute(
            "SELECT id::text FROM cases_case WHERE description = %s", ("负载测试",)).fetchall()}
        sent = dict(conn.execute(
            "SELECT message_id, attempts FROM notifications_outboxmessage WHERE status = 'sent'"
        ).fetchall())
        not_sent = conn.execute(
            "SELECT count(*) FROM notifications_outboxmessage WHERE status <> 'sent'").fetchone()[0]
    by_key = keys
    received = dict(sink.ids)
    return {
        "filings_answered": len(answered),
        "filings_repeated": sum(1 for f in filings if f["repeat"]),
        "keys_with_two_cases": sum(1 for cases in answered.values() if len(cases) > 1),
        "answered_missing_in_database": sum(1 for key, cases in answered.items()
                                            if by_key.get(key) not in cases),
        "load_cases_in_database": len(load_cases),
        "load_cases_without_an_answered_key": len(load_cases - {c for cs in answered.values() for c in cs}),
        "notifications_sent": len(sent),
        "notifications_not_sent": not_sent,
        "notifications_sent_more_than_once_by_attempts": sum(1 for a in sent.values() if a > 1),
        "mails_received": sum(received.values()),
        "sent_never_received": sum(1 for m in sent if received.get(m, 0) == 0),
        "received_more_than_once": sum(1 for count in received.values() if count > 1),
        "received_never_sent": sum(1 for m in received if m not in sent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=300)
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    record, statuses = OUT / "filings.jsonl", OUT / "statuses.json"
    for stale in (record, statuses):
        stale.unlink(missing_ok=True)
    locust = ensure_locust()
    url = fresh_database()
    sink = Sink()
    port = free_port()
    say(f"production setup: {args.web} web + {args.workers} workers on PostgreSQL, port {port}, SMTP sink {sink.port}")
    production = start_production(url, port, sink, args.web, args.workers)
    try:
        say(f"locust: {args.users} users for {args.minutes} min")
        started = time.monotonic()
        subprocess.run([str(locust), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
                        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{int(args.minutes * 60)}s",
                        "--host", f"http://{HOST}:{port}", "--csv", str(OUT / "locust"), "--only-summary",
                        "--stop-timeout", "10", "--loglevel", "WARNING"],
                       env=dict(os.environ, LOAD_PASSWORD=PASSWORD, LOAD_RECORD=str(record), LOAD_STATUSES=str(statuses)),
                       check=False)
        ran = time.monotonic() - started
        say("load done; letting the workers drain the outbox")
        state = drain(url, args.drain_seconds)
        time.sleep(3)  # the last SMTP sessions
        counted = json.loads(statuses.read_text(encoding="utf-8"))
        server_errors = {name: {code: n for code, n in codes.items() if int(code) >= 500 or int(code) == 0}
                         for name, codes in counted.items()}
        server_errors = {name: codes for name, codes in server_errors.items() if codes}
        result = {
            "date": dt.datetime.now(dt.UTC).date().isoformat(), "machine": f"{platform.node()} {os.cpu_count()} CPUs",
            "web": args.web, "workers": args.workers, "users": args.users, "seconds": round(ran),
            "requests": percentiles(OUT / "locust_stats.csv"), "statuses": counted,
            "server_errors": server_errors, "outbox_after_drain": state,
            "checks": check(url, sink, record),
        }
    finally:
        stop_production(production)
        sink.stop()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    c = result["checks"]
    failed = (result["server_errors"] or c["keys_with_two_cases"] or c["answered_missing_in_database"]
              or c["load_cases_without_an_answered_key"] or c["notifications_not_sent"]
              or c["sent_never_received"] or c["received_more_than_once"] or c["received_never_sent"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
