"""Browser tests: the real pages in headless Chromium (Debian's `chromium`, driven by Playwright).

The app runs in a thread of this process (pytest-django's `live_server`), so every test needs
real transactions. Playwright's sync API runs an asyncio loop in the test thread, which would make
Django refuse database access from the test ("SynchronousOnlyOperation"): allowed here, before
anything touches the database. `make test-browser` installs Chromium first
(scripts/ensure-chromium.sh); nothing is ever downloaded by Playwright.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402

from aftersales.conftest import PASSWORD  # noqa: E402

CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the real pages in headless Chromium (make test-browser)")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A test database of their own (var/test_browser.sqlite3; test_<name>_browser on PostgreSQL), so
    a browser run never drops the database of a suite running beside it."""
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        name = test.get("NAME")
        if name is None:
            if "sqlite" in db["ENGINE"]:
                continue  # in memory: private to this process anyway
            name = f"test_{db['NAME']}"
        test["NAME"] = re.sub(r"(\.sqlite3)?$", r"_browser\1", str(name), count=1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/ensure-chromium.sh "
                    "(make test-browser runs it first)", pytrace=False)
    from playwright.sync_api import sync_playwright

    # launch() gives Chromium a fresh temporary profile of its own and removes it at close.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def static_failures() -> list[str]:
    """The stylesheets and scripts of the pages that did not load, in every page of the test."""
    return []


@pytest.fixture
def new_page(browser: Any, live_server: Any, static_failures: list[str]) -> Iterator[Callable[[], Any]]:
    """Opens a page in a fresh browser context (its own cookies: one person each)."""
    contexts: list[Any] = []

    def note(response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            static_failures.append(f"{response.status} {response.url.removeprefix(live_server.url)}")

    def open_page() -> Any:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", note)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in() -> Callable[[Any, str], None]:
    """Types the username and password into the sign-in page and presses Enter."""

    def sign_in(page: Any, username: str) -> None:
        page.goto("/accounts/sign-in/")
        page.locator("input[name=username]").press_sequentially(username)
        page.locator("input[name=password]").press_sequentially(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(re.compile(r"/(console/(reports/dashboard/)?|portal/)$"))

    return sign_in


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Saves a full-page PNG of the page to var/screenshots/NAME.png."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
