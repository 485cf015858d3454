"""POST /auth/token: OAuth2 client credentials (RFC 6749 §4.4) and its errors (§5.2)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx2
import jwt
import pytest
from fastapi.testclient import TestClient

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from pcfhub.platform.schemas import ApiClientCreated
from pcfhub.platform.security import issue_access_token
from tests.platform.conftest import (
    API,
    Caller,
    assert_problem,
    basic_auth,
    bearer,
    create_api_client,
    fetch_token,
    request_token,
)

SCOPES = ("grant:read", "organisation:read", "api_client:admin")


@pytest.fixture
def battery(demo: dict[str, DemoSignIn]) -> DemoSignIn:
    return demo["cq-battery"]


@pytest.fixture
def api_client(platform: Platform, battery: DemoSignIn) -> ApiClientCreated:
    return create_api_client(platform, battery.organisation_id, scopes=SCOPES, role=Role.ADMIN)


def assert_oauth_error(response: httpx2.Response, status: int, error: str) -> None:
    """RFC 6749 §5.2: a JSON body with ``error``, never cached."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


def test_client_credentials_grant_issues_a_bearer_token(
    platform: Platform, client: TestClient, api_client: ApiClientCreated
) -> None:
    response = request_token(client, api_client)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == platform.settings.access_token_ttl_s
    assert body["scope"].split() == sorted(SCOPES)  # none asked for: all of the client's


def test_the_token_acts_for_the_clients_organisation_with_its_scopes(
    client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    token = fetch_token(client, api_client)
    me = client.get(f"{API}/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json() == {
        "organisation_id": str(battery.organisation_id),
        "organisation_kind": "enterprise",
        "role": "admin",
        "user_id": None,
        "client_id": api_client.client_id,
        "scopes": sorted(SCOPES),
    }


def test_a_token_carries_only_the_scopes_requested(
    client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    response = request_token(client, api_client, scope="organisation:read grant:read")
    assert response.json()["scope"] == "grant:read organisation:read"
    token = response.json()["access_token"]
    me = client.get(f"{API}/me", headers=bearer(token)).json()
    assert me["scopes"] == ["grant:read", "organisation:read"]


def test_organisation_read_token_cannot_list_api_clients(
    client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    narrow = bearer(fetch_token(client, api_client, scope="organisation:read"))
    organisation = f"{API}/organisations/{battery.organisation_id}"
    assert client.get(organisation, headers=narrow).status_code == 200
    body = assert_problem(client.get(f"{organisation}/api-clients", headers=narrow), 403)
    assert "api_client:admin" in body["detail"]

    full = bearer(fetch_token(client, api_client))  # the same client with all its scopes
    listed = client.get(f"{organisation}/api-clients", headers=full)
    assert listed.status_code == 200
    assert api_client.client_id in [c["client_id"] for c in listed.json()["data"]]
    assert "client_secret" not in listed.text
    assert api_client.client_secret not in listed.text


def test_missing_grant_type_is_invalid_request(
    client: TestClient, api_client: ApiClientCreated
) -> None:
    response = client.post(
        "/auth/token",
        data={"scope": "grant:read"},
        headers=basic_auth(api_client.client_id, api_client.client_secret),
    )
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token", ""])
def test_other_grant_types_are_unsupported(
    client: TestClient, api_client: ApiClientCreated, grant_type: str
) -> None:
    response = client.post(
        "/auth/token",
        data={"grant_type": grant_type, "username": "x", "password": "y"},
        headers=basic_auth(api_client.client_id, api_client.client_secret),
    )
    if grant_type == "":
        # An empty field is no grant type at all.
        assert response.status_code == 400
        assert response.json()["error"] in ("invalid_request", "unsupported_grant_type")
    else:
        assert_oauth_error(response, 400, "unsupported_grant_type")


def _garbled(api_client: ApiClientCreated) -> list[dict[str, str]]:
    colonless = base64.b64encode(api_client.client_id.encode()).decode()
    return [
        {},
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": f"Basic {colonless}"},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
        {"Authorization": f"Bearer {api_client.client_secret}"},
        basic_auth(api_client.client_id, api_client.client_secret + "x"),
        basic_auth(api_client.client_id, ""),
        basic_auth("pcfhub-unknown", api_client.client_secret),
    ]


@pytest.mark.parametrize("case", range(9))
def test_bad_client_authentication_is_invalid_client(
    client: TestClient, api_client: ApiClientCreated, case: int
) -> None:
    headers = _garbled(api_client)[case]
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, headers=headers
    )
    assert_oauth_error(response, 401, "invalid_client")
    assert "access_token" not in response.json()


def test_credentials_in_the_form_body_alone_are_refused(
    client: TestClient, api_client: ApiClientCreated
) -> None:
    """Only HTTP Basic client authentication is offered; a body secret is not read."""
    response = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": api_client.client_id,
            "client_secret": api_client.client_secret,
        },
    )
    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize("scope", ["*:*", "grant:write", "grant:read organisation:admin"])
