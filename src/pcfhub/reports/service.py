"""Study report use cases: preview, issue, list, read, download and verify.

A report is made from a stored accounting result, the model version it was computed from and
the rule it was checked against. Members of the result's organisation may preview (read) and
issue (write) its reports; an issued report keeps both documents as issued, is never changed,
and is one ledger entry written in the same transaction. Anyone holding a document can verify
it by its SHA-256: the answer holds only the report's ledgered hashes and public proofs.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from pcfhub.accounting import service as accounting
from pcfhub.catalogue import service as catalogue
from pcfhub.catalogue.model import RuleData
from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.ledger import service as ledger
from pcfhub.ledger.signing import public_key_to_pem
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal, actor_of
from pcfhub.platform.pages import MAX_PAGE
from pcfhub.platform.schemas import Page
from pcfhub.platform.store import OrganisationRow, UserRow
from pcfhub.platform.uow import UnitOfWork
from pcfhub.reports.content import Issue, ReportSource, build
from pcfhub.reports.render import render_html, render_pdf
from pcfhub.reports.schemas import (
    MEDIA_TYPES,
    Format,
    Language,
    ReportCreate,
    ReportPublic,
    ReportVerification,
    TreeHead,
)
from pcfhub.reports.store import ReportRow, ledgered
from pcfhub.reports.verify import entry_mismatch

REPORT = "report"


@dataclass(frozen=True)
class Document:
    """A report document to send: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def _authorize(
    uow: UnitOfWork,
    principal: Principal,
    action: Action,
    owner: uuid.UUID,
    object_id: uuid.UUID | None = None,
) -> None:
    authorize(
        uow.session,
        principal,
        action,
        owner_id=owner,
        object_kind=REPORT,
        object_id=str(object_id) if object_id else None,
    )


def _rule(uow: UnitOfWork, code: str | None, version: int | None) -> RuleData | None:
    if code is None or version is None:
        return None
    return catalogue.rule_public(catalogue.rule_row(uow.session, code, version)).data


def _load(
    uow: UnitOfWork,
    principal: Principal,
    result_id: uuid.UUID,
    purpose: str | None,
    audience: str | None,
) -> tuple[uuid.UUID, ReportSource]:
    """The result's organisation, and what a report of it is made from."""
    stored = accounting.get_result(uow, principal=principal, result_id=result_id)
    owner = stored.organisation_id
    _authorize(uow, principal, Action.READ, owner)
    version = accounting.get_model(
        uow, principal=principal, model_id=stored.model_id, version=stored.model_version
    )
    organisation = uow.session.get(OrganisationRow, owner)
    assert organisation is not None
    provenance = stored.result.provenance
    return owner, ReportSource(
        result_id=stored.id,
        result_hash=stored.content_hash,
        computed_at=stored.created_at,
        result=stored.result,
        model=version.model,
        model_version=version.version,
        organisation=organisation.name,
        rule=_rule(uow, provenance.rule_code, provenance.rule_version),
        purpose=(purpose or "").strip() or None,
        audience=(audience or "").strip() or None,
    )


def source_of(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    result_id: uuid.UUID,
    purpose: str | None = None,
    audience: str | None = None,
) -> ReportSource:
    """What a report of ``result_id`` is made from; the caller must be able to read it."""
    return _load(uow, require_principal(principal), result_id, purpose, audience)[1]


def preview(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    result_id: uuid.UUID,
    language: Language,
    format: Format,
    base_url: str,
    purpose: str | None = None,
    audience: str | None = None,
) -> Document:
    """A report of the result marked as a preview; nothing is stored."""
    source = source_of(
        uow, principal=principal, result_id=result_id, purpose=purpose, audience=audience
    )
    html = render_html(build(source, language), base_url=base_url)
    content = html.encode() if format == "html" else render_pdf(html)
    return Document(content, MEDIA_TYPES[format], f"preview-{result_id}-{language}.{format}")


def _issuer(uow: UnitOfWork, principal: Principal) -> str:
    if principal.user_id is not None:
        user = uow.session.get(UserRow, principal.user_id)
        if user is not None:
            return user.display_name
    return f"API client {principal.client_id}"


