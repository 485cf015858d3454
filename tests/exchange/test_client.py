"""The recipient's client against partners that misbehave (httpx MockTransport: a system we
do not run): the access token never leaves the partner's host, and a retried call keeps its
content type."""

from __future__ import annotations

import json

import httpx
import pytest

from pcfhub.exchange.client import PactClient, PactClientError

BASE = "https://partner.example.com/pact"


def client_of(handler: httpx.MockTransport, *, https_only: bool = False) -> PactClient:
    return PactClient(
        BASE, client_id="us", client_secret="s", transport=handler, https_only=https_only
    )


def token(request: httpx.Request) -> httpx.Response | None:
    if request.url.path.endswith("/openid-configuration"):
        return httpx.Response(404)
    if request.url.path.endswith("/auth/token"):
        return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
    return None


def test_a_next_link_to_another_host_is_refused() -> None:
    seen: list[str] = []

    def partner(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if answer := token(request):
            return answer
        if request.url.host == "partner.example.com":
            link = '<https://collector.example.net/3/footprints?offset=1>; rel="next"'
            return httpx.Response(200, json={"data": []}, headers={"link": link})
        return httpx.Response(200, json={"data": []})

    with (
        client_of(httpx.MockTransport(partner)) as client,
        pytest.raises(PactClientError, match="collector.example.net"),
    ):
        client.list_footprints()
    assert not any("collector" in url for url in seen)


def test_a_plain_http_token_endpoint_is_refused_when_https_is_required() -> None:
    def partner(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/openid-configuration"):
            return httpx.Response(200, json={"token_endpoint": "http://partner.example.com/t"})
        return httpx.Response(500)

    with (
        client_of(httpx.MockTransport(partner), https_only=True) as client,
        pytest.raises(PactClientError, match="plain http"),
    ):
        client.access_token()


def test_a_call_retried_after_401_keeps_its_headers() -> None:
    posts: list[httpx.Request] = []

    def partner(request: httpx.Request) -> httpx.Response:
        if answer := token(request):
            return answer
        posts.append(request)
        return httpx.Response(401 if len(posts) == 1 else 200)

    with client_of(httpx.MockTransport(partner)) as client:
        client.post_event({"type": "t", "id": "1"})
    assert len(posts) == 2
    assert all(p.headers["content-type"].startswith("application/cloudevents+json") for p in posts)
    assert json.loads(posts[1].content) == {"type": "t", "id": "1"}


@pytest.mark.parametrize(
    "body",
    [{"data": ["not a footprint"]}, {"data": None}, {"data": [{"id": "x"}, 3]}],
)
def test_a_list_that_is_not_footprints_is_refused(body: dict) -> None:
    def partner(request: httpx.Request) -> httpx.Response:
        return token(request) or httpx.Response(200, json=body)

    with (
        client_of(httpx.MockTransport(partner)) as client,
        pytest.raises(PactClientError, match="not a list of ProductFootprints"),
    ):
        client.list_footprints()
