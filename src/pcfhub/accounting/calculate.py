"""Account a product model: both electricity variants, uncertainty, compliance, provenance.

Pure: it takes the model, the factor versions it uses, the product models it takes as inputs
and the category rule, and returns an `AccountingResult`; the service resolves those from
the database and stores the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from pcfhub import __version__
from pcfhub.accounting.compliance import Compliance, check
from pcfhub.accounting.inventory import (
    VARIANTS,
    Inventory,
    ResolvedFactor,
    Variant,
    build_inventory,
)
from pcfhub.accounting.model import ElectricityExchange, ProductModel
from pcfhub.accounting.results import Breakdown, InputLine, Uncertainty, breakdown, hot_spots
from pcfhub.accounting.results import uncertainty as monte_carlo_of
from pcfhub.catalogue.model import ISO_ALLOCATION_ORDER, MarketBased, RuleData
from pcfhub.factors import gwp

Progress = Callable[[int, int], None]


class FactorUse(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    version: int
    version_id: uuid.UUID
    content_hash: str
    name_en: str
    unit: str
    source: str


class Provenance(BaseModel):
    """What the result was computed from: enough to compute it again."""

    model_config = ConfigDict(frozen=True)

    model_code: str
    model_version: int | None
    model_hash: str | None
    submodels: dict[str, int | None]  # code → version used
    factors: list[FactorUse]
    gwp_set: str
    gwp_source: str
    rule_code: str | None
    rule_version: int | None
    category: str | None
    allocations: dict[str, tuple[str, float]]
    software: str
    notes: list[str]


class AccountingResult(BaseModel):
    """The footprint of one declared unit of a product model."""

    model_config = ConfigDict(frozen=True)

    product: str
    declared_unit: str
    headline: str  # which variant is the study's result: location or market
    location_based: Breakdown
    market_based: Breakdown
    uncertainty: Uncertainty | None
    hot_spots: list[InputLine]
    compliance: Compliance
    provenance: Provenance

    @property
    def result(self) -> Breakdown:
        return self.market_based if self.headline == "market" else self.location_based


def headline_variant(model: ProductModel, rule: RuleData | None) -> Variant:
    """Market-based when the model claims contractual instruments and the rule accepts
    market-based electricity; location-based otherwise."""
    claims = any(
        e.instruments
        for p in model.processes
        for e in p.exchanges
        if isinstance(e, ElectricityExchange)
    )
    allowed = rule is None or rule.electricity.market_based != MarketBased.NOT_ALLOWED
    return "market" if claims and allowed else "location"


@dataclass(frozen=True)
class Study:
    """Everything one accounting reads: the model and what it was resolved against."""

    model: ProductModel
    factors: dict[tuple[str, int | None], ResolvedFactor]
    submodels: dict[str, ProductModel] = field(default_factory=dict)
    submodel_versions: dict[str, int | None] = field(default_factory=dict)
    rule: RuleData | None = None
    rule_version: int | None = None
    model_version: int | None = None
    model_hash: str | None = None

    @property
    def headline(self) -> Variant:
        return headline_variant(self.model, self.rule)

    def inventories(self) -> dict[Variant, Inventory]:
        """The matrices of both electricity variants."""
        order = self.rule.allocation_order if self.rule else ISO_ALLOCATION_ORDER
        return {
            variant: build_inventory(
                self.model,
                self.factors,
                submodels=self.submodels,
                variant=variant,
                allocation_order=order,
            )
            for variant in VARIANTS
        }


def account(
    model: ProductModel,
    factors: dict[tuple[str, int | None], ResolvedFactor],
    *,
    submodels: dict[str, ProductModel] | None = None,
    submodel_versions: dict[str, int | None] | None = None,
    rule: RuleData | None = None,
    rule_version: int | None = None,
    model_version: int | None = None,
    model_hash: str | None = None,
    iterations: int = 1000,
    seed: int = 0,
    progress: Progress | None = None,
) -> AccountingResult:
    """The footprint of one declared unit, location- and market-based, with Monte Carlo
    (``iterations`` 0 skips it) on the headline variant."""
    study = Study(
        model,
        factors,
        submodels or {},
        dict(submodel_versions or dict.fromkeys(submodels or {})),
        rule,
        rule_version,
        model_version,
        model_hash,
    )
    inventories = study.inventories()
    solved = {variant: inventory.system.factorize() for variant, inventory in inventories.items()}
    supplies = {
        variant: solved[variant].supply_array({inventory.reference: inventory.demand})
        for variant, inventory in inventories.items()
    }
    spread = None
    if iterations:
        headline = study.headline
        spread = monte_carlo_of(
            inventories[headline],
            solved[headline],
            iterations=iterations,
            seed=seed,
            progress=progress,
        )
    return assemble(study, inventories, supplies, spread)


def assemble(
    study: Study,
    inventories: dict[Variant, Inventory],
    supplies: dict[Variant, NDArray[np.float64]],
    spread: Uncertainty | None,
) -> AccountingResult:
    """The result of a study from the supplies that meet its declared unit in both variants."""
    model, rule = study.model, study.rule
    variants = {v: breakdown(inventories[v], supplies[v]) for v in VARIANTS}
    headline = study.headline
    main = variants[headline]
    columns = {**inventories["location"].factor_columns, **inventories["market"].factor_columns}
    used = {f.version_id: f for f in study.factors.values()}
    uses = [
        FactorUse(
            key=f.key,
            version=f.version,
            version_id=f.version_id,
            content_hash=f.content_hash,
            name_en=f.data.name_en,
            unit=f.data.unit,
            source=f"{f.data.source.publisher}, {f.data.source.document}"
            + (f", {f.data.source.table}" if f.data.source.table else "")
            + f" ({f.data.source.year})",
        )
        for version_id, f in sorted(used.items(), key=lambda item: item[1].key)
        if version_id in columns
    ]
    return AccountingResult(
        product=model.product.name_en,
        declared_unit=f"{model.product.declared_unit.amount:g} {model.product.declared_unit.unit}",
        headline=headline,
        location_based=variants["location"],
        market_based=variants["market"],
        uncertainty=spread,
        hot_spots=hot_spots(main),
        compliance=check(model, main, rule, rule_version=study.rule_version),
        provenance=Provenance(
            model_code=model.code,
            model_version=study.model_version,
            model_hash=study.model_hash,
            submodels=dict(study.submodel_versions),
            factors=uses,
            gwp_set=model.product.gwp_set,
            gwp_source=gwp.citation(model.product.gwp_set),
            rule_code=rule.code if rule else None,
            rule_version=study.rule_version,
            category=model.product.category,
            allocations={
                **inventories["location"].allocations,
                **inventories["market"].allocations,
            },
            software=f"pcfhub {__version__}",
            notes=sorted(set(inventories["location"].notes) | set(inventories["market"].notes)),
        ),
    )
