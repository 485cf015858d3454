"""Evidence for a factor version: files the contributor gives the reviewers (an EPD, a test
report, the source table).

Evidence may be confidential, so only the contributor's members and the reviewers read it.
Files are added while the version is a draft or submitted; each is a ledger entry whose
content hash covers the file's SHA-256, so `pcfhub verify` names a swapped file.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import PurePath

from sqlalchemy import func, select

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError
from pcfhub.factors.access import authorize_contributor, is_reviewer
from pcfhub.factors.model import FactorStatus
from pcfhub.factors.schemas import EvidencePublic
from pcfhub.factors.service import OPEN_FOR_EVIDENCE
from pcfhub.factors.store import FactorEvidenceRow, FactorVersionRow
from pcfhub.factors.versions import version_row
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import require_principal
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.uow import UnitOfWork

MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
MAX_FILES_PER_VERSION = 20
# Suffix → (media type, the bytes such a file starts with, or None when any text will do).
KINDS: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".csv": ("text/csv", None),
    ".txt": ("text/plain", None),
    ".json": ("application/json", None),
}
UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\\"<>|:*?]+")


def _public(row: FactorEvidenceRow) -> EvidencePublic:
    return EvidencePublic(
        id=row.id,
        version_id=row.version_id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
    )


def _clean_name(filename: str) -> str:
    name = UNSAFE.sub("_", PurePath(filename.replace("\\", "/")).name).strip(" .")
    return name[-200:]


def _media_type(name: str, content: bytes) -> str:
    """The media type the suffix names, once the bytes agree with it."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in KINDS:
        raise InvalidInputError(
            f"file: {name!r} is not an accepted kind of evidence; use "
            + ", ".join(sorted(KINDS))
            + "."
        )
    media_type, magic = KINDS[suffix]
    if magic is not None and not content.startswith(magic):
        raise InvalidInputError(f"file: {name!r} is not a {suffix} file (its bytes say otherwise).")
    if magic is None:
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidInputError(
                f"file: {name!r} is not UTF-8 text (byte {error.start})."
            ) from None
    return media_type


def _readable(uow: UnitOfWork, principal: Principal | None, row: FactorVersionRow) -> Principal:
    """The contributor's members and the reviewers; anyone else is told nothing exists."""
    principal = require_principal(principal)
    if is_reviewer(principal):
        return principal
    if row.lineage.contributor_id != principal.organisation_id:
        raise NotFoundError(f"No evidence of factor version {row.id} here.")
    authorize_contributor(uow.session, principal, row, Action.READ)
    return principal


def add_evidence(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    version_id: uuid.UUID,
    filename: str,
    content: bytes,
) -> EvidencePublic:
    """Attach a file to a draft or submitted version of the caller's organisation."""
    session = uow.session
    row = version_row(session, version_id)
    principal = authorize_contributor(session, principal, row, Action.WRITE)
    if FactorStatus(row.status) not in OPEN_FOR_EVIDENCE:
        raise ConflictError(
            f"status: factor version {row.id} is {row.status}; evidence is added until the "
            "review ends (give more with a new version)."
        )
    name = _clean_name(filename)
    if not name:
        raise InvalidInputError("file: give the file a name.")
    if not content:
        raise InvalidInputError(f"file: {name!r} is empty.")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise InvalidInputError(
            f"file: {name!r} has {len(content):,} bytes; evidence files have at most "
            f"{MAX_EVIDENCE_BYTES:,}."
        )
    media_type = _media_type(name, content)
    count = session.scalar(select(func.count()).where(FactorEvidenceRow.version_id == row.id))
    if (count or 0) >= MAX_FILES_PER_VERSION:
        raise ConflictError(f"file: a version has at most {MAX_FILES_PER_VERSION} evidence files.")
    evidence = FactorEvidenceRow(
        version_id=row.id,
        filename=name,
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        added_by=principal.user_id,
    )
    session.add(evidence)
    session.flush()
    ledger.append(
        session,
        actor=principal.actor,
        organisation_id=row.lineage.contributor_id,
        action="factor.evidence_added",
        object_kind="factor_evidence",
        object_id=str(evidence.id),
    )
    return _public(evidence)


def list_evidence(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> list[EvidencePublic]:
    """The evidence of a version, oldest first."""
    row = version_row(uow.session, version_id)
    _readable(uow, principal, row)
    found = uow.session.scalars(
        select(FactorEvidenceRow)
        .where(FactorEvidenceRow.version_id == row.id)
        .order_by(FactorEvidenceRow.created_at, FactorEvidenceRow.id)
    )
    return [_public(evidence) for evidence in found]


def evidence_file(
    uow: UnitOfWork, *, principal: Principal | None, evidence_id: uuid.UUID
) -> tuple[EvidencePublic, bytes]:
    """One evidence file and its bytes."""
    evidence = uow.session.get(FactorEvidenceRow, evidence_id)
    if evidence is None:
        raise NotFoundError(f"No evidence {evidence_id} here.")
    _readable(uow, principal, version_row(uow.session, evidence.version_id))
    return _public(evidence), evidence.content
