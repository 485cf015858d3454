"""Recomputing results after their factors changed, as one batch.

A stored result is *stale* when a factor version it used is no longer the one its model would
resolve to: superseded by a newer published version (or withdrawn) while the model names the
factor without pinning a version. The sweep finds every stale current result (one that no
later result replaces), resolves its model again — same model version, same sub-model
versions, same rule version, newest factors — and stores a new result that names the old one
(``replaces_id``); the old result stays. All results of a sweep are solved together: their
systems are stacked block-diagonally (`pcfhub.calc.blocks`) and solved with one factorization
per electricity variant. Monte Carlo is run again per result with its stored iterations and
seed.

The sweep runs as a job of each affected organisation (`start_sweeps`), in-process or on Dask.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from pcfhub.accounting.calculate import AccountingResult, Study, assemble
from pcfhub.accounting.columns import ResolvedFactor
from pcfhub.accounting.inventory import VARIANTS, Variant
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.resolve import resolve_factors
from pcfhub.accounting.results import uncertainty as monte_carlo_of
from pcfhub.accounting.service import store_result
from pcfhub.accounting.store import (
    AccountingResultFactorRow,
    AccountingResultRow,
    ProductModelRow,
    ProductModelVersionRow,
)
from pcfhub.calc.blocks import stack
from pcfhub.catalogue import service as catalogue
from pcfhub.errors import NotFoundError, PcfhubError
from pcfhub.factors.model import FactorStatus
from pcfhub.factors.store import FactorVersionRow
from pcfhub.platform import jobs
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.store import OrganisationRow
from pcfhub.platform.uow import UnitOfWork

if TYPE_CHECKING:
    from pcfhub.platform.context import Platform

JOB_KIND = "accounting.recompute"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SweepReport:
    recomputed: list[tuple[uuid.UUID, uuid.UUID]]  # (old result, new result)
    unchanged: int  # candidates whose factors resolve as before (pinned versions)
    failed: list[tuple[uuid.UUID, str]]  # (result, why): e.g. a factor withdrawn for good


def candidates(uow: UnitOfWork, organisation_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Current results (not replaced) that used a factor version no longer published."""
    newer = aliased(AccountingResultRow)
    query = (
        select(AccountingResultRow.id)
        .join(
            AccountingResultFactorRow, AccountingResultFactorRow.result_id == AccountingResultRow.id
        )
        .join(FactorVersionRow, FactorVersionRow.id == AccountingResultFactorRow.factor_version_id)
        .where(FactorVersionRow.status != FactorStatus.PUBLISHED.value)
        .where(~exists().where(newer.replaces_id == AccountingResultRow.id))
        .distinct()
    )
    if organisation_id is not None:
        query = query.where(AccountingResultRow.organisation_id == organisation_id)
    return sorted(uow.session.scalars(query))


def affected_organisations(uow: UnitOfWork) -> list[uuid.UUID]:
    """Organisations with at least one stale candidate."""
    rows = uow.session.scalars(
        select(AccountingResultRow.organisation_id)
        .where(AccountingResultRow.id.in_(candidates(uow)))
        .distinct()
    )
    return sorted(rows)


def acting_for(uow: UnitOfWork, organisation_id: uuid.UUID) -> Principal:
    """The platform acting for an organisation: its licences, its models."""
    organisation = uow.session.get(OrganisationRow, organisation_id)
    kind = OrganisationKind(organisation.kind) if organisation else OrganisationKind.ENTERPRISE
    return Principal(organisation_id=organisation_id, organisation_kind=kind, role=Role.EDITOR)


