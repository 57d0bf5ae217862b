from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
EXAMPLE = (ROOT / "deploy" / "env.production.example").read_text(encoding="utf-8")


def _variables_read(path: Path, pattern: str) -> set[str]:
    return set(re.findall(pattern, path.read_text(encoding="utf-8")))


def _listed() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", EXAMPLE, flags=re.MULTILINE))


def test_the_production_example_lists_every_variable_the_settings_read():
    read = _variables_read(ROOT / "aftersales" / "config" / "settings.py", r'env_(?:str|bool|int|secret)\("([A-Z0-9_]+)"')
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert sorted(read - _listed()) == []


def test_the_production_example_lists_every_variable_of_the_web_server_and_the_cli():
    read = _variables_read(ROOT / "deploy" / "gunicorn.conf.py", r'os\.environ\.get\("([A-Z0-9_]+)"')
    read |= _variables_read(ROOT / "aftersales" / "cli.py", r'os\.environ\.get\("([A-Z0-9_]+)"')
    read -= {"DJANGO_SETTINGS_MODULE"}
    assert sorted(read - _listed()) == []


@pytest.mark.parametrize("unit", ["aftersales-web.service", "aftersales-worker.service", "aftersales-worker@.service"])
def test_long_running_units_restart_always_and_read_the_environment_file(unit):
    text = (ROOT / "deploy" / "systemd" / unit).read_text(encoding="utf-8")
    assert "\nRestart=always\n" in text
    assert "\nEnvironmentFile=/etc/aftersales/env\n" in text


def test_only_the_first_worker_runs_the_periodic_scheduler():
    first = (ROOT / "deploy" / "systemd" / "aftersales-worker.service").read_text(encoding="utf-8")
    more = (ROOT / "deploy" / "systemd" / "aftersales-worker@.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/aftersales/.venv/bin/aftersales worker\n" in first
    assert "ExecStart=/opt/aftersales/.venv/bin/aftersales worker --no-periodic\n" in more
