"""The carbon footprint declaration of a battery model, per Regulation (EU) 2023/1542 Article 7
and Annex II: JSON (`BatteryDeclaration`) and a bilingual PDF.

Mapping (pure): the footprint per kWh of total energy delivered over the battery's service life,
split into the life-cycle stages Annex II names. pcfhub's stages map one to one; the use stage
is left out of the declared total (Annex II excludes it) and shown apart. A model not declared
per kWh needs ``energy_delivered_kwh``: the kWh one declared unit delivers over its life.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict

from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.catalogue.model import BOUNDARY_STAGES, Stage
from pcfhub.errors import PcfhubError
from pcfhub.reports import pdf
from pcfhub.reports.declarations_model import (
    Basis,
    DeclarationError,
    ElectricityVariant,
    Positive,
    Text,
    Url,
    basis_of,
    variant_of,
)
from pcfhub.units import conversion_factor

DOCUMENT_TYPE = "pcfhub/eu-battery-carbon-footprint-declaration/1"
REGULATION = "Regulation (EU) 2023/1542, Article 7(1) and Annex II"
FUNCTIONAL_UNIT = "1 kWh of the total energy delivered by the battery over its service life"
TEMPLATES = Path(__file__).parent / "templates"


class BatteryCategory(StrEnum):
    """The batteries Article 7 applies to."""

    ELECTRIC_VEHICLE = "electric_vehicle"
    INDUSTRIAL = "rechargeable_industrial"  # with a capacity above 2 kWh, per Article 7
    LMT = "lmt"  # light means of transport


#: pcfhub stage → (Annex II stage code, English name, Chinese name); None: excluded.
STAGES: dict[Stage, tuple[str, str, str] | None] = {
    Stage.RAW_MATERIALS: (
        "raw_material_acquisition_and_pre_processing",
        "Raw material acquisition and pre-processing",
        "原材料获取和预处理",
    ),
    Stage.PRODUCTION: ("main_product_production", "Main product production", "主要产品生产"),
    Stage.DISTRIBUTION: ("distribution", "Distribution", "分销"),
    Stage.END_OF_LIFE: ("end_of_life_and_recycling", "End of life and recycling", "寿命终止和回收"),
    Stage.USE: None,
}


class BatteryRequest(BaseModel):
    """What the declarant adds to the stored result."""

    model_config = ConfigDict(extra="forbid")

    manufacturer_name: Text
    manufacturer_address: Text
    battery_model: Text  # the battery model's identification
    battery_category: BatteryCategory = BatteryCategory.ELECTRIC_VEHICLE
    manufacturing_plant: Text  # the plant's geographic location (address, city, country)
    declaration_of_conformity_id: Text  # the EU declaration of conformity's identification
    public_study_url: Url  # the web link to the public version of the supporting study
    energy_delivered_kwh: Positive | None = None  # per declared unit, over the service life
    electricity_variant: ElectricityVariant = "headline"
    declaration_date: date | None = None  # today when not given


class Manufacturer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    address: str


class StageFootprint(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str  # the Annex II stage
    name_en: str
    name_zh: str
    pcfhub_stage: str
    kg_co2e_per_kwh: float
    share: float  # of the declared total


class BatteryDeclaration(BaseModel):
    """The carbon footprint declaration of one battery model and manufacturing plant."""

    model_config = ConfigDict(frozen=True)

    document_type: str = DOCUMENT_TYPE
    regulation: str = REGULATION
    manufacturer: Manufacturer
    battery_model: str
    battery_category: BatteryCategory
    manufacturing_plant: str
    functional_unit: str = FUNCTIONAL_UNIT
    carbon_footprint_kg_co2e_per_kwh: float
    stages: list[StageFootprint]
    use_stage_excluded_kg_co2e_per_kwh: float  # in the result, not in the declared total
    energy_delivered_kwh_per_declared_unit: float
    declaration_of_conformity_id: str
    public_study_url: str
    declaration_date: date
    basis: Basis
    notes: list[str]


def energy_per_declared_unit(model: ProductModel, given: float | None) -> tuple[float, str]:
    """kWh delivered over the service life per declared unit, and how it was found."""
    unit = model.product.declared_unit
    if given is not None:
        return given, f"energy_delivered_kwh: {given:g} kWh per {unit.amount:g} {unit.unit}"
    try:
        factor = conversion_factor(unit.unit, "kWh")
    except PcfhubError:
        raise DeclarationError(
            f"energy_delivered_kwh: the model is declared per {unit.amount:g} {unit.unit}, not "
            "per kWh of energy delivered; give the total energy (kWh) one declared unit "
            "delivers over its service life."
        ) from None
    kwh = unit.amount * factor
    return kwh, f"the model's declared unit, {unit.amount:g} {unit.unit}, as energy delivered"


def battery_declaration(
    stored: ResultPublic, model: ProductModel, request: BatteryRequest, *, today: date
) -> BatteryDeclaration:
    """Map a stored result and the declarant's fields to the Article 7 declaration."""
    boundary = model.product.boundary
    covered = set(BOUNDARY_STAGES[boundary])
    needed = {stage for stage, mapped in STAGES.items() if mapped is not None}
    if not needed <= covered:
        left_out = ", ".join(sorted(s.value for s in needed - covered))
        raise DeclarationError(
            f"result: the model's boundary is {boundary.value}, which leaves out {left_out}; "
            "Annex II of Regulation (EU) 2023/1542 asks for every life-cycle stage but use, so "
            "declare from a cradle-to-grave model."
        )
    breakdown = variant_of(stored, request.electricity_variant)
    kwh, how = energy_per_declared_unit(model, request.energy_delivered_kwh)
    declared = sum(v for s, v in breakdown.by_stage.items() if STAGES.get(Stage(s)) is not None)
    per_kwh = declared / kwh
    scale = abs(declared) or 1.0
    stages = []
    for stage, mapped in STAGES.items():
        if mapped is None:
            continue
        value = breakdown.by_stage.get(stage.value, 0.0)
        code, name_en, name_zh = mapped
        stages.append(
            StageFootprint(
                stage=code,
                name_en=name_en,
                name_zh=name_zh,
                pcfhub_stage=stage.value,
                kg_co2e_per_kwh=value / kwh,
                share=value / scale,
            )
        )
    use = breakdown.by_stage.get(Stage.USE.value, 0.0) / kwh
    notes = [
        f"Functional unit from {how}.",
        f"Electricity: {breakdown.variant}-based result of the stored accounting result.",
        "The use stage is excluded from the declared carbon footprint (Annex II); its "
        f"{use:.6g} kg CO2e/kWh in the result is shown apart.",
        "Not covered: the carbon footprint performance class and maximum threshold (later "
        "delegated acts), third-party verification of the declaration.",
    ]
    if model.product.illustrative:
        notes.insert(0, "ILLUSTRATIVE: the model's activity amounts are invented; not a "
                     "declaration of any real battery.")  # fmt: skip
    numbers = [per_kwh, use, kwh, *(s.kg_co2e_per_kwh for s in stages)]
    if not all(math.isfinite(n) for n in numbers):
        raise DeclarationError(
            "energy_delivered_kwh: the footprint per kWh is not a finite number; give the "
            "energy one declared unit delivers over its service life."
        )
    return BatteryDeclaration(
        manufacturer=Manufacturer(
            name=request.manufacturer_name, address=request.manufacturer_address
        ),
        battery_model=request.battery_model,
        battery_category=request.battery_category,
        manufacturing_plant=request.manufacturing_plant,
        carbon_footprint_kg_co2e_per_kwh=per_kwh,
        stages=stages,
        use_stage_excluded_kg_co2e_per_kwh=use,
        energy_delivered_kwh_per_declared_unit=kwh,
        declaration_of_conformity_id=request.declaration_of_conformity_id,
        public_study_url=request.public_study_url,
        declaration_date=request.declaration_date or today,
        basis=basis_of(stored, model, breakdown),
        notes=notes,
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), cache_size=0
    )
    env.filters["num"] = lambda value, digits=4: f"{value:.{digits}g}"
    return env


def battery_html(declaration: BatteryDeclaration) -> str:
    """The declaration as a standalone, bilingual (en/zh) HTML page, as the PDF prints it."""
    template = _environment().get_template("battery_declaration.html")
    return template.render(d=declaration, font_stack=pdf.FONT_STACK)


def battery_pdf(declaration: BatteryDeclaration) -> bytes:
    """The declaration as PDF (same bytes for the same declaration)."""
    return pdf.html_to_pdf(battery_html(declaration))
