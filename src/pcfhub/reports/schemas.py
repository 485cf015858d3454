"""What the reports API and pages take and show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["zh", "en"]
Format = Literal["html", "pdf"]
MEDIA_TYPES: dict[str, str] = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


class ReportCreate(BaseModel):
    """Issue a report of a stored result; purpose and audience default to standard texts."""

    model_config = ConfigDict(extra="forbid")

    result_id: uuid.UUID
    language: Language = "zh"
    purpose: str | None = Field(default=None, max_length=2000)
    audience: str | None = Field(default=None, max_length=2000)


class ReportPublic(BaseModel):
    """An issued report's metadata (the documents are downloaded apart)."""

    id: uuid.UUID
    result_id: uuid.UUID
    language: str
    title: str
    html_sha256: str
    pdf_sha256: str
    html_bytes: int
    pdf_bytes: int
    result_hash: str
    issuer: str
    issued_at: datetime
    ledger_index: int


class HashVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the document, hex")


class TreeHead(BaseModel):
    tree_size: int
    root_hash: str
    timestamp_ms: int
    key_id: str
    signature: str


class ReportVerification(BaseModel):
    """Everything a third party needs to check a document against the platform's ledger:
    the report's ledgered content (holding the documents' hashes), the ledger entry that
    hashes it, its inclusion proof and the signed tree head, and the signing public key."""

    sha256: str
    format: Format
    language: str
    issued_at: datetime
    report: dict[str, Any]
    ledger_index: int
    entry: str  # the entry's canonical JSON: its leaf hash is SHA-256(0x00 ‖ entry)
    leaf_hash: str
    audit_path: list[str]
    tree_head: TreeHead
    public_key_pem: str
    signature_ok: bool
    inclusion_ok: bool
    content_ok: bool  # the ledger entry hashes this report's content and names this report
    verified: bool