def issue(
    uow: UnitOfWork, *, principal: Principal | None, data: ReportCreate, base_url: str
) -> ReportPublic:
    """Render the report in both formats, store it and write its ledger entry; only the
    result's own organisation may issue."""
    principal = require_principal(principal)
    owner, source = _load(uow, principal, data.result_id, data.purpose, data.audience)
    if owner != principal.organisation_id:
        raise PermissionDeniedError(
            "Only the organisation that owns the result may issue its report; ask them."
        )
    _authorize(uow, principal, Action.WRITE, owner)
    report_id, issued_at = uuid.uuid4(), utcnow()
    issuer = _issuer(uow, principal)
    report = build(source, data.language, Issue(report_id, issued_at, issuer))
    html = render_html(report, base_url=base_url).encode()
    pdf = render_pdf(html.decode())
    row = ReportRow(
        id=report_id,
        organisation_id=owner,
        result_id=source.result_id,
        language=data.language,
        title=f"{report.product} · {source.result.declared_unit}"[:300],
        html=html,
        pdf=pdf,
        html_sha256=hashlib.sha256(html).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        result_hash=source.result_hash,
        issuer=issuer[:300],
        issued_by=principal.user_id,
        issued_at=issued_at,
    )
    uow.session.add(row)
    uow.session.flush()
    entry = ledger.append(
        uow.session,
        actor=actor_of(principal),
        organisation_id=owner,
        action="report.issued",
        object_kind=REPORT,
        object_id=str(row.id),
    )
    row.ledger_index = entry.index
    uow.session.flush()
    return _public(row)


def _public(row: ReportRow) -> ReportPublic:
    return ReportPublic(
        id=row.id,
        result_id=row.result_id,
        language=row.language,
        title=row.title,
        html_sha256=row.html_sha256,
        pdf_sha256=row.pdf_sha256,
        html_bytes=len(row.html),
        pdf_bytes=len(row.pdf),
        result_hash=row.result_hash,
        issuer=row.issuer,
        issued_at=row.issued_at,
        ledger_index=row.ledger_index if row.ledger_index is not None else -1,
    )


def _row(uow: UnitOfWork, principal: Principal | None, report_id: uuid.UUID) -> ReportRow:
    principal = require_principal(principal)
    row = uow.session.get(ReportRow, report_id)
    if row is None:
        raise NotFoundError(f"No report {report_id} here.")
    _authorize(uow, principal, Action.READ, row.organisation_id, report_id)
    return row


def get_report(
    uow: UnitOfWork, *, principal: Principal | None, report_id: uuid.UUID
) -> ReportPublic:
    return _public(_row(uow, principal, report_id))


def document(
    uow: UnitOfWork, *, principal: Principal | None, report_id: uuid.UUID, format: Format
) -> Document:
    """An issued report's document, byte for byte as issued."""
    row = _row(uow, principal, report_id)
    content = row.html if format == "html" else row.pdf
    return Document(content, MEDIA_TYPES[format], f"pcf-report-{row.id}-{row.language}.{format}")


def list_reports(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    result_id: uuid.UUID | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ReportPublic]:
    """The organisation's issued reports (of one result when given), newest first."""
    principal = require_principal(principal)
    owner = principal.organisation_id
    _authorize(uow, principal, Action.READ, owner)
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}.")
    query = select(ReportRow).where(ReportRow.organisation_id == owner)
    if result_id is not None:
        query = query.where(ReportRow.result_id == result_id)
    count = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(
        query.order_by(ReportRow.issued_at.desc(), ReportRow.id).offset(offset).limit(limit)
    )
    return Page(data=[_public(r) for r in rows], count=count)


def verify(uow: UnitOfWork, *, sha256: str) -> ReportVerification:
    """Proof that the document with this SHA-256 is an issued report: public, no sign-in."""
    sha256 = sha256.strip().lower()
    row = uow.session.scalar(
        select(ReportRow)
        .where(or_(ReportRow.html_sha256 == sha256, ReportRow.pdf_sha256 == sha256))
        .limit(1)
    )
    if row is None or row.ledger_index is None:
        raise NotFoundError(f"No issued report has the SHA-256 {sha256}.")
    session = uow.session
    check = ledger.check_entry(session, index=row.ledger_index)
    head = ledger.latest_tree_head(session)
    assert head is not None  # check_entry found one
    key = ledger.load_published_key(session, head.key_id)
    entry = ledger.get_entry(session, row.ledger_index).entry.decode()
    report = ledgered(row)
    # The entry must hash the report as stored now: a row changed after issuing fails here.
    content_ok = not entry_mismatch(entry, report)
    return ReportVerification(
        sha256=sha256,
        format="html" if row.html_sha256 == sha256 else "pdf",
        language=row.language,
        issued_at=row.issued_at,
        report=report,
        ledger_index=row.ledger_index,
        entry=entry,
        leaf_hash=check.leaf_hash,
        audit_path=list(check.audit_path),
        tree_head=TreeHead(**head.to_json()),
        public_key_pem=public_key_to_pem(key).decode(),
        signature_ok=check.signature_ok,
        inclusion_ok=check.inclusion_ok,
        content_ok=content_ok,
        verified=check.ok and content_ok,
    )


def verify_document(uow: UnitOfWork, *, content: bytes) -> ReportVerification:
    return verify(uow, sha256=hashlib.sha256(content).hexdigest())
