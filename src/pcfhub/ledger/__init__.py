"""Tamper-evident ledger core: RFC 9162 Merkle tree and proofs, RFC 8785 canonical JSON, and
Ed25519 signed tree heads. Pure functions; no database, no web."""
