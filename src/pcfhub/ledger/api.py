"""Ledger API: signed tree heads, public keys and proofs for anyone; entries for their owner.

Heads, keys and proofs hold only hashes, so they are public: a verifier, a bank or a foreign
customer checks an entry they were given with nothing but these and the public key. The
entries themselves say what an organisation did and stay with that organisation.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from pcfhub.errors import InvalidInputError, NotFoundError
from pcfhub.ledger import service
from pcfhub.ledger.access import authorize_entries, entry_for
from pcfhub.ledger.signing import SignedTreeHead
from pcfhub.platform.authz import require_principal
from pcfhub.platform.deps import PrincipalDep, UowDep
from pcfhub.platform.schemas import MAX_INT64, Page

router = APIRouter(prefix="/ledger", tags=["ledger"])


class TreeHeadPublic(BaseModel):
    """A signed tree head; its JSON is what `SignedTreeHead.from_json` reads."""

    tree_size: int
    root_hash: str
    timestamp_ms: int
    key_id: str
    signature: str

    @classmethod
    def of(cls, head: SignedTreeHead) -> TreeHeadPublic:
        return cls(**head.to_json())


class EntryPublic(BaseModel):
    index: int
    leaf_hash: str
    entry: dict[str, Any]
    canonical: str


class InclusionProofPublic(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProofPublic(BaseModel):
    first: int
    second: int
    proof: list[str]


def _entry_public(entry: service.LedgerEntry) -> EntryPublic:
    return EntryPublic(
        index=entry.index,
        leaf_hash=entry.leaf_hash.hex(),
        entry=json.loads(entry.entry),
        canonical=entry.entry.decode(),
    )


@router.get("/head")
def latest_head(uow: UowDep) -> TreeHeadPublic:
    """The latest signed tree head."""
    head = service.latest_tree_head(uow.session)
    if head is None:
        raise NotFoundError("The ledger has no signed tree head yet; run pcfhub init.")
    return TreeHeadPublic.of(head)


@router.get("/heads/{tree_size}")
def head_of_size(
    tree_size: Annotated[int, Path(ge=0, le=MAX_INT64)], uow: UowDep
) -> TreeHeadPublic:
    return TreeHeadPublic.of(service.tree_head(uow.session, tree_size))


@router.get("/keys")
def keys(uow: UowDep) -> dict[str, str]:
    """Every public key that signed a tree head: key id → PEM (SubjectPublicKeyInfo)."""
    return service.public_keys(uow.session)


@router.get("/proof/inclusion")
def inclusion_proof(
    uow: UowDep,
    tree_size: Annotated[int, Query(ge=1, le=MAX_INT64)],
    index: Annotated[int | None, Query(ge=0, le=MAX_INT64)] = None,
    leaf_hash: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
) -> InclusionProofPublic:
    """The audit path of one entry (by index or leaf hash) up to a signed tree size."""
    if (index is None) == (leaf_hash is None):
        raise InvalidInputError("Give exactly one of index and leaf_hash.")
    if index is None:
        assert leaf_hash is not None
        index = service.find_index(uow.session, bytes.fromhex(leaf_hash))
    path = service.prove_inclusion(uow.session, index=index, tree_size=tree_size)
    hashed = service.get_entry(uow.session, index).leaf_hash
    return InclusionProofPublic(
        index=index, tree_size=tree_size, leaf_hash=hashed.hex(), audit_path=[p.hex() for p in path]
    )


@router.get("/proof/consistency")
def consistency_proof(
    uow: UowDep,
    first: Annotated[int, Query(ge=0, le=MAX_INT64)],
    second: Annotated[int, Query(ge=0, le=MAX_INT64)],
) -> ConsistencyProofPublic:
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second``."""
    proof = service.prove_consistency(uow.session, old_size=first, new_size=second)
    return ConsistencyProofPublic(first=first, second=second, proof=[p.hex() for p in proof])


@router.get("/entries")
def list_entries(
    uow: UowDep,
    principal: PrincipalDep,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[EntryPublic]:
    """The entries about the caller's organisation, newest first."""
    who = require_principal(principal)
    authorize_entries(uow.session, who)
    entries, count = service.list_entries(
        uow.session, organisation_id=who.organisation_id, offset=offset, limit=limit
    )
    return Page(data=[_entry_public(e) for e in entries], count=count)


@router.get("/entries/{index}")
def get_entry(
    index: Annotated[int, Path(ge=0, le=MAX_INT64)], uow: UowDep, principal: PrincipalDep
) -> EntryPublic:
    """One entry, to members of the organisation it is about."""
    return _entry_public(entry_for(uow.session, require_principal(principal), index))
