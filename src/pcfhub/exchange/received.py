"""Footprints received from partners, and putting one into a product model.

A received footprint is kept as the partner sent it (one row per organisation and PACT id; a
later copy, e.g. with status Deprecated, replaces it, each time with a ledger entry). Importing
turns it into a supplier-PCF exchange of a process in the enterprise's own model, saved as a
new model version: the split (fossil, biogenic, land-use change), data quality and primary
data share come from the footprint, and its source names the partner's footprint id.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import DataType, SupplierExchange, SupplierFootprint
from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.exchange import service as footprints
from pcfhub.exchange.connections import CONNECTION
from pcfhub.exchange.pact_units import PACT_UNITS
from pcfhub.exchange.schemas import ImportRequest, ReceivedPublic
from pcfhub.exchange.store import PactConnectionRow, PactReceivedRow
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, Principal
from pcfhub.platform.uow import UnitOfWork

RECEIVED = "pact_received"


def _number(pcf: dict[str, Any], name: str) -> float | None:
    value = pcf.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"pcf.{name}: {value!r} is not a decimal") from None


def store_received(
    uow: UnitOfWork, link: PactConnectionRow, document: dict[str, Any], *, version: int
) -> PactReceivedRow:
    """Keep a footprint the partner sent; the same content twice changes nothing."""
    footprint_id = str(document.get("id", ""))
    try:
        uuid.UUID(footprint_id)
    except ValueError:
        raise InvalidInputError(f"id: {footprint_id!r} is not a footprint id (UUID)") from None
    if not isinstance(document.get("pcf"), dict):
        raise InvalidInputError(f"footprint {footprint_id}: pcf is missing")
    hashed = content_hash(document)
    row = uow.session.scalar(
        select(PactReceivedRow).where(
            PactReceivedRow.organisation_id == link.organisation_id,
            PactReceivedRow.footprint_id == footprint_id,
        )
    )
    if row is not None and row.connection_id != link.id:
        # PACT ids are the owner's UUIDs: the same id from another live partner is not theirs
        # to send. A revoked connection's footprints pass to the connection that replaced it.
        earlier = uow.session.get(PactConnectionRow, row.connection_id)
        if earlier is not None and earlier.revoked_at is None:
            raise InvalidInputError(
                f"id: footprint {footprint_id} was received from another partner; refused"
            )
        row.connection_id = link.id
    if row is not None and row.content_hash == hashed:
        return row
    if row is None:
        row = PactReceivedRow(organisation_id=link.organisation_id, footprint_id=footprint_id)
        uow.session.add(row)
    row.connection_id = link.id
    row.spec_version = version
    row.document = document
    row.content_hash = hashed
    row.received_at = utcnow()
    uow.session.flush()
    ledger.append(
        uow.session,
        actor=SYSTEM_ACTOR,
        organisation_id=link.organisation_id,
        action="pact.footprint_received",
        object_kind=RECEIVED,
        object_id=str(row.id),
    )
    return row


def _public(uow: UnitOfWork, row: PactReceivedRow) -> ReceivedPublic:
    link = uow.session.get(PactConnectionRow, row.connection_id)
    doc, pcf = row.document, row.document.get("pcf", {})
    if row.spec_version == 3:
        unit = f"{pcf.get('declaredUnitAmount', '')} {pcf.get('declaredUnitOfMeasurement', '')}"
        total = _number(pcf, "pcfExcludingBiogenicUptake")
    else:
        unit = f"{pcf.get('unitaryProductAmount', '')} {pcf.get('declaredUnit', '')}"
        total = _number(pcf, "pCfExcludingBiogenic")
    return ReceivedPublic(
        id=row.id,
        connection_id=row.connection_id,
        partner_name=link.name if link else "",
        footprint_id=row.footprint_id,
        spec_version=row.spec_version,
        company_name=str(doc.get("companyName", "")),
        product_name=str(doc.get("productNameCompany", "")),
        declared_unit=unit.strip(),
        pcf_excluding_biogenic=total,
        status=str(doc.get("status", "")),
        received_at=row.received_at,
        document=doc,
    )


def list_received(uow: UnitOfWork, *, principal: Principal | None) -> list[ReceivedPublic]:
    principal = require_principal(principal)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.READ, owner_id=owner, object_kind=CONNECTION)
    rows = uow.session.scalars(
        select(PactReceivedRow)
        .where(PactReceivedRow.organisation_id == owner)
        .order_by(PactReceivedRow.received_at.desc(), PactReceivedRow.id)
    )
    return [_public(uow, row) for row in rows]


def _row(uow: UnitOfWork, principal: Principal | None, received_id: uuid.UUID) -> PactReceivedRow:
    row = uow.session.get(PactReceivedRow, received_id)
    if row is None:
        raise NotFoundError(f"No received footprint {received_id} here.")
    authorize(
        uow.session, principal, Action.READ, owner_id=row.organisation_id, object_kind=CONNECTION
    )
    return row


def get_received(
    uow: UnitOfWork, *, principal: Principal | None, received_id: uuid.UUID
) -> ReceivedPublic:
    return _public(uow, _row(uow, principal, received_id))


def supplier_footprint(document: dict[str, Any], version: int) -> tuple[str, SupplierFootprint]:
    """(the unit the values are per, the footprint per that unit) of a PACT document."""
    pcf = document["pcf"]
    if version == 3:
        name = pcf.get("declaredUnitOfMeasurement")
        amount = _number(pcf, "declaredUnitAmount") or 0.0
        total, fossil = (
            _number(pcf, "pcfExcludingBiogenicUptake"),
            _number(pcf, "fossilGhgEmissions"),
        )
        luc, uptake = _number(pcf, "landUseChangeGhgEmissions"), _number(pcf, "biogenicCO2Uptake")
        biogenic = _number(pcf, "biogenicNonCO2Emissions")
        share = _number(pcf, "primaryDataShare")
        dqi = pcf.get("dqi") or {}
        ratings = [_number(dqi, k) for k in ("technologicalDQR", "geographicalDQR", "temporalDQR")]
        known = [r for r in ratings if r is not None]
        rating = sum(known) / len(known) if known else None
    else:  # v2 values are per one declared unit (v2 §CarbonFootprint)
        name, amount = pcf.get("declaredUnit"), 1.0
        total, fossil = _number(pcf, "pCfExcludingBiogenic"), _number(pcf, "fossilGhgEmissions")
        luc, uptake = _number(pcf, "dLucGhgEmissions"), _number(pcf, "biogenicCarbonWithdrawal")
        biogenic, share, rating = None, _number(pcf, "primaryDataShare"), None  # v2 DQR is 1–3
    if name not in PACT_UNITS:
        raise InvalidInputError(f"pcf.declaredUnit: {name!r} is not a PACT declared unit")
    if amount <= 0 or total is None:
        raise InvalidInputError("pcf: the declared unit amount and the total are required")

    def per(value: float | None) -> float | None:
        return None if value is None else value / amount

    footprint = SupplierFootprint(
        per_unit=PACT_UNITS[name],
        total=total / amount,
        fossil=per(fossil),
        biogenic_emission=per(biogenic),
        biogenic_removal=-uptake / amount if uptake else None,
        land_use_change=per(luc),
        data_quality_rating=min(max(rating, 1.0), 5.0) if rating is not None else None,
        primary_data_share=share / 100 if share is not None else None,
        source=f"PACT footprint {document['id']} of {document.get('companyName', '?')}"[:300],
    )
    return PACT_UNITS[name], footprint


def import_into_model(
    uow: UnitOfWork, *, principal: Principal | None, received_id: uuid.UUID, data: ImportRequest
) -> uuid.UUID:
    """Add (or replace) the received footprint's supplier exchange in a process of a model;
    returns the new model version's id."""
    row = _row(uow, principal, received_id)
    return _import(uow, principal, row.document, row.spec_version, data)


