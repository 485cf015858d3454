"""Embedded emissions of a good for an EU CBAM report (Regulation (EU) 2023/956; the report's
goods, installation and emissions sections follow Implementing Regulation (EU) 2023/1773,
Annex I). JSON (`CbamDeclaration`); the xlsx is `pcfhub.reports.cbam_workbook`.

How pcfhub splits a result (location-based, per leaf line of the breakdown), per tonne of good:

- the installation is the model's processes of stage ``production``: its electricity lines are
  the indirect emissions (MWh from the model's exchanges, factor and source from the grid
  factor used), every other line of it is a direct emission — except packaging, left out;
- precursors are the processes of stage ``raw_materials`` and other product models taken as
  inputs, each with its own direct and indirect (electricity) part;
- distribution, use and end-of-life lines are outside the embedded emissions and listed apart.

Emissions are CO2e of every gas the inventory holds; Annex I names the gases that count per good.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from pcfhub.accounting.model import ActivityExchange, ElectricityExchange, ProductModel
from pcfhub.accounting.results import InputLine
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.catalogue.model import Stage
from pcfhub.errors import PcfhubError
from pcfhub.reports.declarations_model import (
    Basis,
    DeclarationError,
    OptionalText,
    Positive,
    Text,
    basis_of,
)
from pcfhub.units import conversion_factor

DOCUMENT_TYPE = "pcfhub/eu-cbam-embedded-emissions/1"
REGULATION = "Regulation (EU) 2023/956; report structure of Implementing Regulation (EU) 2023/1773"
Determination = Literal["actual", "default"]


@dataclass(frozen=True)
class CnEntry:
    code: str  # digits; covers every CN code starting with it
    sector: str
    description: str
    gases: tuple[str, ...]
    direct_only: bool  # Annex II: only direct emissions count
    excepted: tuple[str, ...]
    note: str


@cache
def cn_entries() -> tuple[tuple[CnEntry, ...], str]:
    """Annex I's goods (shipped data/cbam_cn_codes.toml) and the source they cite."""
    path = resources.files("pcfhub") / "data" / "cbam_cn_codes.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = tuple(
        CnEntry(
            code=g["code"],
            sector=g["sector"],
            description=g["description"],
            gases=tuple(g["gases"]),
            direct_only=g["direct_only"],
            excepted=tuple(g.get("except", ())),
            note=g.get("note", ""),
        )
        for g in data["goods"]
    )
    return entries, f"{data['source']['regulation']} ({data['source']['url']})"


def cn_entry(cn_code: str) -> CnEntry:
    """The Annex I entry covering a CN code (4, 6 or 8 digits; spaces allowed)."""
    digits = re.sub(r"\s", "", cn_code)
    if not re.fullmatch(r"\d{4}|\d{6}|\d{8}", digits):
        raise DeclarationError(f"cn_code: {cn_code!r} is not a CN code of 4, 6 or 8 digits.")
    entries, source = cn_entries()
    for entry in entries:
        if digits.startswith(entry.code):
            if any(digits.startswith(e) for e in entry.excepted):
                break
            if any(e.startswith(digits) for e in entry.excepted):
                raise DeclarationError(
                    f"cn_code: part of {cn_code} is excepted from CBAM ({entry.description}); "
                    "give the full 8-digit CN code."
                )
            return entry
        if entry.code.startswith(digits):
            raise DeclarationError(
                f"cn_code: {cn_code} is wider than the CBAM entry {entry.code} "
                f"({entry.description}); give the full 8-digit CN code."
            )
    raise DeclarationError(
        f"cn_code: {cn_code} is not a good in the scope of CBAM (Annex I of {source})."
    )


class CbamRequest(BaseModel):
    """What the declarant adds to the stored result for one good, installation and quarter."""

    model_config = ConfigDict(extra="forbid")

    reporting_period: Annotated[str, StringConstraints(pattern=r"^20\d\d-Q[1-4]$")]
    cn_code: Annotated[str, StringConstraints(pattern=r"^[0-9][0-9 ]{3,10}$")]
    quantity_t: Positive  # of the good imported in the period
    installation_name: Text
    installation_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    installation_address: Text
    installation_identifier: OptionalText = None  # UN/LOCODE or the operator's own id
    production_route: Text
    mass_per_declared_unit_t: Positive | None = None  # when not declared per mass
    direct_determination: Determination = "actual"
    indirect_determination: Determination = "actual"


class Goods(BaseModel):
    model_config = ConfigDict(frozen=True)

    cn_code: str
    description: str  # of the Annex I entry
    sector: str
    quantity_t: float
    greenhouse_gases: list[str]  # Annex I
    indirect_emissions_count: bool  # False for goods of Annex II (direct emissions only)


