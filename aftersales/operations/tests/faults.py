"""Real processes for the fault tests (test_faults.py): workers and web servers started as in
production (`aftersales worker`, gunicorn with deploy/gunicorn.conf.py) against the test
database, an SMTP sink that records every Message-ID it receives, and a private PostgreSQL
cluster that a test may restart without disturbing the rest of the suite. Everything listens on
loopback ports chosen at run time, and every process is killed when its `with` block ends."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 - the fault tests start real processes
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
# Debian's PostgreSQL (scripts/test-postgres.sh installs it), the newest version when several.
_PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
PG_BIN = _PG_BINS[-1].parent if _PG_BINS else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.05,
               what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """DATABASE_URL of the database a connection uses (the test database during a test)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    return (f"postgresql://{user}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process (settings.py, not the test settings)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="aftersales.config.settings", AFTERSALES_VAR_DIR=str(var_dir),
               AFTERSALES_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path

    def kill9(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def running(args: list[str], *, env: Mapping[str, str], log: Path) -> Iterator[Process]:
    with log.open("ab") as sink:
        popen = subprocess.Popen(args, cwd=ROOT, env=dict(env), stdout=sink,  # noqa: S603 - fixed arguments
                                 stderr=subprocess.STDOUT, start_new_session=True)
    process = Process(popen, log)
    try:
        yield process
    finally:
        if popen.poll() is None:
            try:
                os.killpg(popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        popen.wait(timeout=30)


# --- the SMTP sink -------------------------------------------------------------------------


@dataclass
class MessageIdSink:
    """An aiosmtpd handler keeping the Message-ID of every message it accepts."""

    message_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.message_ids.append(str(parsed["Message-ID"]))
        return "250 OK"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)

    def duplicates(self) -> dict[str, int]:
        return {mid: n for mid, n in Counter(self.received()).items() if n > 1}


@contextmanager
def smtp_sink() -> Iterator[tuple[int, MessageIdSink]]:
    handler = MessageIdSink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {"AFTERSALES_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "AFTERSALES_EMAIL_HOST": "127.0.0.1", "AFTERSALES_EMAIL_PORT": str(port),
            "AFTERSALES_EMAIL_USE_TLS": "0"}


def enqueue_task(var_dir: Path, task: Any) -> None:
    """Put a call of a Huey task into the queue file of the workers using `var_dir` (the test
    process's own Huey runs tasks immediately, so it cannot queue for them)."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    storage = SqliteStorage(name=HUEY.name, filename=str(var_dir / "tasks.sqlite3"))
    try:
        storage.enqueue(HUEY.serialize_task(task.s()), None)
    finally:
        storage.close()


def queued_tasks(var_dir: Path) -> int:
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    storage = SqliteStorage(name=HUEY.name, filename=str(var_dir / "tasks.sqlite3"))
    try:
        return int(storage.queue_size())
    finally:
        storage.close()


# --- a private PostgreSQL cluster ----------------------------------------------------------


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root: as in scripts/test-postgres.sh, run it as 'postgres'.
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


@dataclass
class PostgresCluster:
    directory: Path
    port: int

    def url(self, name: str = "aftersales") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        assert PG_BIN is not None
        subprocess.run(  # noqa: S603 - fixed arguments
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"),
             "-l", str(self.directory / "server.log"), "-w", "-t", str(int(timeout)), *args],
            check=True, stdout=subprocess.DEVNULL, timeout=timeout + 10,
        )

    def start(self) -> None:
        self.pg_ctl("-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                    "-c max_connections=50 -c shared_buffers=32MB", "start")

    def restart(self, mode: str) -> None:
        self.pg_ctl("-m", mode, "restart")

    def copy_database_from(self, source_url: str, name: str = "aftersales") -> None:
        """A copy of another server's database (schema and rows) as `name` on this cluster."""
        assert PG_BIN is not None
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",  # noqa: S603
                        name], check=True, timeout=60)
        dump = subprocess.Popen([str(PG_BIN / "pg_dump"), "--no-owner", "-d", source_url],  # noqa: S603
                                stdout=subprocess.PIPE)
        subprocess.run([str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(name)],  # noqa: S603
                       stdin=dump.stdout, check=True, stdout=subprocess.DEVNULL, timeout=120)
        assert dump.stdout is not None
        dump.stdout.close()
        assert dump.wait(timeout=60) == 0


@contextmanager
def private_postgres() -> Iterator[PostgresCluster]:
    assert PG_BIN is not None
    directory = Path(tempfile.mkdtemp(prefix="aftersales-faults-pg-"))
    cluster = PostgresCluster(directory, free_port())
    try:
        if os.getuid() == 0:
            shutil.chown(directory, "postgres")
        subprocess.run([*_as_postgres(), str(PG_BIN / "initdb"), "-D", str(directory / "data"),  # noqa: S603
                        "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.pg_ctl("-m", "immediate", "stop")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(directory, ignore_errors=True)


# --- clocks against a replay ---------------------------------------------------------------


def replay_mismatches(*, now: dt.datetime | None = None) -> list[str]:
    """Every stored clock field that differs from a fresh replay of its case's events (the
    stored clocks must be exactly what derive_clocks makes of the history)."""
    from django.utils import timezone

    from aftersales.calendars.services import business_calendar
    from aftersales.cases.clocks import derive_clocks, event_records
    from aftersales.cases.models import Case, CaseClock, CaseEvent
    from aftersales.cases.services import CLOCK_FIELDS, case_targets

    now = now or timezone.now()
    problems: list[str] = []
    for case in Case.objects.select_related("policy__calendar").order_by("pk"):
        rows = CaseEvent.objects.filter(case=case).order_by("sequence").values_list("kind", "at", "data")
        replayed = {value.target: value for value in derive_clocks(
            events=event_records(rows), category=case.category, targets=case_targets(case),
            calendar=business_calendar(case.policy.calendar), warning_percent=case.policy.warning_percent,
            now=now,
        )}
        stored = {clock.target: clock for clock in CaseClock.objects.filter(case=case)}
        if set(stored) != set(replayed):
            problems.append(f"{case.number}: clocks {sorted(stored)} != replay {sorted(replayed)}")
            continue
        for target, clock in stored.items():
            for name in CLOCK_FIELDS:
                if getattr(clock, name) != getattr(replayed[target], name):
                    problems.append(f"{case.number} {target}.{name}: {getattr(clock, name)!r} != "
                                    f"{getattr(replayed[target], name)!r}")
    return problems
