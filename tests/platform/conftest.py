"""Fixtures and helpers for the API tests: an app on the test platform, the demo organisations,
API clients with bearer tokens, and cookie sessions signed in through the web form.

The helpers are plain functions, so the ledger API tests and the tenant-isolation walk import
them from here (``from tests.platform.conftest import ...``) instead of writing them again.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pcfhub.platform import clients
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.problems import PROBLEM_JSON
from pcfhub.platform.schemas import ApiClientCreate, ApiClientCreated

API = "/api/v1"
ALL_SCOPES = ("*:*",)
_CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


# Plain helpers


def make_client(platform: Platform, *, raise_server_exceptions: bool = True) -> TestClient:
    """A client of a fresh app on ``platform``; its cookie jar is its own."""
    return TestClient(
        create_app(platform=platform), raise_server_exceptions=raise_server_exceptions
    )


def demo_by_slug(platform: Platform) -> dict[str, DemoSignIn]:
    """Seed the demo organisations (one admin each, two grants of cq-battery)."""
    return {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}


def admin_principal(sign_in: DemoSignIn) -> Principal:
    """The demo admin acting for their organisation, as the service layer sees them."""
    return Principal(
        organisation_id=sign_in.organisation_id,
        organisation_kind=sign_in.kind,
        role=Role.ADMIN,
        user_id=sign_in.user_id,
    )


def create_api_client(
    platform: Platform,
    organisation_id: Any,
    *,
    scopes: Iterable[str] = ALL_SCOPES,
    role: Role = Role.ADMIN,
    name: str = "test client",
) -> ApiClientCreated:
    """An API client of the organisation, made through the service as the platform itself."""
    with platform.unit_of_work() as uow:
        created = clients.create_api_client(
            uow,
            principal=None,
            organisation_id=organisation_id,
            data=ApiClientCreate(name=name, role=role, scopes=list(scopes)),
            system=True,
        )
        uow.commit()
    return created


def basic_auth(client_id: str, client_secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def request_token(
    client: TestClient, api_client: ApiClientCreated, *, scope: str | None = None
) -> httpx2.Response:
    """POST /auth/token with HTTP Basic client authentication (RFC 6749 §4.4)."""
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    return client.post(
        "/auth/token",
        data=form,
        headers=basic_auth(api_client.client_id, api_client.client_secret),
    )


def fetch_token(
    client: TestClient, api_client: ApiClientCreated, *, scope: str | None = None
) -> str:
    response = request_token(client, api_client, scope=scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def token_headers(
    platform: Platform,
    client: TestClient,
    organisation_id: Any,
    *,
    scopes: Iterable[str] = ALL_SCOPES,
    role: Role = Role.ADMIN,
) -> dict[str, str]:
    """Bearer headers of a new API client of the organisation (all scopes, admin by default)."""
    api_client = create_api_client(platform, organisation_id, scopes=scopes, role=role)
    return bearer(fetch_token(client, api_client))


def csrf_from(html: str) -> str:
    """The value of a page's hidden ``csrf_token`` input."""
    found = _CSRF_INPUT.search(html)
    assert found is not None, "the page has no hidden csrf_token input"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str) -> str:
    """Sign in through the web form as a browser would; return the session's CSRF token."""
    page = client.get("/sign-in")
    assert page.status_code == 200, page.text
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")  # a signed-in page renders the session's token
    assert home.status_code == 200, home.text
    return csrf_from(home.text)


def assert_problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem of ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


# Fixtures


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    """The demo organisations by slug, with their admins' sign-ins."""
    return demo_by_slug(platform)


@pytest.fixture
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """An anonymous client; server errors are raised, so a 500 shows its traceback."""
    return TestClient(app)


@dataclass(frozen=True)
class Caller:
    """A demo organisation's admin calling the API with a bearer token of an admin client."""

    sign_in: DemoSignIn
    headers: dict[str, str]

    @property
    def organisation_id(self) -> Any:
        return self.sign_in.organisation_id


@pytest.fixture
def callers(
    platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]
) -> dict[str, Caller]:
    """Bearer callers (API client with ``*:*``, role admin) for the operator, the two
    enterprises and the verifier."""
    return {
        slug: Caller(demo[slug], token_headers(platform, client, demo[slug].organisation_id))
        for slug in ("operator", "cq-battery", "cq-laptop", "verifier")
    }


@pytest.fixture
def enterprise(callers: dict[str, Caller]) -> Caller:
    caller = callers["cq-battery"]
    assert caller.sign_in.kind == OrganisationKind.ENTERPRISE
    return caller
