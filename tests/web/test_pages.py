"""Web pages through the ASGI app in process: cookies, CSRF, redirects and error pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookies import SimpleCookie

import httpx2
import pytest
from fastapi.testclient import TestClient

from pcfhub.platform import auth
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.deps import SESSION_COOKIE
from pcfhub.platform.security import csrf_token
from pcfhub.web.rendering import ANON_CSRF_COOKIE, LANGUAGE_COOKIE

# The web layer behaves the same on either database and the browser tests (tests/e2e) run on
# both; here SQLite alone keeps these checks fast.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HTML = {"accept": "text/html,application/xhtml+xml"}
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=platform)) as client:
        yield client


@pytest.fixture
def https_client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=platform), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def battery(platform: Platform) -> DemoSignIn:
    return next(s for s in seed_demo(platform) if s.organisation == "cq-battery")


def _set_cookie(response: httpx2.Response, name: str) -> tuple[str, dict[str, str]]:
    """The value and the attributes (lower-case names) of the Set-Cookie header for ``name``."""
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        if name in jar:
            morsel = jar[name]
            flags = {key: str(value) for key, value in morsel.items() if value}
            return morsel.value, flags
    raise AssertionError(f"no Set-Cookie for {name} in {response.headers.get_list('set-cookie')}")


def _csrf(client: TestClient, path: str = "/sign-in") -> str:
    page = client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    found = CSRF_INPUT.search(page.text)
    assert found, "the page has no csrf_token input"
    return found.group(1)


def _sign_in(client: TestClient, who: DemoSignIn) -> httpx2.Response:
    token = _csrf(client)
    return client.post(
        "/sign-in",
        data={"email": who.email, "password": who.password, "csrf_token": token},
        follow_redirects=False,
    )


def _is_html_error(response: httpx2.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f"({status})" in response.text
    assert "<!doctype html>" in response.text.lower()


def test_sign_in_page_sets_an_httponly_lax_csrf_cookie(client: TestClient) -> None:
    response = client.get("/sign-in", headers=HTML)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    value, flags = _set_cookie(response, ANON_CSRF_COOKIE)
    assert len(value) >= 20
    assert "httponly" in flags
    assert flags["samesite"].lower() == "lax"
    assert "secure" not in flags  # plain http here
    # The token in the form is not the cookie itself.
    assert CSRF_INPUT.search(response.text).group(1) != value
    # A second visit keeps the same cookie and does not set it again.
    again = client.get("/sign-in", headers=HTML)
    assert ANON_CSRF_COOKIE not in again.headers.get("set-cookie", "")


def test_session_cookie_is_httponly_and_lax(client: TestClient, battery: DemoSignIn) -> None:
    response = _sign_in(client, battery)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    value, flags = _set_cookie(response, SESSION_COOKIE)
    assert len(value) >= 32
    assert "httponly" in flags
    assert flags["samesite"].lower() == "lax"
    assert "secure" not in flags
    home = client.get("/", headers=HTML)
    assert home.status_code == 200
    assert "cq-battery admin" in home.text


def test_cookies_are_secure_over_https(https_client: TestClient, battery: DemoSignIn) -> None:
    page = https_client.get("/sign-in", headers=HTML)
    _, csrf_flags = _set_cookie(page, ANON_CSRF_COOKIE)
    assert "secure" in csrf_flags
    response = _sign_in(https_client, battery)
    assert response.status_code == 303, response.text
    _, flags = _set_cookie(response, SESSION_COOKIE)
    assert {"httponly", "secure"} <= set(flags)
    assert flags["samesite"].lower() == "lax"


def test_sign_in_without_csrf_token_is_refused(client: TestClient, battery: DemoSignIn) -> None:
    client.get("/sign-in", headers=HTML)  # the CSRF cookie is there, the form field is not
    response = client.post(
        "/sign-in",
        data={"email": battery.email, "password": battery.password},
        follow_redirects=False,
    )
    _is_html_error(response, 403)
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    # A token made for another browser's cookie is refused as well.
    stolen = _csrf(client)
    client.cookies.clear()
    client.cookies.set(ANON_CSRF_COOKIE, "another-browser-" + "x" * 20)
    response = client.post(
        "/sign-in",
        data={"email": battery.email, "password": battery.password, "csrf_token": stolen},
        follow_redirects=False,
    )
    _is_html_error(response, 403)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.example", "/"),
        ("//evil.example/ledger", "/"),
        ("https://evil.example/", "/"),
        ("evil.example", "/"),
        ("/ledger", "/ledger"),
    ],
)
def test_language_switch_redirects_only_inside_the_site(
    client: TestClient, target: str, expected: str
) -> None:
    token = _csrf(client)
    response = client.post(
        "/language",
        data={"language": "en", "next": target, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == expected
    value, _ = _set_cookie(response, LANGUAGE_COOKIE)
    assert value == "en"


def test_home_redirects_to_sign_in_when_signed_out(client: TestClient) -> None:
    response = client.get("/", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_unknown_page_is_an_html_404_for_browsers(client: TestClient) -> None:
    response = client.get("/no-such-page", headers=HTML)
    _is_html_error(response, 404)
    # The API keeps answering machines with problem+json.
    api = client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_language_cookie_is_used_before_sign_in(client: TestClient, battery: DemoSignIn) -> None:
    default = client.get("/sign-in", headers=HTML)
    assert '<html lang="zh-CN">' in default.text  # settings.default_language
    assert "<h1>登录</h1>" in default.text

    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = client.get("/sign-in", headers=HTML)
    assert '<html lang="en">' in english.text
    assert "<h1>Sign in</h1>" in english.text
    assert "登录" not in english.text

    # An unknown language in the cookie falls back to the default.
    client.cookies.set(LANGUAGE_COOKIE, "xx")
    assert "<h1>登录</h1>" in client.get("/sign-in", headers=HTML).text

    # The language chosen before sign-in carries into the session.
    client.cookies.set(LANGUAGE_COOKIE, "en")
    assert _sign_in(client, battery).status_code == 303
    client.cookies.delete(LANGUAGE_COOKIE)
    home = client.get("/", headers=HTML)
    assert "Welcome, cq-battery admin" in home.text


def test_language_switch_on_a_page_shown_after_a_post_lands_on_a_page(client: TestClient) -> None:
    """The ledger check of a pasted entry is shown at /ledger/verify, a POST-only route: the
    header's language switch must not send the browser to GET /ledger/verify afterwards."""
    token = _csrf(client, "/ledger")
    shown = client.post("/ledger/verify", data={"entry": "[1]", "csrf_token": token}, headers=HTML)
    assert shown.status_code == 200
    next_field = re.search(r'name="next" value="([^"]*)"', shown.text)
    assert next_field
    switched = client.post(
        "/language",
        data={"language": "en", "next": next_field.group(1), "csrf_token": token},
        headers=HTML,
    )
    assert switched.status_code == 200, (
        f"next={next_field.group(1)!r} leads to {switched.status_code} "
        f"{switched.headers['content-type']}"
    )
    assert switched.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in switched.text


