"""The ledger in the database: canonical entries, consecutive indices, proofs that verify
against the signed tree head, and one organisation's view of the log."""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pcfhub.errors import InvalidInputError, InvalidProofError, NotFoundError
from pcfhub.ledger import service as ledger
from pcfhub.ledger.audit import audit_log
from pcfhub.ledger.canonical import canonical_json, content_hash
from pcfhub.ledger.merkle import root_hash, verify_consistency, verify_inclusion
from pcfhub.ledger.signing import load_public_key, verify_tree_head
from pcfhub.ledger.store import LedgerStateRow
from pcfhub.platform import service
from pcfhub.platform.context import Platform
from pcfhub.platform.model import SYSTEM_ACTOR, OrganisationKind
from pcfhub.platform.schemas import OrganisationCreate, OrganisationPublic
from pcfhub.platform.uow import UnitOfWork

MOMENT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def create_org(uow: UnitOfWork, slug: str) -> OrganisationPublic:
    return service.create_organisation(
        uow,
        principal=None,
        data=OrganisationCreate(slug=slug, name=slug.title(), kind=OrganisationKind.ENTERPRISE),
        system=True,
    )


def note(uow: UnitOfWork, org: OrganisationPublic | None, action: str = "organisation.noted"):
    """An extra entry about ``org`` (or, without one, about an object that does not exist)."""
    return ledger.append(
        uow.session,
        actor={"user": "u-1"},
        organisation_id=org.id if org else None,
        action=action,
        object_kind="organisation",
        object_id=str(org.id) if org else "gone",
        time=MOMENT,
    )


def test_an_entry_is_the_canonical_json_of_the_event(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        org = create_org(uow, "acme")
        entry = note(uow, org)
        orphan = note(uow, None, "organisation.forgotten")
    expected_content = {"id": str(org.id), "slug": "acme", "name": "Acme", "kind": "enterprise"}
    assert entry.index == 1
    assert entry.event == {
        "v": 1,
        "time": "2026-01-02T03:04:05.678Z",
        "actor": {"user": "u-1"},
        "organisation": str(org.id),
        "action": "organisation.noted",
        "object": {"kind": "organisation", "id": str(org.id)},
        "content_hash": content_hash(expected_content),
    }
    assert entry.entry == canonical_json(entry.event)
    assert entry.leaf_hash == hashlib.sha256(b"\x00" + entry.entry).digest()
    assert orphan.entry == (
        b'{"action":"organisation.forgotten","actor":{"user":"u-1"},"content_hash":null,'
        b'"object":{"id":"gone","kind":"organisation"},"organisation":null,'
        b'"time":"2026-01-02T03:04:05.678Z","v":1}'
    )


def test_entry_times_are_utc(platform: Platform) -> None:
    chongqing = timezone(timedelta(hours=8))
    with platform.unit_of_work() as uow:
        entry = ledger.append(
            uow.session,
            actor=SYSTEM_ACTOR,
            organisation_id=None,
            action="organisation.noted",
            object_kind="organisation",
            object_id="gone",
            time=datetime(2026, 1, 2, 11, 4, 5, 678000, tzinfo=chongqing),
        )
        now = ledger.append(  # no time given: now, to the millisecond
            uow.session,
            actor=SYSTEM_ACTOR,
            organisation_id=None,
            action="organisation.noted",
            object_kind="organisation",
            object_id="gone",
        )
    assert entry.event["time"] == "2026-01-02T03:04:05.678Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", now.event["time"])


def test_indices_are_consecutive_across_commits(platform: Platform) -> None:
    for round_ in range(3):
        with platform.unit_of_work() as uow:
            org = create_org(uow, f"org-{round_}")
            note(uow, org)
            uow.commit()
    with platform.unit_of_work() as uow:
        assert ledger.size(uow.session) == 6
        assert [ledger.get_entry(uow.session, i).index for i in range(6)] == list(range(6))
        entry = ledger.get_entry(uow.session, 4)
        assert ledger.find_index(uow.session, entry.leaf_hash) == 4
        state = uow.session.get(LedgerStateRow, 1)
        assert state is not None
        assert state.size == 6
        with pytest.raises(NotFoundError):
            ledger.get_entry(uow.session, 6)
        with pytest.raises(NotFoundError):
            ledger.find_index(uow.session, bytes(32))


@pytest.fixture
def log(platform: Platform) -> dict[str, OrganisationPublic]:
    """Seven entries in three commits, so signed heads of sizes 2, 5 and 7."""
    orgs = {}
    for slugs in (("acme",), ("beta", "gamma"), ("delta",)):
        with platform.unit_of_work() as uow:
            for slug in slugs:
                orgs[slug] = create_org(uow, slug)
            note(uow, orgs[slugs[0]])
            uow.commit()
    return orgs


