"""Fixtures of the page tests: the demo organisations and clients signed in as their admins."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from tests.platform.conftest import sign_in

BrowserOf = Callable[[str], TestClient]


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    return {s.organisation: s for s in seed_demo(platform)}


@pytest.fixture
def browser_of(platform: Platform, demo: dict[str, DemoSignIn]) -> Iterator[BrowserOf]:
    """``browser_of(slug)``: a client signed in through the web form as that admin."""
    clients: list[TestClient] = []

    def open_as(slug: str) -> TestClient:
        client = TestClient(create_app(platform=platform))
        sign_in(client, demo[slug].email, demo[slug].password)
        clients.append(client)
        return client

    yield open_as
    for client in clients:
        client.close()