def test_every_response_forbids_framing_and_foreign_assets(client: TestClient) -> None:
    for path in ("/sign-in", "/ledger", "/api/v1/ledger/head", "/static/pcfhub.css"):
        response = client.get(path, headers=HTML)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_an_error_page_keeps_the_signed_in_header(client: TestClient, battery: DemoSignIn) -> None:
    _sign_in(client, battery)
    response = client.get("/no-such-page", headers=HTML)
    _is_html_error(response, 404)
    assert 'action="/sign-out"' in response.text
    assert 'href="/sign-in"' not in response.text


def test_a_wrong_method_on_a_page_is_an_html_error_not_json(client: TestClient) -> None:
    response = client.get("/sign-out", headers=HTML)
    _is_html_error(response, 405)


def test_https_answers_ask_browsers_to_stay_on_https(https_client: TestClient) -> None:
    assert "max-age=" in https_client.get("/sign-in").headers["strict-transport-security"]


def test_api_answers_are_not_cached(client: TestClient) -> None:
    assert client.get("/api/v1/ledger/keys").headers["cache-control"] == "no-store"


def test_signing_in_again_ends_the_previous_session(
    client: TestClient, platform: Platform, battery: DemoSignIn
) -> None:
    _sign_in(client, battery)
    first = client.cookies.get(SESSION_COOKIE)
    # Post the sign-in form again from the same browser (its pre-sign-in CSRF cookie).
    anon = csrf_token(platform.secret, "anon:" + client.cookies[ANON_CSRF_COOKIE])
    again = client.post(
        "/sign-in",
        data={"email": battery.email, "password": battery.password, "csrf_token": anon},
        follow_redirects=False,
    )
    assert again.status_code == 303
    second = client.cookies.get(SESSION_COOKIE)
    assert first
    assert second
    assert first != second
    with platform.unit_of_work() as uow:
        assert auth.session_user(uow, token=first, secret=platform.secret) is None
        assert auth.session_user(uow, token=second, secret=platform.secret) is not None
