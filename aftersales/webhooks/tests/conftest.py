"""A real HTTP receiver on loopback, and subscriptions to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.webhooks.models import Subscription
from aftersales.webhooks.services import subscription_create, subscriptions_cache_clear


@pytest.fixture(autouse=True)
def forget_subscriptions() -> Iterator[None]:
    # Each test's subscriptions vanish with its database: no process-wide list may outlive it.
    subscriptions_cache_clear()
    yield
    subscriptions_cache_clear()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Records every POST; answers the queued status codes in order, then 200."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.redirect_to = ""
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", receiver.redirect_to or receiver.url)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/aftersales?source=test"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def subscribe(admin: User, receiver: Receiver) -> Callable[..., Subscription]:
    def make(event_types: tuple[str, ...] = ("*",), name: str = "工单系统对接", url: str | None = None) -> Subscription:
        return subscription_create(actor=admin, name=name, url=url or receiver.url, event_types=list(event_types),
                                   allow_internal=True)

    return make
