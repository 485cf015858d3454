"""The classification catalogue (分类管理名录) and product-category rules (产品种类规则).

A catalogue version lists sectors and their product categories (codes, names, HS and CPC
codes, whether footprint management applies and how) and names each category's accounting
rule. A rule states what an accounting of that category must do (unit, boundary, mandatory
stages, cut-off, allocation order, electricity, data quality, a reference value for grading).
Both have numbered versions with effective dates. No I/O here.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=5000, strip_whitespace=True)]
HsCode = Annotated[str, StringConstraints(pattern=r"^\d{4}(\.?\d{2}){0,3}$")]
CpcCode = Annotated[str, StringConstraints(pattern=r"^\d{1,5}$")]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Stage(StrEnum):
    """Life-cycle stages (GB/T 24067, ISO 14067; EU Battery Regulation's stages map onto them)."""

    RAW_MATERIALS = "raw_materials"  # 原材料获取
    PRODUCTION = "production"  # 生产
    DISTRIBUTION = "distribution"  # 分销
    USE = "use"  # 使用
    END_OF_LIFE = "end_of_life"  # 生命末期


class Boundary(StrEnum):
    """System boundary of a study (系统边界)."""

    CRADLE_TO_GATE = "cradle_to_gate"  # partial CFP, declared unit
    CRADLE_TO_GRAVE = "cradle_to_grave"  # CFP, functional unit
    GATE_TO_GATE = "gate_to_gate"


#: The stages a boundary covers.
BOUNDARY_STAGES: dict[Boundary, tuple[Stage, ...]] = {
    Boundary.CRADLE_TO_GATE: (Stage.RAW_MATERIALS, Stage.PRODUCTION),
    Boundary.CRADLE_TO_GRAVE: tuple(Stage),
    Boundary.GATE_TO_GATE: (Stage.PRODUCTION,),
}


class UnitKind(StrEnum):
    DECLARED = "declared"  # 声明单位 (partial CFP)
    FUNCTIONAL = "functional"  # 功能单位 (CFP)


class AllocationMethod(StrEnum):
    """ISO 14067 6.4.6 / ISO 14044 4.3.4.2: avoid allocation first, then physical, then other."""

    SUBDIVISION = "subdivision"
    SYSTEM_EXPANSION = "system_expansion"
    PHYSICAL = "physical"  # mass, energy or another physical relationship
    ECONOMIC = "economic"


#: The order ISO 14044 4.3.4.2 gives; a rule may only narrow it, never reorder it.
ISO_ALLOCATION_ORDER: tuple[AllocationMethod, ...] = tuple(AllocationMethod)


class Instrument(StrEnum):
    """Contractual instruments for market-based electricity."""

    GREEN_CERTIFICATE = "green_certificate"  # 绿证 (GEC)
    GREEN_POWER_TRADING = "green_power_trading"  # 绿电交易
    PPA = "ppa"  # power purchase agreement


class MarketBased(StrEnum):
    REQUIRED = "required"
    ALLOWED = "allowed"
    NOT_ALLOWED = "not_allowed"


class ElectricityRule(BaseModel):
    """How electricity is accounted: always location-based; market-based as the rule says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    market_based: MarketBased = MarketBased.ALLOWED
    instruments: tuple[Instrument, ...] = tuple(Instrument)
    # What the kWh not covered by instruments count at: the residual mix where published,
    # else the grid factor of the region and year.
    remainder: Annotated[str, StringConstraints(pattern=r"^(residual|grid)$")] = "residual"


class CutOff(BaseModel):
    """Cut-off criteria (取舍准则): an input below ``per_input`` of the product's mass (or
    energy) may be left out, as long as everything left out stays below ``total``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_input: Share = 0.01
    total: Share = 0.05


class ReferenceValue(BaseModel):
    """A reference footprint per declared/functional unit, used for grading (分级评价)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(gt=0, allow_inf_nan=False, description="kg CO2e per unit")
    source: LongText
    illustrative: bool = True


class RuleData(BaseModel):
    """One version of a product-category accounting rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    title_zh: ShortText
    title_en: ShortText
    standard: ShortText | None = None  # the published rule it follows (T/CPCIF 0467-2025…)
    illustrative: bool = True  # no official rule exists, or it was not read
    effective_from: date
    effective_to: date | None = None
    unit_kind: UnitKind
    unit: ShortText = Field(description="a pint unit: piece, kWh, kg, t…")
    unit_description: LongText
    boundary: Boundary
    mandatory_stages: tuple[Stage, ...]
    cutoff: CutOff = CutOff()
    allocation_order: tuple[AllocationMethod, ...] = ISO_ALLOCATION_ORDER
    electricity: ElectricityRule = ElectricityRule()
    gwp_set: Annotated[str, StringConstraints(pattern=r"^(AR5|AR6)$")] = "AR6"
    # Data quality rating: 1 (best) to 5 (worst), as the PEF DQR; the result must be at most.
    max_data_quality_rating: float = Field(default=3.0, ge=1.0, le=5.0)
    min_primary_data_share: Share = 0.0
    reference_value: ReferenceValue | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RuleData:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        outside = [
            s.value for s in self.mandatory_stages if s not in BOUNDARY_STAGES[self.boundary]
        ]
        if outside:
            raise ValueError(f"mandatory_stages {outside} lie outside the {self.boundary} boundary")
        order = [ISO_ALLOCATION_ORDER.index(m) for m in self.allocation_order]
        if order != sorted(order) or len(set(order)) != len(order):
            raise ValueError(
                "allocation_order must follow ISO 14044's order (subdivision, system_expansion, "
                "physical, economic), each at most once"
            )
        if self.cutoff.per_input > self.cutoff.total:
            raise ValueError("cutoff.per_input is larger than cutoff.total")
        return self


