"""Checking a report document against the platform's proof, as a third party would (no I/O).

The chain: the document's SHA-256 is one of the hashes in the report's ledgered content; the
RFC 8785 hash of that content is the ledger entry's ``content_hash``; the entry's leaf hash is
included, by the audit path, in the tree whose root the signed tree head states; and the
platform's public key signed that head. Every link is checked here with nothing but the
document, the proof (`ReportVerification` as JSON) and the public key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pcfhub.errors import InvalidInputError, LedgerError
from pcfhub.ledger.canonical import content_hash
from pcfhub.ledger.merkle import leaf_hash, verify_inclusion
from pcfhub.ledger.signing import SignedTreeHead, load_public_key, verify_tree_head

UNREADABLE_ENTRY = "The proof holds no readable ledger entry."


def entry_mismatch(entry_text: str, report: dict[str, Any]) -> list[str]:
    """How the ledger entry fails to vouch for the report's content, in words (empty: it
    does): it must hash exactly this content and name this report."""
    try:
        entry = json.loads(entry_text)
    except ValueError:
        return [UNREADABLE_ENTRY]
    if not isinstance(entry, dict):
        return [UNREADABLE_ENTRY]
    problems = []
    if entry.get("content_hash") != content_hash(report):
        problems.append("The ledger entry does not hash the report's content.")
    if (entry.get("object") or {}).get("id") != report.get("id"):
        problems.append("The ledger entry is about another object than this report.")
    return problems


def check(document: bytes, proof: dict[str, Any], public_key_pem: bytes) -> list[str]:
    """Every link of the chain that fails, in words; an empty list means verified."""
    problems: list[str] = []
    digest = hashlib.sha256(document).hexdigest()
    report = proof.get("report") or {}
    if digest not in (report.get("html_sha256"), report.get("pdf_sha256")):
        problems.append(f"The document's SHA-256 {digest} is not one the report records.")
    try:
        entry_text = str(proof["entry"])
    except KeyError:
        return [*problems, "The proof holds no readable ledger entry."]
    mismatch = entry_mismatch(entry_text, report)
    problems += mismatch
    if mismatch == [UNREADABLE_ENTRY]:
        return problems
    hashed = leaf_hash(entry_text.encode())
    try:
        head = SignedTreeHead.from_json(proof["tree_head"])
        verify_tree_head(head, load_public_key(public_key_pem))
    except (KeyError, InvalidInputError, LedgerError) as error:
        return [*problems, f"The signed tree head does not verify: {error}"]
    try:
        verify_inclusion(
            leaf_hash=hashed,
            index=int(proof["ledger_index"]),
            tree_size=head.tree_size,
            proof=[bytes.fromhex(p) for p in proof.get("audit_path", [])],
            root_hash=head.root_hash,
        )
    except (KeyError, ValueError, LedgerError) as error:
        problems.append(f"The entry is not included in the signed tree: {error}")
    return problems
