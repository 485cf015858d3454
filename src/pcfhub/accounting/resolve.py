"""Resolving a model against the database: the factor versions it names (visible to the
organisation), the product models it takes as inputs, and its category's rule."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from pcfhub.accounting.columns import ResolvedFactor
from pcfhub.accounting.model import FactorRef, ProductModel
from pcfhub.accounting.store import ProductModelRow, ProductModelVersionRow
from pcfhub.catalogue import service as catalogue
from pcfhub.catalogue.model import RuleData
from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.factors.licences import licences_held
from pcfhub.factors.model import FactorData
from pcfhub.factors.queries import usable_version
from pcfhub.factors.service import values_visible
from pcfhub.platform.model import Principal
from pcfhub.platform.uow import UnitOfWork


def resolve_factors(
    uow: UnitOfWork,
    principal: Principal,
    refs: list[FactorRef],
    *,
    cache: dict[tuple[str, int | None], ResolvedFactor] | None = None,
) -> dict[tuple[str, int | None], ResolvedFactor]:
    """Each reference's version: the newest published one, or the pinned published or
    superseded one; its values must be visible to the principal's organisation.

    ``cache`` carries what was resolved before for the same principal in the same unit of
    work (a batch of results resolves the same factors again and again)."""
    session = uow.session
    licences = licences_held(session, principal)
    found: dict[tuple[str, int | None], ResolvedFactor] = {}
    for ref in refs:
        if cache is not None and (ref.key, ref.version) in cache:
            found[(ref.key, ref.version)] = cache[(ref.key, ref.version)]
            continue
        row = usable_version(session, ref.key, ref.version)
        if row is None:
            pinned = f" version {ref.version}" if ref.version else ""
            raise InvalidInputError(
                f"factor {ref.key!r}{pinned}: no published version of this factor; search the "
                "factor database for its key."
            )
        if not values_visible(row, principal, licences):
            raise PermissionDeniedError(
                f"factor {ref.key!r}: it is proprietary and your organisation holds no licence "
                "from its contributor; ask them for one or choose another factor."
            )
        found[(ref.key, ref.version)] = ResolvedFactor(
            version_id=row.id,
            key=ref.key,
            version=row.version,
            content_hash=row.content_hash,
            data=FactorData.model_validate(row.data),
        )
        if cache is not None:
            cache[(ref.key, ref.version)] = found[(ref.key, ref.version)]
    return found


def submodels_of(
    uow: UnitOfWork, owner: uuid.UUID, model: ProductModel
) -> tuple[dict[str, ProductModel], dict[str, int | None]]:
    """Every model reached through ``model`` exchanges, at its newest version, by code."""
    models: dict[str, ProductModel] = {}
    versions: dict[str, int | None] = {}
    pending = list(model.model_refs())
    while pending:
        code = pending.pop()
        if code in models:
            continue
        row = uow.session.scalar(
            select(ProductModelRow).where(
                ProductModelRow.organisation_id == owner, ProductModelRow.code == code
            )
        )
        if row is None:
            raise InvalidInputError(f"model {code!r}: no product model with this code here.")
        version = uow.session.scalar(
            select(ProductModelVersionRow).where(
                ProductModelVersionRow.model_id == row.id,
                ProductModelVersionRow.version == row.latest_version,
            )
        )
        assert version is not None
        models[code] = ProductModel.model_validate(version.data)
        versions[code] = version.version
        pending.extend(models[code].model_refs())
    return models, versions


def rule_for(uow: UnitOfWork, model: ProductModel) -> tuple[RuleData | None, int | None]:
    """The rule of the model's category in force at the end of its reference period."""
    category = model.product.category
    if category is None:
        return None, None
    day: date = model.product.reference_period[1]
    try:
        listed = catalogue.catalogue_on(uow, day)
    except NotFoundError:
        return None, None  # no catalogue yet: the compliance check says nothing was checked
    found = listed.data.category(category)
    if found is None:
        raise InvalidInputError(
            f"product.category: no category {category!r} in the catalogue in force on {day} "
            f"(version {listed.version})."
        )
    if found.rule_code is None:
        return None, None
    rule = catalogue.rule_on(uow, found.rule_code, day)
    return rule.data, rule.version
