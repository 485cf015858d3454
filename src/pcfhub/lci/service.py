"""LCI use cases: import a database release (read, link, solve, publish), list and read them.

An import is all or nothing: the release, its products, their factors (published into the
factor database under ``lci.<database>.<process>``) and the ledger entry are written in one
transaction at the end, after every check. Re-importing a newer release of the same database
publishes new versions of the same lineages; an unchanged footprint is left as it was.
Imports belong to the platform operator's reviewers (they publish reference data).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from pcfhub.errors import ConflictError, DataFileError, NotFoundError, PermissionDeniedError
from pcfhub.factors import reference
from pcfhub.factors import service as factors
from pcfhub.factors.model import (
    GEOGRAPHY,
    Boundary,
    DerivedFrom,
    FactorData,
    FactorStatus,
    Licence,
    Redistribution,
    Source,
    Traceability,
)
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.lci import matrices
from pcfhub.lci.background import Background
from pcfhub.lci.ecospold1 import read_ecospold1
from pcfhub.lci.ecospold2 import read_ecospold2
from pcfhub.lci.footprints import Footprints, compute_footprints
from pcfhub.lci.jsonld import read_jsonld
from pcfhub.lci.linking import LinkedInventory, link
from pcfhub.lci.model import AllocationMethod, Inventory
from pcfhub.lci.packages import Package
from pcfhub.lci.store import LciProductRow, LciReleaseRow
from pcfhub.lci.units import pint_unit
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import require_principal
from pcfhub.platform.model import Principal
from pcfhub.platform.pages import page_of
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork
from pcfhub.units import UnitError, parse_unit

Progress = Callable[[int, int, str], None]
MAX_WARNINGS_STORED = 5000


class LciFormat(StrEnum):
    AUTO = "auto"
    JSON_LD = "json-ld"
    ECOSPOLD2 = "ecospold2"
    ECOSPOLD1 = "ecospold1"


READERS: dict[LciFormat, Callable[[Path], Inventory]] = {
    LciFormat.JSON_LD: read_jsonld,
    LciFormat.ECOSPOLD2: read_ecospold2,
    LciFormat.ECOSPOLD1: read_ecospold1,
}


class ImportOptions(BaseModel):
    """What the data does not say about itself: its name, release, source and licence."""

    model_config = ConfigDict(extra="forbid")

    database: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$")  # e.g. "USLCI"
    release: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$")  # e.g. "FY17"
    format: LciFormat = LciFormat.AUTO
    allocation: AllocationMethod = AllocationMethod.PHYSICAL
    gwp_set: str = Field("AR6", pattern=r"^(AR5|AR6)$")
    publisher: str = Field(min_length=1, max_length=300)
    document: str = Field(min_length=1, max_length=300)
    year: int = Field(ge=1900, le=2100)
    url: str | None = Field(None, max_length=1000)
    licence: str = Field(min_length=1, max_length=300)  # SPDX id or the terms' name
    redistribution: Redistribution = Redistribution.ATTRIBUTION
    attribution: str | None = Field(None, max_length=2000)


def detect_format(path: Path) -> LciFormat:
    """JSON-LD (a processes/ folder of .json), EcoSpold 2 (.spold) or EcoSpold 1 (.xml)."""
    names = Package(path).members()
    if any(n.lower().endswith(".spold") for n in names):
        return LciFormat.ECOSPOLD2
    if any("processes/" in n and n.endswith(".json") for n in names):
        return LciFormat.JSON_LD
    if any(n.lower().endswith(".xml") for n in names):
        return LciFormat.ECOSPOLD1
    raise DataFileError(
        f"{path.name}: neither an openLCA JSON-LD package, EcoSpold 2 (.spold) nor EcoSpold 1 "
        "(.xml) files."
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Computed:
    """A release read, linked and solved, not yet written."""

    inventory: Inventory
    linked: LinkedInventory
    footprints: Footprints
    factors: list[FactorData | None]  # per product; None when its unit cannot be a factor's
    file_sha256: str


def _factor(
    options: ImportOptions, computed: tuple[Inventory, LinkedInventory, Footprints], i: int
) -> FactorData | None:
    inventory, linked, footprints = computed
    product = linked.providers[i]
    process = inventory.processes[product.process_id]
    flow = inventory.flows[product.flow_id]
    try:
        unit = pint_unit(flow.unit)
        parse_unit(unit)
    except UnitError:
        return None
    reference = process.reference
    key = f"lci.{_slug(options.database)}.{_slug(process.id)[:60]}"
    if reference is None or reference.flow_id != product.flow_id:
        key += f".{_short(product.flow_id)}"
    name = process.name if flow.name == process.name else f"{process.name} — {flow.name}"
    location = process.location or "GLO"
    geography = location if GEOGRAPHY.match(location) else "GLO"
    gases = {
        gas: float(amount)
        for gas, amount in zip(footprints.gases, footprints.per_gas[i], strict=True)
        if amount != 0.0
    }
    method = next((a.method for a in linked.allocations if a.process_id == process.id), None)
    notes = [
        f"Cradle-to-gate footprint computed by pcfhub from {options.database} "
        f"{options.release} ({inventory.source_format}), GWP100 {options.gwp_set}."
    ]
    if method:
        notes.append(f"Multi-output process; allocation: {method}.")
    if geography != location:
        notes.append(f"The dataset's location is {location!r}.")
    return FactorData(
        lineage_key=key[:128],
        name_zh=name[:300],
        name_en=name[:300],
        description=" ".join(notes),
        activity=f"lci.{_slug(process.category or 'process')}"[:128],
        value=float(footprints.co2e[i]),
        unit=unit,
        gases=gases,
        gwp_set=options.gwp_set,
        boundary=Boundary.CRADLE_TO_GATE,
        geography=geography,
        reference_year=process.year or options.year,
        source=Source(
            publisher=options.publisher, document=options.document, year=options.year,
            url=options.url, traceability=Traceability.SECONDARY,
            note=f"Computed from the database's unit processes by pcfhub; process {process.id}.",
        ),
        licence=Licence(identifier=options.licence, redistribution=options.redistribution,
                        attribution=options.attribution),
        derived_from=DerivedFrom(database=options.database, release=options.release,
                                 process_id=process.id[:200], process_name=process.name[:300]),
    )  # fmt: skip


def compute_release(path: Path, options: ImportOptions, progress: Progress) -> Computed:
    """Read, link and solve a release; nothing is written. Progress in five steps."""
    chosen = detect_format(path) if options.format is LciFormat.AUTO else options.format
    progress(0, 5, f"reading {path.name} as {chosen}")
    inventory = READERS[chosen](path)
    progress(1, 5, f"linking {len(inventory.processes)} processes")
    linked = link(inventory, file=path.name, allocation=options.allocation)
    progress(2, 5, f"solving for {len(linked.providers)} products")
    footprints = compute_footprints(inventory, linked, gwp_set=options.gwp_set)
    progress(3, 5, "preparing factors")
    computed = (inventory, linked, footprints)
    factor_list = [_factor(options, computed, i) for i in range(len(linked.providers))]
    digest = hashlib.sha256()
    package = Package(path)
    for _, data in package.iter_read(package.members()):
        digest.update(data)
    return Computed(inventory, linked, footprints, factor_list, digest.hexdigest())


class ReleasePublic(BaseModel):
    id: uuid.UUID
    database: str
    release: str
    source_format: str
    file_name: str
    file_sha256: str
    gwp_set: str
    allocation: str
    source: dict[str, object]
    licence: dict[str, object]
    counts: dict[str, int]
    created_at: object


class ReleaseReport(ReleasePublic):
    warnings: list[dict[str, str]]
    allocations: list[dict[str, object]]
    unmapped: list[dict[str, object]]


class ProductPublic(BaseModel):
    id: uuid.UUID
    release_id: uuid.UUID
    position: int
    process_id: str
    process_name: str
    product_name: str
    unit: str
    location: str | None
    category: str
    co2e: float
    gases: dict[str, float]
    factor_version_id: uuid.UUID | None


def require_importer(principal: Principal | None) -> Principal:
    principal = require_principal(principal)
    if not factors.is_reviewer(principal):
        raise PermissionDeniedError(
            "Only the platform operator's reviewers import LCI databases (they publish "
            "reference factors)."
        )
    return principal


def save_release(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    path: Path,
    options: ImportOptions,
    computed: Computed,
) -> ReleasePublic:
    """Write a computed release, its products and factors, and the ledger entry (the caller
    commits)."""
    principal = require_importer(principal)
    session = uow.session
    taken = session.scalar(
        select(LciReleaseRow.id).where(
            LciReleaseRow.database == options.database, LciReleaseRow.release == options.release
        )
    )
    if taken is not None:
        raise ConflictError(
            f"release: {options.database} {options.release} is imported already; a newer "
            "release needs its own name."
        )
    inventory, linked, footprints = computed.inventory, computed.linked, computed.footprints
    publishable = [f for f in computed.factors if f is not None]
    keys = [f.lineage_key for f in publishable]
    if len(set(keys)) != len(keys):
        raise DataFileError(f"{path.name}: two products map to the same factor key.")
    published = reference.import_reference(uow, factors=publishable, file=path.name)
    version_of = dict(
        session.execute(
            select(FactorLineageRow.lineage_key, FactorVersionRow.id)
            .join(FactorVersionRow, FactorVersionRow.lineage_id == FactorLineageRow.id)
            .where(FactorVersionRow.status == FactorStatus.PUBLISHED.value,
                   FactorLineageRow.lineage_key.like(f"lci.{_slug(options.database)}.%"))
        ).all()
    )  # fmt: skip
    packed = matrices.pack(linked, footprints)
    warnings = inventory.warnings + linked.warnings
    row = LciReleaseRow(
        database=options.database,
        release=options.release,
        source_format=inventory.source_format,
        file_name=path.name[:300],
        file_sha256=computed.file_sha256,
        gwp_set=options.gwp_set,
        allocation=options.allocation.value,
        source={"publisher": options.publisher, "document": options.document,
                "year": options.year, "url": options.url},
        licence={"identifier": options.licence, "redistribution": options.redistribution.value,
                 "attribution": options.attribution},
        counts={
            "processes": len(inventory.processes), "flows": len(inventory.flows),
            "exchanges": inventory.exchange_count, "products": len(linked.providers),
            "published": published.published, "unchanged": published.unchanged,
            "not_published": len(computed.factors) - len(publishable),
            "warnings": len(warnings), "cut_off_flows": len(linked.cut_off),
            "greenhouse_gas_flows": len(footprints.matches),
        },
        warnings=[{"file": w.file, "dataset": w.dataset, "field": w.field,
                   "message": w.message} for w in warnings[:MAX_WARNINGS_STORED]],
        allocations=[{"process_id": a.process_id,
                      "process": inventory.processes[a.process_id].name,
                      "method": a.method, "products": a.products} for a in linked.allocations],
        unmapped=[{"flow_id": u.flow_id, "name": u.name, "category": u.category,
                   "mass_share": u.mass_share} for u in footprints.unmapped],
        matrices=packed,
        matrices_sha256=matrices.sha256(packed),
        imported_by=principal.organisation_id,
        created_by=principal.user_id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    for i, product in enumerate(linked.providers):
        process = inventory.processes[product.process_id]
        flow = inventory.flows[product.flow_id]
        factor = computed.factors[i]
        session.add(
            LciProductRow(
                release_id=row.id, position=i, process_id=process.id[:300],
                process_name=process.name[:500], product_name=flow.name[:500],
                unit=flow.unit[:64], location=(process.location or None),
                category=process.category, co2e=float(footprints.co2e[i]),
                gases={g: float(v) for g, v in zip(footprints.gases, footprints.per_gas[i],
                                                   strict=True) if v != 0.0},
                factor_version_id=version_of.get(factor.lineage_key) if factor else None,
            )
        )  # fmt: skip
    session.flush()
    ledger.append(
        session,
        actor=principal.actor,
        organisation_id=principal.organisation_id,
        action="lci.release_imported",
        object_kind="lci_release",
        object_id=str(row.id),
    )
    return ReleasePublic.model_validate(row, from_attributes=True)


def import_release(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ReleasePublic:
    """Read, link, solve and save a release in one go (the caller commits)."""
    require_importer(principal)
    report = progress or (lambda done, total, message: None)
    computed = compute_release(path, options, report)
    report(4, 5, f"publishing {sum(f is not None for f in computed.factors)} factors")
    saved = save_release(uow, principal=principal, path=path, options=options, computed=computed)
    report(5, 5, "done")
    return saved


def _release_row(uow: UnitOfWork, release_id: uuid.UUID) -> LciReleaseRow:
    row = uow.session.get(LciReleaseRow, release_id)
    if row is None:
        raise NotFoundError(f"No LCI release {release_id} here.")
    return row


def list_releases(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[ReleasePublic]:
    """Every imported release (reference data: open to everyone signed in), newest first."""
    require_principal(principal)
    return page_of(
        uow.session,
        select(LciReleaseRow),
        order_by=(LciReleaseRow.created_at.desc(), LciReleaseRow.id),
        offset=offset,
        limit=limit,
        public=lambda row: ReleasePublic.model_validate(row, from_attributes=True),
    )


def release_report(
    uow: UnitOfWork, *, principal: Principal | None, release_id: uuid.UUID
) -> ReleaseReport:
    """A release with what the import did: warnings, allocations, unmapped flows."""
    require_principal(principal)
    return ReleaseReport.model_validate(_release_row(uow, release_id), from_attributes=True)


def list_products(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    release_id: uuid.UUID,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ProductPublic]:
    """A release's products, by name (words in any order), largest footprint first."""
    require_principal(principal)
    _release_row(uow, release_id)
    stmt = select(LciProductRow).where(LciProductRow.release_id == release_id)
    for word in (q or "").split()[:8]:
        pattern = f"%{word.lower()}%"
        stmt = stmt.where(
            func.lower(LciProductRow.process_name).like(pattern)
            | func.lower(LciProductRow.product_name).like(pattern)
        )
    return page_of(
        uow.session,
        stmt,
        order_by=(LciProductRow.co2e.desc(), LciProductRow.position),
        offset=offset,
        limit=limit,
        public=lambda row: ProductPublic.model_validate(row, from_attributes=True),
    )


def background_of(
    uow: UnitOfWork, *, principal: Principal | None, database: str, release: str
) -> Background:
    """A release's matrices, for a model that links its processes (open to everyone signed
    in: LCI releases are reference data)."""
    require_principal(principal)
    row = uow.session.scalar(
        select(LciReleaseRow).where(
            LciReleaseRow.database == database, LciReleaseRow.release == release
        )
    )
    if row is None:
        raise NotFoundError(f"lci: no imported release {database} {release}.")
    products = uow.session.execute(
        select(LciProductRow.process_name, LciProductRow.product_name, LciProductRow.unit)
        .where(LciProductRow.release_id == row.id)
        .order_by(LciProductRow.position)
    ).all()
    return Background(
        name=f"{database} {release}",
        matrices=matrices.unpack(row.matrices),
        labels=tuple(
            name if product == name else f"{name} [{product}]" for name, product, _ in products
        ),
        units=tuple(unit for _, _, unit in products),
    )