def _study(
    uow: UnitOfWork,
    principal: Principal,
    row: AccountingResultRow,
    cache: dict[tuple[str, int | None], ResolvedFactor],
) -> Study:
    """The study of a stored result, resolved again against today's factors."""
    session = uow.session
    version = session.get(ProductModelVersionRow, row.model_version_id)
    assert version is not None
    model = ProductModel.model_validate(version.data)
    provenance = row.data["provenance"]
    submodels: dict[str, ProductModel] = {}
    for code, number in (provenance.get("submodels") or {}).items():
        found = session.scalar(
            select(ProductModelVersionRow)
            .join(ProductModelRow, ProductModelRow.id == ProductModelVersionRow.model_id)
            .where(
                ProductModelRow.organisation_id == row.organisation_id,
                ProductModelRow.code == code,
                ProductModelVersionRow.version == number,
            )
        )
        assert found is not None
        submodels[code] = ProductModel.model_validate(found.data)
    refs = model.factor_refs() + [r for m in submodels.values() for r in m.factor_refs()]
    rule = None
    if row.rule_code is not None and row.rule_version is not None:
        rule = catalogue.rule_public(
            catalogue.rule_row(session, row.rule_code, row.rule_version)
        ).data
    return Study(
        model=model,
        factors=resolve_factors(uow, principal, refs, cache=cache),
        submodels=submodels,
        submodel_versions=dict(provenance.get("submodels") or {}),
        rule=rule,
        rule_version=row.rule_version,
        model_version=version.version,
        model_hash=version.content_hash,
    )


@dataclass(frozen=True)
class Stale:
    """A stale result and the study that recomputes it."""

    result_id: uuid.UUID
    model_version_id: uuid.UUID
    iterations: int
    seed: int
    changed: str
    study: Study


@dataclass(frozen=True)
class Plan:
    stale: list[Stale]
    unchanged: int
    failed: list[tuple[uuid.UUID, str]]


