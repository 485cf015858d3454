"""The platform API's conventions: OpenAPI, `{data, count}` pages, RFC 9457 problems, the
request size limit, cookie sessions with CSRF, organisations, grants and health checks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from pcfhub.config import Settings
from pcfhub.ledger import service as ledger
from pcfhub.platform import clients, grants, service
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from pcfhub.platform.schemas import MemberCreate
from tests.platform.conftest import (
    API,
    Caller,
    admin_principal,
    assert_problem,
    csrf_from,
    make_client,
    sign_in,
    token_headers,
)


def in_a_month() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).isoformat()


def grant_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "grantee": "verifier",
        "object_kind": "study",
        "actions": ["read"],
        "purpose": "Verification of the 2026 study",
        "expires_at": in_a_month(),
    }
    body.update(changes)
    return body


def counts(platform: Platform, sign_in: DemoSignIn) -> tuple[int, int, int, int]:
    """Members, API clients and grants given by the organisation, and the ledger's size."""
    principal = admin_principal(sign_in)
    organisation_id = sign_in.organisation_id
    with platform.unit_of_work() as uow:
        return (
            service.list_members(uow, principal=principal, organisation_id=organisation_id).count,
            clients.list_api_clients(
                uow, principal=principal, organisation_id=organisation_id
            ).count,
            grants.list_grants(uow, principal=principal).count,
            ledger.size(uow.session),
        )


# OpenAPI and documentation


EXPECTED_OPERATIONS = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{organisation_id}"),
    ("get", "/api/v1/organisations/{organisation_id}/members"),
    ("post", "/api/v1/organisations/{organisation_id}/members"),
    ("delete", "/api/v1/memberships/{membership_id}"),
    ("get", "/api/v1/organisations/{organisation_id}/api-clients"),
    ("post", "/api/v1/organisations/{organisation_id}/api-clients"),
    ("post", "/api/v1/api-clients/{api_client_id}/revoke"),
    ("get", "/api/v1/grants"),
    ("post", "/api/v1/grants"),
    ("get", "/api/v1/grants/{grant_id}"),
    ("post", "/api/v1/grants/{grant_id}/revoke"),
    ("get", "/api/v1/ledger/head"),
    ("get", "/api/v1/ledger/heads/{tree_size}"),
    ("get", "/api/v1/ledger/keys"),
    ("get", "/api/v1/ledger/proof/inclusion"),
    ("get", "/api/v1/ledger/proof/consistency"),
    ("get", "/api/v1/ledger/entries"),
    ("get", "/api/v1/ledger/entries/{index}"),
    ("post", "/auth/token"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}


def test_openapi_lists_every_api_route_and_no_web_page(client: TestClient) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "pcfhub"
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations >= EXPECTED_OPERATIONS, EXPECTED_OPERATIONS - operations
    assert not {path for _, path in operations if path in ("/", "/sign-in", "/ledger")}
    assert {"OrganisationCreate", "GrantCreate", "GrantPublic"} <= set(
        schema["components"]["schemas"]
    )


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json"])
def test_no_swagger_or_redoc_pages(client: TestClient, path: str) -> None:
    """Swagger UI and ReDoc load their scripts from a CDN; the platform serves neither."""
    assert client.get(path).status_code == 404


