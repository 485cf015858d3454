"""Declaration use cases: map a stored result to a declaration, render it, and issue it.

Reading a declaration needs what reading the result and its model version needs (the
accounting service authorises both: role and tenant, grants across organisations). Issuing
one is a change: only members of the organisation that owns the result with write rights may,
and the ledger entry is appended in the caller's transaction (see `declarations_ledger`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.errors import InvalidInputError, NotFoundError, PcfhubError, PermissionDeniedError
from pcfhub.factors import queries as factor_queries
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import canonical_json
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.uow import UnitOfWork
from pcfhub.reports.battery import BatteryDeclaration, BatteryRequest, battery_declaration
from pcfhub.reports.cbam import CbamDeclaration, CbamRequest, cbam_declaration
from pcfhub.reports.declarations_ledger import KIND
from pcfhub.reports.declarations_model import Issued

Kind = Literal["battery", "cbam"]
FORMATS: dict[Kind, tuple[str, ...]] = {"battery": ("json", "pdf"), "cbam": ("json", "xlsx")}
MEDIA_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Document:
    """A rendered declaration, and its ledger record once issued."""

    content: bytes
    media_type: str
    filename: str
    sha256: str
    issued: Issued | None = None


def _stored(
    uow: UnitOfWork, principal: Principal, result_id: uuid.UUID
) -> tuple[ResultPublic, ProductModel]:
    stored = accounting.get_result(uow, principal=principal, result_id=result_id)
    version = accounting.get_model(
        uow, principal=principal, model_id=stored.model_id, version=stored.model_version
    )
    return stored, version.model


def battery(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    result_id: uuid.UUID,
    request: BatteryRequest,
    today: date | None = None,
) -> BatteryDeclaration:
    """The EU battery carbon footprint declaration of a stored result."""
    stored, model = _stored(uow, require_principal(principal), result_id)
    return battery_declaration(stored, model, request, today=today or utcnow().date())


def cbam(
    uow: UnitOfWork, *, principal: Principal | None, result_id: uuid.UUID, request: CbamRequest
) -> CbamDeclaration:
    """The CBAM embedded emissions of the good of a stored result."""
    principal = require_principal(principal)
    stored, model = _stored(uow, principal, result_id)
    return cbam_declaration(
        stored, model, request, factor_boundaries=_factor_boundaries(uow, principal, stored)
    )


def _factor_boundaries(
    uow: UnitOfWork, principal: Principal, stored: ResultPublic
) -> dict[str, str]:
    """The boundary of each factor the result used (combustion, cradle-to-gate…), as far as
    the principal may read the factor's metadata; an unreadable one stays unknown."""
    found: dict[str, str] = {}
    for use in stored.result.provenance.factors:
        try:
            version = factor_queries.get_version(
                uow, principal=principal, version_id=use.version_id
            )
        except PcfhubError:
            continue
        found[use.key] = version.data.boundary.value
    return found


def render(kind: Kind, declaration: BatteryDeclaration | CbamDeclaration, format: str) -> Document:
    """The declaration as a file: canonical JSON (RFC 8785), PDF (battery) or xlsx (CBAM)."""
    if format not in FORMATS[kind]:
        raise InvalidInputError(
            f"format: a {kind} declaration is one of {', '.join(FORMATS[kind])}."
        )
    if format == "json":
        content = canonical_json(declaration.model_dump(mode="json"))
    elif isinstance(declaration, BatteryDeclaration):
        from pcfhub.reports.battery import battery_pdf

        content = battery_pdf(declaration)
    elif isinstance(declaration, CbamDeclaration):
        from pcfhub.reports.cbam_workbook import cbam_xlsx

        content = cbam_xlsx(declaration)
    else:  # pragma: no cover - the kinds and formats above are all there are
        raise InvalidInputError(f"format: {format!r} does not fit a {kind} declaration.")
    result_id = declaration.basis.result_id
    return Document(
        content=content,
        media_type=MEDIA_TYPES[format],
        filename=f"{kind}-declaration-{result_id}.{format}",
        sha256=hashlib.sha256(content).hexdigest(),
    )


def issue(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    kind: Kind,
    result_id: uuid.UUID,
    document: Document,
) -> Document:
    """Record the document in the ledger (the caller commits); owners with write rights only."""
    principal = require_principal(principal)
    stored = accounting.get_result(uow, principal=principal, result_id=result_id)
    try:
        owned = accounting.model_by_code(uow, principal=principal, code=stored.code).id
    except NotFoundError:
        owned = None
    if owned != stored.model_id:
        raise PermissionDeniedError(
            "Only the organisation that owns the result can issue its declaration."
        )
    authorize(
        uow.session,
        principal,
        Action.WRITE,
        owner_id=principal.organisation_id,
        object_kind=KIND,
        object_id=document.sha256,
    )
    entry = ledger.append(
        uow.session,
        actor=principal.actor,
        organisation_id=principal.organisation_id,
        action=f"reports.{kind}_declaration_issued",
        object_kind=KIND,
        object_id=document.sha256,
    )
    issued = Issued(
        kind=kind,
        format=document.filename.rsplit(".", 1)[-1],
        sha256=document.sha256,
        ledger_index=entry.index,
        result_id=result_id,
    )
    return dataclasses.replace(document, issued=issued)
