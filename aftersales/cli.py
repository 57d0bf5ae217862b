"""The `aftersales` command: one entry point for serving, working and administering.

    aftersales run          migrate, load the demo on first start, serve web + worker
    aftersales serve        the production web server (gunicorn)
    aftersales worker       the background worker (Huey consumer: sweeps, notifications)
    aftersales demo         load demo data (--cases N for bulk cases)
    aftersales createuser NAME --role ROLE [--customer ID]
    aftersales sweep        one SLA sweep now
    aftersales backup       back up the database and uploaded files (--output FILE)
    aftersales restore      restore such a backup (FILE --yes; stop the web and workers first)
    aftersales import-commitments FILE   read a written service commitment into a draft
    aftersales manage ...   any Django management command
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

SETTINGS = "aftersales.config.settings"


def _manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aftersales", *argv])
    return 0


def _serve_command() -> list[str]:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    workers = os.environ.get("AFTERSALES_WEB_WORKERS", "2")
    return [
        sys.executable, "-m", "gunicorn", "aftersales.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", workers,
        "--worker-class", os.environ.get("AFTERSALES_WEB_WORKER_CLASS", "gthread"),
        "--threads", os.environ.get("AFTERSALES_WEB_THREADS", "4"),
        # No gunicorn access log: the operations middleware writes one line per request,
        # with the route's name instead of the raw path and query string.
    ]


def _run() -> int:
    """Everything `make run` needs: prepare the database, then web and worker together."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    _manage(["migrate", "--no-input", "-v", "0"])
    _manage(["collectstatic", "--no-input", "-v", "0"])
    _manage(["compiletranslations"])
    import django

    django.setup()
    from aftersales.demo.loader import demo_is_loaded

    if not demo_is_loaded():
        _manage(["demo"])
    else:
        password = os.environ.get("AFTERSALES_DEMO_PASSWORD") or "aftersales-demo"
        print(f"Demo users (password: {password}): admin, manager, dispatcher, agent, engineer, "
              "expert, xjjt, kashi")
    worker = subprocess.Popen([sys.executable, "-m", "aftersales.cli", "worker"])
    web = subprocess.Popen(_serve_command())
    print(f"Aftersales is serving on http://{os.environ.get('HOST', '127.0.0.1')}:"
          f"{os.environ.get('PORT', '8000')}/  (sign in as a demo user; API docs at /api/v1/docs)", flush=True)

    def stop(*_: object) -> None:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while web.poll() is None and worker.poll() is None:
            try:
                web.wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    finally:
        stop()
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return web.returncode or worker.returncode or 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "run":
        return _run()
    if command == "serve":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
        return subprocess.call(_serve_command() + rest)
    if command == "worker":
        return _manage(["run_huey", *rest])
    if command in {"demo", "createuser", "sweep", "backup", "restore"}:
        return _manage([command, *rest])
    if command == "import-commitments":
        return _manage(["import_commitments", *rest])
    if command == "manage":
        return _manage(rest)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
