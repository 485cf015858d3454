"""Publishing results as PACT footprints, sharing them, and what a recipient may read.

Only results are shared, never the model, its inventory or bill of materials: a footprint row
holds the PACT documents made at publishing, and a recipient sees those documents only.
Every publication, deprecation and share is a ledger entry in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pcfhub.accounting import service as accounting
from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.exchange.connections import connection_of_partner
from pcfhub.exchange.pact import to_pact_v2, to_pact_v3
from pcfhub.exchange.pact_context import FootprintContext
from pcfhub.exchange.pact_units import PactMappingError
from pcfhub.exchange.schemas import FootprintPublic, PublishRequest
from pcfhub.exchange.store import PactFootprintRow, PactShareRow
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, actor_of
from pcfhub.platform.store import OrganisationRow
from pcfhub.platform.uow import UnitOfWork

FOOTPRINT = "pact_footprint"
#: What an API client needs to read footprints over PACT, and to post events.
READ_SCOPE_KIND = "pact_footprint"
EVENT_SCOPE_KIND = "pact_event"


def with_status(document: dict[str, Any], status: str) -> dict[str, Any]:
    """The document as served: as issued, with the current status (the one field that may
    change, v3 §Lifecycle)."""
    return document if document.get("status") == status else {**document, "status": status}


def _public(uow: UnitOfWork, row: PactFootprintRow) -> FootprintPublic:
    shared = uow.session.scalars(
        select(PactShareRow.recipient_id).where(
            PactShareRow.footprint_id == row.id, PactShareRow.revoked_at.is_(None)
        )
    )
    return FootprintPublic(
        id=row.id,
        organisation_id=row.organisation_id,
        result_id=row.result_id,
        model_code=row.model_code,
        status=row.status,  # type: ignore[arg-type]
        content_hash=row.content_hash,
        created_at=row.created_at,
        deprecated_at=row.deprecated_at,
        v2_available=row.document_v2 is not None,
        v2_refusal=row.v2_refusal,
        shared_with=list(shared),
        document=with_status(row.document_v3, row.status),
    )


def _context(
    data: PublishRequest, organisation: OrganisationRow, preceding: list[uuid.UUID]
) -> FootprintContext:
    fields = data.model_dump(exclude={"result_id"}, exclude_none=True)
    return FootprintContext(
        id=uuid.uuid4(),
        company_name=organisation.name,
        created=utcnow(),
        preceding_ids=tuple(preceding),
        **fields,
    )


def publish(
    uow: UnitOfWork, *, principal: Principal | None, data: PublishRequest
) -> FootprintPublic:
    """Publish a stored result as a PACT footprint of its organisation.

    The organisation's earlier active footprints of the same model become Deprecated and are
    named in precedingPfIds; whoever could read them can read the new one."""
    principal = require_principal(principal)
    result = accounting.get_result(uow, principal=principal, result_id=data.result_id)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.WRITE, owner_id=owner, object_kind=FOOTPRINT)
    session = uow.session
    organisation = session.get(OrganisationRow, owner)
    assert organisation is not None
    model = accounting.get_model(
        uow, principal=principal, model_id=result.model_id, version=result.model_version
    ).model
    earlier = list(
        session.scalars(
            select(PactFootprintRow).where(
                PactFootprintRow.organisation_id == owner,
                PactFootprintRow.model_code == result.code,
                PactFootprintRow.status == "Active",
            )
        )
    )
    context = _context(data, organisation, [row.id for row in earlier])
    try:
        v3 = to_pact_v3(result.result, model, context)
    except PactMappingError as error:
        raise InvalidInputError(f"PACT v3: {error}") from None
    try:
        v2: dict[str, Any] | None = to_pact_v2(result.result, model, context)
        refusal = None
    except PactMappingError as error:
        v2, refusal = None, str(error)
    row = PactFootprintRow(
        id=context.id,
        organisation_id=owner,
        result_id=result.id,
        model_code=result.code,
        document_v3=v3,
        document_v2=v2,
        v2_refusal=refusal,
        content_hash=content_hash(v3),
        created_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    actor = actor_of(principal)
    ledger.append(
        session,
        actor=actor,
        organisation_id=owner,
        action="pact.footprint_published",
        object_kind=FOOTPRINT,
        object_id=str(row.id),
    )
    readers: set[uuid.UUID] = set()
    for old in earlier:
        readers |= set(recipients(uow, old.id))
        _deprecate(uow, old, actor)
    for recipient in sorted(readers):
        _grant(uow, row, recipient, principal)
    return _public(uow, row)


def changed_by(published: FootprintPublic) -> list[uuid.UUID]:
    """The footprints a publication changed: the new one and those it deprecated."""
    preceding = published.document.get("precedingPfIds") or []
    return [published.id, *(uuid.UUID(str(i)) for i in preceding)]


def _deprecate(uow: UnitOfWork, row: PactFootprintRow, actor: dict[str, str]) -> None:
    row.status = "Deprecated"
    row.deprecated_at = utcnow()
    ledger.append(
        uow.session,
        actor=actor,
        organisation_id=row.organisation_id,
        action="pact.footprint_deprecated",
        object_kind=FOOTPRINT,
        object_id=str(row.id),
    )


def deprecate(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID
) -> FootprintPublic:
    row = _owned(uow, principal, footprint_id, Action.WRITE)
    if row.status != "Deprecated":
        _deprecate(uow, row, actor_of(principal))
    return _public(uow, row)


def _owned(
    uow: UnitOfWork, principal: Principal | None, footprint_id: uuid.UUID, action: Action
) -> PactFootprintRow:
    row = uow.session.get(PactFootprintRow, footprint_id)
    if row is None:
        raise NotFoundError(f"No footprint {footprint_id} here.")
    authorize(
        uow.session, principal, action, owner_id=row.organisation_id, object_kind=FOOTPRINT,
        object_id=str(row.id),
    )  # fmt: skip
    return row


def get_footprint(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID
) -> FootprintPublic:
    return _public(uow, _owned(uow, principal, footprint_id, Action.READ))


def list_footprints(uow: UnitOfWork, *, principal: Principal | None) -> list[FootprintPublic]:
    """The organisation's own published footprints, newest first."""
    principal = require_principal(principal)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.READ, owner_id=owner, object_kind=FOOTPRINT)
    rows = uow.session.scalars(
        select(PactFootprintRow)
        .where(PactFootprintRow.organisation_id == owner)
        .order_by(PactFootprintRow.created_at.desc(), PactFootprintRow.id)
    )
    return [_public(uow, row) for row in rows]