def test_the_heads_are_signed_with_the_published_key(
    platform: Platform, log: dict[str, OrganisationPublic]
) -> None:
    with platform.unit_of_work() as uow:
        keys = ledger.public_keys(uow.session)
        assert platform.ledger_key is not None
        public = platform.ledger_key.public_key()
        [(kid, pem)] = keys.items()
        assert load_public_key(pem.encode()) == public
        leaves = [ledger.get_entry(uow.session, i).leaf_hash for i in range(7)]
        for size in (2, 5, 7):
            head = ledger.tree_head(uow.session, size)
            assert head.key_id == kid
            assert head.root_hash == root_hash(leaves[:size])
            verify_tree_head(head, load_public_key(pem.encode()))
        assert ledger.latest_tree_head(uow.session) == ledger.tree_head(uow.session, 7)
        with pytest.raises(NotFoundError):
            ledger.tree_head(uow.session, 3)


def test_inclusion_proofs_lead_to_the_signed_root(
    platform: Platform, log: dict[str, OrganisationPublic]
) -> None:
    with platform.unit_of_work() as uow:
        head = ledger.latest_tree_head(uow.session)
        assert head is not None
        assert head.tree_size == 7
        for index in range(7):
            entry = ledger.get_entry(uow.session, index)
            proof = ledger.prove_inclusion(uow.session, index=index, tree_size=7)
            verify_inclusion(
                leaf_hash=entry.leaf_hash,
                index=index,
                tree_size=7,
                proof=proof,
                root_hash=head.root_hash,
            )
        older = ledger.tree_head(uow.session, 5)
        proof = ledger.prove_inclusion(uow.session, index=4, tree_size=5)
        verify_inclusion(
            leaf_hash=ledger.get_entry(uow.session, 4).leaf_hash,
            index=4,
            tree_size=5,
            proof=proof,
            root_hash=older.root_hash,
        )
        with pytest.raises(InvalidProofError):  # the proof of entry 4 does not fit entry 3
            verify_inclusion(
                leaf_hash=ledger.get_entry(uow.session, 3).leaf_hash,
                index=4,
                tree_size=5,
                proof=proof,
                root_hash=older.root_hash,
            )
        with pytest.raises(InvalidInputError):
            ledger.prove_inclusion(uow.session, index=7, tree_size=7)
        with pytest.raises(InvalidInputError):
            ledger.prove_inclusion(uow.session, index=0, tree_size=8)


def test_consistency_proofs_link_the_signed_heads(
    platform: Platform, log: dict[str, OrganisationPublic]
) -> None:
    with platform.unit_of_work() as uow:
        heads = {size: ledger.tree_head(uow.session, size) for size in (2, 5, 7)}
        for old, new in ((2, 5), (5, 7), (2, 7), (7, 7)):
            verify_consistency(
                old_size=old,
                new_size=new,
                old_root=heads[old].root_hash,
                new_root=heads[new].root_hash,
                proof=ledger.prove_consistency(uow.session, old_size=old, new_size=new),
            )
        with pytest.raises(InvalidProofError):  # 5 → 7 is not a proof from 2
            verify_consistency(
                old_size=2,
                new_size=7,
                old_root=heads[2].root_hash,
                new_root=heads[7].root_hash,
                proof=ledger.prove_consistency(uow.session, old_size=5, new_size=7),
            )
        with pytest.raises(InvalidInputError):
            ledger.prove_consistency(uow.session, old_size=5, new_size=2)


def test_an_organisation_lists_only_its_own_entries(
    platform: Platform, log: dict[str, OrganisationPublic]
) -> None:
    # acme: 0 created, 1 noted; beta: 2 created, 4 noted; gamma: 3; delta: 5, 6.
    with platform.unit_of_work() as uow:
        expected = {"acme": [1, 0], "beta": [4, 2], "gamma": [3], "delta": [6, 5]}
        for slug, indices in expected.items():
            entries, total = ledger.list_entries(uow.session, organisation_id=log[slug].id)
            assert [e.index for e in entries] == indices  # newest first
            assert total == len(indices)
            assert {e.event["organisation"] for e in entries} == {str(log[slug].id)}
        page, total = ledger.list_entries(
            uow.session, organisation_id=log["beta"].id, offset=1, limit=1
        )
        assert ([e.index for e in page], total) == ([2], 2)
        assert ledger.list_entries(uow.session, organisation_id=uuid.uuid4()) == ([], 0)


def test_concurrent_writers_get_consecutive_entries(platform: Platform) -> None:
    """Four threads append at once; the state row serialises them, nothing is lost."""
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(3):
                with platform.unit_of_work() as uow:
                    org = create_org(uow, f"w{worker}-{i}")
                    note(uow, org)
                    uow.commit()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with platform.unit_of_work() as uow:
        report = audit_log(uow.session)
        assert report.ok, report.problems
        assert (report.entries, report.tree_heads) == (24, 12)
        # each commit's two entries are adjacent: nobody wrote between them
        for index in range(0, 24, 2):
            created, noted = (ledger.get_entry(uow.session, index + k).event for k in (0, 1))
            assert created["object"] == noted["object"]
