"""The OAuth2 token endpoint (RFC 6749 §4.4 client credentials), at /auth/token.

It lives outside /api/v1 because the PACT exchange uses the same endpoint. Errors follow
RFC 6749 §5.2 (``{"error", "error_description"}``), not problem+json.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from pcfhub.errors import AuthenticationError, InvalidInputError
from pcfhub.platform import auth
from pcfhub.platform.deps import PlatformDep, UowDep

token_router = APIRouter()


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="pcfhub"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise AuthenticationError("Send the client id and secret with HTTP Basic authentication.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError("The Basic credentials are not valid base64.") from None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        raise AuthenticationError("The Basic credentials lack the ':' separator.")
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))


@token_router.post("/auth/token", tags=["auth"])
def token(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    grant_type: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """OAuth2 client credentials: HTTP Basic client authentication, ``grant_type``."""
    if grant_type is None:
        return _oauth_error(400, "invalid_request", "grant_type is missing.")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    try:
        client_id, client_secret = _basic_credentials(request)
        issued = auth.issue_client_token(
            uow,
            client_id=client_id,
            client_secret=client_secret,
            requested_scopes=frozenset(scope.split()) if scope else None,
            secret=platform.secret,
            issuer=platform.settings.base_url,
            ttl_s=platform.settings.access_token_ttl_s,
        )
    except AuthenticationError as error:
        return _oauth_error(401, "invalid_client", str(error).removeprefix("invalid_client: "))
    except InvalidInputError as error:
        return _oauth_error(400, "invalid_scope", str(error).removeprefix("invalid_scope: "))
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
