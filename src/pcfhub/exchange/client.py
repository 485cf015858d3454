"""A PACT data recipient's client for another host system (v2 §Authentication Flow, v3 §api-auth).

It finds the token endpoint through the OpenID discovery document (else ``/auth/token``),
authenticates with client credentials (HTTP Basic), lists footprints following ``Link: rel=next``
pagination links, fetches one, and posts CloudEvents. HTTPS is verified against the system's
trust store or the CA bundle given (``PCFHUB_PACT_CA_BUNDLE``).
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from pcfhub.errors import UpstreamError
from pcfhub.exchange.events import CLOUDEVENTS_MEDIA_TYPE

MAX_PAGES = 1000
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


class PactClientError(UpstreamError):
    """A call to the partner failed; ``partner_status`` is its HTTP status (0: no answer)."""

    def __init__(self, message: str, partner_status: int = 0, code: str | None = None) -> None:
        super().__init__(message)
        self.partner_status = partner_status
        self.code = code


def next_link(header: str | None) -> str | None:
    """The target of an RFC 8288 ``rel="next"`` link, if any."""
    if not header:
        return None
    found = _NEXT.search(header)
    return found.group(1) if found else None


@dataclass
class _Token:
    value: str
    expires_at: float


class PactClient:
    """Calls one partner's PACT API (v2 or v3) with the credentials it issued to us."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        client_secret: str,
        version: int = 3,
        auth_base_url: str | None = None,
        ca_bundle: Path | None = None,
        timeout_s: float = 20.0,
        transport: httpx.BaseTransport | None = None,
        https_only: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth_base_url = (auth_base_url or base_url).rstrip("/")
        self.version = version
        self._schemes = ("https",) if https_only else ("https", "http")
        self._credentials = (client_id, client_secret)
        self._token: _Token | None = None
        verify: Any = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True
        self._http = httpx.Client(
            timeout=timeout_s, verify=verify, transport=transport, follow_redirects=False
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PactClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- authentication ---------------------------------------------------------------------

    def token_endpoint(self) -> str:
        """From the OpenID Provider Configuration Document, else ``$auth-base-url$/auth/token``."""
        fallback = f"{self.auth_base_url}/auth/token"
        try:
            answer = self._http.get(f"{self.auth_base_url}/.well-known/openid-configuration")
        except httpx.HTTPError:
            return fallback
        if answer.status_code != 200:
            return fallback
        try:
            endpoint = answer.json().get("token_endpoint")
        except ValueError:
            return fallback
        if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("https", "http"):
            return fallback
        if urlsplit(endpoint).scheme not in self._schemes:
            raise PactClientError(
                f"the discovery document names a token endpoint over plain http ({endpoint}); "
                "credentials are sent over https only"
            )
        return endpoint

    def access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token.expires_at:
            return self._token.value
        endpoint = self.token_endpoint()
        try:
            answer = self._http.post(
                endpoint,
                data={"grant_type": "client_credentials"},
                auth=httpx.BasicAuth(*self._credentials),
            )
        except httpx.HTTPError as error:
            raise PactClientError(f"token endpoint {endpoint}: {error}") from None
        body = _json(answer)
        if answer.status_code != 200 or "access_token" not in body:
            message = body.get("error_description") or body.get("error") or answer.reason_phrase
            raise PactClientError(
                f"token endpoint {endpoint}: {answer.status_code} {message}",
                answer.status_code,
                body.get("error"),
            )
        lifetime = float(body.get("expires_in") or 300)
        self._token = _Token(body["access_token"], time.monotonic() + max(lifetime - 30, 1))
        return self._token.value

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One authenticated call; on 401 the token is renewed once (tokens SHOULD expire)."""
        extra_headers = kwargs.pop("headers", {})
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self.access_token(renew=attempt > 0)}"}
            headers |= extra_headers
            try:
                answer = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                raise PactClientError(f"{method} {url}: {error}") from None
            if answer.status_code != 401:
                return answer
        return answer

    # --- actions ------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path}"

    def pages(
        self, params: Mapping[str, str | Sequence[str]] | None = None, *, limit: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """ListFootprints, one page at a time, following pagination links."""
        query: dict[str, Any] = dict(params or {})
        if limit is not None:
            query["limit"] = str(limit)
        url: str | None = self._url("footprints")
        for _ in range(MAX_PAGES):
            if url is None:
                return
            answer = self._call("GET", url, params=query)
            _check(answer, "ListFootprints")
            page = _json(answer).get("data")
            if not isinstance(page, list) or not all(isinstance(d, dict) for d in page):
                raise PactClientError("ListFootprints: data is not a list of ProductFootprints")
            yield page
            url, query = self._same_origin(next_link(answer.headers.get("link"))), {}
        raise PactClientError(f"ListFootprints: more than {MAX_PAGES} pages")

    def _same_origin(self, url: str | None) -> str | None:
        """A pagination link, refused unless it points to the partner's own host: the access
        token goes with it."""
        if url is None:
            return None
        wanted, given = urlsplit(self.base_url), urlsplit(url)
        if (given.scheme, given.netloc) != (wanted.scheme, wanted.netloc):
            raise PactClientError(
                f"ListFootprints: the next link {url} leaves {wanted.scheme}://{wanted.netloc}"
            )
        return url

    def list_footprints(
        self, params: Mapping[str, str | Sequence[str]] | None = None, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return [doc for page in self.pages(params, limit=limit) for doc in page]

    def get_footprint(self, footprint_id: str) -> dict[str, Any]:
        answer = self._call("GET", self._url(f"footprints/{footprint_id}"))
        _check(answer, "GetFootprint")
        document = _json(answer).get("data")
        same_id = (
            isinstance(document, dict)
            and str(document.get("id")).lower() == str(footprint_id).lower()
        )
        if not same_id:
            raise PactClientError(
                f"GetFootprint: the answer is not the ProductFootprint {footprint_id}"
            )
        return document

    def post_event(self, event: Mapping[str, Any]) -> None:
        answer = self._call(
            "POST",
            self._url("events"),
            json=dict(event),
            headers={"Content-Type": f"{CLOUDEVENTS_MEDIA_TYPE}; charset=UTF-8"},
        )
        _check(answer, "Events")


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _check(answer: httpx.Response, action: str) -> None:
    if 200 <= answer.status_code < 300:
        return
    body = _json(answer)
    # Only a PACT Error's message is repeated: a raw body could be any server's page.
    message = body.get("message") or answer.reason_phrase
    raise PactClientError(
        f"{action}: {answer.status_code} {body.get('code', '')} {message}".strip(),
        answer.status_code,
        body.get("code"),
    )
