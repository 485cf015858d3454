"""Sign-in: web sessions with lock-out, and OAuth2 client-credentials access tokens.

Web sessions are random tokens in an HttpOnly cookie; only their SHA-256 is stored, so a copy
of the database gives nobody a session. API clients trade their id and secret for a short-lived
signed token (RFC 6749 §4.4) that names the organisation and the granted scopes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from pcfhub.config import LANGUAGES
from pcfhub.errors import AccountLockedError, AuthenticationError, InvalidInputError
from pcfhub.ledger import service as ledger
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import (
    SYSTEM_ACTOR,
    Membership,
    OrganisationKind,
    Principal,
    Role,
    SignedInUser,
)
from pcfhub.platform.security import (
    client_secret_matches,
    csrf_token,
    hash_password,
    issue_access_token,
    needs_rehash,
    new_token,
    read_access_token,
    token_digest,
    verify_password,
)
from pcfhub.platform.store import (
    ApiClientRow,
    MembershipRow,
    OrganisationRow,
    UserRow,
    WebSessionRow,
)
from pcfhub.platform.uow import UnitOfWork

SIGN_IN_FAILED = "The e-mail or password is wrong."
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int
    lockout: timedelta
    session_max_age: timedelta


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    language: str,
    policy: SignInPolicy,
    now: datetime | None = None,
) -> str:
    """Check the password and open a web session; return the session token for the cookie.

    After ``policy.max_failures`` wrong passwords in a row the account is locked for
    ``policy.lockout``, even for the right password. The caller commits either way, so that a
    failure is counted.
    """
    now = now or utcnow()
    session = uow.session
    email = email.strip().lower()
    user = None
    if "\x00" not in email and len(email) <= MAX_EMAIL_LENGTH:
        # The row lock makes parallel attempts on one account count one after another.
        user = session.scalar(select(UserRow).where(UserRow.email == email).with_for_update())
    # Always pay for one hash, so that unknown, locked and wrong answers take the same time.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLockedError(
            f"Too many failed sign-ins; try again after {user.locked_until:%H:%M} UTC."
        )
    if not password_ok or user is None:
        if user is not None:
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= policy.max_failures:
                user.locked_until = now + policy.lockout
                user.failed_sign_ins = 0
        raise AuthenticationError(SIGN_IN_FAILED)
    if user.disabled:
        raise AuthenticationError("This account is disabled.")
    user.failed_sign_ins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):  # the hashing parameters were raised since
        user.password_hash = hash_password(password)
        ledger.append(
            session,
            actor=SYSTEM_ACTOR,
            organisation_id=None,
            action="user.password_rehashed",
            object_kind="user",
            object_id=str(user.id),
        )
    token = new_token(32)
    first = session.scalar(
        select(MembershipRow.organisation_id)
        .join(OrganisationRow)
        .where(MembershipRow.user_id == user.id)
        .order_by(OrganisationRow.name)
        .limit(1)
    )
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
    session.add(
        WebSessionRow(
            token_hash=token_digest(token),
            user_id=user.id,
            active_organisation_id=first,
            language=language if language in LANGUAGES else LANGUAGES[0],
            created_at=now,
            expires_at=now + policy.session_max_age,
        )
    )
    return token


def session_user(
    uow: UnitOfWork, *, token: str | None, secret: bytes, now: datetime | None = None
) -> SignedInUser | None:
    """The signed-in user of a session token, or None when it is unknown or expired."""
    if not token:
        return None
    now = now or utcnow()
    row = uow.session.get(WebSessionRow, token_digest(token))
    if row is None or row.expires_at <= now:
        return None
    user = uow.session.get(UserRow, row.user_id)
    if user is None or user.disabled:
        return None
    memberships = tuple(
        Membership(
            organisation_id=m.organisation_id,
            organisation_name=m.organisation.name,
            organisation_kind=OrganisationKind(m.organisation.kind),
            role=Role(m.role),
        )
        for m in sorted(user.memberships, key=lambda m: m.organisation.name)
    )
    active = next((m for m in memberships if m.organisation_id == row.active_organisation_id), None)
    return SignedInUser(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        memberships=memberships,
        active=active,
        session_id=row.token_hash,
        language=row.language,
        csrf_token=csrf_token(secret, row.token_hash),
    )


def sign_out(uow: UnitOfWork, *, token: str | None) -> None:
    if token:
        uow.session.execute(
            delete(WebSessionRow).where(WebSessionRow.token_hash == token_digest(token))
        )


def switch_organisation(uow: UnitOfWork, *, token: str, organisation_id: uuid.UUID) -> None:
    """Act for another of the user's organisations from now on."""
    row = uow.session.get(WebSessionRow, token_digest(token))
    if row is None:
        raise AuthenticationError("Your session has ended; sign in again.")
    member = uow.session.scalar(
        select(MembershipRow.id).where(
            MembershipRow.user_id == row.user_id, MembershipRow.organisation_id == organisation_id
        )
    )
    if member is None:
        raise InvalidInputError("organisation: you are not a member of that organisation.")
    row.active_organisation_id = organisation_id


def set_language(uow: UnitOfWork, *, token: str, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInputError(f"language: choose one of {', '.join(LANGUAGES)}.")
    row = uow.session.get(WebSessionRow, token_digest(token))
    if row is not None:
        row.language = language


# OAuth2 client credentials


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"


def issue_client_token(
    uow: UnitOfWork,
    *,
    client_id: str,
    client_secret: str,
    requested_scopes: frozenset[str] | None,
    secret: bytes,
    issuer: str,
    ttl_s: int,
    now: datetime | None = None,
) -> IssuedToken:
    """RFC 6749 §4.4: trade a client's id and secret for an access token.

    Requested scopes must be a subset of the client's; none requested means all of them.
    """
    row = uow.session.scalar(select(ApiClientRow).where(ApiClientRow.client_id == client_id))
    if row is None or not client_secret_matches(row.secret_hash, client_secret):
        raise AuthenticationError("invalid_client: unknown client or wrong secret.")
    if row.revoked_at is not None:
        raise AuthenticationError("invalid_client: this client has been revoked.")
    allowed = frozenset(row.scopes)
    scopes = requested_scopes or allowed
    if not scopes <= allowed:
        raise InvalidInputError(
            "invalid_scope: not granted to this client: " + ", ".join(sorted(scopes - allowed))
        )
    token = issue_access_token(
        secret,
        issuer=issuer,
        client_id=row.client_id,
        organisation_id=row.organisation_id,
        scopes=scopes,
        now=now or utcnow(),
        ttl_s=ttl_s,
    )
    return IssuedToken(access_token=token, expires_in=ttl_s, scope=" ".join(sorted(scopes)))


def token_principal(uow: UnitOfWork, *, token: str, secret: bytes, issuer: str) -> Principal:
    """The principal of a bearer token; the client must still exist and not be revoked."""
    claims = read_access_token(secret, token, issuer=issuer)
    row = uow.session.scalar(select(ApiClientRow).where(ApiClientRow.client_id == claims.client_id))
    if row is None or row.revoked_at is not None or row.organisation_id != claims.organisation_id:
        raise AuthenticationError("The access token's client has been revoked.")
    organisation = uow.session.get(OrganisationRow, row.organisation_id)
    assert organisation is not None
    return Principal(
        organisation_id=row.organisation_id,
        organisation_kind=OrganisationKind(organisation.kind),
        role=Role(row.role),
        client_id=row.client_id,
        scopes=claims.scopes & frozenset(row.scopes),
    )
