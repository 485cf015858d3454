"""Platform use cases on SQLite and PostgreSQL: organisations, members, API clients, grants.

Every change must write its ledger entry in the same transaction, and a unit of work that is
not committed must leave nothing behind.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from pcfhub.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pcfhub.ledger import service as ledger
from pcfhub.ledger.merkle import root_hash
from pcfhub.ledger.signing import load_public_key, verify_tree_head
from pcfhub.ledger.store import LedgerEntryRow, LedgerStateRow, TreeHeadRow
from pcfhub.platform import clients, grants, service
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.schemas import (
    ApiClientCreate,
    GrantCreate,
    MemberCreate,
    OrganisationCreate,
    OrganisationPublic,
)
from pcfhub.platform.security import client_secret_matches, hash_password, verify_password
from pcfhub.platform.store import ApiClientRow, MembershipRow, OrganisationRow, UserRow
from pcfhub.platform.uow import UnitOfWork

PASSWORD = "correct horse battery"
ENTERPRISE = OrganisationKind.ENTERPRISE


def make_org(uow: UnitOfWork, slug: str, kind: OrganisationKind = ENTERPRISE) -> OrganisationPublic:
    """An organisation created by the platform itself (as `pcfhub demo` and the CLI do)."""
    return service.create_organisation(
        uow,
        principal=None,
        data=OrganisationCreate(slug=slug, name=f"{slug} (test)", kind=kind),
        system=True,
    )


def member(org: OrganisationPublic, role: Role = Role.ADMIN) -> Principal:
    """A user acting for ``org`` (the user row is not needed by the services under test)."""
    return Principal(
        organisation_id=org.id, organisation_kind=org.kind, role=role, user_id=uuid.uuid4()
    )


def actions(uow: UnitOfWork) -> list[str]:
    """The ledger's actions, in log order."""
    return list(uow.session.scalars(select(LedgerEntryRow.action).order_by(LedgerEntryRow.index)))


def count(uow: UnitOfWork, table: type) -> int:
    return uow.session.scalar(select(func.count()).select_from(table)) or 0


def in_days(days: float) -> datetime:
    return utcnow() + timedelta(days=days)


# Organisations