def recipients(uow: UnitOfWork, footprint_id: uuid.UUID) -> list[uuid.UUID]:
    """The organisations that may read the footprint now."""
    return list(
        uow.session.scalars(
            select(PactShareRow.recipient_id).where(
                PactShareRow.footprint_id == footprint_id, PactShareRow.revoked_at.is_(None)
            )
        )
    )


def _grant(
    uow: UnitOfWork, row: PactFootprintRow, recipient: uuid.UUID, principal: Principal
) -> PactShareRow:
    session = uow.session
    share = session.scalar(
        select(PactShareRow).where(
            PactShareRow.footprint_id == row.id, PactShareRow.recipient_id == recipient
        )
    )
    if share is not None and share.revoked_at is None:
        return share
    if share is None:
        share = PactShareRow(footprint_id=row.id, recipient_id=recipient)
        session.add(share)
    share.revoked_at = None
    share.granted_at = utcnow()
    share.granted_by = principal.user_id
    session.flush()
    ledger.append(
        session,
        actor=actor_of(principal),
        organisation_id=row.organisation_id,
        action="pact.footprint_shared",
        object_kind="pact_share",
        object_id=str(share.id),
    )
    return share


def share(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID, recipient: uuid.UUID
) -> FootprintPublic:
    """Let another organisation read this footprint (a ledger entry)."""
    principal = require_principal(principal)
    row = _owned(uow, principal, footprint_id, Action.WRITE)
    target = uow.session.get(OrganisationRow, recipient)
    if target is None or recipient == row.organisation_id:
        raise InvalidInputError(f"recipient: {recipient} is not another organisation here.")
    external = target.kind == OrganisationKind.EXTERNAL.value
    if external and connection_of_partner(uow, recipient, owner_id=row.organisation_id) is None:
        # An external organisation is some tenant's PACT partner: only its own tenant shares.
        raise InvalidInputError(f"recipient: {recipient} is not one of your PACT partners.")
    _grant(uow, row, recipient, principal)
    return _public(uow, row)


def unshare(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID, recipient: uuid.UUID
) -> FootprintPublic:
    principal = require_principal(principal)
    row = _owned(uow, principal, footprint_id, Action.WRITE)
    found = uow.session.scalar(
        select(PactShareRow).where(
            PactShareRow.footprint_id == row.id,
            PactShareRow.recipient_id == recipient,
            PactShareRow.revoked_at.is_(None),
        )
    )
    if found is None:
        raise NotFoundError(f"Footprint {footprint_id} is not shared with {recipient}.")
    found.revoked_at = utcnow()
    ledger.append(
        uow.session,
        actor=actor_of(principal),
        organisation_id=row.organisation_id,
        action="pact.share_revoked",
        object_kind="pact_share",
        object_id=str(found.id),
    )
    return _public(uow, row)


