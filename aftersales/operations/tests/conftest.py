from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.db.utils import load_backend


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def extra_connection() -> Iterator[Any]:
    """A real connection (not one of settings.DATABASES) to default's server with some settings
    changed: another port, another database. Closed afterwards."""
    made: list[Any] = []

    def make(alias: str, **changes: Any) -> Any:
        settings_dict = copy.deepcopy(connections["default"].settings_dict)
        settings_dict.update(changes)
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
        made.append(wrapper)
        return wrapper

    yield make
    for wrapper in made:
        wrapper.close()
