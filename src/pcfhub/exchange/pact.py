"""An accounting result as a WBCSD PACT ProductFootprint, v2 (2.3) or v3 (3.0). Pure: no I/O.

Sections cited are those of the PACT Technical Specification: v2 ``spec.bs`` (§ProductFootprint,
§CarbonFootprint, §DataQualityIndicators, §DeclaredUnit) and the v3 OpenAPI schema
(``components.schemas.CarbonFootprint``, whose ``x-comment`` gives each total's formula).
The headline variant of the result is exported. What the result cannot tell (company and
product ids, carbon contents, the mass of a piece…) comes from a `FootprintContext`; a number the
spec requires and nobody gave raises `PactMappingError` naming the field, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pcfhub.accounting.calculate import AccountingResult
from pcfhub.accounting.model import ActivityExchange, ProcessInput, ProductModel
from pcfhub.accounting.results import Breakdown
from pcfhub.exchange.pact_context import DataQuality, FootprintContext
from pcfhub.exchange.pact_units import (
    MASSLESS,
    V2_UNITS,
    PactMappingError,
    decimal,
    pact_unit,
)

V2_SPEC_VERSION = "2.3.0"
V3_SPEC_VERSION = "3.0.0"
#: kg CO2 per kg C (44.009 / 12.011): a carbon content as the CO2 taken up to build it.
CO2_PER_C = 44.009 / 12.011
#: v2 §CrossSectoralStandard (deprecated enumeration) for the v2.3 / v3 names that have one.
LEGACY_STANDARDS = {
    "ISO14067": "ISO Standard 14067",
    "ISO14040-44": "ISO Standard 14044",
    "GHGP-Product": "GHG Protocol Product standard",
}
#: v2 §RegionOrSubregion / v3 ``geographyRegionOrSubregion``.
REGIONS = frozenset({
    "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand",
    "Central Asia", "Eastern Asia", "Eastern Europe", "Latin America and the Caribbean",
    "Melanesia", "Micronesia", "Northern Africa", "Northern America", "Northern Europe",
    "Polynesia", "South-eastern Asia", "Southern Asia", "Southern Europe", "Sub-Saharan Africa",
    "Western Asia", "Western Europe",
})  # fmt: skip


@dataclass(frozen=True)
class Parts:
    """The result's CO2e per declared unit of the model, in PACT's terms."""

    fossil: float
    land_use_change: float
    biogenic_co2: float  # biogenic CO2 emitted
    biogenic_non_co2: float  # biogenic CH4 and other gases
    biogenic_removals: float  # ≤ 0, as pcfhub accounts them (−1 per kg CO2 taken up)
    uptake: float | None  # ≤ 0: CO2 held in the product at the gate; None when unknown

    @property
    def excluding_uptake(self) -> float:
        """v3 pcfExcludingBiogenicUptake (x-comment): fossil + LUC + biogenic non-CO2 (land
        management and technological terms are not modelled by pcfhub: 0); also v2
        pCfExcludingBiogenic ("excluding biogenic CO2")."""
        return self.fossil + self.land_use_change + self.biogenic_non_co2


def parts(result: AccountingResult, context: FootprintContext) -> Parts:
    b: Breakdown = result.result
    fossil = b.fossil
    if b.not_split:
        if not context.count_unsplit_as_fossil:
            raise PactMappingError(
                f"pcf.fossilGhgEmissions: {b.not_split:g} kg CO2e per declared unit come from "
                "factors or supplier footprints that state no gases or origin; give their gas "
                "split, or set count_unsplit_as_fossil to report them as fossil."
            )
        fossil += b.not_split
    bio_co2 = bio_other = 0.0
    for line in b.by_gas:
        if line.origin != "biogenic" or line.co2e_kg < 0:
            continue
        if line.flow.startswith("CO2e"):
            raise PactMappingError(
                f"pcf.pCfExcludingBiogenic: {line.co2e_kg:g} kg biogenic CO2e ({line.flow}) "
                "cannot be split into CO2 and other gases; state the supplier's gases."
            )
        if line.flow.startswith("CO2 "):
            bio_co2 += line.co2e_kg
        else:
            bio_other += line.co2e_kg
    if context.biogenic_carbon_content_kg is not None:
        uptake: float | None = -CO2_PER_C * context.biogenic_carbon_content_kg
    elif not b.biogenic_removals and not bio_co2:
        uptake = 0.0  # no biogenic CO2 anywhere in the inventory: nothing held in the product
    else:
        uptake = None
    return Parts(fossil, b.land_use_change, bio_co2, bio_other, b.biogenic_removals, uptake)


@dataclass(frozen=True)
class Unit:
    name: str  # the PACT declared unit
    amount: float  # PACT units in the model's declared unit
    mass_kg: float | None  # mass of the model's declared unit, excluding packaging


def declared_unit(model: ProductModel, context: FootprintContext, *, v2: bool) -> Unit:
    """The PACT declared unit of the model's. PACT v2 has no piece (§DeclaredUnit: it arrives
    in v3), so v2 declares a piece per kilogram with unitaryProductAmount the piece's mass."""
    quantity = model.product.declared_unit
    name, factor = pact_unit(quantity.unit)
    amount = quantity.amount * factor
    mass = context.product_mass_kg
    if name == "kilogram":
        mass = amount
    elif name in MASSLESS:
        mass = 0.0
    if v2 and name not in V2_UNITS:
        if mass is None:
            raise PactMappingError(
                f"pcf.declaredUnit: PACT v2 has no unit {name!r}; give product_mass_kg (the "
                f"mass of {quantity.amount:g} {quantity.unit}) to declare it per kilogram, or "
                "declare the model per kilogram."
            )
        return Unit("kilogram", mass, mass)
    return Unit(name, amount, mass)


