"""Account a product model: both electricity variants, uncertainty, compliance, provenance.

Pure: it takes the model, the factor versions it uses, the product models it takes as inputs
and the category rule, and returns an `AccountingResult`; the service resolves those from
the database and stores the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from pcfhub import __version__
from pcfhub.accounting.compliance import Compliance, check
from pcfhub.accounting.inventory import ResolvedFactor, build_inventory
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


def headline_variant(model: ProductModel, rule: RuleData | None) -> str:
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
    order = rule.allocation_order if rule else ISO_ALLOCATION_ORDER
    variants = {}
    for variant in ("location", "market"):
        inventory = build_inventory(
            model, factors, submodels=submodels, variant=variant, allocation_order=order
        )
        lca = inventory.system.factorize()
        variants[variant] = (inventory, lca, breakdown(inventory, lca))
    headline = headline_variant(model, rule)
    inventory, lca, main = variants[headline]
    spread = None
    if iterations:
        spread = monte_carlo_of(inventory, lca, iterations=iterations, seed=seed, progress=progress)
    used = {f.version_id: f for f in factors.values()}
    location_inventory = variants["location"][0]
    market_inventory = variants["market"][0]
    columns = {**location_inventory.factor_columns, **market_inventory.factor_columns}
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
        location_based=variants["location"][2],
        market_based=variants["market"][2],
        uncertainty=spread,
        hot_spots=hot_spots(main),
        compliance=check(model, main, rule, rule_version=rule_version),
        provenance=Provenance(
            model_code=model.code,
            model_version=model_version,
            model_hash=model_hash,
            submodels=dict(submodel_versions or {c: None for c in (submodels or {})}),
            factors=uses,
            gwp_set=model.product.gwp_set,
            gwp_source=gwp.citation(model.product.gwp_set),
            rule_code=rule.code if rule else None,
            rule_version=rule_version,
            category=model.product.category,
            allocations={**location_inventory.allocations, **market_inventory.allocations},
            software=f"pcfhub {__version__}",
            notes=sorted(set(location_inventory.notes) | set(market_inventory.notes)),
        ),
    )