def test_pages_load_no_third_party_assets(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets
    for asset in assets:
        assert re.fullmatch(r"/(?!/).*", asset), f"{asset} is not served by the platform itself"
    for asset in {a for a in assets if a.startswith("/static/")}:
        assert client.get(asset).status_code == 200, asset


# Pages: {data, count}


def test_members_are_paged_with_the_total_count(
    platform: Platform, client: TestClient, enterprise: Caller
) -> None:
    with platform.unit_of_work() as uow:
        for n in range(5):
            service.add_member(
                uow,
                principal=None,
                organisation_id=enterprise.organisation_id,
                data=MemberCreate(
                    email=f"member-{n}@example.org",
                    display_name=f"Member {n}",
                    password="correct horse battery",
                ),
                system=True,
            )
        uow.commit()
    url = f"{API}/organisations/{enterprise.organisation_id}/members"

    everyone = client.get(url, headers=enterprise.headers).json()
    assert everyone["count"] == 6
    assert len(everyone["data"]) == 6
    emails = [m["email"] for m in everyone["data"]]
    assert emails == sorted(emails)

    page = client.get(url, params={"offset": 2, "limit": 2}, headers=enterprise.headers)
    assert page.status_code == 200
    assert set(page.json()) == {"data", "count"}
    assert page.json()["count"] == 6
    assert [m["email"] for m in page.json()["data"]] == emails[2:4]

    beyond = client.get(url, params={"offset": 6}, headers=enterprise.headers).json()
    assert beyond == {"data": [], "count": 6}


def test_grants_are_paged_with_the_total_count(client: TestClient, enterprise: Caller) -> None:
    for n in range(3):  # cq-battery gave two demo grants already
        created = client.post(
            f"{API}/grants",
            json=grant_body(object_id=f"study-{n}"),
            headers=enterprise.headers,
        )
        assert created.status_code == 201, created.text
    everyone = client.get(f"{API}/grants", headers=enterprise.headers).json()
    assert everyone["count"] == 5
    all_ids = {g["id"] for g in everyone["data"]}
    assert len(all_ids) == 5

    seen: list[str] = []
    for offset in (0, 2, 4):
        page = client.get(
            f"{API}/grants", params={"offset": offset, "limit": 2}, headers=enterprise.headers
        ).json()
        assert page["count"] == 5
        assert len(page["data"]) == min(2, 5 - offset)
        seen += [g["id"] for g in page["data"]]
    assert sorted(seen) == sorted(all_ids)  # the pages split the list, none twice


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"offset": -1}, "offset")],
)
def test_page_bounds_are_validated(
    client: TestClient, enterprise: Caller, params: dict[str, int], field: str
) -> None:
    response = client.get(f"{API}/grants", params=params, headers=enterprise.headers)
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    "path",
    [
        "/organisations",
        "/organisations/{organisation_id}/members",
        "/organisations/{organisation_id}/api-clients",
        "/grants",
        "/ledger/entries",
    ],
)
def test_offsets_beyond_any_integer_column_are_4xx_not_500(
    platform: Platform, enterprise: Caller, path: str
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    url = API + path.format(organisation_id=enterprise.organisation_id)
    response = client.get(url, params={"offset": 10**20}, headers=enterprise.headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_problem(response, response.status_code)


# Validation: 422 problems naming the field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_at": "next tuesday"}, "expires_at"),
        ({"grantee": "Not A Slug!"}, "grantee"),
        ({"grantor_id": str(uuid.uuid4())}, "grantor_id"),  # extra fields are forbidden
        ({"actions": ["delete"]}, "actions.0"),
        ({"purpose": ""}, "purpose"),
    ],
)
def test_invalid_grant_is_a_problem_naming_the_field(
    platform: Platform,
    client: TestClient,
    enterprise: Caller,
    changes: dict[str, object],
    field: str,
) -> None:
    before = counts(platform, enterprise.sign_in)
    response = client.post(f"{API}/grants", json=grant_body(**changes), headers=enterprise.headers)
    body = assert_problem(response, 422)
    assert field in [e["field"] for e in body["errors"]], body
    assert body["instance"] == f"{API}/grants"
    assert counts(platform, enterprise.sign_in) == before


