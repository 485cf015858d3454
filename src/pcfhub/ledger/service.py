"""Ledger use cases: append an event in the caller's transaction, sign tree heads, serve proofs.

The ledger is written only through `append`, inside the same database transaction as the
change it records; the unit of work signs a new tree head before it commits. Reading proofs
needs nothing secret.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pcfhub.errors import InvalidInputError, LedgerError, NotFoundError
from pcfhub.ledger.canonical import canonical_json, content_hash
from pcfhub.ledger.merkle import (
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_inclusion,
)
from pcfhub.ledger.objects import read_content
from pcfhub.ledger.signing import (
    SignedTreeHead,
    key_id,
    load_public_key,
    public_key_to_pem,
    sign_tree_head,
    verify_tree_head,
)
from pcfhub.ledger.store import LedgerEntryRow, LedgerKeyRow, LedgerStateRow, TreeHeadRow
from pcfhub.platform.db import utcnow

STATE_ROW_ID = 1
ENTRY_VERSION = 1
PENDING = "ledger_pending"


@dataclass(frozen=True)
class LedgerEntry:
    """One entry of the log with its position and hash."""

    index: int
    entry: bytes
    leaf_hash: bytes
    organisation_id: uuid.UUID | None

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.entry)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, the form ledger entries use."""
    if moment.tzinfo is None:
        raise InvalidInputError(f"time {moment!r} has no time zone; pass an aware datetime.")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def append(
    session: Session,
    *,
    actor: dict[str, str],
    organisation_id: uuid.UUID | None,
    action: str,
    object_kind: str,
    object_id: str,
    time: datetime | None = None,
) -> LedgerEntry:
    """Record that ``actor`` did ``action`` to an object, hashing the object's current content.

    Call it after the change (it flushes the session), inside the change's transaction.
    """
    session.flush()
    content = read_content(session, object_kind, object_id)
    event = {
        "v": ENTRY_VERSION,
        "time": format_time(time or utcnow()),
        "actor": actor,
        "organisation": str(organisation_id) if organisation_id else None,
        "action": action,
        "object": {"kind": object_kind, "id": object_id},
        "content_hash": content_hash(content) if content is not None else None,
    }
    data = canonical_json(event)
    state = _locked_state(session)
    tree = CompactRange.from_json(state.size, state.hashes)
    hashed = leaf_hash(data)
    tree = tree.append(hashed)
    index = state.size
    session.add(
        LedgerEntryRow(
            index=index,
            entry=data.decode(),
            leaf_hash=hashed,
            action=action,
            object_kind=object_kind,
            object_id=object_id,
            organisation_id=organisation_id,
        )
    )
    state.size = tree.size
    state.hashes = tree.to_json()
    session.flush()
    session.info[PENDING] = True
    return LedgerEntry(index, data, hashed, organisation_id)