def import_shared(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID, data: ImportRequest
) -> uuid.UUID:
    """The same for a footprint another tenant of this platform shared with the principal."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, Action.READ, owner_id=principal.organisation_id,
        object_kind=footprints.READ_SCOPE_KIND,
    )  # fmt: skip
    try:
        document = footprints.shared_document(
            uow, principal=principal, footprint_id=footprint_id, version=3
        )
    except PermissionDeniedError:  # its existence is none of the caller's business
        raise NotFoundError(f"No footprint {footprint_id} is shared with you.") from None
    return _import(uow, principal, document, 3, data)


def _import(
    uow: UnitOfWork,
    principal: Principal | None,
    document: dict[str, Any],
    version: int,
    data: ImportRequest,
) -> uuid.UUID:
    unit, footprint = supplier_footprint(document, version)
    current = accounting.model_by_code(uow, principal=principal, code=data.model_code)
    model = accounting.get_model(uow, principal=principal, model_id=current.id).model
    supplier = str(document.get("companyName") or "supplier")
    footprint_id = str(document["id"])
    exchange = SupplierExchange(
        name=str(document.get("productNameCompany") or supplier)[:300],
        supplier=supplier[:300],
        amount=data.amount,
        unit=data.unit or unit,
        footprint=footprint,
        data_type=DataType.PRIMARY
        if (footprint.primary_data_share or 0) > 0
        else DataType.SECONDARY,
    )
    processes = []
    found = False
    for process in model.processes:
        if process.id == data.process:
            found = True
            kept = [
                e
                for e in process.exchanges
                if not (
                    data.replace
                    and isinstance(e, SupplierExchange)
                    and e.footprint.source
                    and footprint_id in e.footprint.source
                )
            ]
            process = process.model_copy(update={"exchanges": (*kept, exchange)})
        processes.append(process)
    if not found:
        raise InvalidInputError(f"process: model {data.model_code} has no process {data.process!r}")
    updated = type(model).model_validate(
        {**model.model_dump(), "processes": [p.model_dump() for p in processes]}
    )
    saved = accounting.save_model(
        uow, principal=principal, model=updated, note=f"supplier footprint {footprint_id} (PACT)"
    )
    return saved.id
