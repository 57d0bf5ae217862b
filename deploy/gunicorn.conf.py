"""gunicorn settings for Aftersales: `gunicorn -c deploy/gunicorn.conf.py`.

Everything comes from the environment (deploy/env.production.example); the defaults suit one
machine behind a reverse proxy on loopback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

wsgi_app = "aftersales.config.wsgi:application"
bind = [os.environ.get("AFTERSALES_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("AFTERSALES_WEB_WORKERS", "2"))
worker_class = os.environ.get("AFTERSALES_WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("AFTERSALES_WEB_THREADS", "4"))
timeout = int(os.environ.get("AFTERSALES_WEB_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("AFTERSALES_WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker is replaced after this many requests (0: never); the jitter keeps them apart.
max_requests = int(os.environ.get("AFTERSALES_WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The application writes one access line per request (operations.middleware: the route name,
# status and duration, no query strings, no user names, JSON when AFTERSALES_LOG_FORMAT=json);
# gunicorn's own access log would repeat it with the raw path.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("AFTERSALES_GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the reverse proxy (gunicorn also reads FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "aftersales-web"
# Managed by signals (systemd, scripts/run-production.sh); the control socket would live in
# $HOME, shared by every gunicorn of the user (and unwritable under ProtectHome=).
control_socket_disable = True
if os.environ.get("AFTERSALES_LOG_FORMAT") == "json":
    # gunicorn's own lines (start, worker boots and timeouts) as JSON objects too; they never
    # carry request data.
    logconfig_dict = {
        "formatters": {"generic": {"()": "aftersales.operations.log_format.JsonFormatter"}},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False,
                               "qualname": "gunicorn.error"},
        },
        # The workers' root logger is set up by Django (settings.LOGGING).
        "root": {"level": "INFO", "handlers": []},
    }


def _metrics_directory() -> Path | None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(directory) if directory else None


def on_starting(server: Any) -> None:
    """Before the first worker: the metrics folder exists and holds nothing from an earlier
    run (a previous run's counters would be added to this one's)."""
    directory = _metrics_directory()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended (restart, max_requests, crash): its live gauges stop counting; its
    counters and histograms stay, so totals never go backwards."""
    if _metrics_directory() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
