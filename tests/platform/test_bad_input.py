"""Input that used to reach the database or the parser unchecked: always 4xx, never 500."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.platform.conftest import API, make_client, token_headers


def _operator(platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]) -> dict:
    return token_headers(platform, client, demo["operator"].organisation_id)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/organisations", {"slug": "nul-org", "name": "A\x00B", "kind": "enterprise"}),
        ("/grants", {"grantee": "verifier", "object_kind": "study", "purpose": "x\x00",
                     "expires_at": "2030-01-01T00:00:00Z"}),
        ("/grants", {"grantee": "verifier", "object_kind": "study", "purpose": "far future",
                     "expires_at": "9999-12-31T23:59:59-14:00"}),
        ("/grants", {"grantee": "verifier", "object_kind": "study", "object_id": "a\x00",
                     "purpose": "p", "expires_at": "2030-01-01T00:00:00Z"}),
    ],
)  # fmt: skip
def test_control_characters_and_far_dates_are_422_naming_the_field(
    platform: Platform, demo: dict[str, DemoSignIn], path: str, body: dict
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    headers = (
        _operator(platform, client, demo)
        if path == "/organisations"
        else token_headers(platform, client, demo["cq-battery"].organisation_id)
    )
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields & {"name", "purpose", "expires_at", "object_id"}


def test_a_nul_in_the_sign_in_e_mail_is_a_failed_sign_in(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in", data={"email": "a\x00@example.org", "password": "x" * 12, "csrf_token": token}
    )
    assert response.status_code == 401


def test_huge_and_deeply_nested_ledger_queries_are_4xx(platform: Platform) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    assert client.get("/ledger?index=" + "9" * 25).status_code == 422
    page = client.get("/ledger")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    nested = client.post("/ledger/verify", data={"entry": "[" * 10_000, "csrf_token": token})
    assert nested.status_code == 422
    too_long = client.post("/ledger/verify", data={"entry": " " * 20_000, "csrf_token": token})
    assert too_long.status_code == 422


def test_racing_creations_of_one_slug_give_one_201_and_conflicts(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    headers = _operator(platform, client, demo)
    statuses: list[int] = []
    start = threading.Barrier(6)

    def create() -> None:
        start.wait()
        response = client.post(
            f"{API}/organisations",
            json={"slug": "twin", "name": "Twin", "kind": "enterprise"},
            headers=headers,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 5