def test_scope_the_client_lacks_is_invalid_scope(
    client: TestClient, api_client: ApiClientCreated, scope: str
) -> None:
    response = request_token(client, api_client, scope=scope)
    assert_oauth_error(response, 400, "invalid_scope")
    assert "access_token" not in response.json()


def test_revoked_clients_token_stops_working(
    client: TestClient, api_client: ApiClientCreated, callers: dict[str, Caller]
) -> None:
    token = bearer(fetch_token(client, api_client))
    assert client.get(f"{API}/me", headers=token).status_code == 200

    revoked = client.post(
        f"{API}/api-clients/{api_client.id}/revoke", headers=callers["cq-battery"].headers
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None

    response = client.get(f"{API}/me", headers=token)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_oauth_error(request_token(client, api_client), 401, "invalid_client")


def _claims(platform: Platform, api_client: ApiClientCreated, battery: DemoSignIn) -> dict:
    now = datetime.now(UTC)
    return {
        "iss": platform.settings.base_url,
        "sub": api_client.client_id,
        "org": str(battery.organisation_id),
        "scope": " ".join(SCOPES),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }


def test_forged_tokens_are_refused(
    platform: Platform, client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    claims = _claims(platform, api_client, battery)
    genuine = jwt.encode(claims, platform.secret, algorithm="HS256")
    assert client.get(f"{API}/me", headers=bearer(genuine)).status_code == 200  # the control

    forged = [
        jwt.encode(claims, b"another key entirely, 40 characters long!", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "iss": "https://elsewhere.example"}, platform.secret, "HS256"),
        jwt.encode({**claims, "org": str(uuid.uuid4())}, platform.secret, algorithm="HS256"),
        jwt.encode({**claims, "sub": "pcfhub-unknown"}, platform.secret, algorithm="HS256"),
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
    ]
    for token in forged:
        response = client.get(f"{API}/me", headers=bearer(token))
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_expired_token_is_refused(
    platform: Platform, client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    expired = issue_access_token(
        platform.secret,
        issuer=platform.settings.base_url,
        client_id=api_client.client_id,
        organisation_id=battery.organisation_id,
        scopes=frozenset(SCOPES),
        now=datetime.now(UTC) - timedelta(hours=1),
        ttl_s=60,
    )
    body = assert_problem(client.get(f"{API}/me", headers=bearer(expired)), 401)
    assert "expired" in body["detail"]


def test_token_scopes_beyond_the_clients_are_ignored(
    platform: Platform, client: TestClient, api_client: ApiClientCreated, battery: DemoSignIn
) -> None:
    """A token signed with more scopes than its client now holds acts with the client's."""
    claims = {**_claims(platform, api_client, battery), "scope": "*:* grant:read"}
    token = jwt.encode(claims, platform.secret, algorithm="HS256")
    me = client.get(f"{API}/me", headers=bearer(token)).json()
    assert me["scopes"] == ["grant:read"]
