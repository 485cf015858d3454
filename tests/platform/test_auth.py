"""Sign-in with lock-out, web sessions, and OAuth2 client-credentials access tokens."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from pcfhub.errors import (
    AccountLockedError,
    AuthenticationError,
    InvalidInputError,
)
from pcfhub.platform import auth, clients, service
from pcfhub.platform.auth import SIGN_IN_FAILED, SignInPolicy
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import OrganisationKind, Principal, Role, SignedInUser
from pcfhub.platform.schemas import (
    ApiClientCreate,
    MemberCreate,
    OrganisationCreate,
    OrganisationPublic,
)
from pcfhub.platform.security import csrf_matches, issue_access_token, token_digest
from pcfhub.platform.store import UserRow, WebSessionRow
from pcfhub.platform.uow import UnitOfWork

EMAIL = "alice@example.org"
PASSWORD = "correct horse battery"
POLICY = SignInPolicy(
    max_failures=3, lockout=timedelta(minutes=15), session_max_age=timedelta(hours=8)
)
ISSUER = "https://pcfhub.test"
TTL = 900


@dataclass(frozen=True)
class World:
    """Alice is admin of Acme and viewer of Beta; Gamma is not hers. Acme has an API client."""

    acme: OrganisationPublic
    beta: OrganisationPublic
    gamma: OrganisationPublic
    client_id: str
    client_secret: str
    client_row_id: uuid.UUID


@pytest.fixture
def world(platform: Platform) -> World:
    with platform.unit_of_work() as uow:
        orgs = {
            slug: service.create_organisation(
                uow,
                principal=None,
                data=OrganisationCreate(slug=slug, name=name, kind=OrganisationKind.ENTERPRISE),
                system=True,
            )
            for slug, name in (("acme", "Acme"), ("beta", "Beta"), ("gamma", "Gamma"))
        }
        for slug, role in (("acme", Role.ADMIN), ("beta", Role.VIEWER)):
            service.add_member(
                uow,
                principal=None,
                organisation_id=orgs[slug].id,
                data=MemberCreate(email=EMAIL, display_name="Alice", password=PASSWORD, role=role),
                system=True,
            )
        client = clients.create_api_client(
            uow,
            principal=None,
            organisation_id=orgs["acme"].id,
            data=ApiClientCreate(
                name="ERP", role=Role.EDITOR, scopes=["study:read", "study:write"]
            ),
            system=True,
        )
        uow.commit()
    return World(
        orgs["acme"], orgs["beta"], orgs["gamma"], client.client_id, client.client_secret, client.id
    )


def sign_in(platform: Platform, password: str = PASSWORD, **options: object) -> str:
    """Sign Alice in and commit, whether or not it works (as the web view does)."""
    with platform.unit_of_work() as uow:
        try:
            return auth.sign_in(
                uow,
                email=options.pop("email", EMAIL),  # type: ignore[arg-type]
                password=password,
                language=options.pop("language", "en"),  # type: ignore[arg-type]
                policy=POLICY,
                **options,  # type: ignore[arg-type]
            )
        finally:
            uow.commit()


def signed_in(platform: Platform, token: str | None, **options: object) -> SignedInUser | None:
    with platform.unit_of_work() as uow:
        return auth.session_user(uow, token=token, secret=platform.secret, **options)  # type: ignore[arg-type]


def failed_sign_ins(platform: Platform) -> int:
    with platform.unit_of_work() as uow:
        return uow.session.scalar(select(UserRow.failed_sign_ins).where(UserRow.email == EMAIL))


# Web sign-in


def test_sign_in_opens_a_session(platform: Platform, world: World) -> None:
    token = sign_in(platform, email="  Alice@Example.ORG ")
    user = signed_in(platform, token)
    assert user is not None
    assert (user.email, user.display_name, user.language) == (EMAIL, "Alice", "en")
    assert [(m.organisation_name, m.role) for m in user.memberships] == [
        ("Acme", Role.ADMIN),
        ("Beta", Role.VIEWER),
    ]
    assert user.active is not None
    assert user.active.organisation_id == world.acme.id
    principal = user.principal()
    assert principal is not None
    assert (principal.organisation_id, principal.role) == (world.acme.id, Role.ADMIN)
    assert principal.user_id == user.user_id
    assert principal.scopes is None
    with platform.unit_of_work() as uow:  # only the token's SHA-256 is stored
        row = uow.session.get(WebSessionRow, token_digest(token))
        assert row is not None
        assert row.token_hash != token
        assert uow.session.get(WebSessionRow, token) is None


def test_the_csrf_token_is_stable_per_session(platform: Platform, world: World) -> None:
    first, second = sign_in(platform), sign_in(platform)
    one, again, other = (
        signed_in(platform, first),
        signed_in(platform, first),
        signed_in(platform, second),
    )
    assert one.csrf_token == again.csrf_token
    assert one.csrf_token != other.csrf_token
    assert csrf_matches(platform.secret, one.session_id, one.csrf_token)
    assert not csrf_matches(platform.secret, one.session_id, other.csrf_token)
    assert not csrf_matches(platform.secret, one.session_id, None)


def test_a_wrong_password_and_an_unknown_email_fail_alike(platform: Platform, world: World) -> None:
    with pytest.raises(AuthenticationError) as wrong:
        sign_in(platform, "wrong password!")
    with pytest.raises(AuthenticationError) as unknown:
        sign_in(platform, email="nobody@example.org")
    assert str(wrong.value) == str(unknown.value) == SIGN_IN_FAILED
    assert not isinstance(wrong.value, AccountLockedError)
    assert signed_in(platform, None) is None
    assert signed_in(platform, "not-a-session") is None


def test_too_many_failures_lock_the_account_for_a_while(platform: Platform, world: World) -> None:
    t0 = utcnow()
    for attempt in range(POLICY.max_failures):
        with pytest.raises(AuthenticationError) as error:
            sign_in(platform, "wrong password!", now=t0 + timedelta(seconds=attempt))
        assert type(error.value) is AuthenticationError  # the third failure locks, quietly
    locked_at = t0 + timedelta(seconds=POLICY.max_failures - 1)
    with pytest.raises(AccountLockedError):  # even the right password
        sign_in(platform, now=locked_at + timedelta(minutes=14))
    with pytest.raises(AccountLockedError):
        sign_in(platform, now=locked_at + POLICY.lockout - timedelta(seconds=1))
    token = sign_in(platform, now=locked_at + POLICY.lockout + timedelta(seconds=1))
    assert signed_in(platform, token, now=locked_at + POLICY.lockout + timedelta(seconds=2))
    with platform.unit_of_work() as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.email == EMAIL))
        assert user is not None
        assert (user.failed_sign_ins, user.locked_until) == (0, None)


def test_a_successful_sign_in_resets_the_count(platform: Platform, world: World) -> None:
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(AuthenticationError):
            sign_in(platform, "wrong password!")
    assert failed_sign_ins(platform) == POLICY.max_failures - 1
    sign_in(platform)
    assert failed_sign_ins(platform) == 0
    with pytest.raises(AuthenticationError):
        sign_in(platform, "wrong password!")
    assert failed_sign_ins(platform) == 1  # counting starts again: no lock


def test_failures_count_only_when_the_caller_commits(platform: Platform, world: World) -> None:
    with platform.unit_of_work() as uow, pytest.raises(AuthenticationError):
        auth.sign_in(uow, email=EMAIL, password="wrong password!", language="en", policy=POLICY)
        # no commit
    assert failed_sign_ins(platform) == 0
    with pytest.raises(AuthenticationError):
        sign_in(platform, "wrong password!")  # commits
    assert failed_sign_ins(platform) == 1


def test_a_disabled_user_cannot_sign_in(platform: Platform, world: World) -> None:
    token = sign_in(platform)
    with platform.unit_of_work() as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.email == EMAIL))
        assert user is not None
        user.disabled = True
        uow.commit()
    with pytest.raises(AuthenticationError, match="disabled"):
        sign_in(platform)
    assert signed_in(platform, token) is None  # and the open session ends


def test_sign_out_ends_the_session(platform: Platform, world: World) -> None:
    token, other = sign_in(platform), sign_in(platform)
    with platform.unit_of_work() as uow:
        auth.sign_out(uow, token=token)
        uow.commit()
    assert signed_in(platform, token) is None
    assert signed_in(platform, other) is not None


def test_a_session_ends_after_its_maximum_age(platform: Platform, world: World) -> None:
    t0 = utcnow()
    token = sign_in(platform, now=t0)
    end = t0 + POLICY.session_max_age
    assert signed_in(platform, token, now=end - timedelta(seconds=1)) is not None
    assert signed_in(platform, token, now=end) is None
    sign_in(platform, now=end + timedelta(seconds=1))  # the next sign-in clears expired rows
    with platform.unit_of_work() as uow:
        assert uow.session.get(WebSessionRow, token_digest(token)) is None


def test_switch_to_another_of_ones_organisations(platform: Platform, world: World) -> None:
    token = sign_in(platform)
    with platform.unit_of_work() as uow:
        with pytest.raises(InvalidInputError, match="not a member"):
            auth.switch_organisation(uow, token=token, organisation_id=world.gamma.id)
        auth.switch_organisation(uow, token=token, organisation_id=world.beta.id)
        uow.commit()
    user = signed_in(platform, token)
    assert user.active.organisation_id == world.beta.id
    assert user.principal().role == Role.VIEWER
    with platform.unit_of_work() as uow, pytest.raises(AuthenticationError):
        auth.switch_organisation(uow, token="ended", organisation_id=world.beta.id)


def test_set_language(platform: Platform, world: World) -> None:
    token = sign_in(platform, language="fr")  # unknown: the first supported one
    assert signed_in(platform, token).language == "zh"
    with platform.unit_of_work() as uow:
        auth.set_language(uow, token=token, language="en")
        with pytest.raises(InvalidInputError, match="zh, en"):
            auth.set_language(uow, token=token, language="fr")
        uow.commit()
    assert signed_in(platform, token).language == "en"


# OAuth2 client credentials


@pytest.fixture
def uow(platform: Platform, world: World) -> Iterator[UnitOfWork]:
    with platform.unit_of_work() as unit:
        yield unit


def issue(platform: Platform, uow: UnitOfWork, world: World, **options: object) -> str:
    values: dict[str, object] = {
        "client_id": world.client_id,
        "client_secret": world.client_secret,
        "requested_scopes": None,
        "secret": platform.secret,
        "issuer": ISSUER,
        "ttl_s": TTL,
    }
    values.update(options)
    return auth.issue_client_token(uow, **values).access_token  # type: ignore[arg-type]


def test_client_credentials_give_a_token_for_the_clients_organisation(
    platform: Platform, world: World, uow: UnitOfWork
) -> None:
    issued = auth.issue_client_token(
        uow,
        client_id=world.client_id,
        client_secret=world.client_secret,
        requested_scopes=None,
        secret=platform.secret,
        issuer=ISSUER,
        ttl_s=TTL,
    )
    assert (issued.token_type, issued.expires_in, issued.scope) == (
        "Bearer",
        TTL,
        "study:read study:write",
    )
    who = auth.token_principal(
        uow, token=issued.access_token, secret=platform.secret, issuer=ISSUER
    )
    assert (who.organisation_id, who.organisation_kind, who.role) == (
        world.acme.id,
        OrganisationKind.ENTERPRISE,
        Role.EDITOR,
    )
    assert (who.client_id, who.user_id) == (world.client_id, None)
    assert who.scopes == {"study:read", "study:write"}
    assert who.actor == {"client": world.client_id}


def test_a_token_carries_only_the_requested_scopes(
    platform: Platform, world: World, uow: UnitOfWork
) -> None:
    token = issue(platform, uow, world, requested_scopes=frozenset({"study:read"}))
    who = auth.token_principal(uow, token=token, secret=platform.secret, issuer=ISSUER)
    assert who.scopes == {"study:read"}
    with pytest.raises(InvalidInputError, match="invalid_scope: .*result:read"):
        issue(platform, uow, world, requested_scopes=frozenset({"study:read", "result:read"}))


@pytest.mark.parametrize(
    "changes",
    [
        {"client_secret": "not the secret"},
        {"client_id": "pcfhub-unknown"},
    ],
)
def test_wrong_client_credentials_get_no_token(
    platform: Platform, world: World, uow: UnitOfWork, changes: dict[str, str]
) -> None:
    with pytest.raises(AuthenticationError, match="invalid_client"):
        issue(platform, uow, world, **changes)


def test_revoking_a_client_stops_its_issued_tokens(platform: Platform, world: World) -> None:
    with platform.unit_of_work() as uow:
        token = issue(platform, uow, world)
    with platform.unit_of_work() as uow:
        client = auth.token_principal(uow, token=token, secret=platform.secret, issuer=ISSUER)
        assert client.client_id == world.client_id
        admin = Principal(world.acme.id, OrganisationKind.ENTERPRISE, Role.ADMIN, uuid.uuid4())
        clients.revoke_api_client(uow, principal=admin, api_client_id=world.client_row_id)
        uow.commit()
    with platform.unit_of_work() as uow:
        with pytest.raises(AuthenticationError, match="revoked"):
            auth.token_principal(uow, token=token, secret=platform.secret, issuer=ISSUER)
        with pytest.raises(AuthenticationError, match="revoked"):
            issue(platform, uow, world)


def test_an_expired_token_is_refused(platform: Platform, world: World, uow: UnitOfWork) -> None:
    token = issue(platform, uow, world, now=utcnow() - timedelta(seconds=TTL + 60))
    with pytest.raises(AuthenticationError, match="expired"):
        auth.token_principal(uow, token=token, secret=platform.secret, issuer=ISSUER)
    fresh = issue(platform, uow, world, now=utcnow() - timedelta(seconds=TTL - 60))
    assert auth.token_principal(uow, token=fresh, secret=platform.secret, issuer=ISSUER)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_tampered_or_foreign_token_is_refused(
    platform: Platform, world: World, uow: UnitOfWork
) -> None:
    token = issue(platform, uow, world, requested_scopes=frozenset({"study:read"}))
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["scope"] == "study:read"
    claims["scope"] = "*:*"
    tampered = ".".join([header, b64url(json.dumps(claims).encode()), signature])
    forged = issue_access_token(
        b"someone else's secret, at least 32 bytes long",
        issuer=ISSUER,
        client_id=world.client_id,
        organisation_id=world.acme.id,
        scopes=frozenset({"*:*"}),
        now=utcnow(),
        ttl_s=TTL,
    )
    for bad in (tampered, forged, token + "x", "not a token"):
        with pytest.raises(AuthenticationError, match="not valid"):
            auth.token_principal(uow, token=bad, secret=platform.secret, issuer=ISSUER)
    with pytest.raises(AuthenticationError):  # another issuer's token
        auth.token_principal(
            uow, token=token, secret=platform.secret, issuer="https://elsewhere.test"
        )