def test_missing_field_is_named(client: TestClient, enterprise: Caller) -> None:
    body = grant_body()
    del body["purpose"]
    problem = assert_problem(
        client.post(f"{API}/grants", json=body, headers=enterprise.headers), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["purpose"]
    assert problem["errors"][0]["pointer"] == "#/purpose"


@pytest.mark.parametrize(
    "expires_at",
    [
        "2030-01-31T00:00:00",  # no time zone
        "2020-01-31T00:00:00Z",  # in the past
    ],
)
def test_grant_expiry_must_be_zoned_and_in_the_future(
    platform: Platform, client: TestClient, enterprise: Caller, expires_at: str
) -> None:
    before = counts(platform, enterprise.sign_in)
    response = client.post(
        f"{API}/grants", json=grant_body(expires_at=expires_at), headers=enterprise.headers
    )
    body = assert_problem(response, 422)
    assert body["detail"].startswith("expires_at")
    assert counts(platform, enterprise.sign_in) == before


def test_invalid_slug_is_named(client: TestClient, callers: dict[str, Caller]) -> None:
    response = client.post(
        f"{API}/organisations",
        json={"slug": "Bad Slug", "name": "Bad", "kind": "enterprise"},
        headers=callers["operator"].headers,
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["slug"]


def test_malformed_path_id_and_json_are_problems(client: TestClient, enterprise: Caller) -> None:
    body = assert_problem(
        client.get(f"{API}/organisations/not-a-uuid", headers=enterprise.headers), 422
    )
    assert [e["field"] for e in body["errors"]] == ["organisation_id"]
    broken = client.post(
        f"{API}/grants",
        content=b'{"grantee": ',
        headers={**enterprise.headers, "Content-Type": "application/json"},
    )
    assert_problem(broken, 422)


# Unknown objects and missing credentials


def test_unknown_objects_are_404_problems(
    client: TestClient, enterprise: Caller, callers: dict[str, Caller]
) -> None:
    nobody = uuid.uuid4()
    for caller in (enterprise, callers["operator"]):
        assert_problem(client.get(f"{API}/organisations/{nobody}", headers=caller.headers), 404)
    assert_problem(client.get(f"{API}/grants/{nobody}", headers=enterprise.headers), 404)
    assert_problem(client.post(f"{API}/grants/{nobody}/revoke", headers=enterprise.headers), 404)
    assert_problem(client.delete(f"{API}/memberships/{nobody}", headers=enterprise.headers), 404)
    assert_problem(
        client.post(f"{API}/api-clients/{nobody}/revoke", headers=enterprise.headers), 404
    )
    assert_problem(client.get(f"{API}/no-such-thing", headers=enterprise.headers), 404)


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("get", "/me", None),
        ("get", "/organisations", None),
        ("post", "/organisations", {"slug": "new-org", "name": "New", "kind": "enterprise"}),
        ("get", "/grants", None),
        ("post", "/grants", grant_body()),
        ("get", "/ledger/entries", None),
    ],
)
def test_unauthenticated_calls_are_401_problems_with_a_challenge(
    platform: Platform,
    client: TestClient,
    demo: dict[str, DemoSignIn],
    method: str,
    path: str,
    json: dict[str, object] | None,
) -> None:
    before = counts(platform, demo["cq-battery"])
    response = client.request(method, f"{API}{path}", json=json)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert counts(platform, demo["cq-battery"]) == before


@pytest.mark.parametrize("authorization", ["Token abc", "Bearer not-a-token", "Basic Zm9vOmJhcg=="])
def test_wrong_authorization_headers_are_401(client: TestClient, authorization: str) -> None:
    response = client.get(f"{API}/me", headers={"Authorization": authorization})
    assert_problem(response, 401)
    assert "www-authenticate" in response.headers


# Request size limit


@pytest.fixture
def small_platform(platform: Platform, settings: Settings) -> Iterator[Platform]:
    """The test platform's database and key, accepting request bodies up to 2 KiB."""
    small = Platform.from_settings(settings.model_copy(update={"max_request_bytes": 2048}))
    assert small.ledger_key is not None
    yield small
    small.dispose()


def _member_body(padding: int) -> dict[str, object]:
    return {
        "email": "big@example.org",
        "display_name": "Big " + "x" * padding,
        "password": "correct horse battery",
    }