class Installation(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    country: str
    address: str
    identifier: str | None
    production_route: str


class ElectricityLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    process: str
    label: str
    factor_key: str
    factor_source: str
    mwh_per_t: float
    factor_t_co2e_per_mwh: float
    t_co2e_per_t: float


class Precursor(BaseModel):
    model_config = ConfigDict(frozen=True)

    process: str
    name: str
    quantity_t_per_t_good: float | None  # None when its output is not a mass
    direct_t_co2e_per_t_good: float
    indirect_t_co2e_per_t_good: float
    specific_t_co2e_per_t_precursor: float | None


class ExcludedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    process: str
    label: str
    stage: str
    reason: str
    t_co2e_per_t: float


class Emissions(BaseModel):
    """Specific embedded emissions, t CO2e per t of good, and for the quantity reported."""

    model_config = ConfigDict(frozen=True)

    specific_direct: float
    direct_determination: Determination
    specific_indirect: float
    indirect_determination: Determination
    electricity_mwh_per_t: float
    electricity_factor_t_co2e_per_mwh: float | None  # consumption-weighted, None without any
    electricity_factor_sources: list[str]
    specific_precursors: float
    specific_total: float
    direct_t: float  # × quantity
    indirect_t: float
    precursors_t: float
    total_t: float


class CbamDeclaration(BaseModel):
    model_config = ConfigDict(frozen=True)

    document_type: str = DOCUMENT_TYPE
    regulation: str = REGULATION
    reporting_period: str
    goods: Goods
    installation: Installation
    emissions: Emissions
    electricity: list[ElectricityLine]
    precursors: list[Precursor]
    excluded: list[ExcludedLine]
    mass_t_per_declared_unit: float
    basis: Basis
    notes: list[str]


def mass_per_declared_unit(model: ProductModel, given: float | None) -> float:
    unit = model.product.declared_unit
    if given is not None:
        return given
    try:
        return unit.amount * conversion_factor(unit.unit, "t")
    except PcfhubError:
        raise DeclarationError(
            f"mass_per_declared_unit_t: the model is declared per {unit.amount:g} {unit.unit}, "
            "not per mass; give the tonnes of good in one declared unit."
        ) from None


def _exchange(model: ProductModel, line: InputLine) -> object | None:
    """The model's exchange behind a line (None for a sub-model's process)."""
    try:
        return model.process(line.process).exchanges[line.exchange]
    except (KeyError, IndexError):
        return None


#: Factor boundaries whose emissions happen where the activity happens: the installation's own.
DIRECT_BOUNDARIES = frozenset({"combustion", "gate_to_gate", "operation"})


def cbam_declaration(
    stored: ResultPublic,
    model: ProductModel,
    request: CbamRequest,
    *,
    factor_boundaries: Mapping[str, str] | None = None,
) -> CbamDeclaration:
    """Map a stored result and the declarant's fields to the good's embedded emissions.

    ``factor_boundaries`` (factor key → the factor's boundary) tells which activity lines of
    the installation are its own emissions (burning a fuel, operating): only those are direct
    (Regulation (EU) 2023/956 Annex IV; 2023/1773). Activity lines with upstream factors,
    bought goods (supplier footprints) and transport are not the installation's emissions."""
    boundaries = factor_boundaries or {}
    entry = cn_entry(request.cn_code)
    mass = mass_per_declared_unit(model, request.mass_per_declared_unit_t)
    result = stored.result
    breakdown = result.location_based
    per_t = 1.0 / (1000.0 * mass)  # kg CO2e per declared unit → t CO2e per t of good
    supply = {p.process: p.supply for p in breakdown.by_process}
    shares = {key: share for key, (_method, share) in result.provenance.allocations.items()}
    sources = {f.key: f.source for f in result.provenance.factors}
    direct = indirect = 0.0
    electricity: list[ElectricityLine] = []
    precursors: dict[str, list[float]] = {}
    excluded: list[ExcludedLine] = []
    for line in breakdown.by_input:
        value = line.co2e_kg * per_t
        exchange = _exchange(model, line)
        is_electricity = line.kind == "electricity"
        if "/" in line.process or line.stage == Stage.RAW_MATERIALS.value:
            owner = line.process.split("/")[0] if "/" in line.process else line.process
            parts = precursors.setdefault(owner, [0.0, 0.0])
            parts[1 if is_electricity else 0] += value
        elif line.stage != Stage.PRODUCTION.value:
            excluded.append(_excluded(line, value, f"stage {line.stage}: outside the gate"))
        elif isinstance(exchange, ActivityExchange) and exchange.packaging:
            excluded.append(_excluded(line, value, "packaging"))
        elif isinstance(exchange, ActivityExchange) and (
            boundaries.get(exchange.factor.key) not in DIRECT_BOUNDARIES
        ):
            held = boundaries.get(exchange.factor.key, "unknown")
            excluded.append(
                _excluded(
                    line, value,
                    f"factor boundary {held}: upstream of a bought input, not the "
                    "installation's own emission (a CBAM good bought in is a precursor: model "
                    "it in stage raw_materials or as a product model)",
                )
            )  # fmt: skip
        elif line.kind == "supplier":
            excluded.append(
                _excluded(
                    line, value,
                    "a bought good's footprint (a CBAM good bought in is a precursor: model it "
                    "in stage raw_materials or as a product model)",
                )
            )  # fmt: skip
        elif line.kind == "transport":
            excluded.append(_excluded(line, value, "transport: outside the installation"))
        elif is_electricity and isinstance(exchange, ElectricityExchange):
            kwh = exchange.amount * conversion_factor(exchange.unit, "kWh")
            kwh *= shares.get(line.process, 1.0) * supply.get(line.process, 0.0)
            mwh_per_t = kwh / 1000.0 / mass
            indirect += value
            electricity.append(
                ElectricityLine(
                    process=line.process,
                    label=line.label,
                    factor_key=exchange.grid.key,
                    factor_source=sources.get(exchange.grid.key, "not recorded"),
                    mwh_per_t=mwh_per_t,
                    factor_t_co2e_per_mwh=value / mwh_per_t if mwh_per_t else 0.0,
                    t_co2e_per_t=value,
                )
            )
        else:
            direct += value
    if not any(p.stage == Stage.PRODUCTION.value for p in breakdown.by_process):
        raise DeclarationError(
            "result_id: the model has no process of stage production, which pcfhub takes as "
            "the installation; model the installation's processes as production."
        )
    mwh = sum(e.mwh_per_t for e in electricity)
    precursor_lines = [
        _precursor(model, key, parts, supply, mass) for key, parts in precursors.items()
    ]
    from_precursors = sum(p.direct_t_co2e_per_t_good + p.indirect_t_co2e_per_t_good
                          for p in precursor_lines)  # fmt: skip
    total = direct + indirect + from_precursors
    q = request.quantity_t
    notes = [
        "Location-based electricity (grid factors) for indirect emissions.",
        "Emissions are CO2e of every greenhouse gas in the inventory (GWP "
        f"{result.provenance.gwp_set}); Annex I counts {', '.join(entry.gases)} for this good.",
        "Not covered: carbon price due or paid, qualifying parameters of the production route, "
        "verification, the CBAM registry's XML format.",
    ]
    if entry.direct_only:
        notes.append("Annex II good: only direct emissions count in the definitive period.")
    if entry.note:
        notes.append(entry.note)
    if model.product.illustrative:
        notes.insert(0, "ILLUSTRATIVE: the model's activity amounts are invented.")
    return CbamDeclaration(
        reporting_period=request.reporting_period,
        goods=Goods(
            cn_code=request.cn_code,
            description=entry.description,
            sector=entry.sector,
            quantity_t=q,
            greenhouse_gases=list(entry.gases),
            indirect_emissions_count=not entry.direct_only,
        ),
        installation=Installation(
            name=request.installation_name,
            country=request.installation_country,
            address=request.installation_address,
            identifier=request.installation_identifier,
            production_route=request.production_route,
        ),
        emissions=Emissions(
            specific_direct=direct,
            direct_determination=request.direct_determination,
            specific_indirect=indirect,
            indirect_determination=request.indirect_determination,
            electricity_mwh_per_t=mwh,
            electricity_factor_t_co2e_per_mwh=indirect / mwh if mwh else None,
            electricity_factor_sources=sorted({e.factor_source for e in electricity}),
            specific_precursors=from_precursors,
            specific_total=total,
            direct_t=direct * q,
            indirect_t=indirect * q,
            precursors_t=from_precursors * q,
            total_t=total * q,
        ),
        electricity=electricity,
        precursors=precursor_lines,
        excluded=excluded,
        mass_t_per_declared_unit=mass,
        basis=basis_of(stored, model, breakdown),
        notes=notes,
    )


def _excluded(line: InputLine, value: float, reason: str) -> ExcludedLine:
    return ExcludedLine(
        process=line.process, label=line.label, stage=line.stage, reason=reason, t_co2e_per_t=value
    )


def _precursor(
    model: ProductModel, key: str, parts: list[float], supply: dict[str, float], mass: float
) -> Precursor:
    """A precursor process (or sub-model) with how much of it a tonne of good takes."""
    name, quantity = key, None
    try:
        process = model.process(key)
    except KeyError:
        process = None
    if process is not None:
        name = process.name
        try:
            per_run = process.output.amount * conversion_factor(process.output.unit, "t")
            quantity = per_run * supply.get(key, 0.0) / mass
        except PcfhubError:
            quantity = None
    embedded = parts[0] + parts[1]
    return Precursor(
        process=key,
        name=name,
        quantity_t_per_t_good=quantity,
        direct_t_co2e_per_t_good=parts[0],
        indirect_t_co2e_per_t_good=parts[1],
        specific_t_co2e_per_t_precursor=embedded / quantity if quantity else None,
    )