# --- what a recipient reads (the PACT host API) ----------------------------------------------


def _readable(
    uow: UnitOfWork, principal: Principal, shared_before: datetime | None = None
) -> Iterable[PactFootprintRow]:
    """Footprints shared with the principal's organisation, oldest first (a stable order for
    pagination links); with ``shared_before``, only those shared by then (a page's snapshot)."""
    query = (
        select(PactFootprintRow)
        .join(PactShareRow, PactShareRow.footprint_id == PactFootprintRow.id)
        .where(
            PactShareRow.recipient_id == principal.organisation_id,
            PactShareRow.revoked_at.is_(None),
        )
        .order_by(PactFootprintRow.created_at, PactFootprintRow.id)
    )
    if shared_before is not None:
        query = query.where(
            PactShareRow.granted_at <= shared_before, PactFootprintRow.created_at <= shared_before
        )
    return uow.session.scalars(query)


def shared_documents(
    uow: UnitOfWork,
    *,
    principal: Principal,
    version: int,
    keep: Callable[[dict[str, Any]], bool],
    created_before: datetime | None = None,
) -> list[dict[str, Any]]:
    """Documents in ``version`` shared with the principal that ``keep`` accepts. A footprint
    that has no v2 form is left out of v2 lists."""
    documents = []
    for row in _readable(uow, principal, created_before):
        issued = row.document_v3 if version == 3 else row.document_v2
        if issued is None:
            continue
        document = with_status(issued, row.status)
        if keep(document):
            documents.append(document)
    return documents


def shared_document(
    uow: UnitOfWork, *, principal: Principal, footprint_id: uuid.UUID, version: int
) -> dict[str, Any]:
    """One footprint shared with the principal: NotFoundError when it does not exist, or
    exists only in the other version; PermissionDeniedError when it is not shared (PACT
    answers 403 AccessDenied there)."""
    row = uow.session.get(PactFootprintRow, footprint_id)
    if row is None:
        raise NotFoundError(f"No footprint {footprint_id}.")
    shared = uow.session.scalar(
        select(PactShareRow.id).where(
            PactShareRow.footprint_id == row.id,
            PactShareRow.recipient_id == principal.organisation_id,
            PactShareRow.revoked_at.is_(None),
        )
    )
    if shared is None:
        raise PermissionDeniedError(f"Footprint {footprint_id} is not shared with you.")
    issued = row.document_v3 if version == 3 else row.document_v2
    if issued is None:
        raise NotFoundError(f"Footprint {footprint_id} has no v2 form: {row.v2_refusal}")
    return with_status(issued, row.status)


def shared_with_me(uow: UnitOfWork, *, principal: Principal | None) -> list[dict[str, Any]]:
    """v3 documents other organisations shared with the principal's, oldest first."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, Action.READ, owner_id=principal.organisation_id,
        object_kind=READ_SCOPE_KIND,
    )  # fmt: skip
    return shared_documents(uow, principal=principal, version=3, keep=lambda _doc: True)


def owned_rows(uow: UnitOfWork, organisation_id: uuid.UUID) -> list[PactFootprintRow]:
    """The organisation's footprints (for answering requests on its behalf)."""
    return list(
        uow.session.scalars(
            select(PactFootprintRow)
            .where(PactFootprintRow.organisation_id == organisation_id)
            .order_by(PactFootprintRow.created_at, PactFootprintRow.id)
        )
    )


def document_of(uow: UnitOfWork, *, footprint_id: uuid.UUID, version: int) -> dict[str, Any]:
    """The footprint's document in ``version`` (the caller has authorised the read)."""
    row = uow.session.get(PactFootprintRow, footprint_id)
    if row is None:
        raise NotFoundError(f"No footprint {footprint_id} here.")
    issued = row.document_v3 if version == 3 else row.document_v2
    if issued is None:
        raise NotFoundError(f"Footprint {footprint_id} has no PACT v2 form: {row.v2_refusal}")
    return with_status(issued, row.status)


def pretty(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def recipient_names(uow: UnitOfWork, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of the organisations the owner shared with (it chose them, so may see them)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(OrganisationRow.id, OrganisationRow.name).where(OrganisationRow.id.in_(wanted))
    )
    return {row.id: row.name for row in rows}