def test_body_over_the_limit_is_413_and_writes_nothing(
    small_platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(small_platform)
    battery = demo["cq-battery"]
    headers = token_headers(small_platform, client, battery.organisation_id)
    url = f"{API}/organisations/{battery.organisation_id}/members"
    before = counts(small_platform, battery)

    small = client.post(url, json=_member_body(100), headers=headers)
    assert small.status_code == 201, small.text  # under the limit: accepted

    before = counts(small_platform, battery)
    response = client.post(url, json=_member_body(4000), headers=headers)
    body = assert_problem(response, 413)
    assert "2048" in body["detail"]
    assert counts(small_platform, battery) == before


def test_streamed_body_over_the_limit_is_413_and_writes_nothing(
    small_platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    """A chunked body declares no length; the limit must hold while it streams."""
    client = make_client(small_platform)
    battery = demo["cq-battery"]
    headers = token_headers(small_platform, client, battery.organisation_id)
    before = counts(small_platform, battery)

    def chunks() -> Iterator[bytes]:
        yield b'{"email": "big@example.org", "password": "correct horse battery", '
        yield b'"display_name": "' + b"x" * 1500
        yield b"x" * 1500 + b'"}'

    response = client.post(
        f"{API}/organisations/{battery.organisation_id}/members",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert counts(small_platform, battery) == before


# Cookie sessions and CSRF


def test_cookie_session_reads_and_needs_the_csrf_header_to_write(
    platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]
) -> None:
    battery = demo["cq-battery"]
    anonymous_csrf = csrf_from(client.get("/sign-in").text)
    csrf = sign_in(client, battery.email, battery.password)
    assert csrf != anonymous_csrf

    me = client.get(f"{API}/me")
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == str(battery.user_id)
    assert me.json()["organisation_id"] == str(battery.organisation_id)
    assert me.json()["role"] == "admin"
    assert me.json()["scopes"] is None
    assert me.json()["client_id"] is None

    before = counts(platform, battery)
    wrong = csrf[:-1] + ("1" if csrf[-1] == "0" else "0")  # differs in its last digit
    for headers in ({}, {"X-CSRF-Token": anonymous_csrf}, {"X-CSRF-Token": wrong}):
        refused = client.post(f"{API}/grants", json=grant_body(), headers=headers)
        assert_problem(refused, 403)
    assert counts(platform, battery) == before

    accepted = client.post(f"{API}/grants", json=grant_body(), headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["grantor_id"] == str(battery.organisation_id)
    assert counts(platform, battery)[2] == before[2] + 1

    # The token of any signed-in page is the session's.
    assert csrf_from(client.get("/ledger").text) == csrf

    client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert_problem(client.get(f"{API}/me"), 401)


def test_a_session_token_is_bound_to_its_session(
    client: TestClient, app: FastAPI, demo: dict[str, DemoSignIn]
) -> None:
    other = TestClient(app)
    battery, laptop = demo["cq-battery"], demo["cq-laptop"]
    sign_in(client, battery.email, battery.password)
    laptop_csrf = sign_in(other, laptop.email, laptop.password)
    response = client.post(
        f"{API}/grants", json=grant_body(), headers={"X-CSRF-Token": laptop_csrf}
    )
    assert_problem(response, 403)


# Organisations


def test_operator_admin_creates_organisations_enterprise_admin_may_not(
    platform: Platform, client: TestClient, callers: dict[str, Caller]
) -> None:
    body = {"slug": "cq-cement", "name": "CQ Cement (test)", "kind": "enterprise"}
    refused = client.post(f"{API}/organisations", json=body, headers=callers["cq-battery"].headers)
    assert_problem(refused, 403)

    operator = callers["operator"].headers
    created = client.post(f"{API}/organisations", json=body, headers=operator)
    assert created.status_code == 201, created.text
    organisation = created.json()
    assert organisation["slug"] == "cq-cement"
    assert organisation["kind"] == "enterprise"
    fetched = client.get(f"{API}/organisations/{organisation['id']}", headers=operator)
    assert fetched.json() == organisation
    listed = client.get(f"{API}/organisations", params={"limit": 200}, headers=operator).json()
    assert organisation["id"] in [o["id"] for o in listed["data"]]
    assert listed["count"] == 10  # nine demo organisations and the new one

    assert_problem(client.post(f"{API}/organisations", json=body, headers=operator), 409)

    mine = client.get(f"{API}/organisations", headers=callers["cq-battery"].headers).json()
    assert [o["slug"] for o in mine["data"]] == ["cq-battery"]
    assert mine["count"] == 1


# Grants through the API


def test_grant_lifecycle(client: TestClient, callers: dict[str, Caller]) -> None:
    grantor, grantee, stranger = callers["cq-battery"], callers["verifier"], callers["cq-laptop"]

    created = client.post(
        f"{API}/grants", json=grant_body(object_id="study-2026"), headers=grantor.headers
    )
    assert created.status_code == 201, created.text
    grant = created.json()
    assert grant["grantor_id"] == str(grantor.organisation_id)
    assert grant["grantee_id"] == str(grantee.organisation_id)
    assert grant["object_id"] == "study-2026"
    assert grant["revoked_at"] is None
    url = f"{API}/grants/{grant['id']}"

    given = client.get(f"{API}/grants", headers=grantor.headers).json()
    assert grant["id"] in [g["id"] for g in given["data"]]
    received = client.get(
        f"{API}/grants", params={"received": "true"}, headers=grantee.headers
    ).json()
    assert grant["id"] in [g["id"] for g in received["data"]]
    not_given = client.get(f"{API}/grants", headers=grantee.headers).json()
    assert grant["id"] not in [g["id"] for g in not_given["data"]]

    assert client.get(url, headers=grantor.headers).json() == grant
    assert client.get(url, headers=grantee.headers).json() == grant
    assert_problem(client.get(url, headers=stranger.headers), 404)

    refused = client.post(f"{url}/revoke", headers=grantee.headers)
    assert refused.status_code in (403, 404), refused.text
    assert_problem(refused, refused.status_code)
    assert_problem(client.post(f"{url}/revoke", headers=stranger.headers), 404)
    assert client.get(url, headers=grantor.headers).json()["revoked_at"] is None

    revoked = client.post(f"{url}/revoke", headers=grantor.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    again = client.post(f"{url}/revoke", headers=grantor.headers)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert client.get(url, headers=grantee.headers).json()["revoked_at"] is not None


def test_viewer_client_cannot_create_grants(
    platform: Platform, client: TestClient, enterprise: Caller
) -> None:
    viewer = token_headers(platform, client, enterprise.organisation_id, role=Role.VIEWER)
    assert client.get(f"{API}/grants", headers=viewer).status_code == 200
    assert_problem(client.post(f"{API}/grants", json=grant_body(), headers=viewer), 403)


# Health


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_readyz_is_503_without_the_ledger_key(platform: Platform) -> None:
    keyless = Platform(platform.settings, platform.engine, platform.sessions, None)
    response = make_client(keyless).get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert "ledger key" in response.json()["detail"]


def test_readyz_is_503_on_an_unmigrated_database(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        secret_key=SecretStr("test-secret-" + "x" * 40),
    )
    empty = Platform.from_settings(settings)
    try:
        response = make_client(empty).get("/readyz")
        assert response.status_code == 503
        assert "pcfhub init" in response.json()["detail"]
    finally:
        empty.dispose()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url="postgresql+psycopg://pcfhub@127.0.0.1:9/nowhere?connect_timeout=2",
        secret_key=SecretStr("test-secret-" + "x" * 40),
    )
    down = Platform.from_settings(settings)
    try:
        response = make_client(down).get("/readyz")
        assert response.status_code == 503
        assert response.json()["detail"].startswith("database")
        assert make_client(down).get("/healthz").status_code == 200
    finally:
        down.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reads_do_not_wait_for_a_sqlite_writer(platform: Platform) -> None:
    """GET requests begin deferred transactions: a writer holding the lock blocks no reader."""
    client = make_client(platform)
    with platform.engine.connect() as writer:
        writer.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is now held
        assert writer.in_transaction()
        response = client.get(f"{API}/ledger/keys")
        assert response.status_code == 200
        assert len(response.json()) == 1
        writer.rollback()