def _period(model: ProductModel) -> dict[str, str]:
    """Reference period: pcfhub's end date is inclusive, PACT's end is exclusive."""
    start, end = model.product.reference_period
    return {
        "referencePeriodStart": _stamp(start),
        "referencePeriodEnd": _stamp(end + timedelta(days=1)),
    }


def _stamp(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _geography(model: ProductModel, context: FootprintContext) -> dict[str, str]:
    """One of the three geography properties, or none for global (v2 §Scope of a
    CarbonFootprint)."""
    code = context.geography
    if code is None:
        location = model.process(model.product.reference_process).location or ""
        code = location if re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", location) else "Global"
    if code in REGIONS:
        return {"geographyRegionOrSubregion": code}
    if re.fullmatch(r"[A-Z]{2}", code):
        return {"geographyCountry": code}
    if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code):
        return {"geographyCountrySubdivision": code}
    if code in ("Global", "GLO"):
        return {}
    raise PactMappingError(
        f"geography {code!r} is not an ISO 3166 code (CN, CN-CQ) nor a UN region (Eastern Asia)"
    )


def _exemptions(model: ProductModel, context: FootprintContext) -> tuple[float, str]:
    percent = context.exempted_emissions_percent
    if percent is None:
        if model.exclusions:
            raise PactMappingError(
                "pcf.exemptedEmissionsPercent: the model excludes inputs by mass share, which "
                "is not their share of the emissions; give exempted_emissions_percent."
            )
        percent = 0.0
    description = context.exempted_emissions_description
    if description is None:
        description = "; ".join(
            f"{e.name} ({e.mass_share:.1%} of mass): {e.reason}" for e in model.exclusions
        )
    return percent, description


def _boundary(model: ProductModel, context: FootprintContext) -> str:
    """The boundary and its life-cycle stages; process names stay in the tenant (know-how)
    unless the owner writes a description."""
    if context.boundary_processes_description:
        return context.boundary_processes_description
    stages = dict.fromkeys(p.stage.value.replace("_", " ") for p in model.processes)
    return f"{model.product.boundary.value.replace('_', ' ')}: {', '.join(stages)}"


def _packaging(model: ProductModel, context: FootprintContext) -> bool:
    if context.packaging_emissions_included is not None:
        return context.packaging_emissions_included
    return any(
        isinstance(e, ActivityExchange | ProcessInput) and e.packaging
        for p in model.processes
        for e in p.exchanges
    )


def _sources(result: AccountingResult) -> list[dict[str, str]]:
    """secondaryEmissionFactorSources: each published factor source once, its year as the
    version. Which factors were used is not named: that would disclose the bill of materials."""
    found: dict[str, str] = {}
    for f in result.provenance.factors:
        year = re.search(r"\((\d{4})\)\s*$", f.source)
        found.setdefault(f.source, year.group(1) if year else "unversioned")
    return [{"name": name, "version": version} for name, version in found.items()]


def _comment(result: AccountingResult, context: FootprintContext) -> str:
    p = result.provenance
    text = (
        f"Calculated by {p.software} from model {p.model_code}"
        + (f" v{p.model_version}" if p.model_version else "")
        + f"; {result.headline}-based electricity; biogenic CO2 per ISO 14067 (-1/+1)."
    )
    return f"{context.comment} {text}" if context.comment else text


