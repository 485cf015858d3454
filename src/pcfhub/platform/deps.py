"""FastAPI dependencies: the platform, a unit of work per request, and who is calling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from pcfhub.errors import AuthenticationError, CsrfError
from pcfhub.platform import auth
from pcfhub.platform.context import Platform
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.security import csrf_matches
from pcfhub.platform.uow import UnitOfWork

SESSION_COOKIE = "pcfhub_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_uow(request: Request, platform: PlatformDep) -> Iterator[UnitOfWork]:
    """One unit of work per request; routes commit what they change. GET requests read only."""
    with platform.unit_of_work(read_only=request.method in SAFE_METHODS) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_signed_in_user(request: Request, platform: PlatformDep, uow: UowDep) -> SignedInUser | None:
    return auth.session_user(uow, token=request.cookies.get(SESSION_COOKIE), secret=platform.secret)


SignedInUserDep = Annotated[SignedInUser | None, Depends(get_signed_in_user)]


def get_principal(
    request: Request, platform: PlatformDep, uow: UowDep, user: SignedInUserDep
) -> Principal | None:
    """A bearer token's client, or the signed-in user acting for their active organisation.

    Cookie-authenticated calls that change state must echo the CSRF token in X-CSRF-Token.
    """
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return auth.token_principal(
            uow,
            token=credentials.strip(),
            secret=platform.secret,
            issuer=platform.settings.base_url,
        )
    if header:
        raise AuthenticationError("Use an Authorization: Bearer token.")
    if user is None:
        return None
    if request.method not in SAFE_METHODS and not csrf_matches(
        platform.secret, user.session_id, request.headers.get(CSRF_HEADER)
    ):
        raise CsrfError("Send the page's CSRF token in the X-CSRF-Token header.")
    return user.principal()


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