def _locked_state(session: Session) -> LedgerStateRow:
    state = session.execute(
        select(LedgerStateRow)
        .where(LedgerStateRow.id == STATE_ROW_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if state is None:
        state = LedgerStateRow(id=STATE_ROW_ID, size=0, hashes=[])
        session.add(state)
        session.flush()
    return state


def has_pending_entries(session: Session) -> bool:
    return bool(session.info.get(PENDING))


def sign_pending_head(session: Session, private_key: Ed25519PrivateKey) -> SignedTreeHead | None:
    """Sign the tree head after this transaction's appends (None when nothing was appended)."""
    if not session.info.pop(PENDING, False):
        return None
    state = _locked_state(session)
    tree = CompactRange.from_json(state.size, state.hashes)
    head = sign_tree_head(
        private_key,
        tree_size=tree.size,
        root_hash=tree.root(),
        timestamp_ms=int(utcnow().timestamp() * 1000),
    )
    publish_key(session, private_key)
    session.add(
        TreeHeadRow(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp_ms=head.timestamp_ms,
            key_id=head.key_id,
            signature=head.signature,
        )
    )
    session.flush()
    return head


def publish_key(session: Session, private_key: Ed25519PrivateKey) -> str:
    """Make sure the public half of ``private_key`` is published; return its key id."""
    public = private_key.public_key()
    kid = key_id(public)
    if session.get(LedgerKeyRow, kid) is None:
        session.add(LedgerKeyRow(key_id=kid, public_key_pem=public_key_to_pem(public).decode()))
        session.flush()
    return kid


def latest_tree_head(session: Session) -> SignedTreeHead | None:
    row = session.scalars(
        select(TreeHeadRow).order_by(TreeHeadRow.tree_size.desc(), TreeHeadRow.id.desc()).limit(1)
    ).first()
    return row.head() if row else None


def tree_head(session: Session, tree_size: int) -> SignedTreeHead:
    row = session.scalars(
        select(TreeHeadRow)
        .where(TreeHeadRow.tree_size == tree_size)
        .order_by(TreeHeadRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFoundError(f"No signed tree head of size {tree_size}.")
    return row.head()


def public_keys(session: Session) -> dict[str, str]:
    """Every published key: key id → PEM."""
    return {row.key_id: row.public_key_pem for row in session.scalars(select(LedgerKeyRow))}


def size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0


def get_entry(session: Session, index: int) -> LedgerEntry:
    row = session.get(LedgerEntryRow, index)
    if row is None:
        raise NotFoundError(f"The ledger has no entry {index}.")
    return LedgerEntry(row.index, row.entry.encode(), row.leaf_hash, row.organisation_id)


def find_index(session: Session, hashed: bytes) -> int:
    """The index of the entry with this leaf hash."""
    found = session.scalar(select(LedgerEntryRow.index).where(LedgerEntryRow.leaf_hash == hashed))
    if found is None:
        raise NotFoundError(f"The ledger has no entry with leaf hash {hashed.hex()}.")
    return found


def list_entries(
    session: Session, *, organisation_id: uuid.UUID, offset: int = 0, limit: int = 50
) -> tuple[list[LedgerEntry], int]:
    """One organisation's entries, newest first, and how many there are."""
    where = LedgerEntryRow.organisation_id == organisation_id
    count = session.scalar(select(func.count()).select_from(LedgerEntryRow).where(where)) or 0
    rows = session.scalars(
        select(LedgerEntryRow)
        .where(where)
        .order_by(LedgerEntryRow.index.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        LedgerEntry(r.index, r.entry.encode(), r.leaf_hash, r.organisation_id) for r in rows
    ], count


def _leaf_hashes(session: Session, tree_size: int) -> list[bytes]:
    current = size(session)
    if not 0 <= tree_size <= current:
        raise InvalidInputError(f"tree_size {tree_size} is outside the log (0..{current}).")
    return list(
        session.scalars(
            select(LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.index).limit(tree_size)
        )
    )


def prove_inclusion(session: Session, *, index: int, tree_size: int) -> list[bytes]:
    """Audit path of entry ``index`` in the tree of the first ``tree_size`` entries."""
    if not 0 <= index < tree_size:
        raise InvalidInputError(f"index {index} is not below tree_size {tree_size}.")
    return inclusion_proof(_leaf_hashes(session, tree_size), index, tree_size)


def prove_consistency(session: Session, *, old_size: int, new_size: int) -> list[bytes]:
    """Proof that the tree of ``old_size`` entries is a prefix of the one of ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise InvalidInputError(f"old_size {old_size} must be between 0 and new_size {new_size}.")
    return consistency_proof(_leaf_hashes(session, new_size), old_size, new_size)


def published_keys(session: Session) -> dict[str, Ed25519PublicKey]:
    """Every published key, loaded: key id → public key."""
    return {
        row.key_id: load_public_key(row.public_key_pem.encode())
        for row in session.scalars(select(LedgerKeyRow))
    }


def load_published_key(session: Session, kid: str) -> Ed25519PublicKey:
    row = session.get(LedgerKeyRow, kid)
    if row is None:
        raise NotFoundError(f"No published ledger key with id {kid}.")
    return load_public_key(row.public_key_pem.encode())


@dataclass(frozen=True)
class EntryCheck:
    """The result of checking one entry against the latest signed tree head, as a third party
    would: only hashes, the proof and the published public key are used."""

    index: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    audit_path: tuple[str, ...]
    key_id: str
    signature_ok: bool
    inclusion_ok: bool
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.signature_ok and self.inclusion_ok


def check_entry(session: Session, *, index: int) -> EntryCheck:
    """Prove entry ``index`` is in the log the latest signed tree head commits to."""
    head = latest_tree_head(session)
    if head is None:
        raise NotFoundError("The ledger has no signed tree head yet.")
    entry = get_entry(session, index)
    if index >= head.tree_size:
        raise NotFoundError(f"Entry {index} is not yet covered by a signed tree head.")
    path = prove_inclusion(session, index=index, tree_size=head.tree_size)
    problem = None
    signature_ok = inclusion_ok = False
    try:
        verify_tree_head(head, load_published_key(session, head.key_id))
        signature_ok = True
    except (LedgerError, NotFoundError) as error:
        problem = str(error)
    try:
        verify_inclusion(
            leaf_hash=leaf_hash(entry.entry),
            index=index,
            tree_size=head.tree_size,
            proof=path,
            root_hash=head.root_hash,
        )
        inclusion_ok = True
    except LedgerError as error:
        problem = problem or str(error)
    return EntryCheck(
        index=index,
        leaf_hash=entry.leaf_hash.hex(),
        tree_size=head.tree_size,
        root_hash=head.root_hash.hex(),
        audit_path=tuple(p.hex() for p in path),
        key_id=head.key_id,
        signature_ok=signature_ok,
        inclusion_ok=inclusion_ok,
        problem=problem,
    )