def _required(value: float | None, field: str, what: str) -> float:
    if value is None:
        raise PactMappingError(
            f"{field} is required by PACT and pcfhub does not compute it: {what}"
        )
    return value


def _non_negative(value: float, field: str) -> float:
    if value < -1e-12:
        raise PactMappingError(f"{field} must be ≥ 0 in PACT; the result gives {value:g}")
    return max(value, 0.0)


def _product(model: ProductModel, context: FootprintContext, spec: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": str(context.id), "specVersion": context.spec_version or spec}
    if context.preceding_ids:
        doc["precedingPfIds"] = [str(i) for i in context.preceding_ids]
    doc |= {
        "created": _stamp(context.created),
        "status": context.status,
        "companyName": context.company_name,
        "companyIds": list(dict.fromkeys(context.company_ids)),
        "productDescription": model.product.description or model.product.name_en,
        "productIds": list(dict.fromkeys(context.product_ids)),
    }
    if context.cpc_code:
        doc["productClassifications"] = [f"urn:cpc:{context.cpc_code}"]
    doc["productNameCompany"] = model.product.name_en
    return doc


def to_pact_v2(
    result: AccountingResult, model: ProductModel, context: FootprintContext
) -> dict[str, Any]:
    """A PACT 2.3 ProductFootprint (v2 spec §ProductFootprint, §CarbonFootprint)."""
    part = parts(result, context)
    unit = declared_unit(model, context, v2=True)
    per = 1 / unit.amount  # v2 values are per one declared unit (kgCO2e / declaredUnit)
    standards = [
        LEGACY_STANDARDS[s] for s in context.cross_sectoral_standards if s in LEGACY_STANDARDS
    ]
    if not standards:
        raise PactMappingError(
            "pcf.crossSectoralStandardsUsed: none of the standards has a v2 name "
            f"({', '.join(LEGACY_STANDARDS)})"
        )
    percent, description = _exemptions(model, context)
    if percent > 5:
        raise PactMappingError("pcf.exemptedEmissionsPercent: PACT v2 allows at most 5 percent")
    fossil_c = _required(
        context.fossil_carbon_content_kg, "pcf.fossilCarbonContent", "give fossil_carbon_content_kg"
    )
    bio_c = _required(
        context.biogenic_carbon_content_kg,
        "pcf.biogenicCarbonContent",
        "give biogenic_carbon_content_kg",
    )
    b = result.result
    pcf: dict[str, Any] = {
        "declaredUnit": unit.name,
        "unitaryProductAmount": decimal(unit.amount),
    }
    if unit.mass_kg is not None:
        pcf["productMassPerDeclaredUnit"] = decimal(unit.mass_kg * per)
    including = part.excluding_uptake + part.biogenic_co2 + part.biogenic_removals
    pcf |= {
        # "excluding biogenic CO2 emissions" (and removals): fossil + dLUC + biogenic non-CO2.
        "pCfExcludingBiogenic": decimal(
            _non_negative(part.excluding_uptake, "pcf.pCfExcludingBiogenic") * per
        ),
        # "including all biogenic emissions (CO2 and otherwise)", may be < 0: pcfhub's total.
        "pCfIncludingBiogenic": decimal(including * per),
        "fossilGhgEmissions": decimal(_non_negative(part.fossil, "pcf.fossilGhgEmissions") * per),
        "fossilCarbonContent": decimal(fossil_c * per),
        "biogenicCarbonContent": decimal(bio_c * per),
        "dLucGhgEmissions": decimal(
            _non_negative(part.land_use_change, "pcf.dLucGhgEmissions") * per
        ),
        "otherBiogenicGhgEmissions": decimal((part.biogenic_co2 + part.biogenic_non_co2) * per),
        # "Biogenic Carbon contained in the product converted to kgCO2e", ≤ 0.
        "biogenicCarbonWithdrawal": decimal(-CO2_PER_C * bio_c * per),
        "characterizationFactors": result.provenance.gwp_set,
        "ipccCharacterizationFactorsSources": [result.provenance.gwp_set],
        "crossSectoralStandardsUsed": standards,
        "crossSectoralStandards": list(context.cross_sectoral_standards),
    }
    if "ISO14067" in context.cross_sectoral_standards:
        pcf["biogenicAccountingMethodology"] = "ISO"
    pcf |= {"boundaryProcessesDescription": _boundary(model, context), **_period(model)}
    pcf |= _geography(model, context)
    if sources := _sources(result):
        pcf["secondaryEmissionFactorSources"] = sources
    pcf |= {
        "exemptedEmissionsPercent": percent,
        "exemptedEmissionsDescription": description,
        "packagingEmissionsIncluded": _packaging(model, context),
        "primaryDataShare": round(b.primary_data_share * 100, 6),
    }
    if (q := context.data_quality) is not None:
        pcf["dqi"] = _dqi_v2(q)
    doc = _product(model, context, V2_SPEC_VERSION)
    doc |= {"version": context.version}
    if context.updated is not None:
        doc["updated"] = _stamp(context.updated)
    doc |= {
        "productCategoryCpc": _required(
            context.cpc_code, "productCategoryCpc", "give cpc_code (UN CPC 2.1)"
        ),
        "comment": _comment(result, context),
        "pcf": pcf,
    }
    return doc


def _dqi_v2(q: DataQuality) -> dict[str, float]:
    values = {
        "coveragePercent": q.coverage_percent,
        "technologicalDQR": q.technological,
        "temporalDQR": q.temporal,
        "geographicalDQR": q.geographical,
        "completenessDQR": q.completeness,
        "reliabilityDQR": q.reliability,
    }
    for name, value in values.items():
        if value is None or (name != "coveragePercent" and not 1 <= value <= 3):
            raise PactMappingError(f"pcf.dqi.{name}: PACT v2 needs every rating, each 1 to 3")
    return {k: float(v) for k, v in values.items() if v is not None}


def to_pact_v3(
    result: AccountingResult, model: ProductModel, context: FootprintContext
) -> dict[str, Any]:
    """A PACT 3.0 ProductFootprint (v3 OpenAPI ProductFootprint and CarbonFootprint).

    v3 values are per declared unit = declaredUnitAmount × declaredUnitOfMeasurement, i.e. per
    the model's declared unit, unscaled."""
    part = parts(result, context)
    unit = declared_unit(model, context, v2=False)
    mass = _required(
        unit.mass_kg,
        "pcf.productMassPerDeclaredUnit",
        f"give product_mass_kg (the mass of the declared unit, {result.declared_unit})",
    )
    fossil_c = _required(
        context.fossil_carbon_content_kg, "pcf.fossilCarbonContent", "give fossil_carbon_content_kg"
    )
    uptake = _required(
        part.uptake,
        "pcf.pcfIncludingBiogenicUptake",
        "the inventory holds biogenic CO2; give biogenic_carbon_content_kg (kg C in the product)",
    )
    percent, description = _exemptions(model, context)
    excluding = _non_negative(part.excluding_uptake, "pcf.pcfExcludingBiogenicUptake")
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": unit.name,
        "declaredUnitAmount": decimal(unit.amount),
        "productMassPerDeclaredUnit": decimal(mass),
        **_period(model),
        **_geography(model, context),
        "boundaryProcessesDescription": _boundary(model, context),
        "pcfExcludingBiogenicUptake": decimal(excluding),
        # x-comment: pcfExcludingBiogenicUptake + biogenicCO2Uptake.
        "pcfIncludingBiogenicUptake": decimal(excluding + uptake),
        "fossilGhgEmissions": decimal(_non_negative(part.fossil, "pcf.fossilGhgEmissions")),
        "fossilCarbonContent": decimal(fossil_c),
    }
    if context.biogenic_carbon_content_kg is not None:
        pcf["biogenicCarbonContent"] = decimal(context.biogenic_carbon_content_kg)
    pcf |= {
        "landUseChangeGhgEmissions": decimal(
            _non_negative(part.land_use_change, "pcf.landUseChangeGhgEmissions")
        ),
        "biogenicCO2Uptake": decimal(uptake),
        "biogenicNonCO2Emissions": decimal(part.biogenic_non_co2),
        "packagingEmissionsIncluded": _packaging(model, context),
        "ipccCharacterizationFactors": [result.provenance.gwp_set],
        "crossSectoralStandards": list(context.cross_sectoral_standards),
        "exemptedEmissionsPercent": decimal(percent),
        "exemptedEmissionsDescription": description,
        "primaryDataShare": decimal(result.result.primary_data_share * 100, digits=8),
    }
    if sources := _sources(result):
        pcf["secondaryEmissionFactorSources"] = sources
    if (q := context.data_quality) is not None:
        pcf["dqi"] = {
            "technologicalDQR": decimal(q.technological),
            "geographicalDQR": decimal(q.geographical),
            "temporalDQR": decimal(q.temporal),
        }
    doc = _product(model, context, V3_SPEC_VERSION)
    return doc | {"comment": _comment(result, context), "pcf": pcf}
