"""The platform served by uvicorn on a free local port, driven by Debian's Chromium.

`live_server` serves the `platform` fixture's database (SQLite and PostgreSQL, one fresh
database per test); one browser runs for the whole session and every test gets a fresh
browser context (no cookies carried over).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

START_TIMEOUT_S = 15
STOP_TIMEOUT_S = 10
PAGE_TIMEOUT_MS = 10_000  # a page that takes longer is a failure, not a slow pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"uvicorn stopped before {base_url} answered")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{base_url}/healthz did not answer within {START_TIMEOUT_S} s")


@pytest.fixture
def live_server(platform: Platform) -> Iterator[str]:
    """The app on http://127.0.0.1:<free port>, in a background thread; yields the base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(platform=platform), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_S)
    assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    """The demo organisations' admins, by organisation slug (cq-battery, verifier, ...)."""
    return {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}


@pytest.fixture(scope="session")
def expect(playwright: Playwright) -> Callable[..., Any]:
    """Playwright's `expect` (assertions that wait for the page to catch up)."""
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A page in a fresh browser context whose relative URLs go to `live_server`."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


SignIn = Callable[..., None]


@pytest.fixture
def sign_in(page: Page) -> SignIn:
    """``sign_in(who)`` fills and submits the sign-in form; ``password=`` to give a wrong one."""

    def submit(who: DemoSignIn, password: str | None = None) -> None:
        page.goto("/sign-in")
        page.fill("#email", who.email)
        page.fill("#password", who.password if password is None else password)
        with page.expect_navigation():
            page.click("#sign-in button[type=submit]")

    return submit
