"""Authorisation, deny by default: roles inside an organisation, grants across organisations,
token scopes for API clients, and the operator's platform-wide rights."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from pcfhub.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from pcfhub.platform import grants, service
from pcfhub.platform.authz import authorize, authorize_platform
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.schemas import GrantCreate, OrganisationCreate, OrganisationPublic
from pcfhub.platform.uow import UnitOfWork

READ, WRITE, ADMIN = Action.READ, Action.WRITE, Action.ADMIN


def principal(
    org: OrganisationPublic, role: Role = Role.ADMIN, scopes: frozenset[str] | None = None
) -> Principal:
    """A user of ``org`` (no scopes) or, with scopes, one of its API clients."""
    if scopes is None:
        return Principal(org.id, org.kind, role, user_id=uuid.uuid4())
    return Principal(org.id, org.kind, role, client_id="pcfhub-test", scopes=scopes)


@pytest.fixture
def orgs(platform: Platform) -> dict[str, OrganisationPublic]:
    """A battery maker that owns the data, a verifier it may grant access to, and a bank."""
    made = {}
    with platform.unit_of_work() as uow:
        for slug, kind in (
            ("battery", OrganisationKind.ENTERPRISE),
            ("verifier", OrganisationKind.VERIFIER),
            ("bank", OrganisationKind.BANK),
        ):
            made[slug] = service.create_organisation(
                uow,
                principal=None,
                data=OrganisationCreate(slug=slug, name=slug.title(), kind=kind),
                system=True,
            )
        uow.commit()
    return made


@pytest.fixture
def uow(platform: Platform, orgs: dict[str, OrganisationPublic]) -> Iterator[UnitOfWork]:
    with platform.unit_of_work() as unit:
        yield unit


def grant(
    uow: UnitOfWork,
    orgs: dict[str, OrganisationPublic],
    *,
    actions: list[Action],
    object_id: str | None = None,
    object_kind: str = "study",
    days: float = 30,
) -> uuid.UUID:
    """The battery maker grants the verifier ``actions`` on its studies (or one study)."""
    made = grants.create_grant(
        uow,
        principal=principal(orgs["battery"]),
        data=GrantCreate(
            grantee="verifier",
            object_kind=object_kind,
            object_id=object_id,
            actions=actions,
            purpose="Verification",
            expires_at=utcnow() + timedelta(days=days),
        ),
    )
    return made.id


def may(
    uow: UnitOfWork,
    who: Principal | None,
    action: Action,
    owner: OrganisationPublic,
    object_kind: str = "study",
    object_id: str | None = "study-1",
    **options: object,
) -> bool:
    """True when allowed, False when denied (403); a 404 or 401 is raised to the test."""
    try:
        authorize(
            uow.session,
            who,
            action,
            owner_id=owner.id,
            object_kind=object_kind,
            object_id=object_id,
            **options,  # type: ignore[arg-type]
        )
    except PermissionDeniedError:
        return False
    return True


# Inside one organisation, the role decides.


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, {READ}),
        (Role.EDITOR, {READ, WRITE}),
        (Role.ADMIN, {READ, WRITE, ADMIN}),
    ],
)
def test_roles_inside_the_organisation(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic], role: Role, allowed: set[Action]
) -> None:
    who = principal(orgs["battery"], role)
    assert {a for a in Action if may(uow, who, a, orgs["battery"])} == allowed


def test_nobody_signed_in_is_asked_to_authenticate(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    with pytest.raises(AuthenticationError):
        may(uow, None, READ, orgs["battery"])


# Across organisations, only a grant does, and without one the object does not exist.


@pytest.mark.parametrize("action", list(Action))
def test_another_organisation_without_a_grant_is_told_not_found(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic], action: Action
) -> None:
    with pytest.raises(NotFoundError, match="study study-1"):
        may(uow, principal(orgs["verifier"]), action, orgs["battery"])


def test_a_read_grant_gives_read_and_nothing_more(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    grant(uow, orgs, actions=[READ])
    verifier = principal(orgs["verifier"])
    assert may(uow, verifier, READ, orgs["battery"])
    assert not may(uow, verifier, WRITE, orgs["battery"])  # 403: it may know the study exists
    assert not may(uow, verifier, ADMIN, orgs["battery"])
    assert may(uow, verifier, READ, orgs["battery"], object_id=None)  # the kind as a whole
    with pytest.raises(NotFoundError):  # another kind of object of the same owner
        may(uow, verifier, READ, orgs["battery"], object_kind="result")
    with pytest.raises(NotFoundError):  # the bank holds no grant
        may(uow, principal(orgs["bank"]), READ, orgs["battery"])
    with pytest.raises(NotFoundError):  # and the grantor gains nothing over the grantee
        may(uow, principal(orgs["battery"]), READ, orgs["verifier"])


def test_a_grant_for_one_object_does_not_cover_another(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    grant(uow, orgs, actions=[READ, WRITE], object_id="study-1")
    verifier = principal(orgs["verifier"])
    assert may(uow, verifier, WRITE, orgs["battery"], object_id="study-1")
    with pytest.raises(NotFoundError):
        may(uow, verifier, READ, orgs["battery"], object_id="study-2")
    with pytest.raises(NotFoundError):  # nor every study at once
        may(uow, verifier, READ, orgs["battery"], object_id=None)


def test_an_expired_grant_does_not_count(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    grant(uow, orgs, actions=[READ], days=1)
    verifier = principal(orgs["verifier"])
    now = utcnow()
    assert may(uow, verifier, READ, orgs["battery"], now=now + timedelta(hours=23))
    with pytest.raises(NotFoundError):
        may(uow, verifier, READ, orgs["battery"], now=now + timedelta(days=1, seconds=1))


def test_a_revoked_grant_does_not_count(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    grant_id = grant(uow, orgs, actions=[READ])
    verifier = principal(orgs["verifier"])
    assert may(uow, verifier, READ, orgs["battery"])
    grants.revoke_grant(uow, principal=principal(orgs["battery"]), grant_id=grant_id)
    with pytest.raises(NotFoundError):
        may(uow, verifier, READ, orgs["battery"])


def test_grants_add_up(uow: UnitOfWork, orgs: dict[str, OrganisationPublic]) -> None:
    grant(uow, orgs, actions=[READ])
    grant(uow, orgs, actions=[WRITE], object_id="study-1")
    verifier = principal(orgs["verifier"])
    assert may(uow, verifier, WRITE, orgs["battery"], object_id="study-1")
    assert not may(uow, verifier, WRITE, orgs["battery"], object_id="study-2")


def test_a_grant_does_not_lift_the_grantee_members_role(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    """A grant is given to an organisation; a viewer there still only reads."""
    grant(uow, orgs, actions=[READ, WRITE])
    assert may(uow, principal(orgs["verifier"], Role.EDITOR), WRITE, orgs["battery"])
    assert may(uow, principal(orgs["verifier"], Role.VIEWER), READ, orgs["battery"])
    assert not may(uow, principal(orgs["verifier"], Role.VIEWER), WRITE, orgs["battery"])


# API clients: the token's scopes limit what the client's role allows.


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        ({"study:read"}, {("study", READ)}),
        ({"*:read"}, {("study", READ), ("result", READ)}),
        ({"study:*"}, {("study", READ), ("study", WRITE)}),
        ({"study:read", "result:write"}, {("study", READ), ("result", WRITE)}),
        ({"*:*"}, {("study", READ), ("study", WRITE), ("result", READ), ("result", WRITE)}),
        (set(), set()),
    ],
)
def test_api_client_scopes(
    uow: UnitOfWork,
    orgs: dict[str, OrganisationPublic],
    scopes: set[str],
    allowed: set[tuple[str, Action]],
) -> None:
    client = principal(orgs["battery"], Role.EDITOR, frozenset(scopes))
    found = {
        (kind, action)
        for kind in ("study", "result")
        for action in Action
        if may(uow, client, action, orgs["battery"], object_kind=kind)
    }
    assert found == allowed  # never ADMIN: the client's role is editor


def test_a_missing_scope_is_denied_even_with_a_grant(
    uow: UnitOfWork, orgs: dict[str, OrganisationPublic]
) -> None:
    grant(uow, orgs, actions=[READ])
    with_scope = principal(orgs["verifier"], Role.VIEWER, frozenset({"study:read"}))
    without = principal(orgs["verifier"], Role.VIEWER, frozenset({"result:read"}))
    assert may(uow, with_scope, READ, orgs["battery"])
    with pytest.raises(PermissionDeniedError, match="scope study:read"):
        authorize(uow.session, without, READ, owner_id=orgs["battery"].id, object_kind="study")


# Platform-wide operations belong to the operator's admins.


@pytest.mark.parametrize(
    ("kind", "role", "scopes", "allowed"),
    [
        (OrganisationKind.PLATFORM_OPERATOR, Role.ADMIN, None, True),
        (OrganisationKind.PLATFORM_OPERATOR, Role.ADMIN, {"organisation:admin"}, True),
        (OrganisationKind.PLATFORM_OPERATOR, Role.ADMIN, {"*:*"}, True),
        (OrganisationKind.PLATFORM_OPERATOR, Role.ADMIN, {"*:read"}, False),
        (OrganisationKind.PLATFORM_OPERATOR, Role.EDITOR, None, False),
        (OrganisationKind.PLATFORM_OPERATOR, Role.VIEWER, None, False),
        (OrganisationKind.REGULATOR, Role.ADMIN, None, False),
        (OrganisationKind.ENTERPRISE, Role.ADMIN, {"*:*"}, False),
    ],
)
def test_authorize_platform(
    kind: OrganisationKind, role: Role, scopes: set[str] | None, allowed: bool
) -> None:
    who = Principal(
        uuid.uuid4(),
        kind,
        role,
        user_id=None if scopes is not None else uuid.uuid4(),
        client_id="pcfhub-op" if scopes is not None else None,
        scopes=frozenset(scopes) if scopes is not None else None,
    )
    if allowed:
        authorize_platform(who, "create organisations")
    else:
        with pytest.raises(PermissionDeniedError, match="create organisations|scope"):
            authorize_platform(who, "create organisations")


def test_authorize_platform_needs_a_principal() -> None:
    with pytest.raises(AuthenticationError):
        authorize_platform(None, "create organisations")
