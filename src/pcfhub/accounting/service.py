"""Accounting use cases: save model versions, account them, read and compare results.

Models, their versions and results belong to one organisation: its members read them (viewer)
and write them (editor, admin); others only through a grant. Accounting resolves every factor
the model names to a published version the organisation may see the values of, the product
models it takes as inputs to their newest versions, and the category rule in force at the end
of the reference period. A stored result pins all of them, is one ledger entry, and records
its factor uses for the factor market (`pcfhub.factors.usage.record_usage`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from pcfhub.accounting.calculate import AccountingResult, Progress, account
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.resolve import resolve_factors, rule_for, submodels_of
from pcfhub.accounting.schemas import ModelPublic, ModelVersionPublic, ResultPublic, ResultSummary
from pcfhub.accounting.store import (
    AccountingResultFactorRow,
    AccountingResultRow,
    ProductModelRow,
    ProductModelVersionRow,
)
from pcfhub.errors import InvalidInputError, NotFoundError
from pcfhub.factors.schemas import UsageRecord
from pcfhub.factors.usage import record_usage
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal, actor_of
from pcfhub.platform.pages import MAX_PAGE, page_of
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork

MODEL = "product_model"
RESULT = "accounting_result"
MAX_ITERATIONS = 100_000
# Results compared side by side, in the API and on the comparison page (whose bars are coloured
# by electricity variant, not by result, so any number of results render).
MAX_COMPARE = 10


def _authorize(
    uow: UnitOfWork,
    principal: Principal | None,
    action: Action,
    owner: uuid.UUID,
    kind: str,
    object_id: uuid.UUID | None = None,
) -> Principal:
    principal = require_principal(principal)
    authorize(
        uow.session,
        principal,
        action,
        owner_id=owner,
        object_kind=kind,
        object_id=str(object_id) if object_id else None,
    )
    return principal


def _model_public(row: ProductModelRow) -> ModelPublic:
    return ModelPublic.model_validate(row, from_attributes=True)


def _version_public(row: ProductModelVersionRow, model: ProductModelRow) -> ModelVersionPublic:
    return ModelVersionPublic(
        id=row.id,
        model_id=model.id,
        code=model.code,
        version=row.version,
        content_hash=row.content_hash,
        note=row.note,
        created_at=row.created_at,
        model=ProductModel.model_validate(row.data),
    )


def save_model(
    uow: UnitOfWork, *, principal: Principal | None, model: ProductModel, note: str = ""
) -> ModelVersionPublic:
    """Save ``model`` as the next version of its code in the principal's organisation."""
    principal = require_principal(principal)
    owner = principal.organisation_id
    _authorize(uow, principal, Action.WRITE, owner, MODEL)
    session = uow.session
    row = session.scalar(
        select(ProductModelRow).where(
            ProductModelRow.organisation_id == owner, ProductModelRow.code == model.code
        )
    )
    if row is None:
        row = ProductModelRow(organisation_id=owner, code=model.code)
        session.add(row)
    row.name_en, row.name_zh = model.product.name_en, model.product.name_zh
    row.category, row.updated_at = model.product.category, utcnow()
    row.latest_version = (row.latest_version or 0) + 1
    session.flush()
    data = model.model_dump(mode="json")
    version = ProductModelVersionRow(
        model_id=row.id,
        version=row.latest_version,
        data=data,
        content_hash=content_hash(data),
        note=note[:500],
        created_by=principal.user_id,
    )
    session.add(version)
    session.flush()
    ledger.append(
        session,
        actor=principal.actor,
        organisation_id=owner,
        action="accounting.model_saved",
        object_kind="product_model_version",
        object_id=str(version.id),
    )
    return _version_public(version, row)


def _model_row(uow: UnitOfWork, principal: Principal, model_id: uuid.UUID) -> ProductModelRow:
    row = uow.session.get(ProductModelRow, model_id)
    if row is None:
        raise NotFoundError(f"No product model {model_id} here.")
    _authorize(uow, principal, Action.READ, row.organisation_id, MODEL, model_id)
    return row


