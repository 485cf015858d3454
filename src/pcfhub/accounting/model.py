"""A product model (产品模型): the product, its processes and their exchanges. No I/O.

A model is what an enterprise writes (in the web editor, YAML/JSON or the xlsx template):
processes with their life-cycle stage, location and reference output, and exchanges of the
kinds in DESIGN.md ("How a footprint is computed"):

- ``emission``: a direct emission of a gas (kg of CH4 from a process vent);
- ``activity``: an activity × a published emission factor (1,200 kWh × grid factor);
- ``transport``: mass × distance × a per-t·km factor;
- ``electricity``: kWh with a location-based grid factor and, for the market-based result,
  contractual instruments (绿证, 绿电, PPA) and a residual factor for the rest;
- ``process``: an input from another process of the model;
- ``supplier``: a supplier's PCF per unit, with its data quality and primary data share;
- ``model``: another product model of the same company.

Every exchange states its data type (primary or secondary) and may carry a pedigree or a
geometric standard deviation for Monte Carlo.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pcfhub.catalogue.model import AllocationMethod, Boundary, Instrument, Stage
from pcfhub.factors.model import Gas, Pedigree

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
FactorKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=5000, strip_whitespace=True)]
UnitText = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Amount = Annotated[float, Field(allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class DataType(StrEnum):
    PRIMARY = "primary"  # 初级数据: measured or calculated at the company's own sites
    SECONDARY = "secondary"  # 次级数据: databases, literature, estimates


class Origin(StrEnum):
    """Where a direct emission's carbon comes from (reported apart by GB/T 24067)."""

    FOSSIL = "fossil"
    BIOGENIC = "biogenic"
    LAND_USE_CHANGE = "land_use_change"


class Quantity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Positive
    unit: UnitText


class _Exchange(BaseModel):
    """Fields every exchange has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText | None = None
    data_type: DataType = DataType.SECONDARY
    pedigree: Pedigree | None = None
    gsd: float | None = Field(default=None, ge=1.0, le=100.0, allow_inf_nan=False)
    note: LongText | None = None


class FactorRef(BaseModel):
    """A published factor by its lineage key; the newest published version unless pinned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: FactorKey
    version: int | None = Field(default=None, ge=1)


class EmissionExchange(_Exchange):
    kind: Literal["emission"] = "emission"
    gas: Gas
    amount: Amount
    unit: UnitText = "kg"
    origin: Origin | None = None  # defaults to the gas's own origin (fossil for CO2 fossil…)


class ActivityExchange(_Exchange):
    kind: Literal["activity"] = "activity"
    factor: FactorRef
    amount: Amount
    unit: UnitText
    packaging: bool = False


class TransportExchange(_Exchange):
    kind: Literal["transport"] = "transport"
    factor: FactorRef  # per t·km
    mass: Quantity
    distance: Quantity

    @property
    def tonne_kilometres(self) -> tuple[float, float]:
        """(mass amount, distance amount); units are converted by the inventory builder."""
        return self.mass.amount, self.distance.amount


class ContractualInstrument(BaseModel):
    """A green certificate, green power trade or PPA backing part of the electricity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Instrument
    amount: Positive
    unit: UnitText = "kWh"
    factor: FactorRef  # the generation type's footprint factor (wind, PV, hydro…)
    identifier: ShortText | None = None  # certificate serials, contract number
    generator: ShortText | None = None
    vintage: int | None = Field(default=None, ge=2000, le=2100)
    region: ShortText | None = None


class ElectricityExchange(_Exchange):
    kind: Literal["electricity"] = "electricity"
    amount: Positive
    unit: UnitText = "kWh"
    grid: FactorRef  # location-based: the grid factor of the region and year
    residual: FactorRef | None = None  # market-based remainder; the grid factor when absent
    instruments: tuple[ContractualInstrument, ...] = ()


class ProcessInput(_Exchange):
    kind: Literal["process"] = "process"
    process: Id
    amount: Positive
    unit: UnitText
    packaging: bool = False


class SupplierFootprint(BaseModel):
    """A supplier's PCF per its declared unit, split as PACT and GB/T 24067 report it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_unit: UnitText  # the supplier's declared unit: kg, piece…
    total: Amount = Field(description="kg CO2e per unit, excluding biogenic removals")
    fossil: Amount | None = None
    biogenic_emission: Amount | None = None
    biogenic_removal: Amount | None = Field(default=None, ge=0)  # positive amount taken up
    land_use_change: Amount | None = None
    data_quality_rating: float | None = Field(default=None, ge=1.0, le=5.0)
    primary_data_share: Share | None = None
    source: ShortText | None = None  # PACT footprint id, document


