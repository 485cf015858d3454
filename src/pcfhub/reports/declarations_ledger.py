"""Issued declarations in the ledger, without a table of their own.

An issued declaration is recorded as a ledger entry about object kind ``declaration`` whose id
is the SHA-256 (hex) of the document's bytes, so whoever holds the file can find its entry
(``GET /api/v1/ledger/entries``, or the ledger page) and check it against a signed tree head.
The document itself names the accounting result it was mapped from. The content the ledger
hashes is derived from the id alone, so `pcfhub verify` can recompute it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from pcfhub.ledger.objects import object_kind

KIND = "declaration"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@object_kind(KIND, ids=lambda _session: [])
def declaration_content(_session: Session, object_id: str) -> dict[str, Any] | None:
    return {"sha256": object_id} if SHA256_HEX.fullmatch(object_id) else None
