"""Served over HTTPS, the platform answers nothing over plain HTTP: pages are redirected to
https, credentials, PACT and API calls are refused, probes still answer; served over HTTP
(development), nothing changes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pcfhub.config import Settings
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, served at a public https address."""
    return settings.model_copy(update={"public_url": "https://pcf.example.com"})


def test_plain_http_is_refused_or_redirected(platform: Platform) -> None:
    with TestClient(create_app(platform=platform), base_url="http://pcf.example.com") as plain:
        page = plain.get("/sign-in?next=/models", follow_redirects=False)
        assert page.status_code == 308
        assert page.headers["location"] == "https://pcf.example.com/sign-in?next=/models"
        token = plain.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=("id", "secret")
        )
        assert token.status_code == 400
        assert token.json()["error"] == "invalid_request"
        assert token.json()["code"] == "BadRequest"  # a PACT Error too
        assert "access_token" not in token.json()
        for path in ("/3/footprints", "/2/footprints/x", "/.well-known/openid-configuration"):
            assert plain.get(path).status_code == 400, path
        api = plain.get("/api/v1/models")
        assert api.status_code == 400
        assert api.headers["content-type"].startswith("application/problem+json")
        assert plain.post("/sign-in", data={"email": "a@b.c", "password": "x"}).status_code == 400
        assert plain.get("/healthz").status_code == 200  # a load balancer's probe
    with TestClient(create_app(platform=platform), base_url="https://pcf.example.com") as tls:
        assert tls.get("/.well-known/openid-configuration").status_code == 200
        assert tls.get("/sign-in").status_code == 200