def test_the_platform_itself_creates_an_organisation(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        uow.commit()
    assert (org.slug, org.name, org.kind) == ("acme", "acme (test)", ENTERPRISE)
    with platform.unit_of_work() as uow:
        row = uow.session.get(OrganisationRow, org.id)
        assert row is not None
        assert row.slug == "acme"
        [entry] = ledger.list_entries(uow.session, organisation_id=org.id)[0]
        assert entry.index == 0
        assert entry.event["action"] == "organisation.created"
        assert entry.event["actor"] == {"system": "pcfhub"}
        assert entry.event["organisation"] == str(org.id)
        assert entry.event["object"] == {"kind": "organisation", "id": str(org.id)}


def test_an_operator_admin_creates_an_organisation(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        operator = make_org(uow, "operator", OrganisationKind.PLATFORM_OPERATOR)
        admin = member(operator)
        bank = service.create_organisation(
            uow,
            principal=admin,
            data=OrganisationCreate(slug="bank", name="Bank", kind=OrganisationKind.BANK),
        )
        uow.commit()
    with platform.unit_of_work() as uow:
        [entry] = ledger.list_entries(uow.session, organisation_id=bank.id)[0]
        assert entry.event["actor"] == {"user": str(admin.user_id)}
        assert count(uow, OrganisationRow) == 2


@pytest.mark.parametrize(
    ("kind", "role", "scopes"),
    [
        (ENTERPRISE, Role.ADMIN, None),  # admin of an ordinary organisation
        (OrganisationKind.REGULATOR, Role.ADMIN, None),
        (OrganisationKind.PLATFORM_OPERATOR, Role.EDITOR, None),  # operator, but not an admin
        (OrganisationKind.PLATFORM_OPERATOR, Role.ADMIN, frozenset({"*:read"})),  # weak token
    ],
)
def test_only_operator_admins_create_organisations(
    platform: Platform, kind: OrganisationKind, role: Role, scopes: frozenset[str] | None
) -> None:
    with platform.unit_of_work() as uow:
        own = make_org(uow, "own", kind)
        principal = Principal(
            organisation_id=own.id,
            organisation_kind=kind,
            role=role,
            client_id="pcfhub-test" if scopes is not None else None,
            user_id=None if scopes is not None else uuid.uuid4(),
            scopes=scopes,
        )
        with pytest.raises(PermissionDeniedError):
            service.create_organisation(
                uow,
                principal=principal,
                data=OrganisationCreate(slug="other", name="Other", kind=ENTERPRISE),
            )
        with pytest.raises(AuthenticationError):
            service.create_organisation(
                uow,
                principal=None,
                data=OrganisationCreate(slug="other", name="Other", kind=ENTERPRISE),
            )
        assert count(uow, OrganisationRow) == 1
        assert actions(uow) == ["organisation.created"]


def test_a_duplicate_slug_is_a_conflict(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        make_org(uow, "acme")
        with pytest.raises(ConflictError, match="acme"):
            make_org(uow, "acme", OrganisationKind.BANK)
        assert count(uow, OrganisationRow) == 1
        assert ledger.size(uow.session) == 1


def test_who_sees_which_organisations(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        operator = make_org(uow, "operator", OrganisationKind.PLATFORM_OPERATOR)
        acme, beta = make_org(uow, "acme"), make_org(uow, "beta")
        added = service.add_member(
            uow,
            principal=None,
            organisation_id=beta.id,
            data=MemberCreate(email="joe@example.org", display_name="Joe", password=PASSWORD),
            system=True,
        )
        uow.commit()
    joe = Principal(beta.id, beta.kind, Role.VIEWER, user_id=added.user_id)
    client = Principal(acme.id, acme.kind, Role.VIEWER, client_id="pcfhub-x", scopes=frozenset())
    with platform.unit_of_work() as uow:
        everything = service.list_organisations(uow, principal=member(operator), limit=2)
        assert everything.count == 3
        assert [o.slug for o in everything.data] == ["acme", "beta"]  # by name
        assert [o.slug for o in service.list_organisations(uow, principal=joe).data] == ["beta"]
        assert [o.slug for o in service.list_organisations(uow, principal=client).data] == ["acme"]
        assert service.get_organisation(uow, principal=joe, organisation_id=beta.id).slug == "beta"
        assert service.get_organisation(uow, principal=member(operator), organisation_id=acme.id)
        with pytest.raises(NotFoundError):
            service.get_organisation(uow, principal=joe, organisation_id=acme.id)


# Members


def test_add_a_new_user_as_member(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        added = service.add_member(
            uow,
            principal=member(org),
            organisation_id=org.id,
            data=MemberCreate(
                email="Alice@Example.org", display_name="Alice", password=PASSWORD, role=Role.EDITOR
            ),
        )
        uow.commit()
    assert (added.email, added.role, added.organisation_id) == (
        "alice@example.org",
        Role.EDITOR,
        org.id,
    )
    with platform.unit_of_work() as uow:
        user = uow.session.get(UserRow, added.user_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, PASSWORD)
        assert not verify_password(user.password_hash, PASSWORD + "!")
        assert actions(uow) == ["organisation.created", "user.created", "membership.created"]
        entries, total = ledger.list_entries(uow.session, organisation_id=org.id)
        assert total == 3
        assert entries[0].event["object"] == {"kind": "membership", "id": str(added.id)}
        assert entries[1].event["object"] == {"kind": "user", "id": str(added.user_id)}


def test_an_existing_user_joins_a_second_organisation(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        first, second = make_org(uow, "first"), make_org(uow, "second")
        one = service.add_member(
            uow,
            principal=None,
            organisation_id=first.id,
            data=MemberCreate(email="bob@example.org", display_name="Bob", password=PASSWORD),
            system=True,
        )
        # Another organisation's admin cannot pull an existing account in …
        with pytest.raises(ConflictError, match="already has an account"):
            service.add_member(
                uow,
                principal=member(second),
                organisation_id=second.id,
                data=MemberCreate(email="BOB@example.org", display_name="Robert"),
            )
        # … the platform (the operator's CLI) can, once the person agrees.
        two = service.add_member(
            uow,
            principal=None,
            organisation_id=second.id,
            # The password of an existing user is ignored: it is not theirs to change here.
            data=MemberCreate(
                email="BOB@example.org", display_name="Robert", password="another password"
            ),
            system=True,
        )
        uow.commit()
    assert one.user_id == two.user_id
    assert two.role == Role.VIEWER  # the default role
    with platform.unit_of_work() as uow:
        assert count(uow, UserRow) == 1
        assert count(uow, MembershipRow) == 2
        user = uow.session.get(UserRow, one.user_id)
        assert user is not None
        assert user.display_name == "Bob"
        assert verify_password(user.password_hash, PASSWORD)
        assert actions(uow)[2:] == ["user.created", "membership.created", "membership.created"]


def test_adding_a_member_twice_is_a_conflict(platform: Platform) -> None:
    data = MemberCreate(email="carol@example.org", display_name="Carol", password=PASSWORD)
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        service.add_member(uow, principal=member(org), organisation_id=org.id, data=data)
        with pytest.raises(ConflictError, match="carol@example.org"):
            service.add_member(uow, principal=member(org), organisation_id=org.id, data=data)
        assert count(uow, MembershipRow) == 1
        assert ledger.size(uow.session) == 3


def test_a_new_user_needs_a_password(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        with pytest.raises(InvalidInputError, match="password"):
            service.add_member(
                uow,
                principal=member(org),
                organisation_id=org.id,
                data=MemberCreate(email="dave@example.org", display_name="Dave"),
            )
        assert count(uow, UserRow) == 0
        assert ledger.size(uow.session) == 1


def test_passwords_shorter_than_ten_characters_are_refused() -> None:
    with pytest.raises(ValidationError, match="password"):
        MemberCreate(email="erin@example.org", display_name="Erin", password="123456789")
    with pytest.raises(InvalidInputError, match="at least 10 characters"):
        hash_password("123456789")
    assert hash_password("1234567890").startswith("$argon2id$")


def test_only_the_organisations_admins_add_members(platform: Platform) -> None:
    data = MemberCreate(email="frank@example.org", display_name="Frank", password=PASSWORD)
    with platform.unit_of_work() as uow:
        org, other = make_org(uow, "acme"), make_org(uow, "other")
        with pytest.raises(PermissionDeniedError):
            service.add_member(
                uow, principal=member(org, Role.EDITOR), organisation_id=org.id, data=data
            )
        with pytest.raises(NotFoundError):  # another organisation's admin learns nothing
            service.add_member(uow, principal=member(other), organisation_id=org.id, data=data)
        assert count(uow, UserRow) == 0


def test_members_are_listed_a_page_at_a_time(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        for name in ("carol", "alice", "bob"):
            service.add_member(
                uow,
                principal=None,
                organisation_id=org.id,
                data=MemberCreate(
                    email=f"{name}@example.org", display_name=name.title(), password=PASSWORD
                ),
                system=True,
            )
        uow.commit()
    viewer = member(org, Role.VIEWER)
    with platform.unit_of_work() as uow:
        first = service.list_members(uow, principal=viewer, organisation_id=org.id, limit=2)
        rest = service.list_members(
            uow, principal=viewer, organisation_id=org.id, offset=2, limit=2
        )
        assert first.model_dump().keys() == {"data", "count"}
        assert (first.count, rest.count) == (3, 3)
        assert [m.email for m in first.data] == ["alice@example.org", "bob@example.org"]
        assert [m.email for m in rest.data] == ["carol@example.org"]
        with pytest.raises(InvalidInputError):
            service.list_members(uow, principal=viewer, organisation_id=org.id, limit=0)
        stranger = member(make_org(uow, "stranger"), Role.ADMIN)
        with pytest.raises(NotFoundError):
            service.list_members(uow, principal=stranger, organisation_id=org.id)


def test_remove_a_member_but_never_the_last_admin(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        added = {
            name: service.add_member(
                uow,
                principal=None,
                organisation_id=org.id,
                data=MemberCreate(
                    email=f"{name}@example.org", display_name=name, password=PASSWORD, role=role
                ),
                system=True,
            )
            for name, role in (("ann", Role.ADMIN), ("ben", Role.ADMIN), ("cat", Role.VIEWER))
        }
        uow.commit()
    admin = member(org)
    with platform.unit_of_work() as uow:
        service.remove_member(uow, principal=admin, membership_id=added["cat"].id)
        service.remove_member(uow, principal=admin, membership_id=added["ben"].id)
        with pytest.raises(ConflictError, match="last admin"):
            service.remove_member(uow, principal=admin, membership_id=added["ann"].id)
        with pytest.raises(NotFoundError):
            service.remove_member(uow, principal=admin, membership_id=uuid.uuid4())
        uow.commit()
    with platform.unit_of_work() as uow:
        remaining = service.list_members(uow, principal=admin, organisation_id=org.id)
        assert [m.email for m in remaining.data] == ["ann@example.org"]
        assert count(uow, UserRow) == 3  # the users stay; only their memberships go
        entries, _ = ledger.list_entries(uow.session, organisation_id=org.id, limit=2)
        assert [e.event["action"] for e in entries] == ["membership.deleted"] * 2
        assert [e.event["object"]["id"] for e in entries] == [
            str(added["ben"].id),
            str(added["cat"].id),
        ]
        assert [e.event["content_hash"] for e in entries] == [None, None]  # gone


# API clients


def test_an_api_client_secret_is_shown_once_and_stored_hashed(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        created = clients.create_api_client(
            uow,
            principal=member(org),
            organisation_id=org.id,
            data=ApiClientCreate(
                name="ERP", role=Role.EDITOR, scopes=["study:write", "*:read", "study:write"]
            ),
        )
        uow.commit()
    assert created.client_id.startswith("pcfhub-")
    assert created.scopes == ["*:read", "study:write"]
    assert len(created.client_secret) >= 40
    with platform.unit_of_work() as uow:
        row = uow.session.scalar(
            select(ApiClientRow).where(ApiClientRow.client_id == created.client_id)
        )
        assert row is not None
        expected = "sha256:" + hashlib.sha256(created.client_secret.encode()).hexdigest()
        assert row.secret_hash == expected  # 256 random bits: a fast hash is enough
        assert created.client_secret not in row.secret_hash
        assert client_secret_matches(row.secret_hash, created.client_secret)
        assert not client_secret_matches(row.secret_hash, created.client_secret + "x")
        listed = clients.list_api_clients(uow, principal=member(org), organisation_id=org.id)
        assert listed.count == 1
        assert listed.data[0].client_id == created.client_id
        assert "client_secret" not in listed.data[0].model_dump()
        every_entry = "".join(
            uow.session.scalars(select(LedgerEntryRow.entry).order_by(LedgerEntryRow.index))
        )
        assert created.client_secret not in every_entry
        assert actions(uow) == ["organisation.created", "api_client.created"]


def test_revoke_an_api_client_once(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        created = clients.create_api_client(
            uow, principal=member(org), organisation_id=org.id, data=ApiClientCreate(name="ERP")
        )
        uow.commit()
    with platform.unit_of_work() as uow:
        with pytest.raises(PermissionDeniedError):
            clients.revoke_api_client(
                uow, principal=member(org, Role.EDITOR), api_client_id=created.id
            )
        first = clients.revoke_api_client(uow, principal=member(org), api_client_id=created.id)
        again = clients.revoke_api_client(uow, principal=member(org), api_client_id=created.id)
        uow.commit()
    assert first.revoked_at is not None
    assert again.revoked_at == first.revoked_at
    with platform.unit_of_work() as uow:
        assert actions(uow) == [
            "organisation.created",
            "api_client.created",
            "api_client.revoked",
        ]


def test_only_admins_manage_api_clients(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        for role in (Role.EDITOR, Role.VIEWER):
            with pytest.raises(PermissionDeniedError):
                clients.create_api_client(
                    uow,
                    principal=member(org, role),
                    organisation_id=org.id,
                    data=ApiClientCreate(name="ERP"),
                )
            with pytest.raises(PermissionDeniedError):
                clients.list_api_clients(uow, principal=member(org, role), organisation_id=org.id)
        assert count(uow, ApiClientRow) == 0


# Grants


@pytest.fixture
def three(platform: Platform) -> dict[str, OrganisationPublic]:
    """A battery maker (grantor), a verifier (grantee) and a bank that is neither."""
    with platform.unit_of_work() as uow:
        orgs = {
            "battery": make_org(uow, "battery"),
            "verifier": make_org(uow, "verifier", OrganisationKind.VERIFIER),
            "bank": make_org(uow, "bank", OrganisationKind.BANK),
        }
        uow.commit()
    return orgs


def grant_data(**changes: object) -> GrantCreate:
    data: dict[str, object] = {
        "grantee": "verifier",
        "object_kind": "study",
        "object_id": "study-1",
        "actions": [Action.READ],
        "purpose": "Verification of the 2026 study",
        "expires_at": in_days(30),
    }
    data.update(changes)
    return GrantCreate.model_validate(data)


def test_grants_are_seen_by_grantor_and_grantee_only(
    platform: Platform, three: dict[str, OrganisationPublic]
) -> None:
    battery, verifier, bank = (member(three[k]) for k in ("battery", "verifier", "bank"))
    with platform.unit_of_work() as uow:
        grant = grants.create_grant(uow, principal=battery, data=grant_data())
        uow.commit()
    assert (grant.grantor_id, grant.grantee_id) == (three["battery"].id, three["verifier"].id)
    assert (grant.object_kind, grant.object_id, grant.actions) == ("study", "study-1", ["read"])
    assert grant.revoked_at is None
    with platform.unit_of_work() as uow:
        given = grants.list_grants(uow, principal=battery)
        received = grants.list_grants(uow, principal=verifier, received=True)
        assert (given.count, [g.id for g in given.data]) == (1, [grant.id])
        assert (received.count, [g.id for g in received.data]) == (1, [grant.id])
        assert grants.list_grants(uow, principal=battery, received=True).count == 0
        assert grants.list_grants(uow, principal=verifier).count == 0
        assert grants.list_grants(uow, principal=bank, received=True).count == 0
        assert grants.get_grant(uow, principal=battery, grant_id=grant.id).id == grant.id
        assert grants.get_grant(uow, principal=verifier, grant_id=grant.id).id == grant.id
        with pytest.raises(NotFoundError):
            grants.get_grant(uow, principal=bank, grant_id=grant.id)
        with pytest.raises(NotFoundError):
            grants.get_grant(uow, principal=battery, grant_id=uuid.uuid4())
        entries, total = ledger.list_entries(uow.session, organisation_id=three["battery"].id)
        assert total == 2
        assert entries[0].event["action"] == "grant.created"
        assert entries[0].event["object"] == {"kind": "grant", "id": str(grant.id)}


def test_only_the_grantors_admins_revoke_a_grant(
    platform: Platform, three: dict[str, OrganisationPublic]
) -> None:
    battery = member(three["battery"])
    with platform.unit_of_work() as uow:
        grant = grants.create_grant(uow, principal=battery, data=grant_data())
        uow.commit()
    with platform.unit_of_work() as uow:
        # The grantee sees the grant (get_grant above), so it may not revoke it: 403, not 404.
        with pytest.raises(PermissionDeniedError):
            grants.revoke_grant(uow, principal=member(three["verifier"]), grant_id=grant.id)
        with pytest.raises(PermissionDeniedError):
            grants.revoke_grant(
                uow, principal=member(three["battery"], Role.EDITOR), grant_id=grant.id
            )
        with pytest.raises(NotFoundError):
            grants.revoke_grant(uow, principal=member(three["bank"]), grant_id=grant.id)
        revoked = grants.revoke_grant(uow, principal=battery, grant_id=grant.id)
        again = grants.revoke_grant(uow, principal=battery, grant_id=grant.id)
        uow.commit()
    assert revoked.revoked_at is not None
    assert again.revoked_at == revoked.revoked_at
    with platform.unit_of_work() as uow:
        assert actions(uow)[-2:] == ["grant.created", "grant.revoked"]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, InvalidInputError, "future"),
        ({"expires_at": datetime(2099, 1, 1)}, InvalidInputError, "time zone"),  # naive
        ({"grantee": "battery"}, InvalidInputError, "itself"),
        ({"grantee": "nobody"}, NotFoundError, "nobody"),
    ],
)
def test_bad_grants_are_refused(
    platform: Platform,
    three: dict[str, OrganisationPublic],
    changes: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with platform.unit_of_work() as uow:
        with pytest.raises(error, match=message):
            grants.create_grant(uow, principal=member(three["battery"]), data=grant_data(**changes))
        assert ledger.size(uow.session) == 3


def test_only_admins_give_grants(platform: Platform, three: dict[str, OrganisationPublic]) -> None:
    with platform.unit_of_work() as uow:
        with pytest.raises(PermissionDeniedError):
            grants.create_grant(
                uow, principal=member(three["battery"], Role.EDITOR), data=grant_data()
            )
        assert ledger.size(uow.session) == 3


# Transactions and the ledger


def test_every_change_is_in_the_ledger(
    platform: Platform, three: dict[str, OrganisationPublic]
) -> None:
    battery = member(three["battery"])
    with platform.unit_of_work() as uow:
        added = service.add_member(
            uow,
            principal=battery,
            organisation_id=three["battery"].id,
            data=MemberCreate(email="gus@example.org", display_name="Gus", password=PASSWORD),
        )
        client = clients.create_api_client(
            uow,
            principal=battery,
            organisation_id=three["battery"].id,
            data=ApiClientCreate(name="ERP"),
        )
        clients.revoke_api_client(uow, principal=battery, api_client_id=client.id)
        grant = grants.create_grant(uow, principal=battery, data=grant_data())
        grants.revoke_grant(uow, principal=battery, grant_id=grant.id)
        service.remove_member(uow, principal=battery, membership_id=added.id)
        uow.commit()
    with platform.unit_of_work() as uow:
        assert actions(uow) == [
            "organisation.created",
            "organisation.created",
            "organisation.created",
            "user.created",
            "membership.created",
            "api_client.created",
            "api_client.revoked",
            "grant.created",
            "grant.revoked",
            "membership.deleted",
        ]
        indices = list(
            uow.session.scalars(select(LedgerEntryRow.index).order_by(LedgerEntryRow.index))
        )
        assert indices == list(range(10))


def fail_half_way(uow: UnitOfWork) -> None:
    org = make_org(uow, "acme")
    service.add_member(
        uow,
        principal=None,
        organisation_id=org.id,
        data=MemberCreate(email="hal@example.org", display_name="Hal", password=PASSWORD),
        system=True,
    )
    assert ledger.size(uow.session) == 3  # written, not committed
    raise RuntimeError("failed half-way")


def test_a_unit_of_work_that_fails_leaves_nothing_behind(platform: Platform) -> None:
    with pytest.raises(RuntimeError, match="half-way"), platform.unit_of_work() as uow:
        fail_half_way(uow)
    with platform.unit_of_work() as uow:  # leaving without commit() rolls back too
        make_org(uow, "beta")
    with platform.unit_of_work() as uow:
        assert count(uow, OrganisationRow) == 0
        assert count(uow, UserRow) == 0
        assert count(uow, MembershipRow) == 0
        assert count(uow, LedgerEntryRow) == 0
        assert count(uow, TreeHeadRow) == 0
        state = uow.session.get(LedgerStateRow, 1)
        assert state is not None
        assert (state.size, state.hashes) == (0, [])


def test_each_commit_signs_a_tree_head_over_the_new_size(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = make_org(uow, "acme")
        uow.commit()
    with platform.unit_of_work() as uow:
        service.add_member(
            uow,
            principal=None,
            organisation_id=org.id,
            data=MemberCreate(email="ida@example.org", display_name="Ida", password=PASSWORD),
            system=True,
        )
        uow.commit()
    with platform.unit_of_work() as uow:  # a commit without ledger entries signs nothing
        uow.commit()
    with platform.unit_of_work() as uow:
        sizes = list(uow.session.scalars(select(TreeHeadRow.tree_size).order_by(TreeHeadRow.id)))
        assert sizes == [1, 3]
        head = ledger.latest_tree_head(uow.session)
        assert head is not None
        assert head.tree_size == 3
        leaves = list(
            uow.session.scalars(select(LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.index))
        )
        assert head.root_hash == root_hash(leaves)
        assert ledger.tree_head(uow.session, 1).root_hash == root_hash(leaves[:1])
        keys = ledger.public_keys(uow.session)
        assert list(keys) == [head.key_id]
        verify_tree_head(head, load_public_key(keys[head.key_id].encode()))


@pytest.mark.parametrize("kind", ["membership", "api_client", "organisation", "grant"])
def test_platform_objects_can_never_be_granted(platform: Platform, kind: str) -> None:
    with platform.unit_of_work() as uow:
        grantor, grantee = make_org(uow, "acme"), make_org(uow, "verifier-co")
        with pytest.raises(InvalidInputError, match="cannot be shared"):
            grants.create_grant(
                uow,
                principal=member(grantor),
                data=GrantCreate(
                    grantee=grantee.slug,
                    object_kind=kind,
                    actions=[Action.ADMIN],
                    purpose="take over",
                    expires_at=utcnow() + timedelta(days=1),
                ),
            )
