"""Ledger tables: the entries, the O(log n) state of the tree, signed tree heads, public keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pcfhub.ledger.signing import SignedTreeHead
from pcfhub.platform.db import Base, utcnow


class LedgerEntryRow(Base):
    """One leaf of the Merkle log: the canonical JSON of an event, exactly as hashed."""

    __tablename__ = "ledger_entries"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_kind: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerStateRow(Base):
    """The single row that serialises appends: tree size and the compact range of its roots."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    hashes: Mapped[list[str]] = mapped_column(JSON)


class TreeHeadRow(Base):
    """A signed tree head (STH): the root of the first ``tree_size`` entries, signed."""

    __tablename__ = "ledger_tree_heads"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))

    def head(self) -> SignedTreeHead:
        """The row as the signed statement it stores (unchecked: audits verify it)."""
        return SignedTreeHead(
            tree_size=self.tree_size,
            root_hash=self.root_hash,
            timestamp_ms=self.timestamp_ms,
            key_id=self.key_id,
            signature=self.signature,
        )


class LedgerKeyRow(Base):
    """Every public key that ever signed a tree head, published under its key id."""

    __tablename__ = "ledger_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