class Management(StrEnum):
    """Whether footprint management applies to a category, and how."""

    REQUIRED = "required"  # 强制
    ENCOURAGED = "encouraged"  # 鼓励
    VOLUNTARY = "voluntary"  # 自愿


class CodeSource(BaseModel):
    """Where a classification code (HS, CPC) is published, and what it was checked against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: ShortText
    document: ShortText
    year: int = Field(ge=1900, le=2100)
    url: ShortText | None = None
    checked: LongText | None = None  # the copy the code was read in, when not the document


class Category(BaseModel):
    """A product category of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name_zh: ShortText
    name_en: ShortText
    hs_codes: tuple[HsCode, ...] = ()
    cpc_code: CpcCode | None = None
    management: Management
    rule_code: Code | None = None  # the accounting rule (its version effective on a date)
    illustrative: bool = True
    note: LongText | None = None
    # Each HS or CPC code of the category → the key of its source in CatalogueData.sources.
    code_sources: dict[str, Code] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sources_name_own_codes(self) -> Category:
        foreign = sorted(set(self.code_sources) - set(self.codes()))
        if foreign:
            raise ValueError(f"code_sources names {foreign}, which are not codes of {self.code}")
        return self

    def codes(self) -> tuple[str, ...]:
        """The category's HS codes, then its CPC code."""
        return self.hs_codes + ((self.cpc_code,) if self.cpc_code else ())

    def matches_hs(self, hs_code: str) -> bool:
        """Whether an HS code (any length, dots or not) falls in one of the category's codes,
        or one of them falls in it: 85076000 and 8507 both match 8507.60."""
        wanted = hs_code.replace(".", "").strip()
        return bool(wanted) and any(
            own.replace(".", "").startswith(wanted) or wanted.startswith(own.replace(".", ""))
            for own in self.hs_codes
        )


class Sector(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name_zh: ShortText
    name_en: ShortText
    categories: tuple[Category, ...] = Field(min_length=1)


class CatalogueData(BaseModel):
    """One version of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title_zh: ShortText
    title_en: ShortText
    effective_from: date
    sectors: tuple[Sector, ...] = Field(min_length=1)
    note: LongText | None = None
    # Sources of the categories' classification codes, by key (see Category.code_sources).
    sources: dict[Code, CodeSource] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_codes(self) -> CatalogueData:
        seen: set[str] = set()
        for code in [s.code for s in self.sectors] + [
            c.code for s in self.sectors for c in s.categories
        ]:
            if code in seen:
                raise ValueError(f"code {code!r} appears twice in the catalogue")
            seen.add(code)
        for path, category in self.located_categories():
            for code, key in category.code_sources.items():
                if key not in self.sources:
                    raise ValueError(f"{path}.code_sources[{code!r}]: no source {key!r} in sources")
        return self

    def located_categories(self) -> list[tuple[str, Category]]:
        """Every category with its place in the document: sectors[i].categories[j]."""
        return [
            (f"sectors[{i}].categories[{j}]", category)
            for i, sector in enumerate(self.sectors)
            for j, category in enumerate(sector.categories)
        ]

    def unsourced_codes(self) -> list[str]:
        """The place of every HS or CPC code that names no source, e.g.
        sectors[2].categories[0].hs_codes[1]."""
        missing = []
        for path, category in self.located_categories():
            missing += [
                f"{path}.hs_codes[{k}]"
                for k, code in enumerate(category.hs_codes)
                if code not in category.code_sources
            ]
            if category.cpc_code and category.cpc_code not in category.code_sources:
                missing.append(f"{path}.cpc_code")
        return missing

    def sector_of(self, category_code: str) -> Sector | None:
        """The sector holding the category with this code, or None."""
        return next(
            (s for s in self.sectors if any(c.code == category_code for c in s.categories)), None
        )

    def rule_codes(self) -> set[str]:
        """The codes of every rule the catalogue's categories name."""
        return {c.rule_code for _, c in self.located_categories() if c.rule_code}

    def category(self, code: str) -> Category | None:
        """The category with this code, or None."""
        for sector in self.sectors:
            for category in sector.categories:
                if category.code == code:
                    return category
        return None
