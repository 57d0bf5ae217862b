"""Shared helpers for the benchmarks: databases, the server, statistics, printing.

Benchmarks never touch var/aftersales.sqlite3: they use their own SQLite files and their own
PostgreSQL databases on the private server of scripts/test-postgres.sh (127.0.0.1:54329).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
AFTERSALES = str(BIN / "aftersales")
# Where the product runs from (its var/ holds the SQLite files). BENCH_APP_DIR points the
# benchmarks at a patched copy, to measure a proposed change without touching this tree.
APP = Path(os.environ.get("BENCH_APP_DIR", ROOT))
VAR = APP / "var"
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "var" / "bench-results.json"))
HOST = "127.0.0.1"  # the only address benchmarks send traffic to
PG_PORT = int(os.environ.get("AFTERSALES_TEST_PGPORT", "54329"))

# What each benchmark database is for: the 1M-case one, and a small one for filing over HTTP.
DATABASES = {"bulk": "bench", "http": "bench_http"}


def durability() -> str:
    """The same AFTERSALES_DURABILITY for both databases (default: full, the product default)."""
    value = os.environ.get("BENCH_DURABILITY", os.environ.get("AFTERSALES_DURABILITY", "full"))
    if value not in ("full", "normal"):
        raise SystemExit("BENCH_DURABILITY must be full or normal")
    return value


def database_url(backend: str, purpose: str) -> str:
    name = DATABASES[purpose]
    if backend == "sqlite":
        return f"sqlite:///var/{name}.sqlite3"
    if backend == "postgresql":
        return f"postgresql://postgres@{HOST}:{PG_PORT}/aftersales_{name}"
    raise SystemExit(f"unknown backend {backend!r}")


def bench_env(backend: str, purpose: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    if APP != ROOT:
        env["PYTHONPATH"] = str(APP)
    env.update(
        DATABASE_URL=database_url(backend, purpose),
        AFTERSALES_DURABILITY=durability(),
        DJANGO_SETTINGS_MODULE="aftersales.config.settings",
        AFTERSALES_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def django_setup(backend: str, purpose: str) -> None:
    """Point this process at a benchmark database, then set Django up."""
    os.environ.update(bench_env(backend, purpose))
    os.chdir(APP)
    import django

    django.setup()


def ensure_postgres() -> None:
    subprocess.run([str(ROOT / "scripts" / "test-postgres.sh")], check=True, stdout=subprocess.DEVNULL)


def _pg(*args: str) -> None:
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    subprocess.run([str(bindir / args[0]), "-h", HOST, "-p", str(PG_PORT), "-U", "postgres", *args[1:]],
                   check=True)


def fresh_database(backend: str, purpose: str) -> float:
    """Drop and recreate the benchmark database, migrate it; returns the migration's seconds."""
    if backend == "sqlite":
        path = VAR / f"{DATABASES[purpose]}.sqlite3"
        assert path.name != "aftersales.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        VAR.mkdir(exist_ok=True)
    else:
        ensure_postgres()
        name = f"aftersales_{DATABASES[purpose]}"
        _pg("dropdb", "--if-exists", "--force", name)
        _pg("createdb", name)
    started = time.perf_counter()
    subprocess.run([AFTERSALES, "manage", "migrate", "--no-input", "-v", "0"],
                   env=bench_env(backend, purpose), cwd=APP, check=True)
    return time.perf_counter() - started


def run_demo(backend: str, purpose: str, cases: int = 0) -> float:
    """`aftersales demo [--cases N]`; returns its wall-clock seconds."""
    command = [AFTERSALES, "demo", "--quiet"] + (["--cases", str(cases)] if cases else [])
    started = time.perf_counter()
    subprocess.run(command, env=bench_env(backend, purpose), cwd=APP, check=True)
    return time.perf_counter() - started


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank) and mean of samples, in the samples' unit."""
    if not samples:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan")}
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]

    return {"n": len(ordered), "p50": rank(50), "p95": rank(95), "p99": rank(99),
            "mean": statistics.fmean(ordered), "max": ordered[-1]}


def ms(stats: dict[str, float]) -> str:
    return (f"p50 {stats['p50'] * 1000:.2f} ms, p95 {stats['p95'] * 1000:.2f} ms, "
            f"p99 {stats['p99'] * 1000:.2f} ms (n={stats['n']})")


def record(figure: str, backend: str, values: dict[str, Any]) -> None:
    """Keep a figure in var/bench-results.json (run_all prints the summary from it)."""
    data: dict[str, Any] = {}
    if RESULTS.exists():
        data = json.loads(RESULTS.read_text())
    data.setdefault(backend, {})[figure] = values
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def say(text: str) -> None:
    print(text, flush=True)


# --- the production server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """`aftersales serve` (gunicorn) on 127.0.0.1, started and stopped by the benchmark."""

    def __init__(self, backend: str, purpose: str, *, worker_class: str = "gthread", threads: int = 4,
                 workers: int = 2) -> None:
        self.port = free_port()
        self.label = f"{workers}x{worker_class}" + (f"/{threads} threads" if worker_class == "gthread" else "")
        env = bench_env(backend, purpose, PORT=str(self.port), HOST=HOST,
                        AFTERSALES_WEB_WORKERS=str(workers), AFTERSALES_WEB_WORKER_CLASS=worker_class,
                        AFTERSALES_WEB_THREADS=str(threads))
        self.log = open(ROOT / "var" / "bench-server.log", "wb")  # noqa: SIM115 - closed in stop()
        # Its own session: `aftersales serve` runs gunicorn as a child and does not pass signals
        # on, so stop() ends the whole process group.
        self.process = subprocess.Popen([AFTERSALES, "serve"], env=env, cwd=APP, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited; see var/bench-server.log")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("the server did not start within 30 s")
        time.sleep(1.0)  # let every worker boot

    def cpu_seconds(self) -> float:
        """User+system CPU of the server's processes so far (gunicorn master and workers)."""
        return sum(_cpu_of(pid) for pid in [self.process.pid, *_descendants(self.process.pid)])

    def stop(self) -> None:
        group = self.process.pid
        for sig, patience in ((signal.SIGTERM, 35.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=patience)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:  # gunicorn's master and workers, too
                try:
                    os.killpg(group, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                continue
            break
        self.process.wait()
        if not self.log.closed:
            self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(c) for c in task.read_text().split()]
            except OSError:
                continue
            found += children
            pending += children
    return found


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def postgres_cpu_seconds() -> float:
    """CPU of every process of the private PostgreSQL server (0 when not running)."""
    default = "/tmp/aftersales-test-pg"  # noqa: S108 - where scripts/test-postgres.sh keeps it
    pidfile = Path(os.environ.get("AFTERSALES_TEST_PGDIR", default)) / "postmaster.pid"
    try:
        postmaster = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return sum(_cpu_of(pid) for pid in [postmaster, *_descendants(postmaster)])


def api_token(username: str = "agent") -> str:
    """A bearer token for a demo user (Django must be set up)."""
    from aftersales.accounts.models import User
    from aftersales.accounts.services import api_token_create

    _token, plain = api_token_create(user=User.objects.get(username=username), name="bench")
    return plain


def main_guard(argv: Sequence[str] | None = None) -> list[str]:
    return list(sys.argv[1:] if argv is None else argv)