def list_models(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[ModelPublic]:
    """The organisation's product models, most recently changed first."""
    principal = require_principal(principal)
    _authorize(uow, principal, Action.READ, principal.organisation_id, MODEL)
    return page_of(
        uow.session,
        select(ProductModelRow).where(ProductModelRow.organisation_id == principal.organisation_id),
        order_by=(ProductModelRow.updated_at.desc(), ProductModelRow.id),
        offset=offset,
        limit=limit,
        public=_model_public,
    )


def get_model(
    uow: UnitOfWork, *, principal: Principal | None, model_id: uuid.UUID, version: int | None = None
) -> ModelVersionPublic:
    """A version of a model (the newest unless ``version`` is given)."""
    principal = require_principal(principal)
    row = _model_row(uow, principal, model_id)
    wanted = version or row.latest_version
    found = uow.session.scalar(
        select(ProductModelVersionRow).where(
            ProductModelVersionRow.model_id == row.id, ProductModelVersionRow.version == wanted
        )
    )
    if found is None:
        raise NotFoundError(f"Product model {row.code} has no version {wanted}.")
    return _version_public(found, row)


def model_by_code(uow: UnitOfWork, *, principal: Principal | None, code: str) -> ModelPublic:
    """The organisation's model with this code."""
    principal = require_principal(principal)
    _authorize(uow, principal, Action.READ, principal.organisation_id, MODEL)
    row = uow.session.scalar(
        select(ProductModelRow).where(
            ProductModelRow.organisation_id == principal.organisation_id,
            ProductModelRow.code == code,
        )
    )
    if row is None:
        raise NotFoundError(f"No product model {code!r} in this organisation.")
    return _model_public(row)


def evaluate(
    uow: UnitOfWork,
    principal: Principal,
    model: ProductModel,
    *,
    iterations: int = 1000,
    seed: int = 0,
    version: tuple[int, str] | None = None,
    progress: Progress | None = None,
) -> AccountingResult:
    """Account a model against the database's factors, models and rules; stores nothing."""
    if not 0 <= iterations <= MAX_ITERATIONS:
        raise InvalidInputError(f"iterations: give 0 to {MAX_ITERATIONS:,}.")
    submodels, versions = submodels_of(uow, principal.organisation_id, model)
    refs = model.factor_refs() + [r for m in submodels.values() for r in m.factor_refs()]
    factors = resolve_factors(uow, principal, refs)
    rule, rule_version = rule_for(uow, model)
    return account(
        model,
        factors,
        submodels=submodels,
        submodel_versions=versions,
        rule=rule,
        rule_version=rule_version,
        model_version=version[0] if version else None,
        model_hash=version[1] if version else None,
        iterations=iterations,
        seed=seed,
        progress=progress,
    )


def store_result(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    version: ProductModelVersionRow,
    result: AccountingResult,
    reason: str,
    replaces: uuid.UUID | None = None,
    seed: int = 0,
) -> AccountingResultRow:
    """Write a result, its factor index, its ledger entry and its factor uses."""
    session = uow.session
    data = result.model_dump(mode="json")
    row = AccountingResultRow(
        organisation_id=organisation_id,
        model_version_id=version.id,
        replaces_id=replaces,
        reason=reason[:300],
        headline=result.headline,
        total=result.result.total,
        location_total=result.location_based.total,
        market_total=result.market_based.total,
        declared_unit=result.declared_unit[:120],
        rule_code=result.compliance.rule_code,
        rule_version=result.compliance.rule_version,
        complies=result.compliance.complies,
        iterations=result.uncertainty.iterations if result.uncertainty else 0,
        seed=seed,
        data=data,
        content_hash=content_hash(data),
        created_by=principal.user_id if principal else None,
    )
    session.add(row)
    session.flush()
    version_ids = sorted({f.version_id for f in result.provenance.factors})
    session.add_all(
        AccountingResultFactorRow(result_id=row.id, factor_version_id=v) for v in version_ids
    )
    actor = actor_of(principal)
    ledger.append(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action="accounting.result_recomputed" if replaces else "accounting.result_computed",
        object_kind=RESULT,
        object_id=str(row.id),
    )
    if version_ids:
        record_usage(
            uow,
            principal=principal,
            organisation_id=organisation_id,
            usage=UsageRecord(result_kind=RESULT, result_id=str(row.id), version_ids=version_ids),
        )
    return row


def calculate(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    model_id: uuid.UUID,
    version: int | None = None,
    iterations: int = 1000,
    seed: int = 0,
    progress: Progress | None = None,
) -> ResultPublic:
    """Account a stored model version and store the result."""
    principal = require_principal(principal)
    model_row = _model_row(uow, principal, model_id)
    _authorize(uow, principal, Action.WRITE, model_row.organisation_id, RESULT)
    stored = get_model(uow, principal=principal, model_id=model_id, version=version)
    version_row = uow.session.get(ProductModelVersionRow, stored.id)
    assert version_row is not None
    result = evaluate(
        uow,
        principal,
        stored.model,
        iterations=iterations,
        seed=seed,
        version=(stored.version, stored.content_hash),
        progress=progress,
    )
    row = store_result(
        uow,
        principal,
        organisation_id=model_row.organisation_id,
        version=version_row,
        result=result,
        reason="calculated",
        seed=seed,
    )
    return _result_public(row, version_row, model_row)


def _result_public(
    row: AccountingResultRow, version: ProductModelVersionRow, model: ProductModelRow
) -> ResultPublic:
    return ResultPublic(
        **_summary_fields(row, version, model),
        organisation_id=row.organisation_id,
        result=AccountingResult.model_validate(row.data),
    )


def _summary_fields(
    row: AccountingResultRow, version: ProductModelVersionRow, model: ProductModelRow
) -> dict[str, Any]:
    return dict(
        id=row.id,
        model_id=model.id,
        code=model.code,
        name_en=model.name_en,
        name_zh=model.name_zh,
        model_version=version.version,
        replaces_id=row.replaces_id,
        reason=row.reason,
        headline=row.headline,
        total=row.total,
        location_total=row.location_total,
        market_total=row.market_total,
        declared_unit=row.declared_unit,
        complies=row.complies,
        rule_code=row.rule_code,
        rule_version=row.rule_version,
        content_hash=row.content_hash,
        created_at=row.created_at,
    )


def get_result(
    uow: UnitOfWork, *, principal: Principal | None, result_id: uuid.UUID
) -> ResultPublic:
    principal = require_principal(principal)
    row = uow.session.get(AccountingResultRow, result_id)
    if row is None:
        raise NotFoundError(f"No accounting result {result_id} here.")
    _authorize(uow, principal, Action.READ, row.organisation_id, RESULT, result_id)
    version = uow.session.get(ProductModelVersionRow, row.model_version_id)
    assert version is not None
    model = uow.session.get(ProductModelRow, version.model_id)
    assert model is not None
    return _result_public(row, version, model)


def list_results(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    model_id: uuid.UUID | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ResultSummary]:
    """The organisation's results (of one model when given), newest first."""
    principal = require_principal(principal)
    owner = principal.organisation_id
    _authorize(uow, principal, Action.READ, owner, RESULT)
    query = (
        select(AccountingResultRow, ProductModelVersionRow, ProductModelRow)
        .join(
            ProductModelVersionRow,
            AccountingResultRow.model_version_id == ProductModelVersionRow.id,
        )
        .join(ProductModelRow, ProductModelVersionRow.model_id == ProductModelRow.id)
        .where(AccountingResultRow.organisation_id == owner)
    )
    if model_id is not None:
        query = query.where(ProductModelRow.id == model_id)
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}.")
    count = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.execute(
        query.order_by(AccountingResultRow.created_at.desc(), AccountingResultRow.id)
        .offset(offset)
        .limit(limit)
    )
    return Page(data=[ResultSummary(**_summary_fields(*found)) for found in rows], count=count)
