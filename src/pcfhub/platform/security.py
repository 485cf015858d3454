"""Credentials: argon2 password hashes, random tokens, CSRF tokens and signed access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pcfhub.errors import AuthenticationError, InvalidInputError

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id, the library's current RFC 9106 defaults
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
ACCESS_TOKEN_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"password: use at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})."
        )
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash costs the same time as a wrong one."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def hash_client_secret(secret: str) -> str:
    """What is stored for an API client's secret. The secret is 256 random bits, so a fast
    hash is as safe as a slow one, and checking it costs a flood of requests nothing."""
    return "sha256:" + token_digest(secret)


def client_secret_matches(stored: str | None, secret: str) -> bool:
    expected = stored or "sha256:" + "0" * 64
    return hmac.compare_digest(expected, hash_client_secret(secret)) and stored is not None


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token (session cookies, client secrets, demo passwords)."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What is stored for a bearer token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret: bytes, session_key: str) -> str:
    """The CSRF token bound to one browser session (HMAC, so it cannot be forged)."""
    return hmac.new(secret, b"csrf:" + session_key.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: bytes, session_key: str, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(csrf_token(secret, session_key), token)


@dataclass(frozen=True)
class AccessTokenClaims:
    client_id: str
    organisation_id: uuid.UUID
    scopes: frozenset[str]
    expires_at: datetime


def issue_access_token(
    secret: bytes,
    *,
    issuer: str,
    client_id: str,
    organisation_id: uuid.UUID,
    scopes: frozenset[str],
    now: datetime,
    ttl_s: int,
) -> str:
    """A short-lived signed token (JWT, HS256) naming the client, its organisation and scopes."""
    claims = {
        "iss": issuer,
        "sub": client_id,
        "org": str(organisation_id),
        "scope": " ".join(sorted(scopes)),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ACCESS_TOKEN_ALGORITHM)


def read_access_token(secret: bytes, token: str, *, issuer: str) -> AccessTokenClaims:
    """Check a token's signature, issuer and expiry; raise AuthenticationError otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ACCESS_TOKEN_ALGORITHM],
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        organisation_id = uuid.UUID(claims["org"])
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("The access token has expired; request a new one.") from None
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise AuthenticationError("The access token is not valid.") from None
    return AccessTokenClaims(
        client_id=claims["sub"],
        organisation_id=organisation_id,
        scopes=frozenset(claims.get("scope", "").split()),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
