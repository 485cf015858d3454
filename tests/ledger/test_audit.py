"""`pcfhub verify` catches rows changed behind the application's back.

Each test tampers with the database directly (SQL on a connection of its own, as someone with
database access would) and checks that the audit names the entry at fault.

The log used here, seven entries in three commits (signed heads of sizes 3, 6 and 7):
    0 organisation.created acme    1 user.created alice    2 membership.created alice@acme
    3 organisation.created beta    4 user.created bob      5 membership.created bob@beta
    6 api_client.created acme
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, delete, select, text, update

from pcfhub.ledger.audit import AuditReport, audit_log
from pcfhub.ledger.signing import generate_private_key, key_id
from pcfhub.ledger.store import LedgerEntryRow, TreeHeadRow
from pcfhub.platform import clients, service
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.schemas import ApiClientCreate, MemberCreate, OrganisationCreate

PASSWORD = "correct horse battery"
ENTRIES = LedgerEntryRow.__table__
HEADS = TreeHeadRow.__table__


@dataclass(frozen=True)
class Log:
    platform: Platform
    acme_admin: Principal
    bob_membership: Any

    def audit(self, **options: Any) -> AuditReport:
        with self.platform.unit_of_work() as uow:
            return audit_log(uow.session, **options)

    def tamper(self, *statements: Any) -> None:
        """Run SQL straight on the database, outside any unit of work."""
        with self.platform.engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)


@pytest.fixture
def log(platform: Platform) -> Log:
    members = {}
    for slug, name in (("acme", "alice"), ("beta", "bob")):
        with platform.unit_of_work() as uow:
            org = service.create_organisation(
                uow,
                principal=None,
                data=OrganisationCreate(
                    slug=slug, name=slug.title(), kind=OrganisationKind.ENTERPRISE
                ),
                system=True,
            )
            members[slug] = service.add_member(
                uow,
                principal=None,
                organisation_id=org.id,
                data=MemberCreate(
                    email=f"{name}@example.org",
                    display_name=name.title(),
                    password=PASSWORD,
                    role=Role.ADMIN,
                ),
                system=True,
            )
            uow.commit()
    acme_admin = Principal(
        members["acme"].organisation_id,
        OrganisationKind.ENTERPRISE,
        Role.ADMIN,
        user_id=members["acme"].user_id,
    )
    with platform.unit_of_work() as uow:
        clients.create_api_client(
            uow,
            principal=acme_admin,
            organisation_id=acme_admin.organisation_id,
            data=ApiClientCreate(name="ERP"),
        )
        uow.commit()
    return Log(platform, acme_admin, members["beta"])


def entry_text(connection: Connection, index: int) -> str:
    return connection.execute(select(ENTRIES.c.entry).where(ENTRIES.c.index == index)).scalar_one()


def rewritten(log: Log, index: int) -> str:
    """Entry ``index`` with another actor: still canonical JSON, but not what was signed."""
    with log.platform.engine.connect() as connection:
        event = json.loads(entry_text(connection, index))
    event["actor"] = {"user": "someone-else"}
    return json.dumps(event, separators=(",", ":"), sort_keys=True)


def checks(report: AuditReport) -> list[tuple[int | None, str]]:
    return [(p.index, p.check) for p in report.problems]


def test_a_clean_log_verifies(log: Log) -> None:
    report = log.audit()
    assert report.ok, report.problems
    assert (report.entries, report.tree_heads, report.objects) == (7, 3, 7)
    assert report.first_problem is None


def test_a_removal_through_the_application_verifies(log: Log) -> None:
    """Deleting through the service records the deletion, so the audit stays clean."""
    beta_id = log.bob_membership.organisation_id
    with log.platform.unit_of_work() as uow:
        alice_at_beta = service.add_member(  # 7 membership.created (alice exists already)
            uow,
            principal=None,
            organisation_id=beta_id,
            data=MemberCreate(email="alice@example.org", display_name="Alice", role=Role.ADMIN),
            system=True,
        )
        uow.commit()
    bob = Principal(
        beta_id, OrganisationKind.ENTERPRISE, Role.ADMIN, user_id=log.bob_membership.user_id
    )
    with log.platform.unit_of_work() as uow:
        service.remove_member(uow, principal=bob, membership_id=alice_at_beta.id)  # 8
        uow.commit()
    report = log.audit()
    assert report.ok, report.problems
    assert (report.entries, report.tree_heads, report.objects) == (9, 5, 8)


@pytest.mark.parametrize(("slug", "index"), [("acme", 0), ("beta", 3)])
def test_an_edited_organisation_is_named(log: Log, slug: str, index: int) -> None:
    log.tamper(
        text("UPDATE organisations SET name = :name WHERE slug = :slug").bindparams(
            name="Someone Else Ltd", slug=slug
        )
    )
    report = log.audit()
    assert not report.ok
    assert checks(report) == [(index, "object")]
    problem = report.first_problem
    assert problem is not None
    assert problem.index == index
    assert f"entry {index} " in problem.message
    assert "organisation" in problem.message
    assert "has changed" in problem.message


def test_a_swapped_password_hash_is_named(log: Log) -> None:
    log.tamper(
        text("UPDATE users SET password_hash = :hash WHERE email = :email").bindparams(
            hash="$argon2id$v=19$m=65536,t=3,p=4$forged", email="alice@example.org"
        )
    )
    assert checks(log.audit()) == [(1, "object")]
    assert "user" in log.audit().problems[0].message


def test_a_deleted_row_is_named(log: Log) -> None:
    log.tamper(
        text(
            "DELETE FROM memberships WHERE user_id = "
            "(SELECT id FROM users WHERE email = 'bob@example.org')"
        )
    )
    report = log.audit()
    assert checks(report) == [(5, "object")]
    assert report.first_problem is not None
    assert "membership" in report.first_problem.message
    assert "was deleted" in report.first_problem.message


def test_an_edited_entry_no_longer_matches_its_leaf_hash(log: Log) -> None:
    log.tamper(update(ENTRIES).where(ENTRIES.c.index == 4).values(entry=rewritten(log, 4)))
    report = log.audit()
    assert report.first_problem is not None
    assert (report.first_problem.index, report.first_problem.check) == (4, "leaf")
    assert "entry 4 " in report.first_problem.message
    # the recomputed tree no longer gives the roots signed after it
    assert checks(report) == [(4, "leaf")]  # the stored leaf hashes still give every root


def test_an_entry_edited_with_its_leaf_hash_breaks_the_signed_root(log: Log) -> None:
    forged = rewritten(log, 4)
    log.tamper(
        update(ENTRIES)
        .where(ENTRIES.c.index == 4)
        .values(entry=forged, leaf_hash=hashlib.sha256(b"\x00" + forged.encode()).digest())
    )
    report = log.audit()
    assert report.first_problem is not None
    assert report.first_problem.check == "root"
    assert "one of entries 3..5" in report.first_problem.message  # the last good head: 3
    assert checks(report) == [(3, "root"), (3, "root"), (None, "state")]


def test_an_entry_whose_columns_disagree_with_its_text(log: Log) -> None:
    log.tamper(update(ENTRIES).where(ENTRIES.c.index == 2).values(action="membership.deleted"))
    assert checks(log.audit()) == [(2, "entry")]


def test_a_deleted_entry_breaks_the_sequence(log: Log) -> None:
    log.tamper(delete(ENTRIES).where(ENTRIES.c.index == 3))
    report = log.audit()
    assert report.first_problem is not None
    assert (report.first_problem.index, report.first_problem.check) == (3, "sequence")
    assert "entry 3 is missing" in report.first_problem.message


def test_a_changed_signature_is_named(log: Log) -> None:
    with log.platform.engine.connect() as connection:
        signature = connection.execute(
            select(HEADS.c.signature).where(HEADS.c.tree_size == 6)
        ).scalar_one()
    flipped = bytes([signature[0] ^ 1]) + bytes(signature[1:])
    log.tamper(update(HEADS).where(HEADS.c.tree_size == 6).values(signature=flipped))
    report = log.audit()
    assert checks(report) == [(None, "signature")]
    assert report.first_problem is not None
    assert "size 6" in report.first_problem.message


def test_entries_after_the_last_signed_head_are_named(log: Log) -> None:
    log.tamper(delete(HEADS).where(HEADS.c.tree_size == 7))
    report = log.audit()
    assert checks(report) == [(6, "unsigned")]
    assert report.first_problem is not None
    assert "entries 6..6" in report.first_problem.message
    assert report.tree_heads == 2


def test_heads_must_be_signed_by_a_trusted_key(log: Log) -> None:
    platform_key = log.platform.ledger_key
    assert platform_key is not None
    trusted = {key_id(platform_key.public_key()): platform_key.public_key()}
    assert log.audit(trusted_keys=trusted).ok
    stranger = generate_private_key().public_key()
    report = log.audit(trusted_keys={key_id(stranger): stranger})
    assert checks(report) == [(None, "signature")] * 3
    assert all("unknown key" in p.message for p in report.problems)
