"""The production web server (deploy/gunicorn.conf.py) on loopback, several worker processes:
every scrape adds up all of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from aftersales.operations.tests.conftest import closed_port


def _database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    return f"postgresql://{quote(params['USER'], safe='')}{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _healthz_count(body: bytes) -> float:
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if (sample.name == "aftersales_http_request_duration_seconds_count"
                    and sample.labels == {"route": "operations:healthz", "method": "GET", "status": "2xx"}):
                return sample.value
    return 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_that_come_and_go_give_one_consistent_scrape(tmp_path):
    # given gunicorn with 2 workers, each replaced after about 12 requests, in multiprocess mode
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999999.db").write_bytes(b"left over from an earlier run")
    port = closed_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings_test",
        "DATABASE_URL": _database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "HOST": "127.0.0.1", "PORT": str(port),
        "AFTERSALES_WEB_WORKERS": "2", "AFTERSALES_WEB_THREADS": "2", "AFTERSALES_WEB_MAX_REQUESTS": "12",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py")],
        env=environment, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        # when 40 more probes are answered by workers that are replaced along the way
        for _ in range(40):
            assert _get(f"{base}/healthz") == (200, b"ok")
        # then every scrape, whichever worker answers it, counts all 41 probes
        counts = []
        for _ in range(6):
            status, body = _get(f"{base}/metrics")
            assert status == 200
            counts.append(_healthz_count(body))
        assert counts == [41.0] * 6
        # and the samples came from more than two processes (workers were replaced), the stale
        # file of an earlier run is gone
        pids = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("*.db")}
        assert len(pids) > 2
        assert "99999999" not in pids
        assert _get(f"{base}/readyz")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