class SupplierExchange(_Exchange):
    kind: Literal["supplier"] = "supplier"
    supplier: ShortText
    amount: Positive
    unit: UnitText
    footprint: SupplierFootprint


class ModelInput(_Exchange):
    kind: Literal["model"] = "model"
    model: Id  # another product model of the same organisation, by its code
    amount: Positive
    unit: UnitText


Exchange = Annotated[
    EmissionExchange
    | ActivityExchange
    | TransportExchange
    | ElectricityExchange
    | ProcessInput
    | SupplierExchange
    | ModelInput,
    Field(discriminator="kind"),
]


class CoProduct(BaseModel):
    """Another product of a process, with what allocation needs to share the burdens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText
    amount: Positive
    unit: UnitText
    mass_kg: Positive | None = None  # physical allocation
    price: Positive | None = None  # economic allocation, per the co-product's whole amount


class Process(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    name: ShortText
    stage: Stage
    location: ShortText | None = None  # a geography code (CN-CQ) or a site name
    output: Quantity
    output_mass_kg: Positive | None = None  # physical allocation
    output_price: Positive | None = None  # economic allocation
    exchanges: tuple[Exchange, ...] = ()
    coproducts: tuple[CoProduct, ...] = ()
    allocation: AllocationMethod | None = None  # else the rule's order decides

    @model_validator(mode="after")
    def _allocation(self) -> Process:
        if self.allocation in (AllocationMethod.SUBDIVISION, AllocationMethod.SYSTEM_EXPANSION):
            raise ValueError(
                f"allocation {self.allocation.value!r} is modelled by splitting the process or "
                "by an avoided product, not by a share; choose physical or economic"
            )
        return self


class Exclusion(BaseModel):
    """An input left out under the cut-off criteria, with its share of the product's mass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText
    mass_share: Share
    reason: LongText


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_en: ShortText
    name_zh: ShortText
    category: Id | None = None  # a catalogue category code
    declared_unit: Quantity
    boundary: Boundary
    reference_period: tuple[date, date]
    gwp_set: Annotated[str, StringConstraints(pattern=r"^(AR5|AR6)$")] = "AR6"
    reference_process: Id
    site: ShortText | None = None
    description: LongText | None = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _period(self) -> Product:
        start, end = self.reference_period
        if end < start:
            raise ValueError("reference_period ends before it starts")
        return self


class ProductModel(BaseModel):
    """A whole model, as stored in one model version and written to YAML, JSON or xlsx."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Id
    product: Product
    processes: tuple[Process, ...] = Field(min_length=1)
    exclusions: tuple[Exclusion, ...] = ()
    assumptions: tuple[LongText, ...] = ()

    @model_validator(mode="after")
    def _links(self) -> ProductModel:
        counts = Counter(p.id for p in self.processes)
        ids = set(counts)
        duplicates = sorted(i for i, n in counts.items() if n > 1)
        if duplicates:
            raise ValueError(f"process ids {duplicates} appear more than once")
        if self.product.reference_process not in ids:
            raise ValueError(
                f"product.reference_process {self.product.reference_process!r} is not a process"
            )
        for process in self.processes:
            for exchange in process.exchanges:
                if isinstance(exchange, ProcessInput) and exchange.process not in ids:
                    raise ValueError(
                        f"process {process.id!r} takes an input from unknown process "
                        f"{exchange.process!r}"
                    )
                if isinstance(exchange, ModelInput) and exchange.model == self.code:
                    raise ValueError(f"process {process.id!r} takes this model as its own input")
        return self

    def process(self, process_id: str) -> Process:
        """The process with this id (KeyError if none)."""
        for process in self.processes:
            if process.id == process_id:
                return process
        raise KeyError(process_id)

    def factor_refs(self) -> list[FactorRef]:
        """Every factor the model names, in order of appearance, each once."""
        found: dict[tuple[str, int | None], FactorRef] = {}
        for process in self.processes:
            for exchange in process.exchanges:
                refs: list[FactorRef] = []
                if isinstance(exchange, ActivityExchange | TransportExchange):
                    refs.append(exchange.factor)
                elif isinstance(exchange, ElectricityExchange):
                    refs.append(exchange.grid)
                    if exchange.residual is not None:
                        refs.append(exchange.residual)
                    refs.extend(i.factor for i in exchange.instruments)
                for ref in refs:
                    found.setdefault((ref.key, ref.version), ref)
        return list(found.values())

    def model_refs(self) -> list[str]:
        """The codes of other product models this one takes inputs from."""
        return sorted(
            {e.model for p in self.processes for e in p.exchanges if isinstance(e, ModelInput)}
        )