def plan(
    uow: UnitOfWork,
    *,
    organisation_id: uuid.UUID,
    result_ids: list[uuid.UUID] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Resolve an organisation's stale results (or the given ones) again; only reads."""
    principal = acting_for(uow, organisation_id)
    ids = result_ids if result_ids is not None else candidates(uow, organisation_id)
    stale: list[Stale] = []
    failed: list[tuple[uuid.UUID, str]] = []
    unchanged = 0
    cache: dict[tuple[str, int | None], ResolvedFactor] = {}
    for n, result_id in enumerate(ids):
        row = uow.session.get(AccountingResultRow, result_id)
        if row is None or row.organisation_id != organisation_id:
            raise NotFoundError("result_ids: a result is not one of this organisation's.")
        if progress is not None and n % 50 == 0:
            progress(n, len(ids), f"resolving {n} of {len(ids)} results")
        try:
            study = _study(uow, principal, row, cache)
        except PcfhubError as error:
            failed.append((row.id, str(error)))
            continue
        changed = _changed(study, row)
        if not changed:
            unchanged += 1
            continue
        stale.append(
            Stale(
                row.id,
                row.model_version_id,
                row.iterations,
                row.seed,
                ", ".join(sorted(changed)),
                study,
            )
        )
    return Plan(stale, unchanged, failed)


def solve(stale: list[Stale]) -> list[AccountingResult]:
    """The new results, all systems stacked and solved together per electricity variant;
    Monte Carlo again per result with its stored iterations and seed. No I/O."""
    if not stale:
        return []
    inventories = [item.study.inventories() for item in stale]
    supplies: list[dict[Variant, NDArray[np.float64]]] = [{} for _ in stale]
    for variant in VARIANTS:
        systems = [inventory[variant] for inventory in inventories]
        stacked = stack([inventory.system for inventory in systems])
        demands = [i.system.demand_array({i.reference: i.demand}) for i in systems]
        for n, supply in enumerate(stacked.supplies(demands)):
            supplies[n][variant] = supply
    results = []
    for item, inventory, supply in zip(stale, inventories, supplies, strict=True):
        spread = None
        if item.iterations:
            chosen = inventory[item.study.headline]
            spread = monte_carlo_of(
                chosen, chosen.system.factorize(), iterations=item.iterations, seed=item.seed
            )
        results.append(assemble(item.study, inventory, supply, spread))
    return results


def store(
    uow: UnitOfWork,
    organisation_id: uuid.UUID,
    stale: list[Stale],
    results: list[AccountingResult],
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Store each new result naming the one it replaces; (old, new) ids."""
    stored = []
    for item, result in zip(stale, results, strict=True):
        version = uow.session.get(ProductModelVersionRow, item.model_version_id)
        assert version is not None
        new = store_result(
            uow,
            None,
            organisation_id=organisation_id,
            version=version,
            result=result,
            reason=f"recomputed: newer factor versions ({item.changed})",
            replaces=item.result_id,
            seed=item.seed,
        )
        stored.append((item.result_id, new.id))
    return stored


def recompute(
    uow: UnitOfWork,
    *,
    organisation_id: uuid.UUID,
    result_ids: list[uuid.UUID] | None = None,
) -> SweepReport:
    """Plan, solve and store in one unit of work (the caller commits)."""
    found = plan(uow, organisation_id=organisation_id, result_ids=result_ids)
    stored = store(uow, organisation_id, found.stale, solve(found.stale))
    return SweepReport(recomputed=stored, unchanged=found.unchanged, failed=found.failed)


def _changed(study: Study, row: AccountingResultRow) -> set[str]:
    """The factors (key and version) the study now resolves to that the result did not use."""
    before = {f["version_id"] for f in row.data["provenance"]["factors"]}
    return {
        f"{f.key} v{f.version}" for f in study.factors.values() if str(f.version_id) not in before
    }


def sweep_work(context: jobs.JobContext, *, organisation_id: uuid.UUID) -> dict[str, Any]:
    """The work of a recompute job (picklable as a partial over the organisation id): plan
    with progress while only reading, solve, then store in one unit of work."""
    with context.units(read_only=True) as uow:
        found = plan(uow, organisation_id=organisation_id, progress=context.progress)
    context.progress(len(found.stale), len(found.stale), "solving all results together")
    results = solve(found.stale)
    with context.units() as uow:
        stored = store(uow, organisation_id, found.stale, results)
        context.check_cancelled()
        uow.commit()
    return {
        "recomputed": len(stored),
        "unchanged": found.unchanged,
        "failed": [{"result_id": str(i), "error": e} for i, e in found.failed],
        "results": [{"old": str(a), "new": str(b)} for a, b in stored],
    }


def factor_changed(platform: Platform) -> list[jobs.JobPublic]:
    """After a factor version was published or withdrawn: start the recompute jobs of the
    organisations whose results it made stale."""
    return start_sweeps(platform.unit_of_work, platform.jobs, platform.job_units)


def start_sweeps(
    units: jobs.UnitOfWorkFactory, runner: jobs.JobRunner, job_units: jobs.UnitOfWorkFactory
) -> list[jobs.JobPublic]:
    """One recompute job per organisation with stale results, queued and submitted."""
    started = []
    with units() as uow:
        organisations = affected_organisations(uow)
        for organisation_id in organisations:
            principal = acting_for(uow, organisation_id)
            started.append(
                jobs.create_job(
                    uow,
                    principal=principal,
                    kind=JOB_KIND,
                    title="Recompute results after factor changes",
                )
            )
        uow.commit()
    for job, organisation_id in zip(started, organisations, strict=True):
        runner.submit(job_units, job.id, partial(sweep_work, organisation_id=organisation_id))
    return started


def start_sweep(
    uow: UnitOfWork,
    runner: jobs.JobRunner,
    job_units: jobs.UnitOfWorkFactory,
    *,
    principal: Principal | None,
) -> jobs.JobPublic:
    """A recompute job of the principal's organisation, written in ``uow`` (committed here:
    SQLite has one writer) and submitted to the runner."""
    principal = require_principal(principal)
    authorize(
        uow.session,
        principal,
        Action.WRITE,
        owner_id=principal.organisation_id,
        object_kind="accounting_result",
    )
    job = jobs.create_job(
        uow, principal=principal, kind=JOB_KIND, title="Recompute results after factor changes"
    )
    uow.commit()
    runner.submit(job_units, job.id, partial(sweep_work, organisation_id=principal.organisation_id))
    return job
